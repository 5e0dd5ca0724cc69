package harvest

import (
	"context"
	"strings"
	"testing"
	"time"

	"qlink/internal/fetch"
	"qlink/internal/model"
	"qlink/internal/source"
	"qlink/internal/store"
)

// watched is an adapter that looks at its own run's row while it reads,
// as a progress page in another process would.
type watched struct {
	t     *testing.T
	st    store.Store
	src   string
	clock *time.Time
	// seen holds the run's row at each look.
	seen []store.Run
}

func (a *watched) look(ctx context.Context) {
	runs, err := a.st.FindRuns(ctx, store.RunFilter{SourceID: a.src, Limit: 1})
	if err != nil || len(runs) != 1 {
		a.t.Fatalf("the running run: %v %v", runs, err)
	}
	a.seen = append(a.seen, runs[0])
}

func (a *watched) Harvest(ctx context.Context, cfg source.Config, get source.Getter, out source.Emitter) error {
	base := strings.TrimRight(cfg.URL, "/")
	if _, err := get.Get(ctx, base+"/courses?page=1"); err != nil {
		return err
	}
	a.look(ctx) // the first page is written at once
	out.Spec(spec("c1", "One", "P1"))
	out.Warn(source.Warning{Record: "c1", Field: "name", Message: "empty"})
	a.look(ctx) // within a second of the last write: nothing new written
	*a.clock = a.clock.Add(2 * time.Second)
	if _, err := get.Get(ctx, base+"/courses?page=2"); err != nil {
		return err
	}
	a.look(ctx)
	out.Spec(spec("c2", "Two", "P1"))
	return nil
}

// TestProgressRecordedDuringRun: a run writes its pages, bytes, records
// and warnings to its row while it reads, at most once a second of the
// harvest's clock, and the run's outcome has the final counts.
func TestProgressRecordedDuringRun(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, `{"type":"ooapi","path":"SRV/ooapi/v5"}`)
	clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f.h.Now = func() time.Time { return clock }
	a := &watched{t: t, st: f.st, src: f.src.ID, clock: &clock}
	f.h.Adapters["ooapi"] = a

	run, err := f.h.Source(ctx, f.src, "manual")
	if err != nil || run.Status != store.RunOK {
		t.Fatalf("run: %+v %v", run, err)
	}
	if len(a.seen) != 3 {
		t.Fatalf("looked %d times", len(a.seen))
	}
	first, throttled, second := a.seen[0], a.seen[1], a.seen[2]
	if first.Status != store.RunRunning || first.Pages != 1 || first.Bytes == 0 || first.Seen != 0 ||
		!first.ProgressAt.Equal(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("after the first page: %+v", first)
	}
	if throttled.Seen != 0 || throttled.WarningCount != 0 || !throttled.ProgressAt.Equal(first.ProgressAt) {
		t.Errorf("a second write within a second: %+v", throttled)
	}
	if second.Pages != 2 || second.Seen != 1 || second.WarningCount != 1 || second.Bytes <= first.Bytes ||
		!second.ProgressAt.Equal(clock) {
		t.Errorf("after the second page, two seconds later: %+v", second)
	}
	final, err := f.st.Run(ctx, run.ID)
	if err != nil || final.Pages != 2 || final.Seen != 2 || final.WarningCount != 1 || final.Status != store.RunOK {
		t.Errorf("the outcome's counts: %+v %v", final, err)
	}
}

// lookingFetcher looks at the source's newest run before each request.
type lookingFetcher struct {
	Fetcher
	look func()
}

func (f lookingFetcher) Get(ctx context.Context, req fetch.Request) (*fetch.Response, error) {
	f.look()
	return f.Fetcher.Get(ctx, req)
}

// TestProgressWhileRevalidating: a run that finds every page unchanged
// (answered 304 before any adapting) shows each answer as it comes.
func TestProgressWhileRevalidating(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, `{"type":"ooapi","path":"SRV/"}`)
	f.adapter.paths = []string{"/static/a", "/static/b"}
	f.adapter.specs = []model.Specification{spec("c1", "One", "P1")}
	if run, err := f.h.Source(ctx, f.src, "manual"); err != nil || run.Status != store.RunOK {
		t.Fatalf("first run: %+v %v", run, err)
	}
	var pages []int
	f.h.Fetcher = lookingFetcher{Fetcher: f.h.Fetcher, look: func() {
		runs, err := f.st.FindRuns(ctx, store.RunFilter{SourceID: f.src.ID, Limit: 1})
		if err != nil || len(runs) != 1 {
			t.Fatalf("runs: %v %v", runs, err)
		}
		pages = append(pages, runs[0].Pages)
	}}
	run, err := f.h.Source(ctx, f.src, "manual")
	if err != nil || run.Status != store.RunNotModified {
		t.Fatalf("second run: %+v %v", run, err)
	}
	if len(pages) != 2 || pages[0] != 0 || pages[1] != 1 {
		t.Errorf("pages on the run's row before each request: %v, want [0 1]", pages)
	}
}
