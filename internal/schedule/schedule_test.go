package schedule

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"qlink/internal/discovery"
	"qlink/internal/fetch"
	"qlink/internal/harvest"
	"qlink/internal/model"
	"qlink/internal/pgtest"
	"qlink/internal/search/bleve"
	"qlink/internal/source"
	"qlink/internal/store"
	"qlink/internal/store/blob"
	"qlink/internal/store/postgres"
	"qlink/internal/store/sqlite"
)

// lineAdapter reads a source that lists one course title per line.
type lineAdapter struct{}

func (lineAdapter) Harvest(ctx context.Context, cfg source.Config, get source.Getter, out source.Emitter) error {
	resp, err := get.Get(ctx, cfg.URL)
	if err != nil {
		return err
	}
	for i, title := range strings.Fields(string(resp.Body)) {
		out.Spec(model.Specification{ID: cfg.Provider.ID + "-c" + string(rune('0'+i)), Title: model.Text{"en": title},
			PublisherID: cfg.Provider.ID, Active: true})
	}
	return nil
}

// institution serves one source. failing makes it answer 500, status
// any other error status; stalled makes it answer nothing until the
// client gives up, and signals each request on requested.
type institution struct {
	srv *httptest.Server
	// manifest is the body of /manifest.json, SRV standing for the
	// server's URL.
	manifest  atomic.Value
	failing   atomic.Bool
	status    atomic.Int32
	stalled   atomic.Bool
	requested chan struct{}
}

func newInstitution(t *testing.T) *institution {
	in := &institution{requested: make(chan struct{}, 1)}
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/manifest.json":
			m, _ := in.manifest.Load().(string)
			w.Write([]byte(strings.ReplaceAll(m, "SRV", in.srv.URL)))
		case in.stalled.Load():
			select {
			case in.requested <- struct{}{}:
			default:
			}
			<-r.Context().Done()
		case in.failing.Load():
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
		case in.status.Load() != 0:
			http.Error(w, "gone", int(in.status.Load()))
		default:
			w.Write([]byte("Algebra Botany"))
		}
	}))
	t.Cleanup(in.srv.Close)
	return in
}

type fixture struct {
	backend Backend
	st      store.Store
	h       *harvest.Harvester
	src     store.Source
	in      *institution
	// dir holds the search index and the snapshots.
	dir string
	// fetcher and idx are the harvester's, for a second one (harvester).
	fetcher *fetch.Client
	idx     *bleve.Index
}

// engine opens a migrated store and the job queue's backend beside it.
type engine func(t *testing.T, dir string) (store.Store, Backend)

func sqliteEngine(t *testing.T, dir string) (store.Store, Backend) {
	path := filepath.Join(dir, "qlink.db")
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st, SQLite(path)
}

func postgresEngine(t *testing.T, _ string) (store.Store, Backend) {
	st := openPostgres(t, pgtest.NewDatabase(t))
	return st, Postgres(st.Pool())
}

// openPostgres opens and migrates the store at url, closed when the test
// ends.
func openPostgres(t *testing.T, url string) *postgres.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// onBoth runs a test with the queue on SQLite and on PostgreSQL (which
// skips without QLINK_TEST_POSTGRES, see internal/pgtest).
func onBoth(t *testing.T, test func(*testing.T, engine)) {
	t.Run("sqlite", func(t *testing.T) { test(t, sqliteEngine) })
	t.Run("postgres", func(t *testing.T) { test(t, postgresEngine) })
}

// newFixture is an instance with one provider, already discovered, and
// one source whose manifest entry is entry (its path set to a live
// server): a real store, index, blob directory and fetcher.
func newFixture(t *testing.T, e engine, entry string) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	f := &fixture{in: newInstitution(t), dir: dir}
	f.st, f.backend = e(t, dir)
	var err error
	if f.idx, err = bleve.Open(filepath.Join(dir, "index")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.idx.Close() })
	f.fetcher = fetch.New(fetch.Options{Timeout: 5 * time.Second, AllowPrivate: true, Retry: fetch.RetryPolicy{Attempts: 1}})
	f.h = f.harvester(t, f.st)
	p := model.Provider{ID: "P1", SCHAC: "uni.test", Name: model.Text{"en": "University One"}, Country: "NL"}
	if err := f.st.UpsertProviders(ctx, []model.Provider{p}); err != nil {
		t.Fatal(err)
	}
	// Discovered just now: the planner leaves discovery alone.
	if _, err := f.st.AddDiscovery(ctx, store.Discovery{ProviderID: "P1", StartedAt: time.Now(), ManifestURL: "x"}); err != nil {
		t.Fatal(err)
	}
	entry = strings.Replace(entry, "SRV", f.in.srv.URL, 1)
	srcs, err := f.st.SyncManifest(ctx, store.Manifest{ProviderID: "P1", URL: "x", FetchedAt: time.Now(), Body: []byte(entry)},
		[]store.Source{{Key: "id:main", Type: "ooapi", URL: f.in.srv.URL, Entry: []byte(entry)}})
	if err != nil {
		t.Fatal(err)
	}
	f.src = srcs[0]
	return f
}

