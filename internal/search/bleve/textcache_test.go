package bleve

import (
	"context"
	"testing"

	"qlink/internal/search"
)

// TestCacheBudget checks that the kept matches follow the budget set:
// with room for one text, a text asked for again after another misses.
func TestCacheBudget(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		budget int
		hits   int64
	}{{CacheBytes, 1}, {1, 0}} {
		ix := openCorpus(t, corpus())
		ix.SetCacheBudget(tc.budget)
		for _, text := range []string{"data", "history", "data"} {
			if _, err := ix.Search(ctx, search.Query{Text: text}); err != nil {
				t.Fatal(err)
			}
		}
		if got := ix.CacheLookups()[0]; got.Kind != "text" || got.Hits != tc.hits {
			t.Errorf("budget %d: %+v, want %d text hits", tc.budget, got, tc.hits)
		}
	}
}
