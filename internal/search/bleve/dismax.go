package bleve

import (
	"context"
	"math"
	"reflect"
	"slices"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// disMaxQuery matches the documents any of its clauses matches: one
// query word's fields (wordQuery). A hit scores by disMax over the
// clauses that match it. (bleve's custom score query could do the same,
// but it reads every hit's ID for its scoring function, which disMax
// does not need.)
type disMaxQuery struct{ clauses []query.Query }

func (q disMaxQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping,
	options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	s := &disMaxSearcher{}
	for _, c := range q.clauses {
		cs, err := c.Searcher(ctx, i, m, options)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.clauses = append(s.clauses, cs)
	}
	s.curr = make([]*bsearch.DocumentMatch, len(s.clauses))
	// As bleve's own disjunction does; a conjunction over the words sets
	// the norm of the whole query afterwards.
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	return s, nil
}

// disMaxSearcher walks its clauses' hits in step, by document number. It
// replaces bleve's disjunction searcher, asked for each hit's breakdown
// of clause scores, which cost more than half of a new text's search: a
// heap of the clauses, ordered by comparing IDs as byte strings, and a
// map of the scores per hit. A word's terms occur in few of its clauses
// (one or two languages' fields), so a scan of the clauses for the least
// number costs less than the heap, and the scores of the clauses that
// match go to disMax from a slice.
//
// Its hits and scores are those of the searcher it replaces
// (TestDisMaxScoresAsBefore), and so is its count, by which a conjunction
// over the words orders them. Its weight adds the clauses' weights in
// their order, where bleve's searcher of ten clauses or fewer added them
// in the order of their counts: the query's norm, and so every score,
// then differed in its last bits from one run of the test to the next.
type disMaxSearcher struct {
	clauses []bsearch.Searcher
	curr    []*bsearch.DocumentMatch // each clause's next hit, nil once done
	started bool
	scores  []float64 // the scores of the hit being scored
}

func (s *disMaxSearcher) start(ctx *bsearch.SearchContext) error {
	for i, c := range s.clauses {
		d, err := c.Next(ctx)
		if err != nil {
			return err
		}
		s.curr[i] = d
	}
	s.started = true
	return nil
}

func (s *disMaxSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	if !s.started {
		if err := s.start(ctx); err != nil {
			return nil, err
		}
	}
	least, found := uint64(math.MaxUint64), false
	for _, d := range s.curr {
		if d != nil {
			least, found = min(least, d.IndexInternalID.Value()), true
		}
	}
	if !found {
		return nil, nil
	}
	var hit *bsearch.DocumentMatch
	s.scores = s.scores[:0]
	for i, d := range s.curr {
		if d == nil || d.IndexInternalID.Value() != least {
			continue
		}
		s.scores = append(s.scores, d.Score)
		if hit == nil {
			hit = d
		} else {
			ctx.DocumentMatchPool.Put(d)
		}
		next, err := s.clauses[i].Next(ctx)
		if err != nil {
			return nil, err
		}
		s.curr[i] = next
	}
	hit.Score = disMax(s.scores)
	return hit, nil
}

func (s *disMaxSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	if !s.started {
		if err := s.start(ctx); err != nil {
			return nil, err
		}
	}
	target := id.Value()
	for i, d := range s.curr {
		if d == nil || d.IndexInternalID.Value() >= target {
			continue
		}
		ctx.DocumentMatchPool.Put(d)
		next, err := s.clauses[i].Advance(ctx, id)
		if err != nil {
			return nil, err
		}
		s.curr[i] = next
	}
	return s.Next(ctx)
}

func (s *disMaxSearcher) Close() error {
	var first error
	for _, c := range s.clauses {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Weight is the sum of the clauses' weights, in their order.
func (s *disMaxSearcher) Weight() float64 {
	var w float64
	for _, c := range s.clauses {
		w += c.Weight()
	}
	return w
}

func (s *disMaxSearcher) SetQueryNorm(norm float64) {
	for _, c := range s.clauses {
		c.SetQueryNorm(norm)
	}
}

// Count is at most the sum of the clauses' counts, and a conjunction
// orders its words by it.
func (s *disMaxSearcher) Count() uint64 {
	var n uint64
	for _, c := range s.clauses {
		n += c.Count()
	}
	return n
}

func (s *disMaxSearcher) Min() int { return 0 }

var disMaxSearcherSize = int(reflect.TypeFor[disMaxSearcher]().Size())

func (s *disMaxSearcher) Size() int {
	n := disMaxSearcherSize + 8*(cap(s.curr)+cap(s.scores))
	for _, c := range s.clauses {
		n += c.Size()
	}
	return n
}

// DocumentMatchPoolSize is the clauses' own plus one hit each held.
func (s *disMaxSearcher) DocumentMatchPoolSize() int {
	n := len(s.clauses)
	for _, c := range s.clauses {
		n += c.DocumentMatchPoolSize()
	}
	return n
}

// disMax scores a word's hit by its best clause plus tieBreaker of the
// rest. (bleve's own disjunction sums its clauses and multiplies by the
// share that matched, which rewards repetition across languages.) The
// scores are added in increasing order, so that the sum does not depend
// on the order of the clauses; it sorts scores in place.
func disMax(scores []float64) float64 {
	slices.Sort(scores)
	var sum float64
	for _, s := range scores {
		sum += s
	}
	best := scores[len(scores)-1]
	return best + tieBreaker*(sum-best)
}
