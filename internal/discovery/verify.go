package discovery

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"qlink/internal/fetch"
)

// Domain proof: an institution shows it controls a domain by publishing a
// token qlink gave it, either as a DNS TXT record at VerifyTXTPrefix +
// domain or as the file VerifyWellKnownPath on the domain. The check uses
// the discoverer's resolver and fetcher, so it has discovery's SSRF guard,
// limits and test federation.
const (
	VerifyTXTPrefix     = "_qlink-verify."
	VerifyWellKnownPath = "/.well-known/qlink-verification.txt"
)

// VerifyDomain looks for token at domain, by DNS TXT first and then the
// well-known file, and returns the method that found it (MethodTXT or
// MethodWellKnown). Its error says what each method found instead.
func (d *Discoverer) VerifyDomain(ctx context.Context, domain, token string) (string, error) {
	if token == "" {
		return "", errors.New("discovery: empty verification token")
	}
	txtErr := d.verifyTXT(ctx, domain, token)
	if txtErr == nil {
		return MethodTXT, nil
	}
	wkErr := d.verifyWellKnown(ctx, domain, token)
	if wkErr == nil {
		return MethodWellKnown, nil
	}
	return "", fmt.Errorf("%s; %s", txtErr, wkErr)
}

func (d *Discoverer) verifyTXT(ctx context.Context, domain, token string) error {
	name := VerifyTXTPrefix + domain
	lookupCtx, cancel := context.WithTimeout(ctx, d.opts.LookupTimeout)
	defer cancel()
	records, err := d.dns.LookupTXT(lookupCtx, name)
	if err != nil {
		_, reason := dnsOutcome(err)
		return fmt.Errorf("DNS TXT %s: %s", name, reason)
	}
	for _, rec := range records {
		if strings.TrimSpace(rec) == token {
			return nil
		}
	}
	return fmt.Errorf("DNS TXT %s: %d record(s), none holding the token", name, len(records))
}

func (d *Discoverer) verifyWellKnown(ctx context.Context, domain, token string) error {
	host := domain
	if d.opts.Port != "" {
		host = net.JoinHostPort(domain, d.opts.Port)
	}
	u := (&url.URL{Scheme: d.opts.Scheme, Host: host, Path: VerifyWellKnownPath}).String()
	resp, err := d.get.Get(ctx, fetch.Request{URL: u, Header: http.Header{"Accept": {"text/plain"}}})
	if err != nil {
		return fmt.Errorf("%s: %v", u, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(resp.Body))
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == token {
			return nil
		}
	}
	return fmt.Errorf("%s: the file does not hold the token", u)
}
