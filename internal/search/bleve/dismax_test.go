package bleve

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"qlink/internal/search"
)

// TestDisMaxScoresAsBefore: disMaxSearcher finds the hits, and gives them
// the scores, that bleve's disjunction searcher did when asked for each
// hit's breakdown of clause scores and rescored by disMax over them (the
// searcher it replaced, kept below): for words of every language of the
// shared corpus, alone and together, with typos, stop words and words no
// document has. The scores may differ in their last bits: for ten clauses
// or fewer bleve's searcher added their weights (the query's norm) in the
// order of their counts, which made them differ from one run to the
// next, where disMaxSearcher adds them in the clauses' order.
func TestDisMaxScoresAsBefore(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	for _, docs := range [][]search.Document{corpus(), randomDocs(r, 300)} {
		ix := openCorpus(t, docs)
		present, err := ix.presentFields()
		if err != nil {
			t.Fatal(err)
		}
		var words []string
		for _, d := range docs {
			for _, title := range d.Title {
				for _, w := range ix.words(title) {
					if !slices.Contains(words, w) {
						words = append(words, w)
					}
				}
			}
		}
		texts := []string{"sience", "methods the", "zzz", "und", "introduction history"}
		for i, w := range words {
			texts = append(texts, w, w+" "+words[(i*7+3)%len(words)])
			if len(w) > 5 {
				texts = append(texts, w[:2]+w[3:]) // a letter left out
			}
		}
		for _, text := range texts {
			now := ix.textQuery(ix.words(text), present)
			if now == nil {
				continue
			}
			want, got := allScores(t, ix, withBreakdown(t, now)), allScores(t, ix, now)
			if len(got) != len(want) {
				t.Errorf("%q: %d hits, want %d", text, len(got), len(want))
			}
			for id, s := range want {
				if g, ok := got[id]; !ok || math.Abs(g-s) > 1e-12*s {
					t.Errorf("%q: %s scores %v, want %v", text, id, g, s)
				}
			}
		}
	}
}

// allScores runs q and returns every hit's score by ID.
func allScores(t *testing.T, ix *Index, q query.Query) map[string]float64 {
	t.Helper()
	req := blevesearch.NewSearchRequest(q)
	req.Size = 100_000
	res, err := ix.idx.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	scores := map[string]float64{}
	for _, h := range res.Hits {
		scores[h.ID] = h.Score
	}
	return scores
}

// withBreakdown rebuilds textQuery's query with each word's clauses in
// the searcher disMaxSearcher replaced.
func withBreakdown(t *testing.T, q query.Query) query.Query {
	conj, ok := q.(*query.ConjunctionQuery)
	if !ok {
		t.Fatalf("the text query is a %T", q)
	}
	words := make([]query.Query, len(conj.Conjuncts))
	for i, w := range conj.Conjuncts {
		words[i] = w
		if dm, ok := w.(disMaxQuery); ok {
			dq := query.NewDisjunctionQuery(dm.clauses)
			dq.RetrieveScoreBreakdown(true)
			words[i] = breakdownQuery{dq}
		}
	}
	return query.NewConjunctionQuery(words)
}

// breakdownQuery is a word's query as it was: bleve's disjunction, asked
// for each hit's clause scores, rescored by disMax over them.
type breakdownQuery struct{ *query.DisjunctionQuery }

func (q breakdownQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping,
	options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	s, err := q.DisjunctionQuery.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	return breakdownSearcher{s}, nil
}

type breakdownSearcher struct{ bsearch.Searcher }

func (s breakdownSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	d, err := s.Searcher.Next(ctx)
	if d != nil {
		d.Score = breakdownDisMax(d)
	}
	return d, err
}

func (s breakdownSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	d, err := s.Searcher.Advance(ctx, id)
	if d != nil {
		d.Score = breakdownDisMax(d)
	}
	return d, err
}

func breakdownDisMax(d *bsearch.DocumentMatch) float64 {
	var scores []float64
	for _, s := range d.ScoreBreakdown {
		scores = append(scores, s)
	}
	slices.Sort(scores)
	var best, sum float64
	for _, s := range scores {
		sum += s
		best = max(best, s)
	}
	clear(d.ScoreBreakdown)
	return best + tieBreaker*(sum-best)
}
