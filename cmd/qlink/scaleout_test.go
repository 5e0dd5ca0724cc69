package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"qlink/internal/config"
	"qlink/internal/model"
	"qlink/internal/pgtest"
	pgsearch "qlink/internal/search/postgres"
	"qlink/internal/store"
	"qlink/internal/testfed"
)

// TestDemoOnPostgres runs the demo with --database-url: records, search
// and job queue in PostgreSQL, nothing of them in the data directory; the
// catalogue answers from there. Started again after its search index lost
// every document, the demo fills it from the store before serving, though
// its harvest finds nothing changed. A demo on a new directory refuses the
// database the first one filled.
func TestDemoOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a federation")
	}
	dbURL := pgtest.NewDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var fedOut lockedBuffer
	fedDone := runDemo(ctx, &fedOut, "--federation-only", "--institutions", "3", "--courses-per-institution", "6")
	join := strings.Fields(waitForLine(t, &fedOut, fedDone, "Harvest it from another process: qlink demo "))
	dir := filepath.Join(t.TempDir(), "demo")
	var totals []int
	for _, want := range []string{" ok)", "not-modified"} {
		demoCtx, stop := context.WithCancel(ctx)
		var out lockedBuffer
		done := runDemo(demoCtx, &out, append(join, "--database-url", dbURL, "--data-dir", dir, "--addr", "127.0.0.1:0")...)
		summary := waitForLine(t, &out, done, "Done in ")
		ready := strings.Fields(waitForLine(t, &out, done, "Catalogue ready with "))
		if !strings.Contains(summary, want) || strings.Contains(summary, "failed") {
			t.Errorf("harvest: %s; want %s", summary, want)
		}
		base := strings.TrimSuffix(ready[2], "/")
		var all, some apiResponse
		getJSON(t, base+"/api/v1/courses?limit=1", &all)
		getJSON(t, base+"/api/v1/courses?q=data&limit=100", &some)
		if all.Total == 0 || ready[0] != strconv.Itoa(all.Total) || some.Total == 0 || some.Total >= all.Total {
			t.Errorf("the demo stored %s courses, the API has %d, a text search finds %d", ready[0], all.Total, some.Total)
		}
		totals = append(totals, all.Total)
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		emptySearchIndex(t, dbURL)
	}
	if totals[0] != totals[1] {
		t.Errorf("the API had %d courses, then %d", totals[0], totals[1])
	}
	for _, local := range []string{"qlink.db", "index.bleve"} {
		if _, err := os.Stat(filepath.Join(dir, local)); err == nil {
			t.Errorf("the demo on PostgreSQL made %s in its data directory", local)
		}
	}

	var again lockedBuffer
	err := <-runDemo(ctx, &again, append(join, "--database-url", dbURL,
		"--data-dir", filepath.Join(t.TempDir(), "other"), "--addr", "127.0.0.1:0")...)
	if err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Errorf("a new demo directory on a filled database: %v, want a refusal", err)
	}
	cancel()
	if err := <-fedDone; err != nil {
		t.Fatal(err)
	}
}

