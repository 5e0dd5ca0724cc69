package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"qlink/internal/store"
)

func TestProviderSessionCannotTouchAnotherProvider(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b := f.signInProvider(t, "B", "b.test")
	tok := b.csrf("/dashboard/B")
	form := func() url.Values { return url.Values{"csrf": {tok}} }
	srcA, runA := f.src["A"].ID, f.run["A"].ID
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		// A's own routes: refused by requireProvider.
		{"GET", "/dashboard/A", http.StatusForbidden},
		{"POST", "/dashboard/A/refresh", http.StatusForbidden},
		{"POST", "/dashboard/A/sources/" + srcA + "/pause", http.StatusForbidden},
		{"GET", fmt.Sprintf("/dashboard/A/runs/%d/pages/1", runA), http.StatusForbidden},
		// A's source and run under B's own path: not B's, so not found.
		{"POST", "/dashboard/B/sources/" + srcA + "/pause", http.StatusNotFound},
		{"POST", "/dashboard/B/sources/" + srcA + "/resume", http.StatusNotFound},
		{"GET", fmt.Sprintf("/dashboard/B/runs/%d/pages/1", runA), http.StatusNotFound},
	} {
		var f url.Values
		if tc.method == "POST" {
			f = form()
		}
		resp, body := b.do(tc.method, tc.path, f)
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s as B: %d, want %d", tc.method, tc.path, resp.StatusCode, tc.want)
		}
		if strings.Contains(body, "secret of A") {
			t.Errorf("%s %s as B shows A's snapshot", tc.method, tc.path)
		}
	}
	if got := f.refresh.got(); len(got) != 0 {
		t.Errorf("refreshes queued: %v, want none", got)
	}
	src, err := f.st.Source(context.Background(), srcA)
	must(t, err)
	if src.Paused {
		t.Error("B paused A's source")
	}
}

