package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestBrowserCatalogue drives the catalogue in real headless Chromium
// (testdata/browser/catalogue.mjs, with playwright-core): search, a facet,
// a course page, a phone-sized screen and the keyboard. Screenshots are kept
// in a temporary folder named in the log.
//
// It needs Node.js, Chromium (/usr/bin/chromium or $CHROMIUM) and
// `npm ci --prefix cmd/qlink/testdata/browser`; without them it skips,
// unless QLINK_BROWSER_TESTS=1 (set by .ci/run) makes their absence a failure.
func TestBrowserCatalogue(t *testing.T) {
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

	d := startDemo(t)
	shots, err := os.MkdirTemp("", "qlink-screenshots-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join("testdata", "browser", "catalogue.mjs"), d.srv.URL+"/", shots)
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("browser session:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
	t.Logf("screenshots in %s", shots)
}
