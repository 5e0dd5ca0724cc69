package bleve

import (
	"slices"
	"strconv"

	"qlink/internal/gencache"
	"qlink/internal/search"
)

// Counting every facet's values costs time in proportion to the documents
// that pass a query's filters: several milliseconds at a million courses
// for browsing or a filter on a country or a level, the commonest
// queries, whose counts are the same for every visitor and every page.
// So the counts of recent queries are kept, by everything that decides
// them (text, filters, status, quality, ECTS; not the page), until the
// next write to the index (a new generation of the table).

// countCacheBytes bounds the memory the kept counts take: the counts of
// an unfiltered query list every value of every facet, about 27 KB with a
// thousand institutions; a narrow query's far fewer. At a million
// courses a third of this kept the counts of 64 % of the benchmark's
// queries, and this 70 %.
const countCacheBytes = 96 << 20

// facetCounts is every facet's counts for one query (Result.Facets).
type facetCounts = map[search.Facet][]search.FacetCount

func newCountCache() *gencache.Cache[facetCounts] { return gencache.New[facetCounts](countCacheBytes) }

// facetCounts returns the counts of the query whose filters are fs and
// whose counts key is key, from the cache or counted and kept. The caller
// gets its own copy. The caller holds the table's read lock.
func (ix *Index) facetCounts(fs *filters, key string) facetCounts {
	gen := fs.t.gen
	counts, ok := ix.counts.Get(gen, key)
	if !ok {
		counts = fs.counts()
		size := 0
		for _, c := range counts {
			size += 24*len(c) + 48
		}
		ix.counts.Put(gen, key, counts, size)
	}
	out := make(facetCounts, len(counts))
	for f, c := range counts {
		out[f] = slices.Clone(c)
	}
	return out
}

// countKey is what decides the counts of q, whose cleaned filters are sel:
// its text, status, quality, ECTS bounds and each facet's selected values
// in order. Every part is length-prefixed, so no two queries share a key.
func countKey(q search.Query, sel map[search.Facet][]string) string {
	var b []byte
	part := func(s string) {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
	}
	bound := func(x *float64) {
		if x == nil {
			part("")
		} else {
			part(strconv.FormatFloat(*x, 'g', -1, 64))
		}
	}
	part(q.Text)
	part(string(q.Status))
	part(string(q.Quality))
	bound(q.ECTSMin)
	bound(q.ECTSMax)
	for _, f := range search.Facets {
		values := sel[f]
		if len(values) == 0 {
			continue
		}
		values = slices.Compact(slices.Sorted(slices.Values(values)))
		part(string(f))
		b = strconv.AppendInt(b, int64(len(values)), 10)
		for _, v := range values {
			part(v)
		}
	}
	return string(b)
}
