package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"qlink/internal/migration"
	"qlink/internal/model"
	"qlink/internal/store"
)

func testOperations(t *testing.T, s store.Store) {
	ctx := context.Background()
	if n, err := s.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("Pending after migrating = %d, %v", n, err)
	}
	counts, err := s.CountCoursesByStatus(ctx)
	if err != nil || counts[store.StatusActive] != 0 || counts[store.StatusInactive] != 0 || len(counts) != 2 {
		t.Fatalf("empty store: %v, %v", counts, err)
	}
	mustProviders(t, s, "a")
	src := mustSource(t, s, "a", "main")
	for i, specs := range [][]model.Specification{{spec("c1", "One"), spec("c2", "Two"), spec("c3", "Three")}, {spec("c1", "One")}} {
		if _, err := s.ApplyCourses(ctx, src.ID, 0, specs, true, t0.Add(time.Duration(i)*time.Hour), nil); err != nil {
			t.Fatal(err)
		}
	}
	counts, err = s.CountCoursesByStatus(ctx)
	if err != nil || counts[store.StatusActive] != 1 || counts[store.StatusInactive] != 2 {
		t.Errorf("CountCoursesByStatus = %v, %v; want 1 active, 2 inactive", counts, err)
	}
}

// Migratable is a store that applies its own migrations.
type Migratable interface {
	Pending(ctx context.Context) (int, error)
	Migrate(ctx context.Context) error
}

// Migrations checks a store's schema bookkeeping: a fresh database has
// migrations pending, and none once migrated; a database a newer qlink
// migrated is refused by both. open returns a store on a fresh database,
// not migrated; exec runs a statement on that database.
func Migrations(t *testing.T, open func(t *testing.T) (Migratable, func(ctx context.Context, stmt string) error)) {
	ctx := context.Background()
	s, exec := open(t)
	if n, err := s.Pending(ctx); err != nil || n == 0 {
		t.Fatalf("fresh database: pending = %d, %v", n, err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("after migrate: pending = %d, %v", n, err)
	}
	// What a newer qlink leaves: one migration more than this one knows.
	if err := exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pending(ctx); !errors.Is(err, migration.ErrSchemaAhead) || !strings.Contains(err.Error(), "99999") {
		t.Errorf("pending on a newer schema: %v, want ErrSchemaAhead naming the migration", err)
	}
	if err := s.Migrate(ctx); !errors.Is(err, migration.ErrSchemaAhead) {
		t.Errorf("migrate on a newer schema: %v, want ErrSchemaAhead", err)
	}
}
