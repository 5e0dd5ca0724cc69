package bleve

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

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

// TestWarmingAfterWrites: the texts searched before a write are searched
// again once the index has been quiet, without a visitor's search, so
// that the same queries after the write are answered from the cache, and
// with the answers of a search at the new state.
func TestWarmingAfterWrites(t *testing.T) {
	quiet := warmQuiet
	warmQuiet = 20 * time.Millisecond
	t.Cleanup(func() { warmQuiet = quiet })
	r := rand.New(rand.NewPCG(21, 14))
	docs := randomDocs(r, 300)
	ix := openCorpus(t, docs)
	queries := slices.DeleteFunc(randomQueries(r, 100), func(q search.Query) bool { return q.Text == "" })
	checkAgainstReference(t, ix, current(docs), queries)
	texts := ix.texts.Recent(warmTexts)
	if len(texts) < 5 {
		t.Fatalf("%d texts kept", len(texts))
	}
	changed := randomDocs(r, 40)
	for i := range changed {
		changed[i].ID = fmt.Sprintf("w%02d", i)
	}
	held := write(t, ix, current(docs), changed, []string{docs[0].ID})
	deadline := time.Now().Add(20 * time.Second)
	for ix.warmed.Load() < int64(len(texts)) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d texts warmed", ix.warmed.Load(), len(texts))
		}
		time.Sleep(10 * time.Millisecond)
	}
	missed := ix.texts.Missed()
	checkAgainstReference(t, ix, held, queries)
	if m := ix.texts.Missed() - missed; m > 0 {
		t.Errorf("%d text searches after the warming missed the cache", m)
	}
	if got := ix.CacheLookups()[0]; got.Warmed != int64(len(texts)) {
		t.Errorf("reported %+v, want %d warmed", got, len(texts))
	}
}
