package postgres

import (
	"context"
	"testing"

	"qlink/internal/pgtest"
	"qlink/internal/store"
	"qlink/internal/store/storetest"
)

// open returns a migrated store on a fresh database of its own.
func open(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

func TestPendingMigrations(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.Pending(ctx); err != nil || n == 0 {
		t.Fatalf("fresh database: pending = %d, %v", n, err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("after migrate: pending = %d, %v", n, err)
	}
}
