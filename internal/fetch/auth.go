package fetch

import (
	"context"
	"errors"
	"net/http"
)

// Authenticator adds one source's credentials to its requests. The
// harvest builds one per source (see package fetch/auth) and sets it on
// every Request of that source.
type Authenticator interface {
	// Authorize adds credentials to req just before it is sent. The
	// client calls it for every attempt and every redirect hop that stays
	// on the request's origin, only over https, and never for another
	// host, so a redirect cannot carry a source's secrets elsewhere.
	Authorize(ctx context.Context, req *http.Request) error
}

// Refresher is an Authenticator whose credentials can be renewed early.
// When a server answers 401 to credentials it accepted before (an OAuth
// token revoked mid-harvest), the client calls Refresh once and repeats
// the request.
type Refresher interface {
	Authenticator
	// Refresh discards the credentials carried by refused (the header of
	// the request the server turned down), unless they were renewed
	// already, so that the next Authorize obtains fresh ones.
	Refresh(ctx context.Context, refused http.Header) error
}

// HTTPClient returns an *http.Client for a library that makes its own
// requests, such as the OAuth 2.0 token request. It shares the guarded
// transport (addresses checked after DNS resolution), the User-Agent, the
// host rate limits and the timeout, follows no redirects, and speaks only
// https, since it exists for requests that carry credentials. It does not
// cap bodies: hand it only to code that does (x/oauth2 reads at most
// 1 MiB).
func (c *Client) HTTPClient() *http.Client {
	return &http.Client{Transport: libTransport{c}, Timeout: c.opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type libTransport struct{ c *Client }

func (t libTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := checkURL(r.URL); err != nil {
		err.URL = r.URL.Redacted()
		return nil, err
	}
	if r.URL.Scheme != "https" {
		return nil, &Error{Kind: KindAuth, URL: r.URL.Redacted(), Err: errors.New("credentials are sent only over https")}
	}
	if err := t.c.hosts.wait(r.Context(), hostKey(r.URL)); err != nil {
		return nil, classify(r.URL.Redacted(), err)
	}
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", t.c.opts.UserAgent)
	resp, err := t.c.transport.RoundTrip(r)
	if err != nil {
		return nil, classify(r.URL.Redacted(), err)
	}
	return resp, nil
}
