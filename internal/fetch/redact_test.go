package fetch

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestCredentialsInURLsAreNotLogged: a registry or source URL carrying an
// API key in its query reaches the server intact, but neither the debug
// log nor the error message repeats the key.
func TestCredentialsInURLsAreNotLogged(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query().Get("api_key")
		if r.URL.Path == "/fail" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := testClient(t, Options{AllowNets: loopbackOnly, Logger: log, Retry: RetryPolicy{Attempts: 2}})
	c.sleep = func(context.Context, time.Duration) error { return nil }

	if _, err := c.Get(context.Background(), Request{URL: srv.URL + "/ok?api_key=topsecret&page=2"}); err != nil || got != "topsecret" {
		t.Fatalf("fetch: %v (server saw %q)", err, got)
	}
	_, err := c.Get(context.Background(), Request{URL: srv.URL + "/fail?page=1&access_token=topsecret"})
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(logs.String(), "topsecret") || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("the key leaked:\nlog: %s\nerror: %v", logs.String(), err)
	}
	if !strings.Contains(logs.String(), "api_key=********&page=2") || !strings.Contains(err.Error(), "access_token=********") {
		t.Errorf("the URLs should still be recognisable:\nlog: %s\nerror: %v", logs.String(), err)
	}
}
