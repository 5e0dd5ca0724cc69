package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"qlink/internal/redact"
)

// Options configures a Client.
type Options struct {
	// Timeout bounds one response: connecting, waiting for the headers and
	// reading the body. Each redirect hop and each retry gets its own.
	Timeout time.Duration
	// MaxBodyBytes caps a body, both as sent and after decompression.
	MaxBodyBytes int64
	// PerHost caps parallel requests to one host.
	PerHost int
	// HostRate caps requests per second to one host (0: no cap); HostBurst
	// is how many may go at once after a quiet spell (default PerHost).
	HostRate  float64
	HostBurst int
	// Retry says when a failed request is tried again.
	Retry RetryPolicy
	// UserAgent is sent with every request; see UserAgent.
	UserAgent string
	// AllowPrivate lets requests reach loopback and private addresses.
	// Only tests and the demo federation may set it.
	AllowPrivate bool
	// AllowNets opens only these non-public ranges, a narrower exception
	// than AllowPrivate: metadata and other private addresses stay closed.
	AllowNets []netip.Prefix
	// Resolver resolves host names; nil uses the system resolver.
	Resolver *net.Resolver
	// RootCAs replaces the system's trusted roots; tests trust their
	// httptest certificate with it.
	RootCAs *x509.CertPool
	Logger  *slog.Logger
	// Observe, when set, is told of every request sent (see Observer).
	Observe Observer
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
	opts      Options
	transport *http.Transport
	http      *http.Client
	log       *slog.Logger
	hosts     hostLimits

	// now and sleep are the clock; tests replace them so that waits are
	// observed, not measured.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// New builds a Client. One Client (and one transport) serves the whole
// process, so connections are reused across sources of the same host.
func New(opts Options) *Client {
	opts = withDefaults(opts)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Resolver: opts.Resolver, Control: dialGuard(opts.AllowPrivate, opts.AllowNets)}
	transport := &http.Transport{
		Proxy:                 nil, // an environment proxy would bypass the address guard
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:     true,
		DisableCompression:    true, // we decode gzip and deflate ourselves, under the size cap
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   opts.PerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: opts.Timeout,
	}
	c := &Client{opts: opts, transport: transport, log: log, now: time.Now, sleep: sleepCtx}
	c.hosts = newHostLimits(opts.PerHost, opts.HostRate, opts.HostBurst)
	// Redirects are followed by hand (see follow) so that every hop is
	// checked, rate-limited and given credentials only when it stays on
	// the source's origin.
	c.http = &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	return c
}

func withDefaults(opts Options) Options {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 20
	}
	if opts.PerHost <= 0 {
		opts.PerHost = 4
	}
	if opts.HostBurst <= 0 {
		opts.HostBurst = opts.PerHost
	}
	if opts.UserAgent == "" {
		opts.UserAgent = UserAgent("dev", "https://github.com/qlink-aggregator/qlink")
	}
	opts.Retry = opts.Retry.withDefaults()
	return opts
}

// Close releases idle connections.
func (c *Client) Close() { c.transport.CloseIdleConnections() }

// Get performs a GET and reads the body. Statuses other than 2xx and 304
// are errors of KindStatus; the response (with its body, capped) is
// returned alongside so callers can show what the server said. Failures
// that may pass (429, 503, a dropped connection) are retried under the
// client's RetryPolicy; a 401 to a request with refreshable credentials
// is repeated once with fresh ones.
func (c *Client) Get(ctx context.Context, req Request) (*Response, error) {
	u, err := buildURL(req.URL, req.Query)
	if err != nil {
		return nil, err
	}
	start := c.now()
	wait := c.opts.Retry.backOff()
	refreshed := false
	for attempt := 1; ; attempt++ {
		resp, err := c.follow(ctx, req, u)
		if err == nil {
			return resp, nil
		}
		if !refreshed && c.refreshable(req, resp) {
			refreshed, attempt = true, attempt-1
			if rerr := req.Auth.(Refresher).Refresh(ctx, resp.sent); rerr != nil {
				return resp, &Error{Kind: KindAuth, URL: resp.URL, Err: rerr}
			}
			continue
		}
		d, retry := c.opts.Retry.next(err, wait)
		if !retry || attempt >= c.opts.Retry.Attempts || c.now().Sub(start)+d > c.opts.Retry.MaxElapsed || ctx.Err() != nil {
			return resp, err
		}
		c.log.Debug("retrying", "url", redact.LogURL(u.String()), "attempt", attempt, "wait", d, "error", err)
		if serr := c.sleep(ctx, d); serr != nil {
			return resp, err
		}
	}
}

// refreshable reports whether the server refused credentials that the
// request's Authenticator can renew (an OAuth token revoked mid-harvest).
func (c *Client) refreshable(req Request, resp *Response) bool {
	if resp == nil || resp.Status != http.StatusUnauthorized || resp.sent == nil {
		return false
	}
	_, ok := req.Auth.(Refresher)
	return ok
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
