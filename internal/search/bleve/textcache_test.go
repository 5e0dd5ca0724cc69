package bleve

import (
	"context"
	"math/rand/v2"
	"testing"

	"qlink/internal/search"
)

// TestTextEntryScores checks that an entry gives back every hit's score
// exactly, whether few distinct scores are coded by a palette or more
// than 16 bits can code are kept in full.
func TestTextEntryScores(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	for _, tc := range []struct {
		name     string
		distinct int
		coded    bool
	}{
		{"one score", 1, true},
		{"a word's few thousand", 3000, true},
		{"as many as 16 bits code", 1 << 16, true},
		{"one more", 1<<16 + 1, false},
	} {
		values := make([]float64, tc.distinct)
		for i := range values {
			values[i] = rng.Float64() * 10
		}
		hits := make([]scored, 0, 3*tc.distinct)
		for i := range values { // every score at least once, some in runs
			hits = append(hits, scored{values[i], uint32(len(hits))}, scored{values[i], uint32(len(hits) + 1)})
		}
		for range tc.distinct {
			hits = append(hits, scored{values[rng.IntN(len(values))], uint32(len(hits))})
		}
		var e textEntry
		e.keepScores(hits)
		if (e.codes != nil) != tc.coded {
			t.Errorf("%s: coded %v, want %v", tc.name, e.codes != nil, tc.coded)
		}
		for i, h := range hits {
			if got := e.score(i); got != h.score {
				t.Fatalf("%s: hit %d scores %v, want %v", tc.name, i, got, h.score)
			}
		}
	}
}

// BenchmarkKeepScores codes the scores of a common word's hits: 400,000
// hits with 2,000 distinct scores, in runs as a segment's short fields
// give them.
func BenchmarkKeepScores(b *testing.B) {
	rng := rand.New(rand.NewPCG(14, 2))
	values := make([]float64, 2000)
	for i := range values {
		values[i] = rng.Float64() * 10
	}
	hits := make([]scored, 400_000)
	for i := range hits {
		if i > 0 && rng.IntN(2) == 0 {
			hits[i] = scored{hits[i-1].score, uint32(i)}
			continue
		}
		hits[i] = scored{values[rng.IntN(len(values))], uint32(i)}
	}
	for b.Loop() {
		var e textEntry
		e.keepScores(hits)
	}
}

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