// emptySearchIndex deletes every document of the search index in the
// database, as an index lost or rebuilt by a new version would be.
func emptySearchIndex(t *testing.T, dbURL string) {
	t.Helper()
	ctx := context.Background()
	idx, err := pgsearch.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	var ids []string
	if err := idx.EachID(ctx, func(id string) error { ids = append(ids, id); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := idx.Delete(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if n, err := idx.Count(ctx); err != nil || n != 0 {
		t.Fatalf("the emptied index holds %d documents (%v)", n, err)
	}
}

// Test knobs of the child processes of TestSeveralProcessesShareOnePostgres.
const (
	// federationEnv points a child's discovery and fetching at the
	// test's simulated federation: "<dns address> <port>".
	federationEnv = "QLINK_TEST_FEDERATION"
	// rescueEnv shortens rescueAfter, so that a killed worker's job is
	// run again within seconds.
	rescueEnv = "QLINK_TEST_RESCUE_AFTER"
)

// This init must run before the one in signal_test.go that runs main:
// files initialise in name order.
func init() {
	if dns, port, ok := strings.Cut(os.Getenv(federationEnv), " "); ok {
		p, err := strconv.Atoi(port)
		if err != nil {
			panic(federationEnv + ": " + err.Error())
		}
		cmdNetwork = federationNetwork(dns, p)
	}
	if v := os.Getenv(rescueEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			panic(rescueEnv + ": " + err.Error())
		}
		rescueAfter = d
	}
}

// gate holds the requests for one URL prefix, once set, until opened,
// telling held of each.
type gate struct {
	prefix atomic.Pointer[string]
	held   chan struct{}
	open   chan struct{}
}

func newGate() *gate {
	return &gate{held: make(chan struct{}, 10), open: make(chan struct{})}
}

func (g *gate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := g.prefix.Load(); p != nil && strings.HasPrefix("http://"+r.Host+r.URL.Path, *p) {
			select {
			case g.held <- struct{}{}:
			default:
			}
			select {
			case <-g.open:
			case <-r.Context().Done():
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// TestSeveralProcessesShareOnePostgres: one serve --no-harvest and two
// workers, real processes on one PostgreSQL database, harvest the
// simulated federation. The worker that harvests one source is killed
// (SIGKILL) while the source's server holds its request; the other worker
// runs the job again once River takes the first for dead. In the end every
// source has been harvested once for its slot (the killed run aside),
// every course is stored once, and the web node, which harvests nothing,
// serves them all.
func TestSeveralProcessesShareOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a federation and three processes")
	}
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	stall := newGate()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: 4, CoursesPerInstitution: 6, Seed: 11,
		Formats: []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM}, Wrap: stall.wrap})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	stalled := fed.Institutions()[0].Sources[0]
	stall.prefix.Store(&stalled.Path)
	want := len(expectedCatalogue(fed))

	// One instance: init makes the keys in the directory every process
	// shares (the web node's as a shared file system; the workers' with
	// copies, the other way docs/scale-out.md describes).
	dirs := []string{filepath.Join(t.TempDir(), "web"), filepath.Join(t.TempDir(), "worker1"), filepath.Join(t.TempDir(), "worker2")}
	keysDir := filepath.Join(t.TempDir(), "keys")
	if out, err := run(t, "", "init", "--data-dir", dirs[0], "--database-url", dbURL, "--keys-dir", keysDir); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	if err := os.MkdirAll(dirs[1], 0o750); err != nil {
		t.Fatal(err)
	}
	copyFiles(t, keysDir, dirs[2], keysFile, kekFile, csrfKeyFile)

	t.Setenv(federationEnv, fed.DNSAddr()+" "+strconv.Itoa(fed.Port()))
	// Every job of the children times out at this (see rescueAfter): long
	// enough for the slowest job on a loaded machine, short enough for
	// the held job to be rescued within a minute (River's rescuer looks
	// every 30 seconds).
	t.Setenv(rescueEnv, "20s")
	web := startQlink(t, "serve", "--no-harvest", "--database-url", dbURL, "--data-dir", dirs[0], "--keys-dir", keysDir, "--addr", "127.0.0.1:0")
	addr := web.valueOf(t, "serving", "addr=")
	workers := []*qlinkProcess{
		startQlink(t, "worker", "--database-url", dbURL, "--data-dir", dirs[1], "--keys-dir", keysDir,
			"--registry-url", fed.RegistryURL(), "--harvest-workers", "2"),
		startQlink(t, "worker", "--database-url", dbURL, "--data-dir", dirs[2],
			"--registry-url", fed.RegistryURL(), "--harvest-workers", "2"),
	}

	t.Cleanup(func() {
		if t.Failed() {
			logOutput(t, append(workers, web)...)
			logJobs(t, dbURL)
		}
	})
	select {
	case <-stall.held:
	case <-time.After(6 * hangDetector):
		t.Fatalf("no worker harvested %s", stalled.Path)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var sourceID, owner string
	waitUntil(t, "the held run in the runs table", func() bool {
		err := conn.QueryRow(ctx, `SELECT r.source_id, r.owner FROM runs r JOIN sources s ON s.id = r.source_id
			WHERE s.url = $1 AND r.status = 'running'`, stalled.Path).Scan(&sourceID, &owner)
		return err == nil
	})
	killed := slices.IndexFunc(workers, func(p *qlinkProcess) bool {
		return strings.Contains(owner, ":"+strconv.Itoa(p.cmd.Process.Pid)+":")
	})
	if killed < 0 {
		t.Fatalf("run owner %q is neither worker", owner)
	}
	if err := workers[killed].cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-workers[killed].done
	close(stall.open)
	survivor := workers[1-killed]

	// The held job, rescued, ends on the survivor; every source has a run
	// that ended well.
	var attempts int
	var attemptedBy []string
	waitUntil(t, "the killed worker's job finished by the other", func() bool {
		err := conn.QueryRow(ctx, `SELECT attempt, attempted_by FROM river_job
			WHERE kind = 'qlink_refresh_source' AND args->>'source_id' = $1 AND state = 'completed'`, sourceID).Scan(&attempts, &attemptedBy)
		return err == nil
	})
	if attempts != 2 || len(attemptedBy) != 2 || attemptedBy[0] == attemptedBy[1] {
		t.Errorf("the held job: attempt %d by %v, want two attempts by two processes", attempts, attemptedBy)
	}
	type runRow struct {
		source, status, owner, trigger string
		conflicts                      int
	}
	var runs []runRow
	var sources []string
	waitUntil(t, "a finished run of every source", func() bool {
		rows, err := conn.Query(ctx, `SELECT id FROM sources WHERE active`)
		if err != nil {
			t.Fatal(err)
		}
		if sources, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			t.Fatal(err)
		}
		rows, err = conn.Query(ctx, `SELECT source_id, status, owner, trigger, conflicts FROM runs ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		runs, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (runRow, error) {
			var r runRow
			return r, row.Scan(&r.source, &r.status, &r.owner, &r.trigger, &r.conflicts)
		})
		if err != nil {
			t.Fatal(err)
		}
		// The killed worker may have finished other sources before it
		// took the held one: those runs count, its cut ones do not.
		done := map[string]bool{}
		for _, r := range runs {
			if r.status != "running" && !(r.owner == owner && r.status == "interrupted") {
				done[r.source] = true
			}
		}
		return len(sources) > 0 && len(done) == len(sources)
	})
	if len(sources) < len(fed.Institutions()) {
		t.Errorf("%d sources for %d institutions", len(sources), len(fed.Institutions()))
	}
	finished := map[string]int{}
	for _, r := range runs {
		switch {
		case r.owner == owner && (r.status == "running" || r.status == "interrupted"):
			// the killed worker's: the held one, and any other it was running
		case r.status != "ok" || !strings.HasPrefix(r.trigger, "schedule") || r.conflicts != 0:
			t.Errorf("run %+v, want an ok scheduled run without conflicts", r)
		default:
			finished[r.source]++
		}
	}
	for _, src := range sources {
		if n := finished[src]; n != 1 {
			t.Errorf("source %s harvested %d times in its slot, want once", src, n)
		}
	}

	var stored int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM courses`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != want {
		t.Errorf("%d courses stored, want the federation's %d", stored, want)
	}
	var all apiResponse
	waitUntil(t, "the web node to serve every course", func() bool {
		getJSON(t, "http://"+addr+"/api/v1/courses?limit=1", &all)
		return all.Total == want
	})

	// The web node keeps what it made of a course while the database's
	// content stays the same (store.Versioned by notifications), and no
	// longer once another process changed it.
	course := "http://" + addr + "/api/v1/courses/" + url.PathEscape(all.Items[0].ID)
	var item apiCourse
	waitUntil(t, "the web node to answer from a kept course", func() bool {
		getJSON(t, course, &item)
		_, _, metrics := get(t, "http://"+addr+"/metrics")
		return regexp.MustCompile(`qlink_kept_lookups_total\{form="item",result="hit"\} [1-9]`).MatchString(metrics)
	})
	if _, err := conn.Exec(ctx, `UPDATE courses SET doc = jsonb_set(doc::jsonb, '{title}', '{"en": "Renamed elsewhere"}')::text WHERE id = $1`,
		item.ID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the web node to show the course as another process changed it", func() bool {
		getJSON(t, course, &item)
		return item.Title["en"] == "Renamed elsewhere"
	})

	for _, p := range []*qlinkProcess{survivor, web} {
		if code := p.terminate(t); code != 0 {
			t.Errorf("exit code %d after SIGTERM, want 0", code)
		}
	}
}

// valueOf waits for an output line containing want and returns the value
// after key in it (up to the next space).
func (p *qlinkProcess) valueOf(t *testing.T, want, key string) string {
	t.Helper()
	deadline := time.After(3 * hangDetector)
	for {
		select {
		case line := <-p.lines:
			if !strings.Contains(line, want) {
				continue
			}
			if _, v, ok := strings.Cut(line, key); ok {
				return strings.Fields(v)[0]
			}
		case err := <-p.done:
			t.Fatalf("qlink ended (%v) before printing %q", err, want)
		case <-deadline:
			t.Fatalf("qlink never printed %q", want)
		}
	}
}

// logOutput logs what the processes printed that nobody read.
func logOutput(t *testing.T, procs ...*qlinkProcess) {
	for i, p := range procs {
		for len(p.lines) > 0 {
			t.Logf("process %d: %s", i, <-p.lines)
		}
	}
}

// logJobs logs the job queue and the runs.
func logJobs(t *testing.T, dbURL string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT id, kind, state, attempt, args::text, coalesce(errors::text, $$$$) || $$ created $$ || created_at::text || $$ attempted $$ || coalesce(attempted_at::text,$$-$$) || $$ finalized $$ || coalesce(finalized_at::text, $$-$$) FROM river_job ORDER BY id`)
	for rows.Next() {
		var id int64
		var kind, state, args string
		var attempt int
		var errs string
		rows.Scan(&id, &kind, &state, &attempt, &args, &errs)
		t.Logf("job %d %s %s attempt %d %s %s", id, kind, state, attempt, args, errs)
	}
	var leader string
	conn.QueryRow(ctx, `SELECT leader_id FROM river_leader`).Scan(&leader)
	t.Logf("leader %q", leader)
	rows, _ = conn.Query(ctx, `SELECT id::text || ' ' || source_id || ' ' || status || ' ' || owner || ' ' || trigger || ' ' || started_at::text || ' ' || coalesce(finished_at::text, '-') || ' ' || error FROM runs ORDER BY id`)
	for rows.Next() {
		var line string
		rows.Scan(&line)
		t.Logf("run %s", line)
	}
}

func copyFiles(t *testing.T, from, to string, names ...string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o750); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWatchHarvestsSeesRunsOfOtherProcesses: a node on a shared database
// learns from the runs table that a harvest it did not run changed
// courses; runs that changed nothing, and those finished before it
// started looking, do not count.
func TestWatchHarvestsSeesRunsOfOtherProcesses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.DataDir = newInstance(t)
	st, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.UpsertProviders(ctx, []model.Provider{{ID: "P1", SCHAC: "uni.test", Name: model.Text{"en": "Uni"}}}); err != nil {
		t.Fatal(err)
	}
	srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: "P1", URL: "x", FetchedAt: time.Now(), Body: []byte("{}")},
		[]store.Source{{Key: "k", Type: "elm", URL: "https://uni.test/c.ttl", Entry: []byte("{}")}})
	if err != nil {
		t.Fatal(err)
	}
	finish := func(added int) {
		t.Helper()
		r, err := st.StartRun(ctx, srcs[0].ID, "schedule", "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r.Status, r.FinishedAt, r.Added = store.RunOK, time.Now(), added
		if err := st.FinishRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	finish(3) // before the node looks: its files are renewed at start anyway
	changed := make(chan struct{}, 10)
	watched := lookingStore{Store: st, looked: make(chan struct{})}
	go watchHarvests(ctx, watched, 20*time.Millisecond, func() { changed <- struct{}{} }, slog.New(slog.DiscardHandler))
	<-watched.looked
	finish(0)
	<-watched.looked
	<-watched.looked // a look that began after the run finished
	if len(changed) != 0 {
		t.Fatalf("%d calls for runs that changed nothing new", len(changed))
	}
	finish(1)
	for {
		select {
		case <-changed:
			return
		case <-watched.looked:
		case <-time.After(hangDetector):
			t.Fatal("a run that changed courses went unnoticed")
		}
	}
}

// lookingStore tells looked after each look at the runs.
type lookingStore struct {
	store.Store
	looked chan struct{}
}

func (s lookingStore) FindRuns(ctx context.Context, f store.RunFilter) ([]store.Run, error) {
	runs, err := s.Store.FindRuns(ctx, f)
	select {
	case s.looked <- struct{}{}:
	case <-ctx.Done():
	}
	return runs, err
}

// TestWorkerNeedsADatabase: an embedded instance has one process, so a
// worker without database-url is refused, saying why.
func TestWorkerNeedsADatabase(t *testing.T) {
	dir := newInstance(t)
	_, err := run(t, "", "worker", "--data-dir", dir)
	if err == nil || !strings.Contains(err.Error(), "needs --database-url") {
		t.Errorf("worker on an embedded instance: %v, want a refusal naming --database-url", err)
	}
}
