package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qlink/internal/store"
	"qlink/internal/store/storetest"
)

// fresh opens a store on a new database file, not migrated.
func fresh(t testing.TB) *Store {
	s, err := Open(filepath.Join(t.TempDir(), "qlink.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// open returns a migrated store on a new database file.
func open(t testing.TB) store.Store {
	s := fresh(t)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

func TestPendingMigrations(t *testing.T) {
	storetest.Migrations(t, func(t *testing.T) (storetest.Migratable, func(context.Context, string) error) {
		s := fresh(t)
		return s, func(ctx context.Context, stmt string) error {
			_, err := s.w.ExecContext(ctx, stmt)
			return err
		}
	})
}

// TestMigrateRemovedToInactive: on a database from before course history,
// removed courses become inactive with their last known content and
// last-seen date, and are queued to be indexed as such.
func TestMigrateRemovedToInactive(t *testing.T) {
	ctx := context.Background()
	s := fresh(t)
	p, err := s.migrator()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	lastSeen := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
	for _, stmt := range []string{
		`INSERT INTO providers (id, doc, updated_at) VALUES ('a', '{"id":"a"}', '2026-01-01')`,
		`INSERT INTO sources (id, provider_id, key, type, url, manifest_version, created_at, updated_at)
			VALUES ('s', 'a', 'k', 'elm', 'https://a.test/', 1, '2026-01-01', '2026-01-01')`,
	} {
		if _, err := s.w.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO courses (id, provider_id, source_id, doc, hash, first_seen, changed_at, last_seen, removed)
		VALUES ('gone', 'a', 's', '{"id":"gone","title":{"en":"Old"}}', 'h', ?, ?, ?, 1)`, lastSeen, lastSeen.Add(time.Hour), lastSeen)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := s.Course(ctx, "gone")
	if err != nil || !c.Inactive || !c.LastSeen.Equal(lastSeen) || c.Spec.Title["en"] != "Old" {
		t.Fatalf("migrated course = %+v, %v", c, err)
	}
	if b, err := s.IndexBacklog(ctx, ""); err != nil || len(b.Stale) != 1 {
		t.Errorf("the inactive course must be indexed once more: %+v, %v", b, err)
	}
	if items, total, err := s.CourseHistory(ctx, "gone", 10, 0); err != nil || total != 0 || len(items) != 0 {
		t.Errorf("history before the migration: %+v, %d, %v", items, total, err)
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, open)
}

// The course counts of /metrics come from indexes: a scan of the table
// reads every course's document (inactive is stored after it).
func TestCountByStatusReadsIndexesOnly(t *testing.T) {
	s := open(t).(*Store)
	rows, err := s.db.Query(`EXPLAIN QUERY PLAN ` + countByStatus)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	scans := 0
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(detail, "SCAN courses") {
			scans++
			if !strings.Contains(detail, "USING") {
				t.Errorf("the counts read the table: %s", detail)
			}
		}
	}
	if err := rows.Err(); err != nil || scans != 2 {
		t.Errorf("%d scans of courses, %v; want 2, each of an index", scans, err)
	}
}