func TestProviderDashboardActions(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b := f.signInProvider(t, "A", "a.test")
	_, page := b.do("GET", "/dashboard/A", nil)
	for _, want := range []string{"Dashboard of University A", "https://api.a.test/", "Refresh all sources now", "page 1", "Signed in for a.test"} {
		if !strings.Contains(page, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	tok := csrfInput.FindStringSubmatch(page)[1]
	resp, _ := b.do("POST", "/dashboard/A/refresh", url.Values{"csrf": {tok}})
	if resp.StatusCode != http.StatusSeeOther || !slices.Equal(f.refresh.got(), []string{"A"}) {
		t.Errorf("refresh: %d, queued %v", resp.StatusCode, f.refresh.got())
	}
	src := f.src["A"].ID
	b.do("POST", "/dashboard/A/sources/"+src+"/pause", url.Values{"csrf": {tok}})
	if s, _ := f.st.Source(context.Background(), src); !s.Paused {
		t.Error("source not paused")
	}
	if _, page := b.do("GET", "/dashboard/A?done=pause", nil); !strings.Contains(page, "Resume") {
		t.Error("a paused source offers no Resume")
	}
	b.do("POST", "/dashboard/A/sources/"+src+"/resume", url.Values{"csrf": {tok}})
	if s, _ := f.st.Source(context.Background(), src); s.Paused {
		t.Error("source not resumed")
	}
	resp, body := b.do("GET", fmt.Sprintf("/dashboard/A/runs/%d/pages/1", f.run["A"].ID), nil)
	h := resp.Header
	if resp.StatusCode != 200 || body != `{"items":["secret of A"]}` || h.Get("Content-Type") != "application/json" ||
		h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") {
		t.Errorf("snapshot: %d %q %v", resp.StatusCode, body, h)
	}
	var actions []string
	entries, err := f.st.ListAudit(context.Background(), store.AuditFilter{})
	must(t, err)
	for _, e := range entries {
		if e.ActorKind == "provider" && e.Actor == "A" {
			actions = append(actions, e.Action)
		}
	}
	slices.Sort(actions)
	want := []string{"claim.verified", "provider.refresh", "snapshot.download", "source.pause", "source.resume"}
	if !slices.Equal(actions, want) {
		t.Errorf("provider A's audit entries: %v, want %v", actions, want)
	}
}

func TestClaimIsBoundToTheRegistryDomainsAndTheBrowser(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b := f.browser(t)
	_, page := b.do("GET", "/institutions/A/claim", nil)
	for _, d := range []string{"a.test", "uni-a.test"} {
		if !strings.Contains(page, "Prove control of "+d) {
			t.Errorf("claim page does not offer %s:\n%s", d, page)
		}
	}
	tok := csrfInput.FindStringSubmatch(page)[1]
	// A domain the registry does not give A is refused.
	if resp, _ := b.do("POST", "/institutions/A/claim", url.Values{"csrf": {tok}, "domain": {"evil.test"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("claiming evil.test for A: %d, want 400", resp.StatusCode)
	}
	resp, _ := b.do("POST", "/institutions/A/claim", url.Values{"csrf": {tok}, "domain": {"a.test"}})
	challenge := resp.Header.Get("Location")
	_, page = b.do("GET", challenge, nil)
	token := claimTokenOf(t, page)
	if !strings.Contains(page, "_qlink-verify.a.test") || !strings.Contains(page, "https://a.test/.well-known/qlink-verification.txt") {
		t.Errorf("the claim page does not say where to publish the token:\n%s", page)
	}
	// Not published yet: the reason is shown, nobody is signed in.
	resp, page = b.do("POST", challenge+"/verify", url.Values{"csrf": {tok}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "_qlink-verify.a.test") {
		t.Errorf("unpublished token: %d\n%s", resp.StatusCode, page)
	}
	f.verifier.publish("a.test", token)
	// Another browser that knows the challenge's address gets nothing.
	other := f.browser(t)
	otherTok := other.csrf("/admin/login")
	if resp, _ := other.do("POST", challenge+"/verify", url.Values{"csrf": {otherTok}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another browser verifying the challenge: %d, want 404", resp.StatusCode)
	}
	// Nor does the challenge under another provider's address.
	wrongPath := strings.Replace(challenge, "/institutions/A/", "/institutions/B/", 1)
	if resp, _ := b.do("POST", wrongPath+"/verify", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("A's challenge under B: %d, want 404", resp.StatusCode)
	}
	resp, _ = b.do("POST", challenge+"/verify", url.Values{"csrf": {tok}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard/A" {
		t.Fatalf("published token: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if e := f.audit(t, "claim.failed"); len(e) != 1 || e[0].Target != "A" {
		t.Errorf("failed claim audit: %+v", e)
	}
}

func claimTokenOf(t *testing.T, page string) string {
	t.Helper()
	const marker = `id="claim-token">`
	i := strings.Index(page, marker)
	if i < 0 {
		t.Fatalf("no claim token on the page:\n%s", page)
	}
	rest := page[i+len(marker):]
	return rest[:strings.Index(rest, "<")]
}

func TestProviderActionsAreRateLimited(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b := f.signInProvider(t, "A", "a.test")
	tok := b.csrf("/dashboard/A")
	for i := range maxExtraRefreshes {
		if resp, _ := b.do("POST", "/dashboard/A/refresh", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("refresh %d: %d", i+1, resp.StatusCode)
		}
	}
	if resp, _ := b.do("POST", "/dashboard/A/refresh", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("refresh %d within the hour: %d, want 429", maxExtraRefreshes+1, resp.StatusCode)
	}
	if n := len(f.refresh.got()); n != maxExtraRefreshes {
		t.Errorf("%d refreshes queued, want %d", n, maxExtraRefreshes)
	}
	// One token was issued to sign in; the address may ask for the rest.
	anon := f.browser(t)
	tok = anon.csrf("/institutions/B/claim")
	for i := 1; i < maxClaimIssues; i++ {
		anon.do("POST", "/institutions/B/claim", url.Values{"csrf": {tok}, "domain": {"b.test"}})
	}
	if resp, _ := anon.do("POST", "/institutions/B/claim", url.Values{"csrf": {tok}, "domain": {"b.test"}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("token %d from one address within the hour: %d, want 429", maxClaimIssues+1, resp.StatusCode)
	}
}
