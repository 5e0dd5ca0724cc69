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

// TestWarmCommonWords: asked for the two commonest words, the Index
// searches those its titles hold most, leaving out short words and stop
// words however common, and a visitor's search of one is answered from
// the cache.
func TestWarmCommonWords(t *testing.T) {
	var docs []search.Document
	add := func(n int, title string) {
		for range n {
			docs = append(docs, search.Document{ID: fmt.Sprint("c", len(docs)), Title: map[string]string{"en": title}})
		}
	}
	add(30, "Statistics for the Sciences")
	add(20, "Advanced Statistics and Data")
	add(10, "History of Law")
	add(45, "The Ethics of Art")
	ix := openCorpus(t, docs)
	// "ethics" is in the most titles after "the" (a stop word) and "of"
	// (short), but one word fewer would leave it out.
	ix.WarmCommonWords(2)
	deadline := time.Now().Add(20 * time.Second)
	for ix.warmed.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d words warmed", ix.warmed.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := ix.commonWords(2); !slices.Equal(got, []string{"statistics", "ethics"}) {
		t.Errorf("commonest words %q, want statistics, ethics", got)
	}
	// Warmed in that order: the most recently used first.
	if got := ix.texts.Recent(5); !slices.Equal(got, []string{"ethics", "statistics"}) {
		t.Errorf("kept %q, want ethics, statistics", got)
	}
	res, err := ix.Search(context.Background(), search.Query{Text: "statistics"})
	if err != nil || res.Total != 50 {
		t.Fatalf("statistics: %d hits, %v", res.Total, err)
	}
	if ix.texts.Served() != 1 {
		t.Error("the search of a warmed word was not answered from the cache")
	}
}
