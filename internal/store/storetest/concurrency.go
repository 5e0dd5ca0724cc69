package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// The contract where several workers meet: writes that race on the same
// rows from goroutines (on a shared database, from processes) end as if
// they had run one after another, without errors.

// together runs fn(0) … fn(n-1) on goroutines released at once, and
// reports their errors.
func together(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	var start, done sync.WaitGroup
	start.Add(1)
	errs := make([]error, n)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = fn(i)
		}()
	}
	start.Done()
	done.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v", i, err)
		}
	}
}

// testConcurrentApply: two sources publishing the same new courses at the
// same moment. Each course goes to exactly one of them, which reports it
// added; the other meets it as a conflict.
func testConcurrentApply(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	srcs, err := s.SyncManifest(ctx, store.Manifest{ProviderID: "a", URL: "https://x/m.json", FetchedAt: t0, Body: []byte(`{"sources":[1,2]}`)},
		[]store.Source{{Key: "one", Type: "ooapi", URL: "https://api/one"}, {Key: "two", Type: "ooapi", URL: "https://api/two"}})
	if err != nil || len(srcs) != 2 {
		t.Fatalf("SyncManifest = %+v, %v", srcs, err)
	}
	for round := range 5 {
		var specs []model.Specification
		for i := range 40 {
			specs = append(specs, spec(fmt.Sprintf("r%d-c%02d", round, i), "Shared"))
		}
		changes := make([]store.Change, len(srcs))
		together(t, len(srcs), func(i int) (err error) {
			changes[i], err = s.ApplyCourses(ctx, srcs[i].ID, 0, specs, false, t0, nil)
			return err
		})
		for _, sp := range specs {
			var holder []int
			for i, ch := range changes {
				added, conflict := slices.Contains(ch.Added, sp.ID), slices.Contains(ch.Conflicts, sp.ID)
				if added == conflict {
					t.Fatalf("round %d, source %d: %s is added %v and a conflict %v; want one of them (%+v)", round, i, sp.ID, added, conflict, ch)
				}
				if added {
					holder = append(holder, i)
				}
			}
			if len(holder) != 1 {
				t.Fatalf("round %d: %s added by sources %v, want exactly one", round, sp.ID, holder)
			}
			if c, err := s.Course(ctx, sp.ID); err != nil || c.SourceID != srcs[holder[0]].ID {
				t.Fatalf("round %d: %s held by %q, want the source that added it (%s): %v", round, sp.ID, c.SourceID, srcs[holder[0]].ID, err)
			}
			if _, total, err := s.CourseHistory(ctx, sp.ID, 10, 0); err != nil || total != 1 {
				t.Fatalf("round %d: %s has %d history entries, want its one addition: %v", round, sp.ID, total, err)
			}
		}
	}
}

// testConcurrentManifests: discoveries of one provider storing different
// manifests at once get one version each.
func testConcurrentManifests(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	const n = 8
	together(t, n, func(i int) error {
		_, err := s.SyncManifest(ctx, store.Manifest{ProviderID: "a", URL: "https://a.test/m.json", FetchedAt: t0,
			Body: fmt.Appendf(nil, `{"edit":%d}`, i)}, []store.Source{{Key: "main", Type: "ooapi", URL: "https://api/main"}})
		return err
	})
	if src, err := s.Source(ctx, store.SourceID("a", "main")); err != nil || src.ManifestVersion != n {
		t.Errorf("after %d manifests at once, the source is of version %d, want %d (%v)", n, src.ManifestVersion, n, err)
	}
}

// testConcurrentRefreshes: refreshes of one provider asked for at once
// (on several web nodes) all count: only the newest RefreshesKept stay.
func testConcurrentRefreshes(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	n := store.RefreshesKept + 10
	ids := make([]int64, n)
	together(t, n, func(i int) error {
		r, err := s.AddRefresh(ctx, store.Refresh{ProviderID: "a", RequestedAt: t0.Add(time.Duration(i) * time.Second), Tag: "t"})
		ids[i] = r.ID
		return err
	})
	slices.Sort(ids)
	for i, id := range ids {
		_, err := s.Refresh(ctx, id)
		if kept := i >= n-store.RefreshesKept; kept != (err == nil) {
			t.Errorf("refresh %d (%d of %d by age): kept %v, want %v (%v)", id, i+1, n, err == nil, kept, err)
		}
	}
}

// testConcurrentLoginFailures: failed sign-ins counted at once, from
// several web nodes, each count.
func testConcurrentLoginFailures(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.CreateAccount(ctx, store.Account{Name: "ops", PasswordHash: "h", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	const n = 12
	together(t, n, func(int) error {
		_, err := s.LoginFailed(ctx, "ops", t0, 100, time.Hour)
		return err
	})
	if a, err := s.Account(ctx, "ops"); err != nil || a.FailedAttempts != n {
		t.Errorf("after %d failures at once: %d counted, %v", n, a.FailedAttempts, err)
	}
}
