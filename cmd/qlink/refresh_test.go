package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"qlink/internal/config"
	"qlink/internal/fetch"
	"qlink/internal/harvest"
	"qlink/internal/store"
	"qlink/internal/testfed"
)

// servingDemo is a small federation harvested into a fresh instance and
// served as qlink serve does, scheduler included, so that work queued
// from the web is done.
type servingDemo struct {
	app  *app
	base string
}

func startServingDemo(t *testing.T) *servingDemo {
	t.Helper()
	ctx := context.Background()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: 3, Seed: 11,
		Formats: []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fed.Close() })
	cfg := config.Default()
	cfg.DataDir, cfg.RegistryURL = newInstance(t), fed.RegistryURL()
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), demoNetwork(fed))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	if _, err := runHarvest(ctx, a, io.Discard, "test", nil); err != nil {
		t.Fatal(err)
	}
	// From now on each page takes a little while, as on the internet, so
	// that a refresh's progress can be watched.
	a.harvester.Fetcher = slowFetcher{a.harvester.Fetcher}
	if err := a.offerRefreshes(ctx); err != nil {
		t.Fatal(err)
	}
	base, stop := serveApp(t, a, "Demo data", true)
	t.Cleanup(stop)
	return &servingDemo{app: a, base: base}
}

// slowFetcher answers each request after a pause.
type slowFetcher struct{ harvest.Fetcher }

func (f slowFetcher) Get(ctx context.Context, req fetch.Request) (*fetch.Response, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(30 * time.Millisecond):
	}
	return f.Fetcher.Get(ctx, req)
}

// runPagesOfTwoProviders returns the page of a run of each of two
// providers: the journey refreshes one with JavaScript, the other without.
func (d *servingDemo) runPagesOfTwoProviders(t *testing.T) (string, string) {
	t.Helper()
	ctx := context.Background()
	ps, err := d.app.store.ListProviders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var pages []string
	for _, p := range ps {
		runs, err := d.app.store.FindRuns(ctx, store.RunFilter{ProviderID: p.ID, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		// The first institution is refreshed from its own page, the
		// second from one of its run pages.
		switch {
		case len(runs) == 0:
		case len(pages) == 0:
			pages = append(pages, "/institutions/"+url.PathEscape(p.ID))
		case len(pages) == 1:
			pages = append(pages, fmt.Sprintf("/runs/%d", runs[0].ID))
		}
	}
	if len(pages) < 2 {
		t.Fatalf("the demo has runs of %d providers, want 2", len(pages))
	}
	return pages[0], pages[1]
}

// TestBrowserRefresh: from an institution's page, a person presses
// "Refresh now" and watches the refresh complete live (JavaScript); from a
// run page of another institution, the same without JavaScript, by
// reloading.
func TestBrowserRefresh(t *testing.T) {
	chromium := requireBrowser(t)
	d := startServingDemo(t)
	withJS, withoutJS := d.runPagesOfTwoProviders(t)
	runJourney(t, chromium, "refresh.mjs", d.base, withJS, withoutJS)
}

// TestStopWhileOpeningTheQueue checks that a stop (Ctrl-C, SIGTERM) that
// comes while serve or demo opens the job queue ends them cleanly, not
// with the queue's "context canceled".
func TestStopWhileOpeningTheQueue(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = newInstance(t)
	a, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler), network{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.offerRefreshes(ctx); err != nil {
		t.Errorf("stopped while opening the queue: %v, want no error", err)
	}
	if err := a.offerRefreshes(context.Background()); err != nil || a.queue == nil {
		t.Errorf("opening the queue: %v (queue %v)", err, a.queue)
	}
}
