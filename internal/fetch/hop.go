package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"qlink/internal/redact"
)

// follow performs one attempt: the request and up to maxRedirects
// redirects, each hop checked and limited like a request of its own.
func (c *Client) follow(ctx context.Context, req Request, first *url.URL) (*Response, error) {
	u := first
	for hop := 0; ; hop++ {
		resp, next, err := c.exchange(ctx, req, first, u)
		if err != nil || next == nil {
			return resp, err
		}
		if hop >= maxRedirects {
			return nil, &Error{Kind: KindRedirects, URL: first.String(), Err: fmt.Errorf("more than %d redirects", maxRedirects)}
		}
		u = next
	}
}

// exchange sends one hop. It returns the read response, or the next URL
// when the server redirects.
func (c *Client) exchange(ctx context.Context, req Request, origin, u *url.URL) (*Response, *url.URL, error) {
	release, err := c.hosts.acquire(ctx, u)
	if err != nil {
		return nil, nil, classify(u.String(), err)
	}
	defer release()
	hctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()

	same := sameOrigin(origin, u)
	hreq, err := c.newRequest(hctx, req, u, same)
	if err != nil {
		return nil, nil, err
	}
	var sent http.Header
	if req.Auth != nil && same {
		// The caller's context, not the hop's: a token request has its own
		// timeout and should not eat into the time for the answer.
		if err := authorize(ctx, req.Auth, hreq); err != nil {
			return nil, nil, err
		}
		sent = hreq.Header
	}
	hreq, observed := c.observe(hreq)
	start := c.now()
	hresp, err := c.http.Do(hreq)
	if err != nil {
		err = c.classifyHop(ctx, hctx, u.String(), err)
		observed(0, err)
		return nil, nil, err
	}
	observed(hresp.StatusCode, nil)
	defer hresp.Body.Close()
	if next, ok, err := redirectTarget(u, hresp); ok || err != nil {
		_, _ = io.CopyN(io.Discard, hresp.Body, 4<<10) // lets a small body's connection be reused
		return nil, next, err
	}
	resp, err := c.read(ctx, hctx, req, hresp)
	resp.Duration, resp.sent = c.now().Sub(start), sent
	c.log.Debug("fetched", "url", redact.LogURL(resp.URL), "status", resp.Status, "bytes", len(resp.Body), "duration", resp.Duration)
	return resp, nil, err
}

// authorize adds credentials, which only ever travel encrypted.
func authorize(ctx context.Context, a Authenticator, hreq *http.Request) error {
	if hreq.URL.Scheme != "https" {
		return &Error{Kind: KindAuth, URL: hreq.URL.String(),
			Err: errors.New("credentials are sent only over https; publish the source at an https URL")}
	}
	if err := a.Authorize(ctx, hreq); err != nil {
		return &Error{Kind: KindAuth, URL: hreq.URL.String(), Err: err}
	}
	return nil
}

// redirectTarget returns the URL a 3xx answer points to; ok is false
// when the response is not a redirect to follow.
func redirectTarget(u *url.URL, hresp *http.Response) (next *url.URL, ok bool, err error) {
	switch hresp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil, false, nil
	}
	loc := hresp.Header.Get("Location")
	if loc == "" {
		return nil, false, nil
	}
	next, perr := u.Parse(loc)
	if perr != nil {
		return nil, true, &Error{Kind: KindRedirects, URL: u.String(), Err: fmt.Errorf("bad Location %q: %w", loc, perr)}
	}
	if cerr := checkURL(next); cerr != nil {
		cerr.URL = u.String()
		cerr.Err = fmt.Errorf("redirect to %s: %w", redact.URL(next.String()), cerr.Err)
		return nil, true, cerr
	}
	next.Fragment = ""
	return next, true, nil
}

// read reads a final response's body and judges its status.
func (c *Client) read(ctx, hctx context.Context, req Request, hresp *http.Response) (*Response, error) {
	resp := &Response{URL: hresp.Request.URL.String(), Status: hresp.StatusCode, Header: hresp.Header,
		ContentType: hresp.Header.Get("Content-Type"),
		ETag:        hresp.Header.Get("ETag"), LastModified: hresp.Header.Get("Last-Modified")}
	var err error
	resp.Body, err = readBody(hresp, c.opts.MaxBodyBytes)
	if err != nil {
		err = c.classifyHop(ctx, hctx, resp.URL, err)
	}
	switch {
	case hresp.StatusCode == http.StatusNotModified:
		resp.NotModified = true
		if resp.ETag == "" {
			resp.ETag = req.ETag
		}
		if resp.LastModified == "" {
			resp.LastModified = req.LastModified
		}
		return resp, nil
	case hresp.StatusCode < 200 || hresp.StatusCode > 299:
		return resp, &Error{Kind: KindStatus, URL: resp.URL, Status: hresp.StatusCode,
			RetryAfter: retryAfter(hresp.Header.Get("Retry-After"), c.now())}
	}
	return resp, err
}

// classifyHop classifies a failed hop. The hop's own deadline is a
// timeout even when the transport reports it as a cancelled read, and a
// caller's cancellation is not the server's fault.
func (c *Client) classifyHop(ctx, hctx context.Context, rawURL string, err error) error {
	var fe *Error
	switch {
	case errors.As(err, &fe):
	case ctx.Err() != nil:
		err = ctx.Err()
	case errors.Is(hctx.Err(), context.DeadlineExceeded):
		err = fmt.Errorf("no complete answer within %s: %w", c.opts.Timeout, context.DeadlineExceeded)
	}
	return classify(rawURL, err)
}
