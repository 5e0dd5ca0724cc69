package main

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"qlink/internal/config"
	"qlink/internal/search"
)

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
	srv, err := a.webServer("")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- serveNode(serveCtx, a, ln, srv.Handler(), false, 0) }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	deadline := time.Now().Add(3 * hangDetector)
	for a.index.(search.CacheReporter).CacheLookups()[0].Warmed == 0 {
		if time.Now().After(deadline) {
			t.Fatal("serve had no word searched ahead")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
