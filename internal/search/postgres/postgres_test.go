package postgres

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sync/errgroup"

	"qlink/internal/pgtest"
	"qlink/internal/search"
	"qlink/internal/search/searchtest"
	pgstore "qlink/internal/store/postgres"
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

// TestKeptCountsFollowBitmaps: the counts kept per bitmap (read by a query
// without filters) must agree with counting the bitmaps (a query with a
// filter that keeps everything) after the bitmaps grew, documents went,
// and documents came back with another status, quality and values.
func TestKeptCountsFollowBitmaps(t *testing.T) {
	ctx := context.Background()
	ix := open(t)
	docs := searchtest.GenDocs(9000) // more ordinals than the first capacity step
	if err := ix.Index(ctx, docs[:300]); err != nil {
		t.Fatal(err)
	}
	if err := ix.Index(ctx, docs[300:]); err != nil {
		t.Fatal(err)
	}
	var gone []string
	for i := range docs {
		switch i % 7 {
		case 0:
			gone = append(gone, docs[i].ID)
		case 1:
			docs[i].Inactive = true
		case 2:
			docs[i].Flagged, docs[i].Country = true, "LU"
		}
	}
	if err := ix.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if err := ix.Index(ctx, docs[1:4000]); err != nil { // some of the deleted come back
		t.Fatal(err)
	}
	everyType := map[search.Facet][]string{search.FacetType: {"course", "module", "programme", "mooc"}}
	for _, st := range []search.Status{search.StatusActive, search.StatusInactive, search.StatusAll} {
		for _, qf := range []search.QualityFilter{search.QualityAll, search.QualityValid, search.QualityFlagged} {
			kept, err := ix.Search(ctx, search.Query{Status: st, Quality: qf})
			if err != nil {
				t.Fatal(err)
			}
			counted, err := ix.Search(ctx, search.Query{Status: st, Quality: qf, Filters: everyType})
			if err != nil {
				t.Fatal(err)
			}
			if kept.Total != counted.Total || (kept.Total == 0) != (st == search.StatusInactive && qf == search.QualityFlagged) {
				t.Errorf("%s %s: Total %d kept, %d counted", st, qf, kept.Total, counted.Total)
			}
			for _, f := range search.Facets {
				if diff := cmp.Diff(kept.Facets[f], counted.Facets[f]); diff != "" {
					t.Errorf("%s %s: facet %s (-kept +counted):\n%s", st, qf, f, diff)
				}
			}
			if !slices.Equal(searchtest.HitIDs(kept), searchtest.HitIDs(counted)) {
				t.Errorf("%s %s: pages differ", st, qf)
			}
		}
	}
	back := 0
	for i := 1; i < 4000; i++ {
		if i%7 == 0 {
			back++
		}
	}
	n, err := ix.Count(ctx)
	if want := len(docs) - len(gone) + back; err != nil || n != want {
		t.Errorf("Count = %d, %v; want %d", n, err, want)
	}
}

// TestBesideTheStore: the search tables and the store's share a database,
// each with its own migrations; migrating again changes nothing.
func TestBesideTheStore(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	s, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ix, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := ix.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Pending(ctx); err != nil || n != 0 {
		t.Errorf("store pending = %d, %v", n, err)
	}
	if err := ix.Index(ctx, searchtest.Corpus()); err != nil {
		t.Fatal(err)
	}
	if n, err := ix.Count(ctx); err != nil || n != len(searchtest.Corpus()) {
		t.Errorf("Count = %d, %v", n, err)
	}
}

func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	ix := open(t)
	docs := searchtest.GenDocs(1200)
	var g errgroup.Group
	for i := range 4 {
		g.Go(func() error {
			for j := range 10 {
				q := search.Query{Text: "introduction statistics", Filters: map[search.Facet][]string{search.FacetCountry: {"DE"}}, Page: j%3 + 1}
				if j%2 == 1 {
					q = search.Query{Filters: map[search.Facet][]string{search.FacetMode: {"online"}}}
				}
				if _, err := ix.Search(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		g.Go(func() error { return ix.Index(ctx, docs[i*300:(i+1)*300]) })
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if n, err := ix.Count(ctx); err != nil || n != len(docs) {
		t.Errorf("Count = %d, %v; want %d", n, err, len(docs))
	}
	res, err := ix.Search(ctx, search.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != len(docs) {
		t.Errorf("Total = %d, want %d", res.Total, len(docs))
	}
}

// BenchmarkCatalogue measures the contract's benchmark queries (see
// searchtest.BenchDocsEnv for the size); index-MB is the search tables
// with their indexes and TOAST.
func BenchmarkCatalogue(b *testing.B) {
	var ix *Index
	searchtest.Benchmark(b, func(b *testing.B) search.Index {
		ix = open(b)
		return ix
	}, func() (int64, error) {
		var n int64
		err := ix.pool.QueryRow(context.Background(), `SELECT sum(pg_total_relation_size(c.oid))::bigint
			FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE 'search\_%'`).Scan(&n)
		return n, err
	})
}
