package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"qlink/internal/config"
)

// TestBrowserAdminLogin: an operator made with qlink admin create signs in
// at /admin/login over plain HTTP on loopback, sees the signed-in state
// and signs out; a wrong password shows the error.
func TestBrowserAdminLogin(t *testing.T) {
	chromium := requireBrowser(t)
	dir := newInstance(t)
	const pw = "tram lantern cobalt river"
	if out, err := run(t, pw+"\n", "admin", "create", "ops", "--password-stdin", "--data-dir", dir); err != nil {
		t.Fatalf("admin create: %v\n%s", err, out)
	}
	cfg := config.Default()
	cfg.DataDir = dir
	a, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler), network{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	srv, err := a.webServer("")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	runJourney(t, chromium, "admin-login.mjs", ts.URL, "ops", pw)
}
