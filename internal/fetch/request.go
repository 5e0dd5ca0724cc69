package fetch

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Request is one GET.
type Request struct {
	URL string
	// Header holds extra headers (a manifest's headers, Accept). Headers
	// the client manages itself are ignored; see Reserved.
	Header http.Header
	// Query holds extra query parameters merged into the URL.
	Query url.Values
	// ETag and LastModified make the request conditional.
	ETag         string
	LastModified string
	// Auth adds the source's credentials. It runs for every attempt and
	// every redirect hop that stays on the request's origin over https,
	// and never for any other host. Nil sends no credentials.
	Auth Authenticator
}

// Response is a fully read response.
type Response struct {
	// URL is the final URL after redirects.
	URL         string
	Status      int
	Header      http.Header
	ContentType string
	// Body is decoded (gzip, deflate) and capped at MaxBodyBytes.
	Body []byte
	// NotModified is true for a 304 answer to a conditional request.
	NotModified bool
	// ETag and LastModified are the validators to keep for the next
	// conditional request: the server's, or on a 304 that omits them, the
	// ones the request sent.
	ETag         string
	LastModified string
	Duration     time.Duration

	// sent is the header of the request that carried credentials, kept so
	// a refused credential can be told from one already renewed.
	sent http.Header
}

// MediaType returns the response's media type without parameters, lower-cased.
func (r *Response) MediaType() string {
	mt, _, err := mime.ParseMediaType(r.ContentType)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(strings.Split(r.ContentType, ";")[0]))
	}
	return mt
}

// reserved are headers the client sets itself or that would change how
// the message is framed; a manifest may not set them.
var reserved = map[string]bool{
	"Host": true, "Content-Length": true, "Transfer-Encoding": true, "Connection": true, "Keep-Alive": true,
	"Te": true, "Trailer": true, "Upgrade": true, "Proxy-Authorization": true, "Proxy-Connection": true,
	"Accept-Encoding": true, "User-Agent": true, "If-None-Match": true, "If-Modified-Since": true,
	"Signature": true, "Signature-Input": true, "Cookie": true,
}

// Reserved reports whether the fetcher manages header name itself, so
// neither a manifest's headers nor an httpheader field may set it.
func Reserved(name string) bool { return reserved[http.CanonicalHeaderKey(name)] }

// crossOrigin are request headers dropped when a redirect leaves the
// request's origin: credentials a publisher put in plain headers.
var crossOrigin = []string{"Authorization", "Cookie", "Cookie2", "Proxy-Authorization", "Www-Authenticate"}

// newRequest builds one hop's request. Credentials are not added here.
func (c *Client) newRequest(ctx context.Context, req Request, u *url.URL, sameOrigin bool) (*http.Request, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{Kind: KindURL, URL: u.String(), Err: err}
	}
	for k, vs := range req.Header {
		if Reserved(k) {
			continue
		}
		for _, v := range vs {
			hreq.Header.Add(k, v)
		}
	}
	if !sameOrigin {
		for _, k := range crossOrigin {
			hreq.Header.Del(k)
		}
	}
	hreq.Header.Set("User-Agent", c.opts.UserAgent)
	hreq.Header.Set("Accept-Encoding", "gzip, deflate")
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}
	// The Host header carries the normalised authority, the value an
	// RFC 9421 signature covers as @authority.
	hreq.Host = Authority(u)
	return hreq, nil
}

// Authority is u's host[:port] as RFC 9421 §2.2.3 covers it: lower case,
// without the scheme's default port.
func Authority(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && p != defaultPort(u.Scheme) {
		return host + ":" + p
	}
	return host
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// sameOrigin reports whether credentials meant for origin may go to u:
// the same host and port, never from https down to http. Upgrading from
// http to https on the default ports counts as the same origin.
func sameOrigin(origin, u *url.URL) bool {
	if !strings.EqualFold(origin.Hostname(), u.Hostname()) {
		return false
	}
	op, up := portOf(origin), portOf(u)
	switch {
	case origin.Scheme == u.Scheme:
		return op == up
	case origin.Scheme == "http" && u.Scheme == "https":
		return op == up || (op == "80" && up == "443")
	}
	return false
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return defaultPort(u.Scheme)
}

func buildURL(raw string, extra url.Values) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &Error{Kind: KindURL, URL: raw, Err: err}
	}
	if err := checkURL(u); err != nil {
		err.URL = raw
		return nil, err
	}
	if len(extra) > 0 {
		q := u.Query()
		for k, vs := range extra {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	return u, nil
}

// checkURL applies the rules every URL, first or redirected, must meet.
func checkURL(u *url.URL) *Error {
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return &Error{Kind: KindBlocked, Err: fmt.Errorf("scheme %q is not http or https", u.Scheme)}
	case u.Host == "":
		return &Error{Kind: KindURL, Err: errors.New("no host")}
	case u.User != nil:
		return &Error{Kind: KindURL, Err: errors.New("credentials in the URL are not accepted")}
	}
	return nil
}
