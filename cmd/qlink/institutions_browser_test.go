package main

import (
	"testing"

	"qlink/internal/testfed"
)

// TestBrowserInstitutions: an IT officer finds the institution whose
// manifest is malformed, by its domain, and reads why discovery failed.
func TestBrowserInstitutions(t *testing.T) {
	chromium := requireBrowser(t)
	d := startDemo(t)
	var schac string
	for _, in := range d.fed.Institutions() {
		if in.Misbehavior == testfed.MalformedManifest {
			schac = in.SCHAC
		}
	}
	if schac == "" {
		t.Fatal("the demo federation has no institution with a malformed manifest")
	}
	runJourney(t, chromium, "institutions.mjs", d.srv.URL+"/", schac)
}
