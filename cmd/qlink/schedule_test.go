package main

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"

	"qlink/internal/config"
	"qlink/internal/store"
	"qlink/internal/testfed"
)

// TestHarvestBesideServeHandsOver: with a server owning the data
// directory, qlink harvest and qlink refresh queue their work for it and
// return at once; --wait follows the work to its end.
func TestHarvestBesideServeHandsOver(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a federation")
	}
	ctx := context.Background()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: 3, Seed: 5,
		Formats: []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM}})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	cfg := config.Default()
	cfg.DataDir, cfg.RegistryURL = newInstance(t), fed.RegistryURL()
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), demoNetwork(fed))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
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
	go func() { served <- serveAndHarvest(serveCtx, a, ln, srv.Handler(), 0) }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	out, err := run(t, "", "harvest", "--data-dir", cfg.DataDir)
	if err != nil || !strings.Contains(out, "queued a full harvest") || strings.Contains(out, "Done:") {
		t.Fatalf("harvest beside serve: %v\n%s", err, out)
	}

	out, err = run(t, "", "harvest", "--data-dir", cfg.DataDir, "--wait")
	if err != nil || !strings.Contains(out, "Done:") {
		t.Fatalf("harvest --wait beside serve: %v\n%s", err, out)
	}
	sources, err := a.store.ListSources(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) < 3 {
		t.Fatalf("the server found %d sources, want one per institution at least", len(sources))
	}
	if got := strings.Count(out, "└"); got < len(sources) {
		t.Errorf("--wait printed %d runs, want one per source (%d):\n%s", got, len(sources), out)
	}
	for _, src := range sources {
		runs, err := a.store.ListRuns(ctx, src.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		if !hasManualRun(runs) {
			t.Errorf("source %s has no manual run: %+v", src.ID, runs)
		}
	}

	out, err = run(t, "", "refresh", "--data-dir", cfg.DataDir, sources[0].ID, "--wait")
	if err != nil || !strings.Contains(out, "queued a refresh of source") || !strings.Contains(out, "Done: 1 run") {
		t.Fatalf("refresh --wait beside serve: %v\n%s", err, out)
	}
	if _, err := run(t, "", "refresh", "--data-dir", cfg.DataDir, "no-such-thing"); err == nil ||
		!strings.Contains(err.Error(), "neither a provider nor a source") {
		t.Errorf("refresh of an unknown ID: %v", err)
	}
}

func hasManualRun(runs []store.Run) bool {
	for _, r := range runs {
		if r.Trigger == "manual" && (r.Status == store.RunOK || r.Status == store.RunNotModified) {
			return true
		}
	}
	return false
}
