package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"qlink/internal/store"
	"qlink/internal/testfed"
)

// cookieClient keeps cookies by hand (net/http/cookiejar sends no Secure
// cookie over plain HTTP, browsers do on loopback) and follows no
// redirects.
type cookieClient struct {
	t       *testing.T
	base    string
	cookies map[string]string
}

func (c *cookieClient) do(method, path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return resp, string(data)
}

var (
	csrfField  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	claimToken = regexp.MustCompile(`id="claim-token">([^<]+)<`)
)

// TestProviderClaimsItsDomainInTheFederation: institutions of the
// simulated federation prove control of their domain, one by a DNS TXT
// record and one by a well-known file, checked through the fetcher and
// resolver discovery uses, and get their dashboard.
func TestProviderClaimsItsDomainInTheFederation(t *testing.T) {
	d := startDemo(t)
	ctx := context.Background()
	providers, err := d.app.store.ListProviders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var claimable []string // provider IDs with a SCHAC domain of the federation
	schac := map[string]string{}
	for _, p := range providers {
		if strings.HasSuffix(p.SCHAC, ".test") {
			claimable = append(claimable, p.ID)
			schac[p.ID] = p.SCHAC
		}
	}
	if len(claimable) < 2 {
		t.Fatalf("want two providers with a SCHAC code, have %v", claimable)
	}
	for i, method := range []string{testfed.ClaimTXT, testfed.ClaimWellKnown} {
		id, domain := claimable[i], schac[claimable[i]]
		t.Run(method, func(t *testing.T) {
			c := &cookieClient{t: t, base: d.srv.URL, cookies: map[string]string{}}
			_, page := c.do("GET", "/institutions/"+url.PathEscape(id)+"/claim", nil)
			tok := csrfField.FindStringSubmatch(page)[1]
			resp, page := c.do("POST", "/institutions/"+url.PathEscape(id)+"/claim", url.Values{"csrf": {tok}, "domain": {domain}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("asking for a token for %s: %d\n%s", domain, resp.StatusCode, page)
			}
			challenge := resp.Header.Get("Location")
			_, page = c.do("GET", challenge, nil)
			token := claimToken.FindStringSubmatch(page)[1]
			d.fed.PublishClaimToken(domain, token, method)
			resp, page = c.do("POST", challenge+"/verify", url.Values{"csrf": {tok}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard/"+url.PathEscape(id) {
				t.Fatalf("verifying %s by %s: %d %s\n%s", domain, method, resp.StatusCode, resp.Header.Get("Location"), page)
			}
			resp, page = c.do("GET", "/dashboard/"+url.PathEscape(id), nil)
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Signed in for "+domain) {
				t.Fatalf("dashboard: %d\n%s", resp.StatusCode, page)
			}
			entries, err := d.app.store.ListAudit(ctx, store.AuditFilter{Action: "claim.verified", Actor: id})
			if err != nil || len(entries) != 1 || !strings.Contains(string(entries[0].Details), method) {
				t.Errorf("audit of the claim: %+v %v", entries, err)
			}
		})
	}
}
