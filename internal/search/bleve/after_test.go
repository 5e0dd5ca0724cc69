package bleve

import (
	"context"
	"errors"
	"testing"

	"qlink/internal/search"
)

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
