package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"qlink/internal/config"
	"qlink/internal/fetch"
	"qlink/internal/harvest"
	"qlink/internal/model"
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
	_, stop := serveApp(t, a, "", true)
	defer stop()

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
		if harvest.TriggerOf(r) == "manual" && (r.Status == store.RunOK || r.Status == store.RunNotModified) {
			return true
		}
	}
	return false
}

// loopbackEnv opens loopback to the fetcher of a child qlink, so that it
// can harvest the test's own servers. This init must run before the one
// in signal_test.go that runs main: files initialise in name order.
const loopbackEnv = "QLINK_TEST_LOOPBACK"

func init() {
	if os.Getenv(loopbackEnv) == "1" {
		cmdNetwork.allowNets = fetch.LoopbackNets
	}
}

const crashCourses = `@prefix ql: <http://data.quality-link.eu/ontology/v1#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://uni.test/c/C1> a ql:LearningOpportunitySpecification ; dcterms:title "Algebra"@en .
<https://uni.test/c/C2> a ql:LearningOpportunitySpecification ; dcterms:title "Botany"@en .
<https://uni.test/c/C3> a ql:LearningOpportunitySpecification ; dcterms:title "Chemistry"@en .
`

// TestServeRecoversFromSIGKILLMidHarvest kills a real serve process while
// its scheduled harvest waits on a source, starts it again, and checks
// that the interrupted run is marked, its work redone, and store and
// index agree.
func TestServeRecoversFromSIGKILLMidHarvest(t *testing.T) {
	ctx := context.Background()
	var stall atomic.Bool
	stall.Store(true)
	requested := make(chan struct{}, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if stall.Load() {
			select {
			case requested <- struct{}{}:
			default:
			}
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "text/turtle")
		w.Write([]byte(crashCourses))
	}))
	defer srv.Close()

	cfg := config.Default()
	cfg.DataDir = newInstance(t)
	st, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p1 := model.Provider{ID: "P1", SCHAC: "uni.test", Name: model.Text{"en": "University One"}, Country: "NL"}
	entry := `{"type":"elm","path":"` + srv.URL + `/courses.ttl"}`
	err = errors.Join(st.UpsertProviders(ctx, []model.Provider{p1}),
		// Discovered just now: the server goes straight to the source.
		func() error {
			_, err := st.AddDiscovery(ctx, store.Discovery{ProviderID: "P1", StartedAt: time.Now(), ManifestURL: "x"})
			return err
		}())
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: "P1", URL: "x", FetchedAt: time.Now(), Body: []byte(entry)},
		[]store.Source{{Key: "main", Type: "elm", URL: srv.URL, Entry: []byte(entry)}})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	srcID := srcs[0].ID

	t.Setenv(loopbackEnv, "1")
	serve := []string{"serve", "--data-dir", cfg.DataDir, "--addr", "127.0.0.1:0", "--fetch-timeout", "10m"}
	first := startQlink(t, serve...)
	select {
	case <-requested:
	case <-time.After(3 * hangDetector):
		t.Fatal("the server never harvested the source")
	}
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-first.done

	stall.Store(false)
	second := startQlink(t, serve...)
	st, err = openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var runs []store.Run
	deadline := time.Now().Add(6 * hangDetector)
	for !slices.ContainsFunc(runs, func(r store.Run) bool { return r.Status == store.RunOK }) {
		if time.Now().After(deadline) {
			t.Fatalf("the interrupted work was not redone: runs %+v", runs)
		}
		time.Sleep(50 * time.Millisecond)
		if runs, err = st.ListRuns(ctx, srcID, 10); err != nil {
			t.Fatal(err)
		}
	}
	if code := second.terminate(t); code != 0 {
		t.Errorf("serve ended with exit code %d, want 0", code)
	}
	if len(runs) != 2 || runs[1].Status != store.RunInterrupted {
		t.Errorf("runs newest first: %+v, want the killed run interrupted, then an ok one", runs)
	}

	// Store and index agree: every stored course is indexed, nothing else.
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), network{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ids, err := a.store.CourseIDs(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	indexed, err := a.index.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	backlog, err := a.store.IndexBacklog(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 || indexed != 3 || len(backlog.Stale)+len(backlog.Gone) != 0 {
		t.Errorf("store holds %d courses, index %d documents, backlog %+v; want 3, 3 and none", len(ids), indexed, backlog)
	}
}

// TestDemoRefreshOverridesIntervals: demo --refresh keeps harvesting
// every source at that interval while it serves.
func TestDemoRefreshOverridesIntervals(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a federation")
	}
	dir := filepath.Join(t.TempDir(), "demo")
	p := startQlink(t, "demo", "--institutions", "2", "--addr", "127.0.0.1:0", "--data-dir", dir, "--refresh", "1s")
	p.waitFor(t, "Press Ctrl-C to stop")
	cfg := config.Default()
	cfg.DataDir = dir
	st, err := openStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	scheduled := func() int {
		runs, err := st.FindRuns(context.Background(), store.RunFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range runs {
			if harvest.TriggerOf(r) == "schedule" && !r.FinishedAt.IsZero() {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(6 * hangDetector)
	for scheduled() < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d scheduled runs after the demo's first harvest", scheduled())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Between refreshes the federation changes, so the refreshes find
	// something.
	p.waitFor(t, "Round 1 of the simulated federation")
	if code := p.terminate(t); code != 0 {
		t.Errorf("demo ended with exit code %d, want 0", code)
	}
}
