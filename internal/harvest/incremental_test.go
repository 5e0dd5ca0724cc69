package harvest

import (
	"context"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// An unchanged source costs its revalidation only: no adapting, no
// writes to the courses, nothing re-indexed; the run carries the
// previous counts and the courses are marked seen.
func TestUnchangedSourceIsNotAdaptedNorIndexed(t *testing.T) {
	for name, paths := range map[string][]string{
		"every page 304":       {"/static/a", "/static/b"},
		"the same bytes again": {"/plain/a", "/static/b"},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, `{"type":"ooapi","path":"SRV/"}`)
			now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
			f.h.Now = func() time.Time { return now }
			f.adapter.paths = paths
			f.adapter.specs = []model.Specification{spec("c1", "One", "P1"), spec("c2", "Two", "P1")}
			first, err := f.h.Source(ctx, f.src, "test")
			if err != nil || first.Status != store.RunOK || first.Added != 2 {
				t.Fatalf("first run: %+v %v", first, err)
			}
			calls, written := f.adapter.calls, f.idx.written
			now = now.Add(time.Hour)
			second, err := f.h.Source(ctx, f.src, "test")
			if err != nil || second.Status != store.RunNotModified || second.Seen != 2 || second.Unchanged != 2 ||
				second.Added+second.Updated+second.Removed != 0 || second.WarningCount != first.WarningCount {
				t.Fatalf("second run: %+v %v", second, err)
			}
			if name == "every page 304" && f.adapter.calls != calls {
				t.Errorf("the adapter ran on a source whose every page answered 304")
			}
			if f.idx.written != written {
				t.Errorf("%d documents re-indexed for an unchanged source", f.idx.written-written)
			}
			c, err := f.st.Course(ctx, "c1")
			if err != nil || !c.LastSeen.Equal(now) || !c.Changed.Equal(first.StartedAt) {
				t.Errorf("course after the unchanged run: %+v %v", c, err)
			}
			if _, total, _ := f.st.CourseHistory(ctx, "c1", 10, 0); total != 1 {
				t.Errorf("history of an unchanged course: %d entries", total)
			}
			pages, _ := f.st.RunPages(ctx, second.ID)
			if len(pages) != 2 {
				t.Errorf("pages of the unchanged run: %+v", pages)
			}
		})
	}
}

// An Edu-API source is asked for what changed since the last complete
// run, removes nothing then, and is read in full again once a week so
// that withdrawn courses become inactive.
func TestEduAPIDeltaWithWeeklyFullRun(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, `{"type":"edu-api","path":"SRV/"}`)
	f.src.Type = "edu-api"
	f.h.Adapters["edu-api"] = f.adapter
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	f.h.Now = func() time.Time { return now }
	f.adapter.paths = []string{"/courseTemplates"}
	f.adapter.specs = []model.Specification{spec("c1", "One", "P1"), spec("c2", "Two", "P1")}
	full, err := f.h.Source(ctx, f.src, "test")
	if err != nil || full.Status != store.RunOK || IsDelta(full) || !f.adapter.since.IsZero() {
		t.Fatalf("first run: %+v %v (since %v)", full, err, f.adapter.since)
	}

	// A delta: only c1 changed; c2 is not in the answer and stays.
	now = now.Add(time.Hour)
	f.adapter.specs = []model.Specification{spec("c1", "One, revised", "P1")}
	delta, err := f.h.Source(ctx, f.src, "test")
	if err != nil || delta.Status != store.RunOK || delta.Trigger != "test+delta" || !f.adapter.since.Equal(full.StartedAt) ||
		delta.Updated != 1 || delta.Removed != 0 {
		t.Fatalf("delta run: %+v %v (since %v)", delta, err, f.adapter.since)
	}
	if c, _ := f.st.Course(ctx, "c2"); c.Inactive {
		t.Errorf("a delta run made a course inactive")
	}

	// The next delta starts from the delta before it.
	now = now.Add(time.Hour)
	if next, _ := f.h.Source(ctx, f.src, "test"); !IsDelta(next) || !f.adapter.since.Equal(delta.StartedAt) {
		t.Errorf("second delta: %+v (since %v)", next, f.adapter.since)
	}

	// A week after the last full run, a full run sees that c2 went.
	now = full.StartedAt.Add(fullRunEvery)
	weekly, err := f.h.Source(ctx, f.src, "test")
	if err != nil || IsDelta(weekly) || !f.adapter.since.IsZero() || weekly.Removed != 1 {
		t.Fatalf("weekly full run: %+v %v (since %v)", weekly, err, f.adapter.since)
	}
	if c, _ := f.st.Course(ctx, "c2"); !c.Inactive {
		t.Errorf("the full run did not make the withdrawn course inactive")
	}
}

