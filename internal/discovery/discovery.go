// Package discovery finds an institution's QualityLink manifest, following
// the discovery specification step by step: candidate domains in order
// (SCHAC code, website host, website host without "www.", registrable
// domain), and for each a DNS TXT record "v=qldiscover1; m=<URL>" first,
// then the three well-known URLs. The first usable manifest wins. Every
// step is written to a probe log with its outcome and reason, which the
// dashboard and `qlink check` show to publishers.
//
// It hands the manifest (parsed, with diagnostics) on to the harvest.
package discovery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"qlink/internal/fetch"
	"qlink/internal/manifest"
)

// TXTResolver looks up DNS TXT records; *net.Resolver satisfies it.
type TXTResolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// Getter fetches a URL; *fetch.Client satisfies it.
type Getter interface {
	Get(ctx context.Context, req fetch.Request) (*fetch.Response, error)
}

// Options adjusts how well-known URLs are built. Production uses the
// zero value (https, default port); tests and the demo federation run
// plain http on a high port.
type Options struct {
	Scheme string
	Port   string
	// LookupTimeout bounds each DNS lookup, so one dead name server does
	// not use up the whole discovery (default 5 s).
	LookupTimeout time.Duration
	// MaxSources refuses a manifest listing more sources (0: no cap).
	MaxSources int
}

// Discoverer runs discovery.
type Discoverer struct {
	dns  TXTResolver
	get  Getter
	opts Options
}

// New returns a Discoverer.
func New(dns TXTResolver, get Getter, opts Options) *Discoverer {
	if opts.Scheme == "" {
		opts.Scheme = "https"
	}
	if opts.LookupTimeout <= 0 {
		opts.LookupTimeout = 5 * time.Second
	}
	return &Discoverer{dns: dns, get: get, opts: opts}
}

// Methods of a probe.
const (
	MethodTXT       = "dns-txt"
	MethodWellKnown = "well-known"
)

// Outcomes of a probe.
const (
	OutcomeFound  = "found"  // a usable manifest
	OutcomeAbsent = "absent" // nothing published here
	OutcomeError  = "error"  // something is published but unusable, or the lookup failed
)

// Probe is one step of discovery.
type Probe struct {
	Step     int    `json:"step"`
	Domain   string `json:"domain"`
	Method   string `json:"method"`
	URL      string `json:"url,omitempty"`
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason,omitempty"`
	Duration int64  `json:"durationMs"`
}

// Result is the outcome of discovery.
type Result struct {
	ManifestURL string
	Body        []byte
	Manifest    *manifest.Manifest
	Diagnostics []manifest.Diagnostic
	Probes      []Probe
}

// ErrNoManifest means no candidate domain published a usable manifest.
var ErrNoManifest = errors.New("discovery: no manifest found")

// WellKnownPaths are tried in this order on every candidate domain.
var WellKnownPaths = []string{
	"/.well-known/quality-link-manifest",
	"/.well-known/quality-link-manifest.json",
	"/.well-known/quality-link-manifest.yaml",
}

