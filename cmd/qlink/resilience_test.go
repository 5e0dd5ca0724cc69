package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qlink/internal/config"
	"qlink/internal/discovery"
	"qlink/internal/fetch"
	"qlink/internal/store"
	"qlink/internal/testfed"
)

// resilienceFullEnv runs the full resilience test: a larger federation,
// and a real qlink process killed mid-harvest and restarted.
const resilienceFullEnv = "QLINK_RESILIENCE_FULL"

// heapCeiling bounds the live heap after a harvest of every hostile
// profile. A harvest of the small federation needs some tens of MiB; the
// bombs and huge files would need gigabytes if any of them were read
// whole, so a generous ceiling still catches one that is.
const heapCeiling = 512 << 20

// resilienceConfig is a fresh data directory harvesting fed with the
// demo's network rules (loopback only, so private redirects and DNS
// rebinding are refused) and short deadlines for the hung servers.
func resilienceConfig(t *testing.T, fed *testfed.Federation) (config.Config, network) {
	cfg := config.Default()
	cfg.DataDir, cfg.RegistryURL = t.TempDir(), fed.RegistryURL()
	cfg.Fetch.Timeout = 2 * time.Second
	cfg.Fetch.MaxBodyBytes = 8 << 20
	return cfg, network{resolver: fed.Resolver(), allowNets: fetch.LoopbackNets,
		discovery: discovery.Options{Scheme: "http", Port: strconv.Itoa(fed.Port())}}
}

// TestResilienceEveryHostileProfile harvests a federation with one
// institution per hostile profile, first behaving, then misbehaving, while
// the catalogue is under load.
func TestResilienceEveryHostileProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("harvests a federation with every hostile profile")
	}
	institutions := 6
	if os.Getenv(resilienceFullEnv) != "" {
		institutions = 40
	}
	hostile, err := testfed.HostileProfiles([]string{"all"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: institutions, Seed: 14, Hostile: hostile, HostileLater: true,
		Formats: []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM}})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	cfg, nw := resilienceConfig(t, fed)
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), nw)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	web, err := a.webServer("")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.Handler())
	defer srv.Close()

	load := startLoad(srv.URL, 3)
	var out bytes.Buffer
	harvestCounts := func() map[string]int {
		t.Helper()
		if _, err := runHarvest(ctx, a, &out, "test", nil); err != nil {
			t.Fatalf("harvest: %v\n%s", err, out.String())
		}
		counts, err := a.store.CountCourses(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return counts
	}
	// First the servers behave (but for the profiles shown by the
	// renderers, the manifest or DNS), then they all misbehave.
	first := harvestCounts()
	insts := fed.Institutions()
	for _, in := range insts {
		if in.Misbehavior == "" && first[in.DEQARID] != publishedRecords(in) {
			t.Errorf("%s: %d courses in the catalogue, want the %d it publishes", in.SCHAC, first[in.DEQARID], publishedRecords(in))
		}
	}
	fed.TurnHostile()
	second := harvestCounts()
	load.stop(t)

	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > heapCeiling {
		t.Errorf("live heap after the harvests: %d MiB, over the %d MiB ceiling", ms.HeapAlloc>>20, heapCeiling>>20)
	}
	t.Logf("live heap after the harvests: %d MiB; catalogue answered %d requests during them", ms.HeapAlloc>>20, load.requests.Load())

	checkHostileRuns(t, a.store, insts)
	checkStoreMatchesIndex(t, a)
	// Nothing stored by the first harvest is lost to the misbehaviour.
	if !maps.Equal(first, second) {
		t.Errorf("courses per provider changed when the servers turned hostile:\nbefore %v\nafter  %v", first, second)
	}
}

// publishedRecords counts the distinct courses and programmes an
// institution publishes.
func publishedRecords(in testfed.Institution) int {
	n := 0
	for _, s := range in.Sources {
		for _, c := range s.Courses {
			if !c.HasQuirk(testfed.QuirkDuplicateID) {
				n++
			}
		}
		n += len(s.Programs)
	}
	return n
}

// checkHostileRuns checks each hostile institution's latest runs against
// the outcome its profile expects.
func checkHostileRuns(t *testing.T, st store.Store, insts []testfed.Institution) {
	t.Helper()
	for _, in := range insts {
		if in.Expect == nil {
			continue
		}
		runs, err := st.FindRuns(context.Background(), store.RunFilter{ProviderID: in.DEQARID, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 0 {
			t.Errorf("%s (%s): no run recorded", in.SCHAC, in.Misbehavior)
			continue
		}
		if problem := judgeRun(runs[0], *in.Expect); problem != "" {
			t.Errorf("%s (%s): %s", in.SCHAC, in.Misbehavior, problem)
		}
	}
}

// judgeRun says how run falls short of want, or "".
func judgeRun(run store.Run, want testfed.Outcome) string {
	ok := run.Status == store.RunOK || run.Status == store.RunNotModified
	texts := []string{run.Error}
	if want.OK {
		texts = texts[:0]
		for _, w := range run.Warnings {
			texts = append(texts, w.Record+" "+w.Field+" "+w.Message)
		}
	}
	switch {
	case want.OK && !ok:
		return fmt.Sprintf("run %s (%s), want ok", run.Status, run.Error)
	case want.OK && run.Conflicts > 0:
		return fmt.Sprintf("run ok but %d courses met as conflicts (%v)", run.Conflicts, run.Warnings[:min(len(run.Warnings), 3)])
	case !want.OK && run.Status != store.RunFailed && run.Status != store.RunPartial:
		return fmt.Sprintf("run %s, want failed or partial", run.Status)
	case len(want.Mentions) > 0 && !slices.ContainsFunc(texts, func(s string) bool { return mentionsAny(s, want.Mentions) }):
		return fmt.Sprintf("run %s: %q (warnings %v) mentions none of %q", run.Status, run.Error, run.Warnings, want.Mentions)
	}
	return ""
}

func mentionsAny(s string, words []string) bool {
	s = strings.ToLower(s)
	return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(s, strings.ToLower(w)) })
}

