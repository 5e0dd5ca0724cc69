package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Browser journeys run in real headless Chromium, each a script in
// testdata/browser driven by playwright-core. They need Node.js, Chromium
// (/usr/bin/chromium or $CHROMIUM) and `npm ci --prefix
// cmd/qlink/testdata/browser`; without them they skip, unless
// QLINK_BROWSER_TESTS=1 (set by .ci/run) makes their absence a failure.

// TestBrowserCatalogue: search, a facet, a course page, a phone-sized
// screen and the keyboard.
func TestBrowserCatalogue(t *testing.T) {
	chromium := requireBrowser(t)
	d := startDemo(t)
	runJourney(t, chromium, "catalogue.mjs", d.srv.URL+"/")
}

// requireBrowser returns Chromium's path, or skips (fails under
// QLINK_BROWSER_TESTS=1) when the browser tooling is missing.
func requireBrowser(t *testing.T) string {
	t.Helper()
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not installed"
	} else if _, err := os.Stat(chromium); err != nil {
		missing = "Chromium is not installed at " + chromium + " (apt-get install chromium, or set CHROMIUM)"
	} else if _, err := os.Stat(filepath.Join("testdata", "browser", "node_modules", "playwright-core")); err != nil {
		missing = "playwright-core is not installed (npm ci --prefix cmd/qlink/testdata/browser)"
	}
	if missing != "" {
		if os.Getenv("QLINK_BROWSER_TESTS") == "1" {
			t.Fatal(missing)
		}
		t.Skip(missing + "; set QLINK_BROWSER_TESTS=1 to require this test")
	}
	return chromium
}

// runJourney runs testdata/browser/<script> with the base URL, a folder
// for its screenshots and any further arguments. The folder is kept and
// named in the log, as the journey's artefacts.
func runJourney(t *testing.T, chromium, script, baseURL string, args ...string) {
	t.Helper()
	shots, err := os.MkdirTemp("", "qlink-screenshots-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	argv := append([]string{filepath.Join("testdata", "browser", script), baseURL, shots}, args...)
	cmd := exec.CommandContext(ctx, "node", argv...)
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("browser session %s:\n%s", script, out)
	if err != nil {
		t.Fatalf("browser journey %s failed: %v", script, err)
	}
	t.Logf("screenshots in %s", shots)
}
