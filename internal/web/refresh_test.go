package web

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/schedule"
	"qlink/internal/store"
	"qlink/internal/store/sqlite"
)

// refreshQueue is what qlink serve gives the web: the instance's job
// queue behind the Refresher interface.
type refreshQueue struct{ q *schedule.Queue }

func (r refreshQueue) RefreshProvider(ctx context.Context, id string) (string, error) {
	b, err := r.q.RefreshProvider(ctx, id)
	return b.Tag, err
}

func (r refreshQueue) Pending(ctx context.Context, tag string) (int, error) {
	return r.q.Pending(ctx, schedule.Batch{Tag: tag})
}

// pendingRefresher queues nothing; its Pending says what the test sets.
type pendingRefresher struct{ pending atomic.Int64 }

func (p *pendingRefresher) RefreshProvider(context.Context, string) (string, error) {
	return "batch-test", nil
}
func (p *pendingRefresher) Pending(context.Context, string) (int, error) {
	return int(p.pending.Load()), nil
}

type refreshFixture struct {
	srv    *httptest.Server
	st     *sqlite.Store
	dbPath string
	src    store.Source
}

// newRefreshFixture serves one provider with one source; the store's
// database is at dbPath, for a job queue beside it.
func newRefreshFixture(t *testing.T, refresher func(dbPath string) Refresher, interval time.Duration) *refreshFixture {
	t.Helper()
	ctx := context.Background()
	f := &refreshFixture{dbPath: filepath.Join(t.TempDir(), "qlink.db")}
	var err error
	if f.st, err = sqlite.Open(f.dbPath); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	must(t, f.st.Migrate(ctx))
	must(t, f.st.UpsertProviders(ctx, []model.Provider{{ID: "P1", SCHAC: "uni-a.test", Name: model.Text{"en": "University A"}, Country: "NL"}}))
	srcs, err := f.st.SyncManifest(ctx, store.Manifest{ProviderID: "P1", URL: "https://uni-a.test/m", FetchedAt: time.Now(), Body: []byte("m")},
		[]store.Source{{Key: "k", Type: "ooapi", URL: "https://api.uni-a.test/ooapi"}})
	if err != nil {
		t.Fatal(err)
	}
	f.src = srcs[0]
	opts := Options{Store: f.st, Index: openTestIndex(t), RefreshMinInterval: interval}
	if refresher != nil {
		opts.Refresher = refresher(f.dbPath)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(s.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

// post sends a form POST as a browser on the same site would, without
// following the redirect.
func (f *refreshFixture) post(t *testing.T, path string, header http.Header) *http.Response {
	t.Helper()
	cookie, token := anonymousForm(t, f.srv.URL, "/manifest")
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(url.Values{"csrf": {token}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func refreshBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// refreshJobs counts the jobs in the instance's queue.
func refreshJobs(t *testing.T, dbPath string) int {
	t.Helper()
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	must(t, db.QueryRow(`SELECT COUNT(*) FROM river_job`).Scan(&n))
	return n
}

func openRefreshQueue(t *testing.T, dbPath string) Refresher {
	q, err := schedule.OpenQueue(context.Background(), schedule.SQLite(dbPath))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return refreshQueue{q}
}

// TestRefreshEnqueuesJoinsAndLimits: a press queues discovery and refresh
// of the provider in the real job queue and leads to the refresh's page;
// a press while it is queued joins it; a press after it ended, within the
// interval, is refused with 429 and the time of the next allowed one.
// Nothing but the first press queues a job.
func TestRefreshEnqueuesJoinsAndLimits(t *testing.T) {
	f := newRefreshFixture(t, func(dbPath string) Refresher { return openRefreshQueue(t, dbPath) }, time.Hour)
	resp := f.post(t, "/institutions/P1/refresh", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/refreshes/1" {
		t.Fatalf("first press: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := refreshJobs(t, f.dbPath); n != 1 {
		t.Fatalf("the press queued %d jobs, want 1", n)
	}
	ref, err := f.st.Refresh(context.Background(), 1)
	if err != nil || ref.ProviderID != "P1" || !strings.HasPrefix(ref.Tag, "batch-") {
		t.Fatalf("recorded refresh: %+v %v", ref, err)
	}

	page, err := http.Get(f.srv.URL + "/refreshes/1")
	if err != nil {
		t.Fatal(err)
	}
	html := refreshBody(t, page)
	for _, want := range []string{"Refresh of University A", `sse-connect="/refreshes/1/events"`, `<meta http-equiv="refresh" content="3">`,
		"Waiting for discovery", "Queued"} {
		if !strings.Contains(html, want) {
			t.Errorf("progress page lacks %q", want)
		}
	}

	resp = f.post(t, "/institutions/P1/refresh", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/refreshes/1" {
		t.Errorf("press while queued: %d → %q, want to join /refreshes/1", resp.StatusCode, resp.Header.Get("Location"))
	}

	// The server works the job (here: marks it done).
	db, err := sql.Open("sqlite", f.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`UPDATE river_job SET state = 'completed', finalized_at = ?`, time.Now().UTC())
	db.Close()
	must(t, err)

	resp = f.post(t, "/institutions/P1/refresh", nil)
	text := refreshBody(t, resp)
	next := ref.RequestedAt.Add(time.Hour)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(text, utcMinute(next)) || !strings.Contains(text, `href="/refreshes/1"`) {
		t.Errorf("press within the interval: %d\n%s", resp.StatusCode, text)
	}
	if wait, err := time.ParseDuration(resp.Header.Get("Retry-After") + "s"); err != nil || wait <= 50*time.Minute || wait > time.Hour {
		t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	if n := refreshJobs(t, f.dbPath); n != 1 {
		t.Errorf("%d jobs after the refused presses, want 1", n)
	}
}

// TestRefreshCrossSiteRefused: a form posted from another site is refused
// before anything is queued.
func TestRefreshCrossSiteRefused(t *testing.T) {
	f := newRefreshFixture(t, func(dbPath string) Refresher { return openRefreshQueue(t, dbPath) }, time.Hour)
	resp := f.post(t, "/institutions/P1/refresh", http.Header{"Sec-Fetch-Site": {"cross-site"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site press: %d, want 403", resp.StatusCode)
	}
	resp = f.post(t, "/institutions/P1/refresh", http.Header{"Origin": {"https://evil.example"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("press from another origin: %d, want 403", resp.StatusCode)
	}
	if n := refreshJobs(t, f.dbPath); n != 0 {
		t.Errorf("refused presses queued %d jobs", n)
	}
}

// TestRefreshWithoutRefresher: a server that harvests nothing says so.
func TestRefreshWithoutRefresher(t *testing.T) {
	f := newRefreshFixture(t, nil, 0)
	resp := f.post(t, "/institutions/P1/refresh", nil)
	if text := refreshBody(t, resp); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(text, "refreshed on schedule") {
		t.Errorf("press without a refresher: %d\n%s", resp.StatusCode, text)
	}
}

// TestRefreshHostileIDs: absurd IDs get a clean 400 or 404 page.
func TestRefreshHostileIDs(t *testing.T) {
	f := newRefreshFixture(t, func(dbPath string) Refresher { return &pendingRefresher{} }, 0)
	for path, want := range map[string]int{
		"/runs/abc": 400, "/runs/0": 400, "/runs/-3": 400, "/runs/99999999999999999999999999": 400, "/runs/424242": 404,
		"/refreshes/abc": 400, "/refreshes/1e9": 400, "/refreshes/77": 404, "/refreshes/x/events": 400, "/refreshes/77/events": 404,
		"/runs/%3Cscript%3E": 400,
	} {
		resp, err := http.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		text := refreshBody(t, resp)
		if resp.StatusCode != want || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || strings.Contains(text, "<script>") {
			t.Errorf("GET %s: %d %s, want %d", path, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
	}
	for path, want := range map[string]int{
		"/institutions/" + strings.Repeat("9", 5000) + "/refresh": 404, "/institutions/nope/refresh": 404,
	} {
		if resp := f.post(t, path, nil); resp.StatusCode != want {
			t.Errorf("POST %s…: %d, want %d", path[:min(len(path), 40)], resp.StatusCode, want)
		}
	}
}

// sseEvent is one event of a stream.
type sseEvent struct{ name, data string }

// readEvents reads a stream's events until it ends.
func readEvents(t *testing.T, r io.Reader, each func(sseEvent)) {
	t.Helper()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var ev sseEvent
	var data []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.name != "" {
				ev.data = strings.Join(data, "\n")
				each(ev)
			}
			ev, data = sseEvent{}, nil
		case strings.HasPrefix(line, "event: "):
			ev.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		}
	}
}

// TestRefreshStream: the stream sends the run's progress as the harvest
// records it, then the result, and ends.
func TestRefreshStream(t *testing.T) {
	refresher := &pendingRefresher{}
	refresher.pending.Store(1)
	f := newRefreshFixture(t, func(string) Refresher { return refresher }, 0)
	ctx := context.Background()
	ref, err := f.st.AddRefresh(ctx, store.Refresh{ProviderID: "P1", RequestedAt: time.Now(), Tag: "batch-test"})
	must(t, err)
	run, err := f.st.StartRun(ctx, f.src.ID, "manual", "", time.Now())
	must(t, err)

	ctx, cancel := context.WithTimeout(ctx, time.Minute) // a broken stream fails the test instead of hanging it
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.srv.URL+fmt.Sprintf("/refreshes/%d/events", ref.ID), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	var names []string
	var last string
	readEvents(t, resp.Body, func(ev sseEvent) {
		names = append(names, ev.name)
		last = ev.data
		switch {
		case len(names) == 1:
			if ev.name != "progress" || !strings.Contains(ev.data, `<td class="pages">0</td>`) {
				t.Errorf("first event: %s %s", ev.name, ev.data)
			}
			// The harvest, in whatever process, records its progress.
			must(t, f.st.RecordProgress(ctx, store.RunProgress{RunID: run.ID, Pages: 3, Bytes: 9000, Records: 41, Warnings: 2, At: time.Now()}))
		case strings.Contains(ev.data, `<td class="pages">3</td>`) && ev.name == "progress":
			if !strings.Contains(ev.data, `<td class="records">41</td>`) || !strings.Contains(ev.data, `<td class="warnings">2</td>`) {
				t.Errorf("progress event: %s", ev.data)
			}
			run.Status, run.FinishedAt, run.Pages, run.Seen, run.Added, run.Updated, run.Removed, run.WarningCount =
				store.RunOK, time.Now(), 4, 57, 12, 3, 1, 2
			must(t, f.st.FinishRun(ctx, run))
			refresher.pending.Store(0)
		}
	})
	if len(names) < 3 || names[len(names)-1] != "done" || names[len(names)-2] != "progress" {
		t.Fatalf("events %v", names)
	}
	for _, want := range []string{"The refresh is over", `href="/runs/` + fmt.Sprint(run.ID) + `"`, `<td class="records">57</td>`,
		"<td>12</td>", "<td>3</td>", "<td>1</td>", "done"} {
		if !strings.Contains(last, want) {
			t.Errorf("the final event lacks %q:\n%s", want, last)
		}
	}
}

// TestRunPage: a run's page shows its source, counts and pages, and its
// warnings grouped by field, largest group first, with a few examples.
func TestRunPage(t *testing.T) {
	f := newRefreshFixture(t, nil, 0)
	ctx := context.Background()
	run, err := f.st.StartRun(ctx, f.src.ID, "manual", "", time.Now().Add(-time.Minute))
	must(t, err)
	must(t, f.st.AddRunPages(ctx, []store.RunPage{
		{RunID: run.ID, Seq: 1, URL: "https://api.uni-a.test/ooapi/courses?page=1", Status: 200, Bytes: 5120, FetchedAt: time.Now()},
		{RunID: run.ID, Seq: 2, URL: "https://api.uni-a.test/ooapi/courses?page=2", Status: 304, Bytes: 2048, FetchedAt: time.Now()},
	}))
	for i := range 5 {
		run.Warnings = append(run.Warnings, store.Warning{Record: fmt.Sprintf("c%d", i), Field: "ects", Message: "not a number"})
	}
	run.Warnings = append(run.Warnings, store.Warning{Record: "c9", Field: "name", Message: "<b>empty</b>"},
		store.Warning{Message: "published twice"})
	run.Status, run.FinishedAt, run.Pages, run.Seen, run.Added, run.WarningCount = store.RunPartial, time.Now(), 2, 30, 30, 250
	run.Quality = []byte(`{"records":30,"courses":30,"conforming":27,"averageScore":81.5,"rules":[{"rule":"r1","severity":"violation",` +
		`"explanation":"A course needs a title","property":"title","violations":3,"records":3,"examples":["c1","c2"]}]}`)
	must(t, f.st.FinishRun(ctx, run))

	resp, err := http.Get(f.srv.URL + fmt.Sprintf("/runs/%d", run.ID))
	if err != nil {
		t.Fatal(err)
	}
	html := refreshBody(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("run page: %d\n%s", resp.StatusCode, html)
	}
	wants := []string{`href="/institutions/P1"`, "University A", "https://api.uni-a.test/ooapi", "partly read", "<code>manual</code>",
		"courses?page=2</code></td><td>304 · not modified", "<code>ects</code> <span class=\"count\">(5)</span>",
		"and 2 more like these.", "<code>name</code> <span class=\"count\">(1)</span>", "&lt;b&gt;empty&lt;/b&gt;",
		"Whole records", "kept the first 7 of its 250 warnings", "27 of 30 records conform", "A course needs a title"}
	for _, want := range wants {
		if !strings.Contains(html, want) {
			t.Errorf("run page lacks %q", want)
		}
	}
	if strings.Contains(html, `http-equiv="refresh"`) {
		t.Errorf("the page of a finished run reloads itself")
	}
	if strings.Index(html, "<code>ects</code>") > strings.Index(html, "<code>name</code>") {
		t.Errorf("the largest group does not come first")
	}
	if strings.Count(html, "not a number") != warningExamples {
		t.Errorf("the ects group shows %d examples, want %d", strings.Count(html, "not a number"), warningExamples)
	}
}

// TestRunPageWithoutItsPages: a run whose page list went with its
// snapshots says so, rather than that it read no page.
func TestRunPageWithoutItsPages(t *testing.T) {
	f := newRefreshFixture(t, nil, 0)
	ctx := context.Background()
	for _, pages := range []int{3, 0} {
		run, err := f.st.StartRun(ctx, f.src.ID, "manual", "", time.Now().Add(-time.Minute))
		must(t, err)
		run.Status, run.FinishedAt, run.Pages = store.RunOK, time.Now(), pages
		must(t, f.st.FinishRun(ctx, run))
		resp, err := http.Get(f.srv.URL + fmt.Sprintf("/runs/%d", run.ID))
		if err != nil {
			t.Fatal(err)
		}
		html := refreshBody(t, resp)
		gone, none := strings.Contains(html, "is no longer kept"), strings.Contains(html, "The run read no page.")
		if resp.StatusCode != 200 || gone != (pages > 0) || none != (pages == 0) {
			t.Errorf("run of %d pages, none listed: %d, says the list is gone %v, says it read none %v", pages, resp.StatusCode, gone, none)
		}
	}
}

// openStream connects to a refresh's event stream on base and reads its
// first event.
func openStream(t *testing.T, ctx context.Context, base string, id int64) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/refreshes/%d/events", base, id), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	first, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || first != "event: progress\n" {
		t.Fatalf("first line %q, %v", first, err)
	}
	return resp
}

// TestRefreshStreamEnds: a stream of a refresh that never ends stops when
// its client goes away, and when the server shuts down, which then does
// not wait for it.
func TestRefreshStreamEnds(t *testing.T) {
	refresher := &pendingRefresher{}
	refresher.pending.Store(1) // never done
	f := newRefreshFixture(t, func(string) Refresher { return refresher }, 0)
	ref, err := f.st.AddRefresh(context.Background(), store.Refresh{ProviderID: "P1", RequestedAt: time.Now(), Tag: "batch-test"})
	must(t, err)

	// The client goes away: httptest's Close waits for every handler,
	// so it returns only once the stream has stopped.
	ctx, cancel := context.WithCancel(context.Background())
	resp := openStream(t, ctx, f.srv.URL, ref.ID)
	cancel()
	resp.Body.Close()
	closed := make(chan struct{})
	go func() { f.srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(30 * time.Second): // a guard against hanging, not a measurement
		t.Fatal("the stream went on after its client left")
	}

	// The server shuts down while a client still listens.
	s, err := New(Options{Store: f.st, Index: openTestIndex(t), Refresher: refresher})
	must(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := &http.Server{Handler: s.Handler()}
	go srv.Serve(ln)
	resp = openStream(t, context.Background(), "http://"+ln.Addr().String(), ref.ID)
	defer resp.Body.Close()
	shutdown, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	if err := srv.Shutdown(shutdown); err != nil {
		t.Fatalf("shutdown waited for the stream: %v", err)
	}
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Errorf("the stream did not end cleanly: %v", err)
	}
}

// TestRefreshButtonStates: the "refresh-button" partial, here on a run
// page, offers the form, then the refresh under way, then the time of the
// next one; a server without a refresher says it refreshes on schedule.
func TestRefreshButtonStates(t *testing.T) {
	refresher := &pendingRefresher{}
	f := newRefreshFixture(t, func(string) Refresher { return refresher }, time.Hour)
	ctx := context.Background()
	run, err := f.st.StartRun(ctx, f.src.ID, "schedule", "", time.Now())
	must(t, err)
	runPage := func() string {
		resp, err := http.Get(f.srv.URL + fmt.Sprintf("/runs/%d", run.ID))
		if err != nil {
			t.Fatal(err)
		}
		return refreshBody(t, resp)
	}
	if !strings.Contains(runPage(), `<meta http-equiv="refresh" content="3">`) {
		t.Errorf("the page of a run under way does not follow it")
	}
	if html := runPage(); !strings.Contains(html, `<form method="post" action="/institutions/P1/refresh"`) ||
		!strings.Contains(html, `<input type="hidden" name="csrf"`) {
		t.Errorf("no refresh yet: the form is missing")
	}
	refresher.pending.Store(1)
	if resp := f.post(t, "/institutions/P1/refresh", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("press: %d", resp.StatusCode)
	}
	if html := runPage(); !strings.Contains(html, "under way") || !strings.Contains(html, `href="/refreshes/1"`) ||
		strings.Contains(html, `action="/institutions/P1/refresh"`) {
		t.Errorf("refresh under way: the partial does not point to it")
	}
	refresher.pending.Store(0)
	if html := runPage(); !strings.Contains(html, "the next refresh is allowed at") {
		t.Errorf("refresh over, within the interval: the partial does not say when the next is allowed")
	}

	plain := newRefreshFixture(t, nil, 0)
	run, err = plain.st.StartRun(ctx, plain.src.ID, "schedule", "", time.Now())
	must(t, err)
	resp, err := http.Get(plain.srv.URL + fmt.Sprintf("/runs/%d", run.ID))
	if err != nil {
		t.Fatal(err)
	}
	if html := refreshBody(t, resp); !strings.Contains(html, "does not refresh data on request") {
		t.Errorf("server without a refresher: the partial offers a refresh")
	}
}
