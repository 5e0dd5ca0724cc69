package postgres

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
	"qlink/internal/store/storetest"
)

// TestVersionMovesWithTheContent checks the content version a web node on
// PostgreSQL keys what it keeps by: it moves with every write to what the
// catalogue shows, from this process or another, not with other writes,
// and it starts a new epoch after the listening connection was lost.
func TestVersionMovesWithTheContent(t *testing.T) {
	ctx := context.Background()
	url := migrated.NewDatabase(t)
	s, err := Open(ctx, url)
	must(t, err)
	t.Cleanup(func() { s.Close() })
	provider := model.Provider{ID: "a", Name: model.Text{"en": "A"}}
	must(t, s.UpsertProviders(ctx, []model.Provider{provider}))
	srcs, err := s.SyncManifest(ctx, store.Manifest{ProviderID: provider.ID, URL: "https://a.test/m", FetchedAt: time.Now(), Body: []byte("a")},
		[]store.Source{{Key: "k", Type: "ooapi", URL: "https://a.test/"}})
	must(t, err)
	src := srcs[0]

	epoch, heard := waitVersion(t, s, func(string, uint64) bool { return true })
	// Each step makes its write, then notifies the channel itself as a
	// marker: notifications arrive in commit order, so once the marker is
	// heard the write's own notification, if any, was heard before it.
	for _, step := range storetest.VersionSteps(s, provider, src, func() (store.Store, error) { return Open(ctx, url) }) {
		must(t, step.Write())
		marker := "after " + step.Name
		_, err := s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, contentChannel, marker)
		must(t, err)
		e, n := waitVersion(t, s, func(e string, n uint64) bool {
			s.watch.mu.Lock()
			defer s.watch.mu.Unlock()
			return e != epoch || s.watch.last == marker
		})
		if e != epoch {
			t.Fatalf("%s: the epoch changed from %s to %s", step.Name, epoch, e)
		}
		if got := n - heard; (got > 1) != step.Moves {
			t.Errorf("%s: %d notifications with the marker, want the version to move: %v", step.Name, got, step.Moves)
		}
		heard = n
	}

	// The listener's connection lost: nothing heard in the meantime may
	// pass for the old version, so the next one is of a new epoch.
	defer func(d time.Duration) { watchRetry = d }(watchRetry)
	watchRetry = 10 * time.Millisecond
	_, err = s.pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN `+contentChannel+`'`)
	must(t, err)
	waitVersion(t, s, func(e string, _ uint64) bool { return e != epoch })
}

// TestVersionTriggerNamesEveryCourseColumn keeps the courses' trigger
// (migration 00005) in step with the table: every column but the index's
// bookkeeping moves the version.
func TestVersionTriggerNamesEveryCourseColumn(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	var columns, trigger string
	must(t, s.pool.QueryRow(ctx, `SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns
		WHERE table_name = 'courses' AND column_name <> 'indexed_hash'`).Scan(&columns))
	must(t, s.pool.QueryRow(ctx, `SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'courses_content_changed'`).Scan(&trigger))
	if want := "UPDATE OF " + columns + " OR TRUNCATE ON"; !strings.Contains(trigger, want) {
		t.Errorf("the courses' trigger\n%s\ndoes not name the columns as %q", trigger, want)
	}
}

// waitVersion waits until the store's version, once known, satisfies ok,
// and returns its epoch and count.
func waitVersion(t *testing.T, s *Store, ok func(epoch string, n uint64) bool) (string, uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if v := s.Version(); v != "" {
			epoch, count, _ := strings.Cut(v, ".")
			n, err := strconv.ParseUint(count, 10, 64)
			must(t, err)
			if ok(epoch, n) {
				return epoch, n
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the version is %q after 10 s", s.Version())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
