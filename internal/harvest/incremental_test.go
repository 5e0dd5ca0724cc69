package harvest

import (
	"context"
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
