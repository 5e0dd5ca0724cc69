package bleve

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"

	"qlink/internal/gencache"
	"qlink/internal/search"
)

// A text search costs time in proportion to its matches (bleve scores
// every hit; a common word matches a large share of the catalogue),
// while filters, facet counts and paging cost little once the matches
// are a bitmap (table.go). Catalogue traffic repeats its words: the same
// text with other filters, the next page, the same popular query from
// another visitor. So the last text queries keep their matches: every
// hit as a bitmap with its score, and the best topKept hits of all in the
// order pages use. A query with the same text is then answered from
// them, with the same totals, hits, scores and order as bleve would give:
// from the best hits when its page lies within those that pass its
// filters, else from the hits that pass (one intersection). The first
// search of a text makes its entry and is answered from it the same way.
// Any write to the index (a new generation of the table) makes every
// entry stale.

// topKept is how many of a text's best hits an entry keeps in order: five
// pages of a hundred. A variable only for tests, which make it small so
// that their small corpora need the hits beyond them.
var topKept = 500

// textCacheBytes bounds the memory the entries take: at a million
// courses a word that matches 40 % of them takes about 3.5 MB (8 bytes
// of score per hit), a rare one a few kilobytes.
const textCacheBytes = 256 << 20

// CacheBytes is the memory the kept matches of texts and facet counts of
// queries take at most, unless SetCacheBudget says otherwise.
const CacheBytes = textCacheBytes + countCacheBytes

// SetCacheBudget bounds the memory the kept matches of texts and facet
// counts of queries take, shared as between their defaults.
func (ix *Index) SetCacheBudget(bytes int) {
	ix.texts.SetBudget(int(int64(bytes) * textCacheBytes / CacheBytes))
	ix.counts.SetBudget(int(int64(bytes) * countCacheBytes / CacheBytes))
}

func newTextCache() *gencache.Cache[*textEntry] { return gencache.New[*textEntry](textCacheBytes) }

// textEntry is what one text query matched.
type textEntry struct {
	hits *roaring.Bitmap // every hit; never changed nor handed out once cached
	// scores holds each hit's score, in the order of hits' ordinals.
	scores []float64
	// top holds the best hits of all, best first (topHits.better).
	top []scored
}

// size is about the memory the entry takes.
func (e *textEntry) size() int {
	return int(e.hits.GetSizeInBytes()) + 8*len(e.scores) + 16*len(e.top)
}

// newTextEntry makes the entry of a text's hits, given each with its
// score: the bitmap of them all, their scores in ordinal order and the
// best topKept (by score, then rank). It sorts each.
func newTextEntry(each []scored, rank []uint32) *textEntry {
	best := &topHits{keep: topKept, rank: rank}
	for _, s := range each {
		best.add(s)
	}
	byOrdinal(each)
	e := &textEntry{hits: roaring.New(), scores: make([]float64, len(each)), top: best.sorted()}
	var ords [256]uint32
	for from := 0; from < len(each); from += len(ords) {
		chunk := each[from:min(from+len(ords), len(each))]
		for i, s := range chunk {
			ords[i] = s.o
			e.scores[from+i] = s.score
		}
		e.hits.AddMany(ords[:len(chunk)])
	}
	return e
}

// byOrdinal sorts hits by ordinal. Hits come in the index's order, which
// ordinals follow only in runs (a segment's documents, reused ordinals),
// and a comparison sort of a common word's hundreds of thousands took a
// tenth of a text search; two passes of a radix sort on the ordinal's
// halves cost two reads and writes of each hit.
func byOrdinal(hits []scored) {
	if len(hits) < 1024 {
		slices.SortFunc(hits, func(a, b scored) int { return cmp.Compare(a.o, b.o) })
		return
	}
	buf := scoredBuffer(len(hits))
	defer scoredBuffers.Put(buf)
	from, to := hits, (*buf)[:len(hits)]
	var at [1 << 16]int
	for shift := 0; shift < 32; shift += 16 {
		clear(at[:])
		for _, h := range from {
			at[h.o>>shift&0xffff]++
		}
		next := 0
		for k, n := range at {
			at[k], next = next, next+n
		}
		for _, h := range from {
			k := h.o >> shift & 0xffff
			to[at[k]] = h
			at[k]++
		}
		from, to = to, from
	}
	// After an even number of passes the hits are back in their slice.
}

