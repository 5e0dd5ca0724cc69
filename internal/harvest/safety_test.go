package harvest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"qlink/internal/fetch"
	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/search/bleve"
	"qlink/internal/source"
	"qlink/internal/source/ooapi"
	"qlink/internal/store"
	"qlink/internal/store/blob"
	"qlink/internal/store/sqlite"
)

// ooapiSource is an OOAPI server publishing the courses it is told, all
// on one page, titled with the current edition.
type ooapiSource struct {
	mu      sync.Mutex
	ids     []string
	edition int
	// onCourses and onOfferings, when set, are called as the course list
	// and a course's offerings are requested.
	onCourses, onOfferings func()
}

func (o *ooapiSource) publish(edition int, ids ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ids, o.edition = ids, edition
}

func (o *ooapiSource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !strings.HasSuffix(r.URL.Path, "/courses") {
		if strings.Contains(r.URL.Path, "/offerings") {
			if o.onOfferings != nil {
				o.onOfferings()
			}
			fmt.Fprint(w, `{"pageNumber":1,"hasNextPage":false,"items":[]}`)
			return
		}
		http.NotFound(w, r)
		return
	}
	if o.onCourses != nil {
		o.onCourses()
	}
	var items []string
	for _, id := range o.ids {
		items = append(items, fmt.Sprintf(`{"courseId":%q,"primaryCode":{"code":%q},"name":[{"language":"en","value":"Course %s, edition %d"}]}`,
			id, id, id, o.edition))
	}
	fmt.Fprintf(w, `{"pageNumber":1,"hasPreviousPage":false,"hasNextPage":false,"items":[%s]}`, strings.Join(items, ","))
}

func courseIDs(from, to int) []string {
	var ids []string
	for i := from; i <= to; i++ {
		ids = append(ids, fmt.Sprintf("C%03d", i))
	}
	return ids
}

type safetyFixture struct {
	h     *Harvester
	st    *sqlite.Store
	idx   *bleve.Index
	blobs *blob.Dir
	// blobDir is where blobs lives, to age a blob's file.
	blobDir string
	pub     *ooapiSource
	src     store.Source
	srv     *httptest.Server
}

// newSafetyFixture harvests a real OOAPI server into a real store and a
// real (in-memory) bleve index.
func newSafetyFixture(t *testing.T, limits Limits) *safetyFixture {
	t.Helper()
	ctx := context.Background()
	f := &safetyFixture{pub: &ooapiSource{}}
	f.srv = httptest.NewServer(f.pub)
	t.Cleanup(f.srv.Close)
	f.st = openTestStore(t)
	var err error
	f.blobDir = t.TempDir()
	if f.blobs, err = blob.NewDir(f.blobDir); err != nil {
		t.Fatal(err)
	}
	if f.idx, err = bleve.OpenMemory(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.idx.Close() })
	f.h = New(Options{Store: f.st, Blobs: f.blobs, Index: f.idx, Limits: limits,
		Fetcher:  fetch.New(fetch.Options{Timeout: 2 * time.Second, AllowPrivate: true}),
		Adapters: map[string]source.Adapter{"ooapi": ooapi.Adapter{}}})
	if err := f.st.UpsertProviders(ctx, []model.Provider{{ID: "P1", SCHAC: "uni.test", Name: model.Text{"en": "Uni"}}}); err != nil {
		t.Fatal(err)
	}
	f.src = f.addSource(t, "main", f.srv.URL+"/ooapi/v5/")
	return f
}

