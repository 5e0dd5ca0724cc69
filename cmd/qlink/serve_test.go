package main

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"qlink/internal/config"
	"qlink/internal/search"
)

// serveApp runs serveNode for a on a loopback listener with a's web
// server (title as webServer takes it), and returns the server's base URL
// and a function that stops it and reports its error; it may be called
// more than once. Callers defer it before a closes.
func serveApp(t *testing.T, a *app, title string, harvests bool) (base string, stop func()) {
	t.Helper()
	srv, err := a.webServer(title)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serveNode(ctx, a, ln, srv.Handler(), harvests, 0) }()
	var once sync.Once
	return "http://" + ln.Addr().String(), func() {
		once.Do(func() {
			cancel()
			if err := <-served; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
}

// TestServeWarmsCommonWords: after its start, serve has the search index
// search the words most titles hold, before any visitor asks.
func TestServeWarmsCommonWords(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = newInstance(t)
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), network{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	docs := []search.Document{{ID: "c1", Title: map[string]string{"en": "Statistics and Data"}},
		{ID: "c2", Title: map[string]string{"en": "Applied Statistics"}}}
	if err := a.index.Index(ctx, docs); err != nil {
		t.Fatal(err)
	}
	_, stop := serveApp(t, a, "", false)
	defer stop()
	deadline := time.Now().Add(3 * hangDetector)
	for a.index.(search.CacheReporter).CacheLookups()[0].Warmed == 0 {
		if time.Now().After(deadline) {
			t.Fatal("serve had no word searched ahead")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