// A provider renamed by a registry import reaches its courses' documents:
// through the next run of its source even when that source is unchanged,
// and through start-up repair when the process stopped before.
func TestProviderRenameReachesIndexedDocuments(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, `{"type":"ooapi","path":"SRV/"}`)
	f.adapter.paths = []string{"/static/a"}
	f.adapter.specs = []model.Specification{spec("c1", "One", "P1")}
	if run, err := f.h.Source(ctx, f.src, "test"); err != nil || run.Status != store.RunOK {
		t.Fatalf("first run: %+v %v", run, err)
	}
	rename := func(name string, schac ...string) {
		t.Helper()
		p := model.Provider{ID: "P1", SCHAC: "uni.test", Name: model.Text{"en": name}, Country: "NL"}
		if len(schac) > 0 {
			p.SCHAC = schac[0]
		}
		if err := f.st.UpsertProviders(ctx, []model.Provider{p}); err != nil {
			t.Fatal(err)
		}
	}
	// The same record again changes nothing, nor does a field the
	// documents do not show (a registry without the SCHAC code that
	// discovery adopted, at every import).
	rename("University One")
	rename("University One", "")
	if b, _ := f.st.IndexBacklog(ctx, ""); len(b.Stale) != 0 {
		t.Errorf("a provider record with the same name made its courses stale: %v", b.Stale)
	}

	rename("Lindenau University")
	run, err := f.h.Source(ctx, f.src, "test")
	if err != nil || run.Status != store.RunNotModified {
		t.Fatalf("run after the rename: %+v %v", run, err)
	}
	if extra := f.idx.docs["c1"].Extra; !strings.Contains(extra, "Lindenau University") {
		t.Errorf("document after the rename and a run: %q", extra)
	}

	rename("Lindenau Technical University")
	if _, err := f.h.Repair(ctx); err != nil {
		t.Fatal(err)
	}
	if extra := f.idx.docs["c1"].Extra; !strings.Contains(extra, "Lindenau Technical University") {
		t.Errorf("document after the rename and a repair: %q", extra)
	}
}

// Offerings published in another order (an RDF file serialised afresh)
// do not make a course changed: it is neither rewritten nor re-indexed.
func TestReorderedOfferingsAreNoChange(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, `{"type":"ooapi","path":"SRV/"}`)
	f.adapter.paths = []string{"/courses"} // new bytes at every request: the adapter runs
	withOfferings := func(ids ...string) model.Specification {
		s := spec("c1", "One", "P1")
		for _, id := range ids {
			s.Instances = append(s.Instances, model.Instance{ID: id, SpecificationID: "c1"})
		}
		return s
	}
	f.adapter.specs = []model.Specification{withOfferings("o1", "o2", "o3")}
	if run, err := f.h.Source(ctx, f.src, "test"); err != nil || run.Added != 1 {
		t.Fatalf("first run: %+v %v", run, err)
	}
	written := f.idx.written
	f.adapter.specs = []model.Specification{withOfferings("o3", "o1", "o2")}
	run, err := f.h.Source(ctx, f.src, "test")
	if err != nil || run.Status != store.RunOK || run.Updated != 0 || run.Unchanged != 1 || f.idx.written != written {
		t.Errorf("run with reordered offerings: %+v %v; %d re-indexed", run, err, f.idx.written-written)
	}
}