func (f *safetyFixture) addSource(t *testing.T, key, path string) store.Source {
	t.Helper()
	entry := `{"type":"ooapi","id":"` + key + `","path":"` + path + `"}`
	srcs, err := f.st.SyncManifest(context.Background(), store.Manifest{ProviderID: "P1", URL: "x" + key, FetchedAt: time.Now(),
		Body: []byte(entry)}, []store.Source{{Key: key, Type: "ooapi", URL: path, Entry: []byte(entry)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if s.Key == key {
			return s
		}
	}
	t.Fatalf("source %s not stored", key)
	return store.Source{}
}

func (f *safetyFixture) run(t *testing.T) store.Run {
	t.Helper()
	run, err := f.h.Source(context.Background(), f.src, "test")
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// live returns the active courses in the store and those a catalogue
// search finds.
func (f *safetyFixture) live(t *testing.T) (stored, indexed int) {
	t.Helper()
	ctx := context.Background()
	active, err := f.st.CourseIDs(ctx, "", store.StatusActive)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.idx.Search(ctx, search.Query{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return len(active), res.Total
}

// wantLive checks that want courses are active and found, and that the
// index holds every stored course, active or inactive.
func (f *safetyFixture) wantLive(t *testing.T, want int) {
	t.Helper()
	if stored, indexed := f.live(t); stored != want || indexed != want {
		t.Fatalf("%d courses stored and %d indexed; want %d", stored, indexed, want)
	}
	all, err := f.st.CourseIDs(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := f.idx.Count(context.Background()); err != nil || n != len(all) {
		t.Fatalf("the index holds %d documents, the store %d courses (%v)", n, len(all), err)
	}
}

func TestEmptyAnswerIsHeldBackUntilSeenTwice(t *testing.T) {
	f := newSafetyFixture(t, Limits{})
	f.pub.publish(1, courseIDs(1, 124)...)
	if run := f.run(t); run.Status != store.RunOK || run.Added != 124 {
		t.Fatalf("first run: %+v", run)
	}
	// A valid, empty answer: the server is misconfigured, or means it.
	f.pub.publish(1)
	run := f.run(t)
	if run.Status != store.RunSuspicious || run.Reason != "the source answered with no courses where 124 were published before" ||
		run.Removed != 0 || run.RecordsBlob == "" {
		t.Fatalf("empty answer: %+v", run)
	}
	f.wantLive(t, 124)
	if src, _ := f.st.Source(context.Background(), f.src.ID); src.LastStatus != store.RunSuspicious {
		t.Errorf("source health: %+v", src)
	}
	// The same answer again: the source means it.
	run = f.run(t)
	if run.Status != store.RunOK || run.Removed != 124 || !strings.Contains(run.Reason, "seen twice in a row") {
		t.Fatalf("second empty answer: %+v", run)
	}
	f.wantLive(t, 0)
}

func TestMassRemovalNeedsConfirmation(t *testing.T) {
	ctx := context.Background()
	f := newSafetyFixture(t, Limits{})
	f.pub.publish(1, courseIDs(1, 124)...)
	f.run(t)
	// 80 of 124 go: more than 50 %.
	f.pub.publish(1, courseIDs(1, 44)...)
	first := f.run(t)
	if first.Status != store.RunSuspicious || first.Reason != "would remove 80 of 124 courses (65 %, limit 50 %)" {
		t.Fatalf("mass removal: %+v", first)
	}
	f.wantLive(t, 124)
	// A different outcome next time is not "the same twice": still held.
	f.pub.publish(2, courseIDs(1, 40)...)
	second := f.run(t)
	if second.Status != store.RunSuspicious || !strings.Contains(second.Reason, "would remove 84 of 124") {
		t.Fatalf("second, different outcome: %+v", second)
	}
	f.wantLive(t, 124)
	if _, err := f.h.Confirm(ctx, first.ID); err == nil || !strings.Contains(err.Error(), "out of date") {
		t.Fatalf("confirming a superseded run: %v", err)
	}
	confirmed, err := f.h.Confirm(ctx, second.ID)
	if err != nil || confirmed.Status != store.RunOK || confirmed.Removed != 84 || confirmed.Updated != 40 ||
		!strings.HasPrefix(confirmed.Reason, "applied on operator confirmation") {
		t.Fatalf("confirm: %+v, %v", confirmed, err)
	}
	f.wantLive(t, 40)
	if stored, _ := f.st.Run(ctx, second.ID); stored.Status != store.RunOK || stored.RecordsBlob != "" {
		t.Errorf("stored run after confirmation: %+v", stored)
	}
	if _, err := f.h.Confirm(ctx, second.ID); err == nil || !strings.Contains(err.Error(), "only a suspicious run") {
		t.Errorf("confirming twice: %v", err)
	}
	// The records kept for confirmation are deleted once applied.
	if _, err := f.blobs.Get(ctx, second.RecordsBlob); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("records blob of a confirmed run: %v", err)
	}
	// Half of 40 going is within the limit.
	f.pub.publish(2, courseIDs(1, 20)...)
	if run := f.run(t); run.Status != store.RunOK || run.Removed != 20 {
		t.Errorf("removing 50 %%: %+v", run)
	}
	// The share is of the courses still offered: the 104 inactive ones
	// do not dilute it (12 of 124 would pass).
	f.pub.publish(2, courseIDs(1, 8)...)
	if run := f.run(t); run.Status != store.RunSuspicious || run.Reason != "would remove 12 of 20 courses (60 %, limit 50 %)" {
		t.Errorf("removing 12 of 20 active courses: %+v", run)
	}
	f.wantLive(t, 20)
}

func TestFirstRunOfNewSource(t *testing.T) {
	f := newSafetyFixture(t, Limits{})
	// Nothing to lose: an empty first answer is simply ok.
	if run := f.run(t); run.Status != store.RunOK || run.Seen != 0 || run.Reason != "" {
		t.Fatalf("empty first run: %+v", run)
	}
	f.pub.publish(1, courseIDs(1, 3)...)
	if run := f.run(t); run.Status != store.RunOK || run.Added != 3 {
		t.Fatalf("first courses: %+v", run)
	}
}

func TestBudgetsStopRunsAndChangeNothing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		limits  Limits
		setting string
	}{
		{"bytes", Limits{MaxRunBytes: 1000}, "harvest-max-run-bytes"},
		{"pages", Limits{MaxRunPages: 8}, "harvest-max-run-pages"},
		{"records", Limits{MaxRecords: 10}, "harvest-max-records"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newSafetyFixture(t, tc.limits)
			f.pub.publish(1, courseIDs(1, 2)...)
			if run := f.run(t); run.Status != store.RunOK {
				t.Fatalf("small run: %+v", run)
			}
			// Fourteen courses, each with its offerings: 15+ requests and
			// some 2 KB.
			f.pub.publish(2, courseIDs(1, 14)...)
			run := f.run(t)
			if run.Status != store.RunFailed || !strings.Contains(run.Error, tc.setting) || !strings.Contains(run.Error, "nothing was changed") {
				t.Fatalf("run over budget: %+v", run)
			}
			f.wantLive(t, 2)
			if c, _ := f.st.Course(context.Background(), "urn:schac:uniqueCourseId:uni.test:C001"); c.Inactive || !strings.Contains(c.Spec.Title["en"], "edition 1") {
				t.Errorf("a stopped run changed a course: %+v", c)
			}
		})
	}
}

func TestProviderTimeoutStopsRunAndChangesNothing(t *testing.T) {
	f := newSafetyFixture(t, Limits{})
	f.pub.publish(1, courseIDs(1, 2)...)
	f.run(t)
	f.pub.publish(2, courseIDs(1, 2)...)
	// The provider's time runs out while the run reads the course list.
	ctx, cancel := context.WithCancelCause(context.Background())
	f.pub.mu.Lock()
	f.pub.onCourses = func() {
		cancel(&BudgetError{What: "the provider took longer than 30m0s", Setting: "harvest-provider-timeout"})
	}
	f.pub.mu.Unlock()
	run, err := f.h.Source(ctx, f.src, "test")
	if err != nil || run.Status != store.RunFailed || !strings.Contains(run.Error, "harvest-provider-timeout") {
		t.Fatalf("run past the provider's time: %+v %v", run, err)
	}
	if c, _ := f.st.Course(context.Background(), "urn:schac:uniqueCourseId:uni.test:C001"); !strings.Contains(c.Spec.Title["en"], "edition 1") {
		t.Errorf("a stopped run changed a course: %+v", c.Spec.Title)
	}
}

// failingIndex fails every write while failing is set.
type failingIndex struct {
	innerIndex
	failing bool
}

// innerIndex names the embedded index, whose method Index failingIndex
// overrides.
type innerIndex = search.Index

func (x *failingIndex) Index(ctx context.Context, docs []search.Document) error {
	if x.failing {
		return errors.New("disk full")
	}
	return x.innerIndex.Index(ctx, docs)
}

func TestFailedIndexWriteIsRetriedByNextRun(t *testing.T) {
	f := newSafetyFixture(t, Limits{})
	fi := &failingIndex{innerIndex: f.idx, failing: true}
	f.h.Index = fi
	f.pub.publish(1, courseIDs(1, 3)...)
	if run := f.run(t); run.Status != store.RunFailed || !strings.Contains(run.Error, "disk full") {
		t.Fatalf("run with a failing index: %+v", run)
	}
	if stored, indexed := f.live(t); stored != 3 || indexed != 0 {
		t.Fatalf("the store committed %d, the index holds %d", stored, indexed)
	}
	// The source has not changed, so the diff sees nothing new; the
	// marker still says the index lags.
	fi.failing = false
	if run := f.run(t); run.Status != store.RunOK || run.Unchanged != 3 {
		t.Fatalf("next run: %+v", run)
	}
	f.wantLive(t, 3)
}

func TestRepairAfterCrash(t *testing.T) {
	ctx := context.Background()
	f := newSafetyFixture(t, Limits{})
	f.pub.publish(1, courseIDs(1, 3)...)
	f.run(t)
	// The crash: a run started, its courses committed to the store, then
	// the process died before indexing and before finishing the run.
	crashed, err := f.st.StartRun(ctx, f.src.ID, "test", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	specs := []model.Specification{spec("urn:schac:uniqueCourseId:uni.test:C001", "Quantenchemie für Anfänger", "P1"),
		spec("urn:schac:uniqueCourseId:uni.test:C004", "Astrobiologie", "P1")}
	if _, err := f.st.ApplyCourses(ctx, f.src.ID, crashed.ID, specs, true, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	// And a document the store never had.
	f.idx.Index(ctx, []search.Document{{ID: "stray", Title: map[string]string{"en": "Stray"}}})
	// An orphaned snapshot: written, never recorded.
	orphan, _ := f.blobs.Put(ctx, []byte("half a run"))
	past := time.Now().Add(-time.Minute)
	if err := os.Chtimes(f.blobPath(orphan), past, past); err != nil {
		t.Fatal(err)
	}

	rep, err := f.h.Repair(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Indexed: the two changed courses and the two that became inactive
	// (they stay in the index, marked so); unindexed: the stray one.
	if rep.Interrupted != 1 || rep.Indexed != 4 || rep.Unindexed != 1 {
		t.Errorf("repair report: %+v", rep)
	}
	if _, err := f.blobs.Get(ctx, orphan); err != nil {
		t.Errorf("repair removed a snapshot; that is SweepOrphans' work: %v", err)
	}
	if n, err := f.h.SweepOrphans(ctx); n != 1 || err != nil {
		t.Errorf("swept %d orphaned snapshots (%v), want 1", n, err)
	}
	run, _ := f.st.Run(ctx, crashed.ID)
	if run.Status != store.RunInterrupted || run.FinishedAt.IsZero() || run.Reason == "" {
		t.Errorf("crashed run: %+v", run)
	}
	for text, want := range map[string]int{"quantenchemie": 1, "astrobiologie": 1, "stray": 0, "edition": 0} {
		res, err := f.idx.Search(ctx, search.Query{Text: text, Limit: 10})
		if err != nil || res.Total != want {
			t.Errorf("search %q: %d hits, want %d (%v)", text, res.Total, want, err)
		}
	}
	f.wantLive(t, 2)
	if _, err := f.blobs.Get(ctx, orphan); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("orphaned snapshot kept: %v", err)
	}
	// Nothing left to do the second time.
	if rep, _ := f.h.Repair(ctx); rep != (RepairReport{}) {
		t.Errorf("second repair: %+v", rep)
	}
	if n, _ := f.h.SweepOrphans(ctx); n != 0 {
		t.Errorf("second sweep deleted %d snapshots", n)
	}
	// An index that lost documents no backlog records (restored from an
	// older copy) and holds others no course has: both are mended.
	all, _ := f.st.CourseIDs(ctx, "", "")
	if err := f.idx.Delete(ctx, all[:2]); err != nil {
		t.Fatal(err)
	}
	f.idx.Index(ctx, []search.Document{{ID: "a-stray"}, {ID: "zz-stray"}})
	if rep, err := f.h.Repair(ctx); err != nil || rep.Indexed != 2 || rep.Unindexed != 2 {
		t.Errorf("repair of a stale index: %+v, %v", rep, err)
	}
	if n, err := f.idx.Count(ctx); err != nil || n != len(all) {
		t.Errorf("after the repair the index holds %d documents, the store %d courses (%v)", n, len(all), err)
	}
}

// A sweep beside a run must spare the snapshots the run has written but
// not yet recorded: the server sweeps at start while the schedule runs.
func TestSweepBesideRunSparesItsSnapshots(t *testing.T) {
	ctx := context.Background()
	f := newSafetyFixture(t, Limits{})
	f.pub.publish(1, courseIDs(1, 3)...)
	reached, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	f.pub.onOfferings = func() { // the course list is fetched and kept by now
		once.Do(func() { close(reached); <-release })
	}
	done := make(chan store.Run)
	go func() {
		run, err := f.h.Source(ctx, f.src, "test")
		if err != nil {
			t.Error(err)
		}
		done <- run
	}()
	<-reached
	time.Sleep(10 * time.Millisecond) // the page's blob is older than the sweep's start
	n, err := f.h.SweepOrphans(ctx)
	close(release)
	run := <-done
	if err != nil || n != 0 {
		t.Fatalf("the sweep beside the run deleted %d blobs (%v)", n, err)
	}
	if run.Status != store.RunOK {
		t.Fatalf("run: %+v", run)
	}
	pages, err := f.st.RunPages(ctx, run.ID)
	if err != nil || len(pages) == 0 {
		t.Fatalf("run pages: %d (%v)", len(pages), err)
	}
	for _, p := range pages {
		if _, err := f.blobs.Get(ctx, p.Blob); p.Blob != "" && err != nil {
			t.Errorf("snapshot of %s lost: %v", p.URL, err)
		}
	}
}

func (f *safetyFixture) blobPath(key string) string { return filepath.Join(f.blobDir, key[:2], key) }

func TestSnapshotRetention(t *testing.T) {
	ctx := context.Background()
	f := newSafetyFixture(t, Limits{KeepSnapshots: 2})
	// A second source publishes the very same first page, so the two
	// share its content-addressed blob.
	twin := &ooapiSource{}
	twinSrv := httptest.NewServer(twin)
	defer twinSrv.Close()
	f.pub.publish(1, courseIDs(1, 3)...)
	twin.publish(1, courseIDs(1, 3)...)
	first := f.run(t)
	twinSrc := f.addSource(t, "twin", twinSrv.URL+"/ooapi/v5/")
	// The twin's courses have the same IDs: they come back as conflicts,
	// its snapshot is what matters here.
	if _, err := f.h.Source(ctx, twinSrc, "test"); err != nil {
		t.Fatal(err)
	}
	firstPages, _ := f.st.RunPages(ctx, first.ID)
	shared := firstPages[0].Blob
	for edition := 2; edition <= 6; edition++ {
		f.pub.publish(edition, courseIDs(1, 3)...)
		if run := f.run(t); run.Status != store.RunOK {
			t.Fatalf("edition %d: %+v", edition, run)
		}
	}
	// The runs stay; only the two newest keep their pages, each with its
	// snapshot; the older ones' pages went with their snapshots.
	runs, _ := f.st.ListRuns(ctx, f.src.ID, 10)
	kept := 0
	for _, r := range runs {
		pages, _ := f.st.RunPages(ctx, r.ID)
		if len(pages) > 0 {
			kept++
			if _, err := f.blobs.Get(ctx, pages[0].Blob); err != nil {
				t.Errorf("run %d refers to a deleted snapshot: %v", r.ID, err)
			}
		}
	}
	if kept != 2 || len(runs) != 6 {
		t.Errorf("%d of %d runs keep snapshots, want 2", kept, len(runs))
	}
	// The first run's course page is gone; the twin's copy of it stays.
	if pages, _ := f.st.RunPages(ctx, first.ID); len(pages) != 0 {
		t.Errorf("the oldest run keeps its pages: %+v", pages)
	}
	if _, err := f.blobs.Get(ctx, shared); err != nil {
		t.Errorf("a blob another source refers to was deleted: %v", err)
	}
	// Blobs on disk: the two kept course pages of the source, the twin's
	// page (the first edition) and the pages every run shares (empty
	// offerings, 404 bodies).
	var onDisk int
	f.blobs.Each(ctx, func(string) error { onDisk++; return nil })
	var referenced int
	f.blobs.Each(ctx, func(k string) error {
		if ok, _ := f.st.BlobReferenced(ctx, k); ok {
			referenced++
		}
		return nil
	})
	if onDisk != referenced {
		t.Errorf("%d blobs on disk, %d referenced: retention left garbage", onDisk, referenced)
	}
}
