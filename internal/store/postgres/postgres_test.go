package postgres

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/pgtest"
	"qlink/internal/redact"
	"qlink/internal/store"
	"qlink/internal/store/storetest"
)

// migrated is a migrated database the tests get copies of.
var migrated = pgtest.NewTemplate(func(ctx context.Context, url string) error {
	s, err := Open(ctx, url)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Migrate(ctx)
})

func TestMain(m *testing.M) {
	code := m.Run()
	migrated.Drop()
	os.Exit(code)
}

// open returns a migrated store on a fresh database of its own.
func open(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), migrated.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

func TestPendingMigrations(t *testing.T) {
	storetest.Migrations(t, func(t *testing.T) (storetest.Migratable, func(context.Context, string) error) {
		s, err := Open(context.Background(), pgtest.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, func(ctx context.Context, stmt string) error {
			_, err := s.pool.Exec(ctx, stmt)
			return err
		}
	})
}

// TestMigrateTogether: processes starting at once on one database migrate
// it once (goose's advisory lock), none of them failing.
func TestMigrateTogether(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	stores := make([]*Store, 4)
	for i := range stores {
		s, err := Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	var start, done sync.WaitGroup
	start.Add(1)
	for _, s := range stores {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			if err := s.Migrate(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	start.Done()
	done.Wait()
	if n, err := stores[0].Pending(ctx); err != nil || n != 0 {
		t.Errorf("pending after migrating together: %d, %v", n, err)
	}
}

// TestProgressSkipsALockedRun: a progress write meeting the run's row
// locked (FinishRun writing the outcome) is dropped, not waited for: the
// harvest that writes it must not stall on the watchers' behalf.
func TestProgressSkipsALockedRun(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	if err := s.UpsertProviders(ctx, []model.Provider{{ID: "a"}}); err != nil {
		t.Fatal(err)
	}
	srcs, err := s.SyncManifest(ctx, store.Manifest{ProviderID: "a", URL: "https://a.test/m", Body: []byte("m")},
		[]store.Source{{Key: "k", Type: "ooapi", URL: "https://a.test/api"}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.StartRun(ctx, srcs[0].ID, "test", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT 1 FROM runs WHERE id = $1 FOR UPDATE`, run.ID); err != nil {
		t.Fatal(err)
	}
	// Were the write to wait for the lock, the deadline would end it.
	waitless, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.RecordProgress(waitless, store.RunProgress{RunID: run.ID, Pages: 3, At: time.Now()}); err != nil {
		t.Fatalf("progress on a locked run: %v", err)
	}
	tx.Rollback(ctx)
	if got, _ := s.Run(ctx, run.ID); got.Pages != 0 {
		t.Errorf("the skipped progress was written: pages %d", got.Pages)
	}
	if err := s.RecordProgress(ctx, store.RunProgress{RunID: run.ID, Pages: 4, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Run(ctx, run.ID); got.Pages != 4 {
		t.Errorf("progress on the unlocked run: pages %d, want 4", got.Pages)
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(tb testing.TB) store.Store { return open(tb) })
}

// TestPoolSize: the pool has DefaultMaxConns connections unless the URL
// says otherwise.
func TestPoolSize(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	for _, c := range []struct {
		url  string
		want int32
	}{{url, DefaultMaxConns}, {pgtest.WithParam(t, url, "pool_max_conns", "3"), 3}} {
		s, err := Open(ctx, c.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Pool().Config().MaxConns; got != c.want {
			t.Errorf("%s: pool of %d connections, want %d", redact.URL(c.url), got, c.want)
		}
		s.Close()
	}
}
