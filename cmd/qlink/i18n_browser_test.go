package main

import "testing"

// TestBrowserGerman: a German reader gets the catalogue in German with
// German vocabulary labels; switching to French is remembered.
func TestBrowserGerman(t *testing.T) {
	chromium := requireBrowser(t)
	d := startDemo(t)
	runJourney(t, chromium, "german.mjs", d.srv.URL+"/")
}
