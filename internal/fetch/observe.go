package fetch

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
)

// Host classes an Observer is told: where a request went.
const (
	// HostPublic is an ordinary address on the Internet.
	HostPublic = "public"
	// HostPrivateAllowed is a non-public address the operator opened
	// (AllowPrivate, AllowNets: the demo federation, a staging server).
	HostPrivateAllowed = "private-allowed"
	// HostRefused is a request the address guard stopped.
	HostRefused = "refused"
	// HostUnknown is a request that failed before it reached any address
	// (DNS, timeout while connecting).
	HostUnknown = "unknown"
)

// Observer is told of each request the client sends, every redirect hop
// and retry on its own: the HTTP status (0 when no answer came) and the
// class of the address it went to. It lets the operator's metrics count
// requests without this package knowing of them; it must be cheap and
// safe for concurrent use.
type Observer func(status int, hostClass string)

// observe returns hreq with a trace that notes the address connected to,
// and the function that reports the request once its outcome is known.
// Without an observer both are no-ops.
func (c *Client) observe(hreq *http.Request) (*http.Request, func(status int, err error)) {
	if c.opts.Observe == nil {
		return hreq, func(int, error) {}
	}
	var remote net.Addr
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { remote = info.Conn.RemoteAddr() }}
	hreq = hreq.WithContext(httptrace.WithClientTrace(hreq.Context(), trace))
	return hreq, func(status int, err error) {
		c.opts.Observe(status, hostClass(remote, err))
	}
}

func hostClass(remote net.Addr, err error) string {
	if fe := (*Error)(nil); errors.As(err, &fe) && fe.Kind == KindBlocked {
		return HostRefused
	}
	if remote == nil {
		return HostUnknown
	}
	ap, perr := netip.ParseAddrPort(remote.String())
	if perr != nil {
		return HostUnknown
	}
	if IsPublic(ap.Addr()) {
		return HostPublic
	}
	return HostPrivateAllowed
}