// harvester harvests into st with the fixture's index, snapshots and
// fetcher.
func (f *fixture) harvester(t *testing.T, st store.Store) *harvest.Harvester {
	t.Helper()
	blobs, err := blob.NewDir(filepath.Join(f.dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return harvest.New(harvest.Options{Store: st, Blobs: blobs, Index: f.idx, Fetcher: f.fetcher,
		Discoverer: discovery.New(txtRecord(f.in.srv.URL+"/manifest.json"), f.fetcher, discovery.Options{}),
		Adapters:   map[string]source.Adapter{"ooapi": lineAdapter{}}})
}

// txtRecord answers every DNS TXT lookup with a QualityLink record
// pointing at manifestURL.
type txtRecord string

func (m txtRecord) LookupTXT(context.Context, string) ([]string, error) {
	return []string{"v=qldiscover1; m=" + string(m)}, nil
}

func (f *fixture) open(t *testing.T, o Options) *Scheduler {
	t.Helper()
	o.Backend, o.Store, o.Harvester = f.backend, f.st, f.h
	o.Logger = slog.New(slog.DiscardHandler)
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// start runs the scheduler until the test ends.
func start(t *testing.T, s *Scheduler) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := s.Run(ctx); err != nil {
			t.Errorf("scheduler: %v", err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// waitFor polls cond until it holds; the bound only catches a hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after a minute", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (f *fixture) runs(t *testing.T) []store.Run {
	t.Helper()
	runs, err := f.st.ListRuns(context.Background(), f.src.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func TestSourcesRefreshAtTheirInterval(t *testing.T) { onBoth(t, testSourcesRefreshAtTheirInterval) }

func testSourcesRefreshAtTheirInterval(t *testing.T, e engine) {
	f := newFixture(t, e, `{"type":"ooapi","path":"SRV"}`)
	s := f.open(t, Options{Override: 300 * time.Millisecond, Tick: 50 * time.Millisecond})
	start(t, s)
	// A new source is due at once; then again after each interval.
	waitFor(t, "three scheduled runs", func() bool { return len(f.runs(t)) >= 3 })
	for _, r := range f.runs(t) {
		if harvest.TriggerOf(r) != "schedule" {
			t.Errorf("run %d trigger = %q, want schedule", r.ID, r.Trigger)
		}
	}
	src, err := f.st.Source(context.Background(), f.src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if src.NextRunAt.IsZero() {
		t.Error("next_run_at not written")
	}
	if c, err := f.st.Course(context.Background(), "P1-c1"); err != nil || c.Inactive {
		t.Errorf("harvested course: %+v %v", c, err)
	}
}

func TestIntervalFromManifestClamped(t *testing.T) {
	for _, tc := range []struct {
		entry string
		want  time.Duration
	}{
		{`{"type":"ooapi","path":"SRV"}`, 24 * time.Hour},
		{`{"type":"ooapi","path":"SRV","refresh":6}`, 6 * time.Hour},
		{`{"type":"ooapi","path":"SRV","refresh":0.1}`, 2 * time.Hour},   // the floor
		{`{"type":"ooapi","path":"SRV","refresh":1000}`, 48 * time.Hour}, // the ceiling
	} {
		f := newFixture(t, sqliteEngine, tc.entry)
		s := f.open(t, Options{Floor: 2 * time.Hour, Ceiling: 48 * time.Hour})
		now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		for range 20 {
			got := s.nextRun(f.src, store.RunOK, now).Sub(now)
			if got < tc.want*9/10 || got > tc.want*11/10 {
				t.Errorf("%s: next run in %v, want %v ± 10%%", tc.entry, got, tc.want)
			}
		}
	}
}

func TestFailingSourceKeepsCoursesAndBacksOff(t *testing.T) {
	onBoth(t, testFailingSourceKeepsCoursesAndBacksOff)
}

func testFailingSourceKeepsCoursesAndBacksOff(t *testing.T, e engine) {
	ctx := context.Background()
	f := newFixture(t, e, `{"type":"ooapi","path":"SRV","refresh":1}`)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	s := f.open(t, Options{Floor: time.Minute, RetryBase: 10 * time.Minute, Now: func() time.Time { return now }})
	refresh := func() time.Duration {
		t.Helper()
		if err := s.refresh(ctx, refreshArgs{SourceID: f.src.ID, Trigger: "schedule"}, nil); err != nil {
			t.Fatal(err)
		}
		src, err := f.st.Source(ctx, f.src.ID)
		if err != nil {
			t.Fatal(err)
		}
		wait := src.NextRunAt.Sub(now)
		now = src.NextRunAt // the next slot has come
		return wait
	}
	if wait := refresh(); wait < 54*time.Minute || wait > 66*time.Minute {
		t.Fatalf("after a good run the source waits %v, want its 1h interval", wait)
	}
	f.in.failing.Store(true)
	var waits []time.Duration
	for range 4 {
		waits = append(waits, refresh())
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] <= waits[i-1] {
			t.Errorf("no backoff: waits after consecutive failures %v", waits)
		}
	}
	if waits[0] > 11*time.Minute {
		t.Errorf("first retry after %v, want about the 10m retry base", waits[0])
	}
	runs := f.runs(t)
	if runs[0].Status != store.RunFailed || !strings.Contains(runs[0].Error, "500") {
		t.Errorf("latest run: %+v, want failed with the HTTP status", runs[0])
	}
	for _, id := range []string{"P1-c0", "P1-c1"} {
		if c, err := f.st.Course(ctx, id); err != nil || c.Inactive {
			t.Errorf("course %s after failures: %+v %v, want kept", id, c, err)
		}
	}
	// Once it answers again, it is back on its interval.
	f.in.failing.Store(false)
	if wait := refresh(); wait < 54*time.Minute || wait > 66*time.Minute {
		t.Errorf("after recovering the source waits %v, want its 1h interval", wait)
	}
}

func TestRefreshNowFromAnotherProcess(t *testing.T) { onBoth(t, testRefreshNowFromAnotherProcess) }

func testRefreshNowFromAnotherProcess(t *testing.T, e engine) {
	ctx := context.Background()
	f := newFixture(t, e, `{"type":"ooapi","path":"SRV"}`)
	s := f.open(t, Options{Tick: 50 * time.Millisecond})
	// Planned far ahead: only the operator's request makes it run.
	if err := f.st.SetNextRun(ctx, f.src.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	start(t, s)
	q, err := OpenQueue(ctx, f.backend)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	b, err := q.RefreshSource(ctx, f.src.ID)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the batch to finish", func() bool {
		n, err := q.Pending(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
	runs := f.runs(t)
	if len(runs) != 1 || harvest.TriggerOf(runs[0]) != "manual" || runs[0].Status != store.RunOK {
		t.Fatalf("runs: %+v, want one manual ok run", runs)
	}
}

func TestOverdueSourceRunsAfterRestart(t *testing.T) { onBoth(t, testOverdueSourceRunsAfterRestart) }

func testOverdueSourceRunsAfterRestart(t *testing.T, e engine) {
	ctx := context.Background()
	f := newFixture(t, e, `{"type":"ooapi","path":"SRV"}`)
	// Planned by an earlier server for a time that passed while none ran.
	if err := f.st.SetNextRun(ctx, f.src.ID, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	start(t, f.open(t, Options{Tick: 50 * time.Millisecond}))
	var src store.Source
	waitFor(t, "the overdue run to be done and the next planned", func() bool {
		var err error
		if src, err = f.st.Source(ctx, f.src.ID); err != nil {
			t.Fatal(err)
		}
		return src.NextRunAt.After(time.Now())
	})
	if runs := f.runs(t); len(runs) != 1 || runs[0].Status != store.RunOK {
		t.Errorf("runs: %+v, want one ok run", runs)
	}
	if !src.NextRunAt.After(time.Now().Add(20 * time.Hour)) {
		t.Errorf("next run at %v, want about a day ahead", src.NextRunAt)
	}
}

func TestGoneSourceTriggersDiscovery(t *testing.T) { onBoth(t, testGoneSourceTriggersDiscovery) }

func testGoneSourceTriggersDiscovery(t *testing.T, e engine) {
	ctx := context.Background()
	f := newFixture(t, e, `{"type":"ooapi","path":"SRV"}`)
	f.in.status.Store(http.StatusNotFound)
	s := f.open(t, Options{})
	if err := s.refresh(ctx, refreshArgs{SourceID: f.src.ID, Trigger: "schedule"}, nil); err != nil {
		t.Fatal(err)
	}
	jobs, err := s.client.JobList(ctx, river.NewJobListParams().Kinds(discoverArgs{}.Kind()))
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs.Jobs) != 1 || jobs.Jobs[0].Priority != priorityNow {
		t.Fatalf("after a 404 the queue holds %d discovery jobs, want one ahead of periodic work", len(jobs.Jobs))
	}
}

// TestStopCancelsAStalledRunAfterTheGrace: told to stop while a harvest
// waits on a source that never answers, the scheduler gives it the grace
// period, then cancels it; the run changes nothing and its job stays
// queued for the next start.
func TestStopCancelsAStalledRunAfterTheGrace(t *testing.T) {
	onBoth(t, testStopCancelsAStalledRunAfterTheGrace)
}

func testStopCancelsAStalledRunAfterTheGrace(t *testing.T, e engine) {
	ctx := context.Background()
	f := newFixture(t, e, `{"type":"ooapi","path":"SRV"}`)
	f.in.stalled.Store(true)
	s := f.open(t, Options{Tick: 50 * time.Millisecond, StopGrace: 100 * time.Millisecond})
	runCtx, cancel := context.WithCancel(ctx)
	stopped := make(chan error, 1)
	go func() { stopped <- s.Run(runCtx) }()
	select {
	case <-f.in.requested:
	case <-time.After(time.Minute):
		t.Fatal("the source was never harvested")
	}
	cancel()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the scheduler did not stop")
	}
	runs := f.runs(t)
	if len(runs) != 1 || runs[0].Status == store.RunOK {
		t.Errorf("runs: %+v, want one that did not succeed", runs)
	}
	jobs, err := s.client.JobList(ctx, river.NewJobListParams().Kinds(refreshArgs{}.Kind()).States(liveStates...))
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs.Jobs) != 1 {
		t.Errorf("%d refresh jobs left queued, want the cancelled one to be retried", len(jobs.Jobs))
	}
}

// TestChangedManifestRefreshesAtOnce: discovery that finds the manifest
// changed queues a refresh of the changed source ahead of periodic work,
// and one that finds nothing new queues none.
func TestChangedManifestRefreshesAtOnce(t *testing.T) { onBoth(t, testChangedManifestRefreshesAtOnce) }

func testChangedManifestRefreshesAtOnce(t *testing.T, e engine) {
	ctx := context.Background()
	f := newFixture(t, e, `{"type":"ooapi","path":"SRV"}`)
	s := f.open(t, Options{})
	refreshes := func() []*rivertype.JobRow {
		t.Helper()
		res, err := s.client.JobList(ctx, river.NewJobListParams().Kinds(refreshArgs{}.Kind()).States(liveStates...))
		if err != nil {
			t.Fatal(err)
		}
		return res.Jobs
	}
	f.in.manifest.Store(`{"sources":[{"id":"main","type":"ooapi","path":"SRV","refresh":12}]}`)
	if err := s.discover(ctx, discoverArgs{ProviderID: "P1"}, nil); err != nil {
		t.Fatal(err)
	}
	jobs := refreshes()
	if len(jobs) != 1 || jobs[0].Priority != priorityNow || !strings.Contains(string(jobs[0].EncodedArgs), "manifest-changed") {
		t.Fatalf("after a manifest change: %d refresh jobs, want one ahead of periodic work", len(jobs))
	}
	if _, err := s.client.JobDelete(ctx, jobs[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.discover(ctx, discoverArgs{ProviderID: "P1"}, nil); err != nil {
		t.Fatal(err)
	}
	if jobs := refreshes(); len(jobs) != 0 {
		t.Errorf("an unchanged manifest queued %d refreshes, want none", len(jobs))
	}
}

// queuedRefreshes counts the refresh jobs waiting in the queue.
func queuedRefreshes(t *testing.T, s *Scheduler) int {
	t.Helper()
	res, err := s.client.JobList(context.Background(), river.NewJobListParams().Kinds(refreshArgs{}.Kind()).States(liveStates...))
	if err != nil {
		t.Fatal(err)
	}
	return len(res.Jobs)
}

func TestPausedSourceIsNotPlanned(t *testing.T) { onBoth(t, testPausedSourceIsNotPlanned) }

func testPausedSourceIsNotPlanned(t *testing.T, e engine) {
	ctx := context.Background()
	f := newFixture(t, e, `{"type":"ooapi","path":"SRV"}`)
	s := f.open(t, Options{})
	// A new source is due at once, unless paused.
	if err := f.st.SetSourcePaused(ctx, f.src.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.plan(ctx); err != nil {
		t.Fatal(err)
	}
	if n := queuedRefreshes(t, s); n != 0 {
		t.Fatalf("a paused source got %d scheduled refreshes, want none", n)
	}
	// A scheduled job queued before the pause runs nothing.
	if err := s.refresh(ctx, refreshArgs{SourceID: f.src.ID, Trigger: "schedule"}, nil); err != nil {
		t.Fatal(err)
	}
	if runs := f.runs(t); len(runs) != 0 {
		t.Fatalf("a paused source was harvested by a scheduled job: %+v", runs)
	}
	// Nor does a refresh of its whole provider.
	f.in.manifest.Store(`{"sources":[{"id":"main","type":"ooapi","path":"SRV"}]}`)
	if err := s.discover(ctx, discoverArgs{ProviderID: "P1", Refresh: true}, nil); err != nil {
		t.Fatal(err)
	}
	if n := queuedRefreshes(t, s); n != 0 {
		t.Fatalf("a refresh of the provider queued %d refreshes of its paused source, want none", n)
	}
	if err := f.st.SetSourcePaused(ctx, f.src.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := s.plan(ctx); err != nil {
		t.Fatal(err)
	}
	if n := queuedRefreshes(t, s); n != 1 {
		t.Fatalf("a resumed source got %d scheduled refreshes, want 1", n)
	}
}

func TestBlockedProviderIsNeitherPlannedNorRun(t *testing.T) {
	onBoth(t, testBlockedProviderIsNeitherPlannedNorRun)
}

func testBlockedProviderIsNeitherPlannedNorRun(t *testing.T, e engine) {
	ctx := context.Background()
	f := newFixture(t, e, `{"type":"ooapi","path":"SRV"}`)
	s := f.open(t, Options{})
	if err := f.st.BlockProvider(ctx, store.Block{ProviderID: f.src.ProviderID, Reason: "asked to be left out", By: "op", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.plan(ctx); err != nil {
		t.Fatal(err)
	}
	if n := queuedRefreshes(t, s); n != 0 {
		t.Fatalf("a blocked provider's source got %d scheduled refreshes, want none", n)
	}
	// Not even a refresh someone asked for runs it.
	if err := s.refresh(ctx, refreshArgs{SourceID: f.src.ID, Trigger: "manual"}, nil); err != nil {
		t.Fatal(err)
	}
	if runs := f.runs(t); len(runs) != 0 {
		t.Fatalf("a blocked provider was harvested: %+v", runs)
	}
	if err := f.st.AllowProvider(ctx, f.src.ProviderID); err != nil {
		t.Fatal(err)
	}
	if err := s.plan(ctx); err != nil {
		t.Fatal(err)
	}
	if n := queuedRefreshes(t, s); n != 1 {
		t.Fatalf("an allowed provider's source got %d scheduled refreshes, want 1", n)
	}
}

func TestRunThatChangesCoursesSaysSo(t *testing.T) { onBoth(t, testRunThatChangesCoursesSaysSo) }

func testRunThatChangesCoursesSaysSo(t *testing.T, e engine) {
	ctx := context.Background()
	f := newFixture(t, e, `{"type":"ooapi","path":"SRV"}`)
	changed := 0
	s := f.open(t, Options{CoursesChanged: func() { changed++ }})
	for _, trigger := range []string{"schedule", "manual"} {
		if err := s.refresh(ctx, refreshArgs{SourceID: f.src.ID, Trigger: trigger}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if changed != 1 {
		t.Errorf("CoursesChanged called %d times for a first run and an unchanged second, want once", changed)
	}
}
