package main

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	resp, err := http.PostForm(d.srv.URL+"/manifest/check", url.Values{"target": {good.SCHAC}})
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
