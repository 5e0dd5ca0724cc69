package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"qlink/internal/config"
	"qlink/internal/manifest"
)

// TestBrowserManifest: an IT officer builds and validates a manifest with
// an encrypted secret; the aggregator's keys decrypt what the page made.
func TestBrowserManifest(t *testing.T) {
	chromium := requireBrowser(t)
	d := startDemo(t)
	// A server of its own, so that its checks are not counted with the
	// other tests' against the shared one.
	srv, err := d.app.webServer("Demo data")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	out := filepath.Join(t.TempDir(), "manifest.json")
	const secret = "s3cret-API-key: ünïcode & spaces"
	runJourney(t, chromium, "manifest.mjs", ts.URL+"/", out, secret, d.fed.Institutions()[0].SCHAC)
	body, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := manifest.Parse(body)
	if err != nil || len(m.Sources) != 2 {
		t.Fatalf("%v\n%s", err, body)
	}
	got, err := m.Sources[1].Auth.Secret("value", d.app.keys)
	if err != nil || got != secret {
		t.Fatalf("the aggregator decrypts %q (%v), want the secret typed, %q", got, err, secret)
	}
}

// TestCheckMyInstitution runs the web's check against the simulated
// federation, as the demo wires it.
func TestCheckMyInstitution(t *testing.T) {
	d := startDemo(t)
	good := d.fed.Institutions()[0]
	browser, token := formSession(t, d.srv.URL+"/manifest")
	resp, err := browser.PostForm(d.srv.URL+"/manifest/check", url.Values{"target": {good.SCHAC}, "csrf": {token}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	page := html.UnescapeString(string(body))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{"PASS: the aggregator can harvest every source of " + good.SCHAC, good.Discovery.ManifestURL,
		"dns-txt", "First page:"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// TestKeylessCheckLeavesSecretsUntested: a check without the aggregator's
// keys (the web's, or qlink check on a publisher's machine) cannot open a
// source whose manifest holds an encrypted secret; it says so rather than
// failing the source.
func TestKeylessCheckLeavesSecretsUntested(t *testing.T) {
	sealed := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 256))
	body := `{"sources": [
  {"type": "ooapi", "path": "https://api.uni-example.eu/", "auth": {"type": "oauth2.0",
    "token_endpoint": "https://auth.uni-example.eu/token", "client_id": "qlink", "client_secret": "` + sealed + `"}},
  {"type": "ooapi", "path": "https://api2.uni-example.eu/", "auth": {"type": "httpheader", "field": "X-Key", "value": "` + sealed + `"}}]}`
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	defer ts.Close()
	cfg := config.Default()
	cfg.Fetch.AllowPrivateNetworks = true
	cfg.DataDir = t.TempDir()
	h, err := newChecker(context.Background(), cfg, network{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	r := h.Check(context.Background(), ts.URL+"/manifest.json")
	if len(r.Sources) != 2 {
		t.Fatalf("%+v", r)
	}
	for _, s := range r.Sources {
		if len(s.Problems) > 0 || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "was not tested") {
			t.Errorf("%s source: problems %+v, warnings %q", s.Auth, s.Problems, s.Warnings)
		}
	}
}

// formSession is a client holding the cookies a browser gets from page,
// and the CSRF token page's forms carry.
func formSession(t *testing.T, page string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field on %s", page)
	}
	return client, string(m[1])
}
