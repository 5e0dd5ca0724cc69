package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"qlink/internal/config"
	"qlink/internal/model"
	"qlink/internal/store"
)

// TestRunsListAndConfirm holds back an empty answer, then finds the run
// with `qlink runs list` and applies it with `qlink runs confirm`.
func TestRunsListAndConfirm(t *testing.T) {
	ctx := context.Background()
	var empty atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/courses") && !empty.Load():
			fmt.Fprint(w, `{"pageNumber":1,"hasNextPage":false,"items":[{"courseId":"c1","name":[{"language":"en","value":"One"}]},
				{"courseId":"c2","name":[{"language":"en","value":"Two"}]}]}`)
		case strings.HasSuffix(r.URL.Path, "/courses"), strings.HasSuffix(r.URL.Path, "/offerings"):
			fmt.Fprint(w, `{"pageNumber":1,"hasNextPage":false,"items":[]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	cfg, a, src := appWithOOAPISource(t, srv.URL)
	a.harvester.Source(ctx, src, "test")
	empty.Store(true)
	held, _ := a.harvester.Source(ctx, src, "test")
	if held.Status != store.RunSuspicious {
		t.Fatalf("empty answer: %+v", held)
	}

	// While another process holds the index (a, as serve would), runs
	// list reads the database, and confirm, which must write the index,
	// refuses at once instead of waiting for the lock.
	out, err := run(t, "", "runs", "list", "--status", "suspicious", "--data-dir", cfg.DataDir)
	if err != nil || !strings.Contains(out, fmt.Sprintf("%d ", held.ID)) || !strings.Contains(out, "P1") ||
		!strings.Contains(out, "the source answered with no courses where 2 were published before") {
		t.Fatalf("runs list: %v\n%s", err, out)
	}
	if _, err := run(t, "", "runs", "confirm", fmt.Sprint(held.ID), "--data-dir", cfg.DataDir); err == nil ||
		!strings.Contains(err.Error(), "open in another qlink process") {
		t.Fatalf("runs confirm beside a holder of the index: %v", err)
	}
	a.Close()
	if _, err := run(t, "", "runs", "list", "--status", "odd", "--data-dir", cfg.DataDir); err == nil {
		t.Error("an unknown status was accepted")
	}
	out, err = run(t, "", "runs", "confirm", fmt.Sprint(held.ID), "--data-dir", cfg.DataDir)
	if err != nil || !strings.Contains(out, "2 removed") {
		t.Fatalf("runs confirm: %v\n%s", err, out)
	}
	out, err = run(t, "", "runs", "list", "--status", "suspicious", "--data-dir", cfg.DataDir)
	if err != nil || !strings.Contains(out, "No runs match") {
		t.Errorf("after confirmation: %v\n%s", err, out)
	}
}

// TestRunsOfProviderAndShow lists a provider's runs with `qlink runs
// <provider>` and prints one with `qlink runs show`, from a database
// filled through the store.
func TestRunsOfProviderAndShow(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = newInstance(t)
	st, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	st.UpsertProviders(ctx, []model.Provider{{ID: "P1", Name: model.Text{"en": "Uni One"}}, {ID: "P2", Name: model.Text{"en": "Uni Two"}}})
	sync := func(provider string) store.Source {
		srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: provider, URL: "x", FetchedAt: time.Now(), Body: []byte(provider)},
			[]store.Source{{Key: "k", Type: "ooapi", URL: "https://" + provider + ".test/ooapi"}})
		if err != nil {
			t.Fatal(err)
		}
		return srcs[0]
	}
	one, two := sync("P1"), sync("P2")
	finish := func(src store.Source, r store.Run) store.Run {
		started, err := st.StartRun(ctx, src.ID, "test", "", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		r.ID, r.SourceID, r.StartedAt, r.FinishedAt = started.ID, src.ID, started.StartedAt, started.StartedAt.Add(time.Minute)
		if err := st.FinishRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := finish(one, store.Run{Status: store.RunOK, Seen: 3, Added: 3})
	other := finish(two, store.Run{Status: store.RunFailed, Error: "connection refused"})
	warned := finish(one, store.Run{Status: store.RunPartial, Seen: 3, Unchanged: 2, Conflicts: 1, WarningCount: 120,
		Warnings: []store.Warning{{Record: "c1", Field: "title", Message: "empty title"}, {Record: "c2", Field: "ects", Message: "not a number"},
			{Record: "c3", Field: "title", Message: "title too long"}, {Record: "c4", Message: "no identifier"}}})
	st.Close()

	out, err := run(t, "", "runs", "P1", "--data-dir", cfg.DataDir)
	if err != nil || !strings.Contains(out, "Runs of P1 (Uni One)") || strings.Contains(out, "connection refused") ||
		strings.Index(out, fmt.Sprintf("\n%d ", warned.ID)) > strings.Index(out, fmt.Sprintf("\n%d ", first.ID)) ||
		!strings.Contains(out, "WARNINGS") || !strings.Contains(out, " 120 ") {
		t.Fatalf("runs P1 (want its two runs, newest first, not P2's run %d):\n%s\n%v", other.ID, out, err)
	}
	out, err = run(t, "", "runs", "P1", "--limit", "1", "--data-dir", cfg.DataDir)
	if err != nil || strings.Contains(out, fmt.Sprintf("\n%d ", first.ID)) || !strings.Contains(out, "the newest 1 of 2 runs") {
		t.Errorf("runs P1 --limit 1:\n%s\n%v", out, err)
	}
	if _, err := run(t, "", "runs", "P9", "--data-dir", cfg.DataDir); err == nil || !strings.Contains(err.Error(), `no provider with id "P9"`) {
		t.Errorf("runs of an unknown provider: %v", err)
	}

	out, err = run(t, "", "runs", "show", fmt.Sprint(warned.ID), "--data-dir", cfg.DataDir)
	if err != nil {
		t.Fatalf("runs show: %v\n%s", err, out)
	}
	for _, want := range []string{"partial", "3 seen: 0 new, 0 changed, 2 unchanged, 0 removed, 1 conflicts", "Warnings: 120 (the first 4 kept)",
		"  title (2)\n    c1: empty title\n    c3: title too long\n", "  ects (1)\n    c2: not a number\n", "  (record) (1)\n    c4: no identifier\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("runs show lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "(record)") > strings.Index(out, "ects (1)") || strings.Index(out, "ects (1)") > strings.Index(out, "title (2)") {
		t.Errorf("fields out of order:\n%s", out)
	}
	if _, err := run(t, "", "runs", "show", "9999", "--data-dir", cfg.DataDir); err == nil || !strings.Contains(err.Error(), "no run 9999") {
		t.Errorf("runs show of an unknown run: %v", err)
	}
	if _, err := run(t, "", "runs", "show", "x", "--data-dir", cfg.DataDir); err == nil {
		t.Error("runs show x was accepted")
	}
}

// appWithOOAPISource opens an app on a new data directory whose one
// provider, P1, has one OOAPI source at base (a loopback test server).
func appWithOOAPISource(t *testing.T, base string) (config.Config, *app, store.Source) {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Fetch.AllowPrivateNetworks = true
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), network{})
	if err != nil {
		t.Fatal(err)
	}
	a.store.UpsertProviders(ctx, []model.Provider{{ID: "P1", SCHAC: "uni.test", Name: model.Text{"en": "Uni"}}})
	entry := `{"type":"ooapi","path":"` + base + `/ooapi/v5/"}`
	srcs, err := a.store.SyncManifest(ctx, store.Manifest{ProviderID: "P1", URL: "x", FetchedAt: time.Now(), Body: []byte(entry)},
		[]store.Source{{Key: "k", Type: "ooapi", URL: base, Entry: []byte(entry)}})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, a, srcs[0]
}