// Discover looks for the manifest of an institution with the given SCHAC
// code and website (either may be empty).
func (d *Discoverer) Discover(ctx context.Context, schac, website string) (Result, error) {
	var res Result
	domains := Candidates(schac, website)
	if len(domains) == 0 {
		return res, fmt.Errorf("%w: the institution has neither a SCHAC code nor a website", ErrNoManifest)
	}
	for _, domain := range domains {
		if d.probeTXT(ctx, domain, &res) || d.probeWellKnown(ctx, domain, &res) {
			return res, nil
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
	}
	// Something published but unusable is what the publisher must fix
	// first; say so rather than only "not found".
	for _, p := range res.Probes {
		if p.Outcome == OutcomeError && p.URL != "" {
			return res, fmt.Errorf("%w on %s; %s: %s", ErrNoManifest, strings.Join(domains, ", "), p.URL, p.Reason)
		}
	}
	return res, fmt.Errorf("%w on %s", ErrNoManifest, strings.Join(domains, ", "))
}

// DiscoverDomain runs discovery for a bare domain as the harvest does for
// an institution whose SCHAC code and website are that domain: the domain
// itself, then without "www.", then its registrable domain. So checking
// www.dept.example.org finds a manifest published for example.org.
func (d *Discoverer) DiscoverDomain(ctx context.Context, domain string) (Result, error) {
	return d.Discover(ctx, domain, domain)
}

func (d *Discoverer) probeTXT(ctx context.Context, domain string, res *Result) bool {
	start := time.Now()
	p := Probe{Step: len(res.Probes) + 1, Domain: domain, Method: MethodTXT}
	lookupCtx, cancel := context.WithTimeout(ctx, d.opts.LookupTimeout)
	records, err := d.dns.LookupTXT(lookupCtx, domain)
	cancel()
	if err != nil {
		p.Outcome, p.Reason = dnsOutcome(err)
		p.Duration = time.Since(start).Milliseconds()
		res.Probes = append(res.Probes, p)
		return false
	}
	urls, problems := ManifestURLs(records)
	if len(urls) == 0 {
		p.Outcome, p.Reason = OutcomeAbsent, "no v=qldiscover1 record"
		if len(problems) > 0 {
			p.Outcome, p.Reason = OutcomeError, strings.Join(problems, "; ")
		}
		p.Duration = time.Since(start).Milliseconds()
		res.Probes = append(res.Probes, p)
		return false
	}
	for _, u := range urls {
		p.URL = u
		if d.tryManifest(ctx, &p, res) {
			p.Duration = time.Since(start).Milliseconds()
			res.Probes = append(res.Probes, p)
			return true
		}
	}
	p.Duration = time.Since(start).Milliseconds()
	res.Probes = append(res.Probes, p)
	return false
}

func dnsOutcome(err error) (string, string) {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return OutcomeAbsent, "NXDOMAIN or no TXT records"
		case dnsErr.IsTimeout:
			return OutcomeError, "DNS timeout"
		}
	}
	return OutcomeError, "DNS lookup failed: " + err.Error()
}

func (d *Discoverer) probeWellKnown(ctx context.Context, domain string, res *Result) bool {
	host := domain
	if d.opts.Port != "" {
		host = net.JoinHostPort(domain, d.opts.Port)
	}
	for _, path := range WellKnownPaths {
		start := time.Now()
		p := Probe{Step: len(res.Probes) + 1, Domain: domain, Method: MethodWellKnown,
			URL: (&url.URL{Scheme: d.opts.Scheme, Host: host, Path: path}).String()}
		found := d.tryManifest(ctx, &p, res)
		p.Duration = time.Since(start).Milliseconds()
		res.Probes = append(res.Probes, p)
		if found {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
	}
	return false
}

// tryManifest fetches and parses p.URL, recording the outcome on p and,
// on success, the manifest on res.
func (d *Discoverer) tryManifest(ctx context.Context, p *Probe, res *Result) bool {
	resp, err := d.get.Get(ctx, fetch.Request{URL: p.URL, Header: http.Header{
		"Accept": {"application/json, application/yaml;q=0.9, text/yaml;q=0.9, */*;q=0.5"}}})
	if err != nil {
		p.Outcome, p.Reason = OutcomeError, err.Error()
		if fetch.KindOf(err) == fetch.KindStatus && (resp.Status == http.StatusNotFound || resp.Status == http.StatusGone) {
			p.Outcome, p.Reason = OutcomeAbsent, fmt.Sprintf("HTTP %d", resp.Status)
		} else if fetch.KindOf(err) == fetch.KindDNS {
			p.Outcome, p.Reason = OutcomeAbsent, "host does not resolve"
		}
		return false
	}
	m, diags, err := manifest.ParseWithin(resp.Body, d.opts.MaxSources)
	if err != nil {
		p.Outcome = OutcomeError
		p.Reason = fmt.Sprintf("not a usable manifest (content type %q): %v", resp.ContentType, firstFatal(diags, err))
		return false
	}
	p.Outcome = OutcomeFound
	p.Reason = fmt.Sprintf("%d source(s), content type %q", len(m.Sources), resp.ContentType)
	res.ManifestURL, res.Body, res.Manifest, res.Diagnostics = resp.URL, resp.Body, m, diags
	return true
}

func firstFatal(diags []manifest.Diagnostic, err error) string {
	for _, d := range diags {
		if d.Fatal {
			return d.String()
		}
	}
	return err.Error()
}