// load is a few clients reading the catalogue and the API in a loop.
type load struct {
	done     chan struct{}
	wg       sync.WaitGroup
	requests atomic.Int64
	mu       sync.Mutex
	problems []string
}

var loadPaths = []string{"/", "/?q=data", "/api/v1/courses?q=data", "/api/v1/courses?limit=50", "/api/v1/providers", "/healthz"}

func startLoad(base string, clients int) *load {
	l := &load{done: make(chan struct{})}
	client := &http.Client{Timeout: time.Minute}
	for c := range clients {
		l.wg.Go(func() {
			for i := c; ; i++ {
				select {
				case <-l.done:
					return
				default:
				}
				l.get(client, base+loadPaths[i%len(loadPaths)])
			}
		})
	}
	return l
}

func (l *load) get(client *http.Client, u string) {
	l.requests.Add(1)
	resp, err := client.Get(u)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
	}
	if err != nil {
		l.mu.Lock()
		l.problems = append(l.problems, u+": "+err.Error())
		l.mu.Unlock()
	}
}

// stop ends the load and fails the test if a request went wrong.
func (l *load) stop(t *testing.T) {
	t.Helper()
	close(l.done)
	l.wg.Wait()
	for _, p := range l.problems {
		t.Errorf("catalogue under load: %s", p)
	}
}

// TestResilienceKilledMidHarvest kills a `qlink demo --hostile all` while
// it harvests, starts it again on the same data directory, and checks
// that the killed runs are marked, the harvest is redone, and store and
// index agree.
func TestResilienceKilledMidHarvest(t *testing.T) {
	if os.Getenv(resilienceFullEnv) == "" {
		t.Skip("the full resilience run: set " + resilienceFullEnv + "=1")
	}
	const institutions = 10
	ctx := context.Background()
	dir := t.TempDir() + "/demo"
	t.Setenv(config.EnvName("fetch-timeout"), "2s")
	demo := []string{"demo", "--hostile", "all", "--institutions", strconv.Itoa(institutions), "--data-dir", dir, "--addr", "127.0.0.1:0"}
	first := startQlink(t, demo...)
	cfg := config.Default()
	cfg.DataDir = dir
	// Only once the demo made its data directory: it refuses one it did
	// not create.
	first.waitFor(t, "manifest found")
	waitUntil(t, "a run in progress", func() bool {
		st, err := openStore(ctx, cfg)
		if err != nil {
			return false // busy with the demo's writes: ask again
		}
		defer st.Close()
		running, err := st.FindRuns(ctx, store.RunFilter{Status: store.RunRunning, Limit: 1})
		return err == nil && len(running) > 0
	})
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-first.done

	second := startQlink(t, demo...)
	waitUntil(t, "the harvest after the restart", func() bool {
		select {
		case line := <-second.lines:
			return strings.Contains(line, "Press Ctrl-C to stop")
		case err := <-second.done:
			t.Fatalf("the restarted demo ended: %v", err)
		case <-time.After(time.Second):
		}
		return false
	})
	if code := second.terminate(t); code != 0 {
		t.Errorf("demo ended with exit code %d, want 0", code)
	}

	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), network{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for status, want := range map[store.RunStatus]bool{store.RunRunning: false, store.RunInterrupted: true} {
		runs, err := a.store.FindRuns(ctx, store.RunFilter{Status: status, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if (len(runs) > 0) != want {
			t.Errorf("runs %s after the restart: %d, want some: %v", status, len(runs), want)
		}
	}
	checkStoreMatchesIndex(t, a)
	hostile, _ := testfed.HostileProfiles([]string{"all"})
	insts := testfed.Generate(testfed.Options{Institutions: institutions, Seed: 1, Hostile: hostile,
		Formats: []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM}})
	checkHostileRuns(t, a.store, insts)
	counts, err := a.store.CountCourses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range insts {
		if in.Misbehavior == "" && counts[in.DEQARID] != publishedRecords(in) {
			t.Errorf("%s: %d courses after the restart, want the %d it publishes", in.SCHAC, counts[in.DEQARID], publishedRecords(in))
		}
	}
}

// waitUntil polls cond, failing the test if it stays false for long: it
// catches a hang and measures nothing.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(12 * hangDetector)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkStoreMatchesIndex: every stored course is indexed, nothing else,
// and no indexing is pending.
func checkStoreMatchesIndex(t *testing.T, a *app) {
	t.Helper()
	ctx := context.Background()
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
	if uint64(len(ids)) != uint64(indexed) || len(backlog.Stale)+len(backlog.Gone) != 0 {
		t.Errorf("store holds %d courses, index %d documents, backlog %d stale and %d gone; want equal and none",
			len(ids), indexed, len(backlog.Stale), len(backlog.Gone))
	}
}
