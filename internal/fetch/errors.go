package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"qlink/internal/redact"
)

// Kind classifies a failed request. Each kind has a stable name the
// dashboard can translate and explain.
type Kind string

// Failure kinds.
const (
	KindBlocked   Kind = "blocked"     // the address is private, loopback, or the scheme is not http(s)
	KindDNS       Kind = "dns"         // the host name does not resolve
	KindTimeout   Kind = "timeout"     // no complete answer within the deadline
	KindNetwork   Kind = "network"     // connection refused, reset, unreachable
	KindTLS       Kind = "tls"         // certificate or handshake failure
	KindRedirects Kind = "redirects"   // too many redirects, or a redirect to a bad URL
	KindTooLarge  Kind = "too-large"   // the body exceeds the size cap
	KindStatus    Kind = "http-status" // an HTTP status other than 2xx or 304
	KindURL       Kind = "url"         // the URL itself is malformed
	KindEncoding  Kind = "encoding"    // the body's compression is corrupt or not one we asked for
	KindAuth      Kind = "auth"        // the source's credentials could not be prepared or sent
	KindCanceled  Kind = "canceled"    // the caller gave up (shutdown, cancelled harvest)
)

// Error is a failed request with its kind.
type Error struct {
	Kind   Kind
	URL    string
	Status int // for KindStatus
	// RetryAfter is how long the server asked us to wait (Retry-After on
	// a 429 or 503 we gave up on), so a scheduler can postpone the source.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	msg := string(e.Kind)
	if e.Status != 0 {
		msg = fmt.Sprintf("HTTP %d", e.Status)
	}
	if e.URL != "" {
		msg = "fetch " + redact.URL(e.URL) + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of a fetch error, or "" for other errors.
func KindOf(err error) Kind {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return ""
}

// classify turns a transport error into an *Error with the right kind.
func classify(rawURL string, err error) error {
	var fe *Error
	if errors.As(err, &fe) {
		if fe.URL == "" {
			fe.URL = rawURL
		}
		return fe
	}
	kind := KindNetwork
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		kind = KindCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		kind = KindTimeout
	case errors.As(err, &dnsErr):
		kind = KindDNS
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr):
		kind = KindTLS
	}
	return &Error{Kind: kind, URL: rawURL, Err: err}
}