// scoredBuffers holds slices of hits for reuse: a text search collects
// its hits in one, the radix sort needs another as large, and growing
// them anew for every search of a common word cost as much as the sort.
var scoredBuffers sync.Pool // of *[]scored

// scoredBuffer returns an empty slice of at least n hits' capacity from
// scoredBuffers; the caller puts it back.
func scoredBuffer(n int) *[]scored {
	buf, ok := scoredBuffers.Get().(*[]scored)
	if !ok {
		buf = new([]scored)
	}
	if cap(*buf) < n {
		*buf = make([]scored, 0, n)
	}
	*buf = (*buf)[:0]
	return buf
}

// answer gives the matches of a query with the entry's text: the hits
// that pass, counted, and the best keep of them after the key after.
func (e *textEntry) answer(t *table, pass *roaring.Bitmap, after search.SortKey, keep int) *matches {
	afterScore, afterPos := math.Inf(1), 0
	if after != nil {
		afterScore, _ = strconv.ParseFloat(after[0], 64) // checkAfter made sure
		afterPos = t.after(after[1], after[2])
	}
	beyond := func(s scored) bool { // comes after the key after
		return s.score < afterScore || s.score == afterScore && int(t.rank[s.o]) >= afterPos
	}
	// The caller shares the entry's hits: it only reads them (filters
	// never changes a bitmap in place).
	m := &matches{hits: e.hits, best: &topHits{keep: keep, rank: t.rank}}
	for _, s := range e.top {
		if len(m.best.items) == keep {
			break
		}
		if pass.Contains(s.o) && beyond(s) {
			m.best.items = append(m.best.items, s) // in order already
		}
	}
	if len(m.best.items) == keep || len(e.top) == len(e.scores) {
		// The page lies within the best hits, or they were every hit.
		m.total = int(e.hits.AndCardinality(pass))
		return m
	}
	// The page lies beyond the best hits that pass: rank every hit that
	// passes. Asking pass about each of a common word's hundreds of
	// thousands of hits took a third of the CPU of a warm API search;
	// the hits that pass come from one intersection instead.
	m.best.items = m.best.items[:0]
	passing := roaring.And(e.hits, pass)
	m.total = int(passing.GetCardinality())
	e.scoresOf(passing, func(s scored) {
		if beyond(s) {
			m.best.add(s)
		}
	})
	return m
}

// scoresOf calls f with each hit of some, a subset of the entry's hits,
// and its score. A hit's score lies at its position among all hits, so
// the walk reads all hits' ordinals in chunks beside some's, skipping
// the chunks that end before the next of some.
func (e *textEntry) scoresOf(some *roaring.Bitmap, f func(scored)) {
	var chunk [256]uint32
	all := e.hits.ManyIterator()
	n, j, base := 0, 0, 0 // chunk[:n] holds all hits from position base
	for it := some.Iterator(); it.HasNext(); {
		o := it.Next()
		for j == n || chunk[n-1] < o {
			base += n
			if n, j = all.NextMany(chunk[:]), 0; n == 0 {
				return // not a subset after all
			}
		}
		for chunk[j] < o {
			j++
		}
		if chunk[j] == o {
			f(scored{e.scores[base+j], o})
		}
	}
}

// Keeps reports whether the matches of text are kept for the index as it
// is now (search.TextKeeper): a search of it then costs milliseconds, and
// else up to a second at a million courses.
func (ix *Index) Keeps(text string) bool {
	t := ix.table
	t.mu.RLock()
	defer t.mu.RUnlock()
	return ix.texts.Has(t.gen, text)
}
