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
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Fetch.AllowPrivateNetworks = true
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), network{})
	if err != nil {
		t.Fatal(err)
	}
	a.store.UpsertProviders(ctx, []model.Provider{{ID: "P1", SCHAC: "uni.test", Name: model.Text{"en": "Uni"}}})
	entry := `{"type":"ooapi","path":"` + srv.URL + `/ooapi/v5/"}`
	srcs, err := a.store.SyncManifest(ctx, store.Manifest{ProviderID: "P1", URL: "x", FetchedAt: time.Now(), Body: []byte(entry)},
		[]store.Source{{Key: "k", Type: "ooapi", URL: srv.URL, Entry: []byte(entry)}})
	if err != nil {
		t.Fatal(err)
	}
	a.harvester.Source(ctx, srcs[0], "test")
	empty.Store(true)
	held, _ := a.harvester.Source(ctx, srcs[0], "test")
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
