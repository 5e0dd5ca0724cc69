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
// filters, else by one pass over the hits. Any write to the index (a new
// generation of the table) makes every entry stale.

// topKept is how many of a text's best hits an entry keeps in order: five
// pages of a hundred. A variable only for tests, which make it small so
// that their small corpora need the pass over every hit.
var topKept = 500

// textCacheBytes bounds the memory the entries take: at a million
// courses a word that matches 40 % of them takes about 1 MB (2 bytes of
// score per hit, see textEntry), a rare one a few kilobytes.
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
	// Each hit's score, in the order of hits' ordinals: as a code into
	// palette, the text's distinct scores, when there are few enough, else
	// in full in scores. A word's score depends only on the fields it
	// occurs in, how often and their lengths, so a common word's hundreds
	// of thousands of hits have a few thousand distinct scores at most,
	// and its entry takes a quarter of the memory (the cache holds four
	// times the texts).
	palette []float64
	codes   []uint16
	scores  []float64
	// top holds the best hits of all, best first (topHits.better).
	top []scored
}

// size is about the memory the entry takes.
func (e *textEntry) size() int {
	return int(e.hits.GetSizeInBytes()) + 8*len(e.palette) + 2*len(e.codes) + 8*len(e.scores) + 16*len(e.top)
}

// score is the score of the i-th hit in ordinal order.
func (e *textEntry) score(i int) float64 {
	if e.codes != nil {
		return e.palette[e.codes[i]]
	}
	return e.scores[i]
}

// keepScores keeps the scores of hits, in ordinal order: coded by a
// palette of the distinct ones when they fit 16 bits, else in full.
func (e *textEntry) keepScores(hits []scored) {
	codes := make([]uint16, len(hits))
	var index paletteIndex
	for i, h := range hits {
		// Hits with the same score often come together (the same
		// field's short texts); the index is asked only on a change.
		if i > 0 && h.score == hits[i-1].score {
			codes[i] = codes[i-1]
			continue
		}
		c, ok := index.code(h.score, &e.palette)
		if !ok {
			e.palette, e.scores = nil, make([]float64, len(hits))
			for i, h := range hits {
				e.scores[i] = h.score
			}
			return
		}
		codes[i] = c
	}
	e.codes = codes
}

// paletteIndex finds a score's code in a palette: an open-addressing
// table of codes by the score's bits, since a map's lookups made coding a
// common word's scores a quarter of its search.
type paletteIndex struct {
	slots []int32 // code+1 per slot, 0 for an empty one
	mask  uint64
}

// code returns the code of score, appending it to palette when new;
// false when the palette is full (1<<16 scores).
func (x *paletteIndex) code(score float64, palette *[]float64) (uint16, bool) {
	if 2*len(*palette) >= len(x.slots) {
		if len(*palette) == 1<<16 {
			if c, ok := x.find(score, *palette); ok {
				return c, true
			}
			return 0, false
		}
		x.grow(*palette)
	}
	bits := math.Float64bits(score)
	for at := (bits * 0x9e3779b97f4a7c15 >> 32) & x.mask; ; at = (at + 1) & x.mask {
		c := x.slots[at]
		if c == 0 {
			*palette = append(*palette, score)
			x.slots[at] = int32(len(*palette))
			return uint16(len(*palette) - 1), true
		}
		if math.Float64bits((*palette)[c-1]) == bits {
			return uint16(c - 1), true
		}
	}
}

// find looks score up without adding it.
func (x *paletteIndex) find(score float64, palette []float64) (uint16, bool) {
	bits := math.Float64bits(score)
	for at := (bits * 0x9e3779b97f4a7c15 >> 32) & x.mask; ; at = (at + 1) & x.mask {
		c := x.slots[at]
		if c == 0 {
			return 0, false
		}
		if math.Float64bits(palette[c-1]) == bits {
			return uint16(c - 1), true
		}
	}
}

// grow doubles the table (to 1,024 slots at first) and places the
// palette's scores again.
func (x *paletteIndex) grow(palette []float64) {
	n := max(1024, 2*len(x.slots))
	x.slots, x.mask = make([]int32, n), uint64(n-1)
	for i, score := range palette {
		at := (math.Float64bits(score) * 0x9e3779b97f4a7c15 >> 32) & x.mask
		for x.slots[at] != 0 {
			at = (at + 1) & x.mask
		}
		x.slots[at] = int32(i + 1)
	}
}

// newTextEntry makes the entry of a text's hits, given each with its
// score: the bitmap of them all, their scores in ordinal order and the
// best topKept (by score, then rank). It keeps a copy of hits.
func newTextEntry(hits *roaring.Bitmap, each []scored, rank []uint32) *textEntry {
	best := &topHits{keep: topKept, rank: rank}
	for _, s := range each {
		best.add(s)
	}
	byOrdinal(each)
	e := &textEntry{hits: hits.Clone(), top: best.sorted()}
	e.keepScores(each)
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
	qualifies := func(s scored) bool {
		return pass.Contains(s.o) && (s.score < afterScore || s.score == afterScore && int(t.rank[s.o]) >= afterPos)
	}
	// The caller gets its own copy of the hits: an And into another
	// bitmap may share containers with its argument, and the entry's
	// must never change.
	m := &matches{hits: e.hits.Clone(), total: int(e.hits.AndCardinality(pass)), best: &topHits{keep: keep, rank: t.rank}}
	for _, s := range e.top {
		if len(m.best.items) == keep {
			return m
		}
		if qualifies(s) {
			m.best.items = append(m.best.items, s) // in order already
		}
	}
	if len(e.top) == int(e.hits.GetCardinality()) {
		return m // the best hits were every hit
	}
	// The page lies beyond the best hits that pass: one pass over all.
	m.best.items = m.best.items[:0]
	it := e.hits.Iterator()
	for i := 0; it.HasNext(); i++ {
		if s := (scored{e.score(i), it.Next()}); qualifies(s) {
			m.best.add(s)
		}
	}
	return m
}
