package schedule

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"qlink/internal/harvest"
	"qlink/internal/pgtest"
	"qlink/internal/store"
)

// Two Schedulers on one PostgreSQL database stand for two processes:
// each has its own River client, and so its own ID, leadership and
// workers.

// TestPeriodicSlotRunsOnceAcrossProcesses: two processes plan and work the
// same queue; the source due now is harvested once, and a scheduled job
// for the slot queued after that run (as a planner that read the source
// before the run ended would) harvests nothing.
func TestPeriodicSlotRunsOnceAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, postgresEngine, `{"type":"ooapi","path":"SRV"}`)
	one := f.open(t, Options{Override: time.Hour, Tick: 50 * time.Millisecond})
	two := f.open(t, Options{Override: time.Hour, Tick: 50 * time.Millisecond})
	start(t, one)
	start(t, two)
	waitFor(t, "the slot's run and the next slot planned", func() bool {
		src, err := f.st.Source(ctx, f.src.ID)
		if err != nil {
			t.Fatal(err)
		}
		return src.NextRunAt.After(time.Now())
	})
	// Planning goes on (on the leader) several rounds after the run.
	planned := completedJobs(t, one, planArgs{}.Kind())
	waitFor(t, "five more rounds of planning", func() bool { return completedJobs(t, one, planArgs{}.Kind()) >= planned+5 })
	late, err := two.client.Insert(ctx, refreshArgs{SourceID: f.src.ID, Trigger: "schedule"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the late job to be worked", func() bool { return jobState(t, one, late.Job.ID) == rivertype.JobStateCompleted })
	if runs := f.runs(t); len(runs) != 1 || runs[0].Status != store.RunOK {
		t.Fatalf("runs: %+v, want the slot's one ok run", runs)
	}
}

// TestDeadWorkersJobIsFinishedByAnother: a process harvesting a source
// drops off the network mid-run (its connections to the database cut, as
// when its machine dies); the job stays running in the queue until River's
// rescuer on the other process takes it for abandoned, and the other
// process harvests the source.
func TestDeadWorkersJobIsFinishedByAnother(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	stB := openPostgres(t, dbURL)
	f := newFixture(t, func(*testing.T, string) (store.Store, Backend) { return stB, Postgres(stB.Pool()) },
		`{"type":"ooapi","path":"SRV"}`)
	// Planned far ahead: only the job below runs it.
	if err := f.st.SetNextRun(ctx, f.src.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	f.in.stalled.Store(true)

	// Process A reaches the database through a link the test cuts.
	link := newLink(t, dbURL)
	stA := openPostgres(t, link.url)
	a, err := Open(ctx, Options{Backend: Postgres(stA.Pool()), Store: stA, Harvester: f.harvester(t, stA),
		Tick: 50 * time.Millisecond, StopGrace: 100 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := a.RefreshSource(ctx, f.src.ID)
	if err != nil {
		t.Fatal(err)
	}
	runA, stopA := context.WithCancel(ctx)
	var stoppedA sync.WaitGroup
	stoppedA.Go(func() { a.Run(runA) }) // fails to stop cleanly: its database is gone
	t.Cleanup(func() { stopA(); stoppedA.Wait() })
	select {
	case <-f.in.requested:
	case <-time.After(time.Minute):
		t.Fatal("process A never harvested the source")
	}
	link.cut()
	f.in.stalled.Store(false)

	b := f.open(t, Options{Tick: 50 * time.Millisecond, RescueAfter: time.Second})
	start(t, b)
	waitFor(t, "process B to finish the batch", func() bool {
		n, err := b.Pending(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
	jobs, err := b.client.JobList(ctx, river.NewJobListParams().Kinds(refreshArgs{}.Kind()).States(rivertype.JobStateCompleted))
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs.Jobs) != 1 || jobs.Jobs[0].Attempt != 2 || len(jobs.Jobs[0].AttemptedBy) != 2 {
		t.Fatalf("completed refresh jobs: %+v, want one, attempted once by each process", jobs.Jobs)
	}
	var ok int
	for _, r := range f.runs(t) {
		if r.Status == store.RunOK && harvest.TriggerOf(r) == "manual" {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("runs: %+v, want one ok run by process B", f.runs(t))
	}
}

func completedJobs(t *testing.T, s *Scheduler, kind string) int {
	t.Helper()
	res, err := s.client.JobList(context.Background(), river.NewJobListParams().Kinds(kind).
		States(rivertype.JobStateCompleted).First(10000))
	if err != nil {
		t.Fatal(err)
	}
	return len(res.Jobs)
}

func jobState(t *testing.T, s *Scheduler, id int64) rivertype.JobState {
	t.Helper()
	res, err := s.client.JobList(context.Background(), river.NewJobListParams().IDs(id))
	if err != nil || len(res.Jobs) != 1 {
		t.Fatalf("job %d: %v", id, err)
	}
	return res.Jobs[0].State
}

// link forwards TCP connections to a database until cut, which closes
// them all and refuses new ones: the network of a machine that died.
type link struct {
	url   string
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newLink(t *testing.T, dbURL string) *link {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	u.Host = ln.Addr().String()
	l := &link{url: u.String(), ln: ln}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			l.mu.Lock()
			l.conns = append(l.conns, in, out)
			l.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	t.Cleanup(l.cut)
	return l
}

func (l *link) cut() {
	l.ln.Close()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close()
	}
}

// TestMoreHarvestsThanPoolConnections: a worker harvesting more sources at
// once than its pool has connections still finishes them all. Each
// harvest holds its source's lock for as long as it runs; were the locks
// held on connections of the pool, the harvests would hold every one of
// them and wait forever for another to store what they fetched.
func TestMoreHarvestsThanPoolConnections(t *testing.T) {
	ctx := context.Background()
	st := openPostgres(t, pgtest.WithParam(t, pgtest.NewDatabase(t), "pool_max_conns", "2"))
	f := newFixture(t, func(*testing.T, string) (store.Store, Backend) { return st, Postgres(st.Pool()) },
		`{"type":"ooapi","path":"SRV"}`)
	var srcs []store.Source
	for i := range 4 {
		u := f.in.srv.URL + "/" + strconv.Itoa(i)
		srcs = append(srcs, store.Source{Key: "id:" + strconv.Itoa(i), Type: "ooapi", URL: u, Entry: []byte(`{"type":"ooapi","path":"` + u + `"}`)})
	}
	srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: "P1", URL: "x", FetchedAt: time.Now(), Body: []byte("{}")}, srcs)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's own source, gone from this manifest, is inactive.
	srcs = slices.DeleteFunc(srcs, func(s store.Source) bool { return !s.Active })
	s := f.open(t, Options{Workers: len(srcs), Tick: 50 * time.Millisecond})
	var batches []Batch
	for _, src := range srcs {
		// Planned far ahead: only the jobs below run them, together.
		if err := st.SetNextRun(ctx, src.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		b, err := s.RefreshSource(ctx, src.ID)
		if err != nil {
			t.Fatal(err)
		}
		batches = append(batches, b)
	}
	start(t, s)
	waitFor(t, "every source harvested", func() bool {
		// Bounded: a pool held by the harvests would hold this too.
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		for _, b := range batches {
			if n, err := s.Pending(ctx, b); err != nil || n > 0 {
				return false
			}
		}
		return true
	})
	for _, src := range srcs {
		runs, err := st.ListRuns(ctx, src.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || runs[0].Status != store.RunOK {
			t.Errorf("source %s: runs %+v, want one ok run", src.URL, runs)
		}
	}
}
