package bleve

import (
	"context"
	"errors"
	"slices"
	"testing"

	"qlink/internal/search"
)

// TestSearchAfter walks every result with Query.After, a few hits at a
// time, and must meet each exactly once, in the order pages give.
func TestSearchAfter(t *testing.T) {
	// One document without a title has no sort value: bleve's stand-in
	// for it must survive the round trip through a SortKey.
	docs := append(genDocs(230), search.Document{ID: "untitled", Type: "course"})
	ix := openCorpus(t, docs)
	for _, q := range []search.Query{
		{},
		{Text: "introduction"},
		{Filters: map[search.Facet][]string{search.FacetType: {"course", "module"}}},
	} {
		ctx := context.Background()
		var paged []string
		for page := 1; ; page++ {
			q.Page, q.Limit = page, maxLimit
			res, err := ix.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				break
			}
			paged = append(paged, hitIDs(res)...)
		}
		var walked []string
		q.Page, q.Limit = 0, 7
		for step := 0; ; step++ {
			res, err := ix.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != len(paged) {
				t.Fatalf("%q step %d: Total %d, want %d", q.Text, step, res.Total, len(paged))
			}
			if len(res.Hits) == 0 {
				break
			}
			walked = append(walked, hitIDs(res)...)
			q.After = res.Hits[len(res.Hits)-1].Key
			if step > len(docs) {
				t.Fatal("the walk does not end")
			}
		}
		if !slices.Equal(walked, paged) {
			t.Errorf("%q: the walk met %d hits, pages %d; or in another order", q.Text, len(walked), len(paged))
		}
		if len(paged) < 20 {
			t.Errorf("%q: only %d hits, too few to walk", q.Text, len(paged))
		}
	}
}

func TestSearchAfterRefusesAForeignKey(t *testing.T) {
	ix := openCorpus(t, genDocs(10))
	// A key of a text query (score, title, ID) does not fit a query
	// without text (title, ID).
	for _, q := range []search.Query{
		{After: search.SortKey{"1.5", "a", "b"}},
		{Text: "introduction", After: search.SortKey{"high", "a", "b"}},
	} {
		if _, err := ix.Search(context.Background(), q); !errors.Is(err, search.ErrSortKey) {
			t.Errorf("%v: %v, want ErrSortKey", q.After, err)
		}
	}
}
