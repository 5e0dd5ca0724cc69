package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Options configures a Client.
type Options struct {
	// Timeout bounds one request including reading its body.
	Timeout time.Duration
	// MaxBodyBytes caps a body after decompression.
	MaxBodyBytes int64
	// PerHost caps parallel requests to one host.
	PerHost int
	// UserAgent is sent with every request; see UserAgent.
	UserAgent string
	// AllowPrivate lets requests reach loopback and private addresses.
	// Only tests and the demo federation may set it.
	AllowPrivate bool
	// Resolver resolves host names; nil uses the system resolver.
	Resolver *net.Resolver
	Logger   *slog.Logger
}

// maxRedirects is the most redirects one request follows.
const maxRedirects = 5

// UserAgent builds the User-Agent qlink sends: product, version and the
// operator's contact URL, so an institution can tell who is harvesting.
func UserAgent(version, contactURL string) string {
	return fmt.Sprintf("qlink/%s (QualityLink aggregator; +%s)", version, contactURL)
}

// Client performs outbound requests under qlink's rules.
type Client struct {
	opts  Options
	http  *http.Client
	log   *slog.Logger
	mu    sync.Mutex
	slots map[string]chan struct{}
}

// New builds a Client. One Client (and one transport) serves the whole
// process, so connections are reused across sources of the same host.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 20
	}
	if opts.PerHost <= 0 {
		opts.PerHost = 4
	}
	if opts.UserAgent == "" {
		opts.UserAgent = UserAgent("dev", "https://github.com/qlink-aggregator/qlink")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Resolver: opts.Resolver, Control: dialGuard(opts.AllowPrivate)}
	transport := &http.Transport{
		Proxy:                 nil, // an environment proxy would bypass the address guard
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   opts.PerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: opts.Timeout,
	}
	c := &Client{opts: opts, log: log, slots: map[string]chan struct{}{}}
	c.http = &http.Client{Transport: transport, CheckRedirect: checkRedirect}
	return c
}

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return &Error{Kind: KindRedirects, Err: fmt.Errorf("more than %d redirects", maxRedirects)}
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return &Error{Kind: KindBlocked, Err: fmt.Errorf("redirect to scheme %q", req.URL.Scheme)}
	}
	return nil
}

// Request is one GET.
type Request struct {
	URL string
	// Header holds extra headers (a manifest's headers, Accept).
	Header http.Header
	// Query holds extra query parameters merged into the URL.
	Query url.Values
	// ETag and LastModified make the request conditional.
	ETag         string
	LastModified string
}

// Response is a fully read response.
type Response struct {
	// URL is the final URL after redirects.
	URL         string
	Status      int
	Header      http.Header
	ContentType string
	Body        []byte
	// NotModified is true for a 304 answer to a conditional request.
	NotModified bool
	Duration    time.Duration
}

// MediaType returns the response's media type without parameters, lower-cased.
func (r *Response) MediaType() string {
	mt, _, err := mime.ParseMediaType(r.ContentType)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(strings.Split(r.ContentType, ";")[0]))
	}
	return mt
}

// Get performs a GET and reads the body. Statuses other than 2xx and 304
// are errors of KindStatus; the response (with its body, capped) is
// returned alongside so callers can show what the server said.
func (c *Client) Get(ctx context.Context, req Request) (*Response, error) {
	u, err := buildURL(req.URL, req.Query)
	if err != nil {
		return nil, err
	}
	release, err := c.acquire(ctx, u.Host)
	if err != nil {
		return nil, classify(u.String(), err)
	}
	defer release()

	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{Kind: KindURL, URL: req.URL, Err: err}
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			hreq.Header.Add(k, v)
		}
	}
	hreq.Header.Set("User-Agent", c.opts.UserAgent)
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}

	start := time.Now()
	hresp, err := c.http.Do(hreq)
	if err != nil {
		return nil, classify(u.String(), err)
	}
	defer hresp.Body.Close()
	resp := &Response{URL: hresp.Request.URL.String(), Status: hresp.StatusCode, Header: hresp.Header,
		ContentType: hresp.Header.Get("Content-Type")}
	resp.Body, err = readCapped(hresp.Body, c.opts.MaxBodyBytes)
	resp.Duration = time.Since(start)
	c.log.Debug("fetched", "url", resp.URL, "status", resp.Status, "bytes", len(resp.Body), "duration", resp.Duration)
	if err != nil {
		return resp, classify(resp.URL, err)
	}
	switch {
	case hresp.StatusCode == http.StatusNotModified:
		resp.NotModified = true
	case hresp.StatusCode < 200 || hresp.StatusCode > 299:
		return resp, &Error{Kind: KindStatus, URL: resp.URL, Status: hresp.StatusCode}
	}
	return resp, nil
}

func buildURL(raw string, extra url.Values) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &Error{Kind: KindURL, URL: raw, Err: err}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &Error{Kind: KindBlocked, URL: raw, Err: fmt.Errorf("scheme %q is not http or https", u.Scheme)}
	}
	if u.Host == "" {
		return nil, &Error{Kind: KindURL, URL: raw, Err: errors.New("no host")}
	}
	if u.User != nil {
		return nil, &Error{Kind: KindURL, URL: raw, Err: errors.New("credentials in the URL are not accepted")}
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

func readCapped(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return body, err
	}
	if int64(len(body)) > limit {
		return body[:limit], &Error{Kind: KindTooLarge, Err: fmt.Errorf("body exceeds %d bytes", limit)}
	}
	return body, nil
}

// acquire waits for a free slot for host; the returned func frees it.
func (c *Client) acquire(ctx context.Context, host string) (func(), error) {
	c.mu.Lock()
	slot, ok := c.slots[host]
	if !ok {
		slot = make(chan struct{}, c.opts.PerHost)
		c.slots[host] = slot
	}
	c.mu.Unlock()
	select {
	case slot <- struct{}{}:
		return func() { <-slot }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
