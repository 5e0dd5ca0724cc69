package postgres

import (
	"context"
	"os"
	"testing"

	"qlink/internal/pgtest"
	"qlink/internal/search"
	"qlink/internal/search/searchtest"
)

// migrated is a migrated database the tests get copies of.
var migrated = pgtest.NewTemplate(func(ctx context.Context, url string) error {
	ix, err := Open(ctx, url)
	if err != nil {
		return err
	}
	defer ix.Close()
	return ix.Migrate(ctx)
})

func TestMain(m *testing.M) {
	code := m.Run()
	migrated.Drop()
	os.Exit(code)
}

// open returns an empty index on a fresh database of its own.
func open(t testing.TB) *Index {
	t.Helper()
	ix, err := Open(context.Background(), migrated.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestContract(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Index { return open(t) })
}
