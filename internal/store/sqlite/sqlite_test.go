package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"qlink/internal/store"
	"qlink/internal/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(filepath.Join(t.TempDir(), "qlink.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestPendingMigrations(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "qlink.db"))
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
