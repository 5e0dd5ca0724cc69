package main

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"

	"qlink/internal/config"
	"qlink/internal/discovery"
	"qlink/internal/harvest"
	"qlink/internal/store"
	"qlink/internal/testfed"
)

// Each harvest after a round of changes in the federation sees exactly
// those changes: one course edited, one added, one withdrawn (inactive,
// unless its source is Edu-API, whose delta run cannot see a withdrawal),
// the failing institution's runs failed, and every other source
// unchanged (not-modified, or an empty Edu-API delta), including the
// institution that failed the round before.
func TestSecondHarvestSeesExactlyTheEvolution(t *testing.T) {
	ctx := context.Background()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: 8, Seed: 3,
		Formats: []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM}})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	cfg := config.Default()
	cfg.DataDir, cfg.RegistryURL, cfg.Fetch.AllowPrivateNetworks = t.TempDir(), fed.RegistryURL(), true
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), network{resolver: fed.Resolver(),
		discovery: discovery.Options{Scheme: "http", Port: strconv.Itoa(fed.Port())}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	harvestRuns := func() []store.Run {
		t.Helper()
		runs, err := a.store.FindRuns(ctx, store.RunFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := runHarvest(ctx, a, io.Discard, "test", nil); err != nil {
			t.Fatal(err)
		}
		all, err := a.store.FindRuns(ctx, store.RunFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return all[:len(all)-len(runs)] // newest first: this harvest's runs
	}
	harvestRuns()
	changedFormats := map[string]bool{}
	for round := 1; round <= 3; round++ {
		ev := fed.Evolve()
		checkEvolution(t, a, ev, harvestRuns())
		for _, ch := range []testfed.Change{ev.Edited, ev.Withdrawn, ev.Added} {
			changedFormats[ch.Format] = true
		}
	}
	if !changedFormats[testfed.FormatEduAPI] {
		t.Errorf("no round changed an Edu-API source (%v): choose another seed", changedFormats)
	}
}

func checkEvolution(t *testing.T, a *app, ev testfed.Evolution, runs []store.Run) {
	t.Helper()
	var added, updated, removed, failed int
	for _, r := range runs {
		schac := schacOfSource(t, a, r.SourceID)
		added, updated, removed = added+r.Added, updated+r.Updated, removed+r.Removed
		switch {
		case schac == ev.Failing:
			failed++
			if r.Status != store.RunFailed {
				t.Errorf("round %d: run of failing %s: %s %s", ev.Round, schac, r.Status, r.Error)
			}
		case schac == ev.Edited.SCHAC || schac == ev.Added.SCHAC || schac == ev.Withdrawn.SCHAC:
		case harvest.IsDelta(r):
			if (r.Status != store.RunOK && r.Status != store.RunNotModified) || r.Added+r.Updated+r.Removed != 0 {
				t.Errorf("round %d: delta run of unchanged %s: %+v", ev.Round, schac, r)
			}
		case r.Status != store.RunNotModified:
			t.Errorf("round %d: run of unchanged %s: %s (%+v)", ev.Round, schac, r.Status, r)
		}
	}
	if failed == 0 {
		t.Errorf("round %d: no run of the failing institution %s", ev.Round, ev.Failing)
	}
	wantRemoved := 1
	if ev.Withdrawn.Format == testfed.FormatEduAPI {
		wantRemoved = 0
	}
	if added != 1 || updated != 1 || removed != wantRemoved {
		t.Errorf("round %d: %d added, %d updated, %d removed; want 1, 1, %d (%+v)", ev.Round, added, updated, removed,
			wantRemoved, ev)
	}
}

func schacOfSource(t *testing.T, a *app, sourceID string) string {
	t.Helper()
	src, err := a.store.Source(context.Background(), sourceID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.store.Provider(context.Background(), src.ProviderID)
	if err != nil {
		t.Fatal(err)
	}
	return p.SCHAC
}
