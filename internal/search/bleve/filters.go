package bleve

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"qlink/internal/search"
)

// filters is one query as bitmaps of the table: base is what status,
// quality, ECTS and (once matched) the text let through; sel[f] is facet
// f's selected values ORed, nil when f has no selection. No bitmap here is
// ever changed in place: base is the table's own when nothing narrows it,
// and each narrowing makes a new one. Cloning the million documents of
// the live set for every query, as this did before, was a tenth of a
// filter search's time and most of what it left for the garbage collector.
// The caller holds the table's read lock.
type filters struct {
	t    *table
	base *roaring.Bitmap
	sel  [numFacets]*roaring.Bitmap
	// pass is except(-1), once asked for.
	pass *roaring.Bitmap
}

func (t *table) filters(sel map[search.Facet][]string, st search.Status, qf search.QualityFilter, ectsMin, ectsMax *float64) *filters {
	fs := &filters{t: t}
	switch st {
	case search.StatusInactive:
		fs.base = t.inactive
	case search.StatusAll:
		fs.base = t.live
	default:
		fs.base = t.active
	}
	switch qf {
	case search.QualityValid:
		fs.base = roaring.AndNot(fs.base, t.flagged)
	case search.QualityFlagged:
		fs.base = roaring.And(fs.base, t.flagged)
	}
	if ectsMin != nil || ectsMax != nil {
		fs.base = roaring.And(fs.base, t.ectsRange(ectsMin, ectsMax))
	}
	for f, values := range sel {
		i := facetIndex(f)
		bms := make([]*roaring.Bitmap, 0, len(values))
		for _, v := range values {
			if bm := t.values[i][v]; bm != nil {
				bms = append(bms, bm)
			}
		}
		if len(bms) == 1 {
			fs.sel[i] = bms[0] // the table's own: FastOr would copy it
		} else {
			fs.sel[i] = roaring.FastOr(bms...)
		}
	}
	return fs
}

// narrow lets through only those of the base's documents in docs (a
// text's matches).
func (fs *filters) narrow(docs *roaring.Bitmap) {
	fs.base, fs.pass = roaring.And(fs.base, docs), nil
}

// except returns the documents that pass the base and every selection
// but facet skip's (skip -1: every selection). The bitmap may be the
// base's, or the table's: the caller must not change it.
func (fs *filters) except(skip int) *roaring.Bitmap {
	if skip == -1 && fs.pass != nil {
		return fs.pass
	}
	var narrowing []*roaring.Bitmap
	for i, s := range fs.sel {
		if i != skip && s != nil {
			narrowing = append(narrowing, s)
		}
	}
	out := fs.base
	if len(narrowing) > 0 {
		// The fewest documents first: each AND then costs what the
		// smaller side holds.
		slices.SortFunc(narrowing, func(a, b *roaring.Bitmap) int { return cmp.Compare(a.GetCardinality(), b.GetCardinality()) })
		out = roaring.And(narrowing[0], fs.base)
		for _, s := range narrowing[1:] {
			out.And(s)
		}
	}
	if skip == -1 {
		fs.pass = out
	}
	return out
}

// counts returns every facet's counts: each value's documents among those
// that pass every filter but the facet's own selection. The facets without
// a selection share one filter, and one counter.
func (fs *filters) counts() map[search.Facet][]search.FacetCount {
	out := make(map[search.Facet][]search.FacetCount, numFacets)
	var unselected []int
	for i := range search.Facets {
		if fs.sel[i] == nil {
			unselected = append(unselected, i)
			continue
		}
		c := fs.t.counter(fs.except(i), []int{i})
		out[search.Facets[i]] = c.count(i)
	}
	if len(unselected) > 0 {
		c := fs.t.counter(fs.except(-1), unselected)
		for _, i := range unselected {
			out[search.Facets[i]] = c.count(i)
		}
	}
	return out
}

// counter counts facet values among the documents of one filter, by
// whichever way costs least:
//
//   - every live document passes: each value's cardinality;
//   - a one-value facet: a pass over the filter's documents, or over the
//     live documents it keeps out when those are fewer, reading their codes;
//   - a facet with a mask column, when the documents passed over are
//     sparse: the same pass, reading their masks;
//   - otherwise each value's AND-cardinality with the filter, or its
//     cardinality less that with the documents kept out, when those are
//     fewer.
//
// Sparse means at most one live document in sparseShare: a roaring bitmap
// that sparse is mostly arrays, and an AND-cardinality with an array costs
// a lookup per element, for every value; a pass costs an increment per
// value a document carries (one or two). Over dense bitmaps the
// AND-cardinality counts 64 documents a word and beats the pass.
type counter struct {
	t      *table
	filter *roaring.Bitmap
	// everything is set when filter is every live document; out holds the
	// live documents filter keeps out, when they are the fewer.
	everything bool
	out        *roaring.Bitmap
	// perCode holds the one-value facets' counts by code, from one pass
	// over the documents for all of them (byCode).
	perCode [numFacets][]int
}

// sparseShare: see counter.
const sparseShare = 16

// counter prepares the counts of facets among the documents of filter.
func (t *table) counter(filter *roaring.Bitmap, facets []int) *counter {
	n, live := filter.GetCardinality(), t.live.GetCardinality()
	c := &counter{t: t, filter: filter, everything: n == live}
	if !c.everything && live-n < n {
		c.out = roaring.AndNot(t.live, filter)
	}
	if c.everything || n == 0 {
		return c
	}
	passed := n
	if c.out != nil {
		passed = live - n
	}
	sparse := passed*sparseShare <= live
	c.byCode(slices.DeleteFunc(slices.Clone(facets), func(f int) bool {
		return !oneValue[f] && (t.masks[f] == nil || !sparse)
	}))
	return c
}

// count returns facet f's non-zero counts, by count then value.
func (c *counter) count(f int) []search.FacetCount {
	counts := []search.FacetCount{}
	if c.filter.IsEmpty() {
		return counts
	}
	perCode := c.perCode[f]
	for v, bm := range c.t.values[f] {
		var n int
		switch {
		case c.everything:
			n = int(bm.GetCardinality())
		case perCode != nil && c.out != nil:
			n = int(bm.GetCardinality()) - perCode[c.t.codeOf[f][v]]
		case perCode != nil:
			n = perCode[c.t.codeOf[f][v]]
		case c.out != nil:
			n = int(bm.GetCardinality() - bm.AndCardinality(c.out))
		default:
			n = int(bm.AndCardinality(c.filter))
		}
		if n > 0 {
			counts = append(counts, search.FacetCount{Value: v, Count: n})
		}
	}
	slices.SortFunc(counts, func(a, b search.FacetCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
	})
	return counts
}

// byCode counts, for each of facets (one-value or with a mask column), the
// documents of each code among the filter's documents, or among those it
// keeps out when c.out is set: one pass over the documents for all the
// facets.
func (c *counter) byCode(facets []int) {
	if len(facets) == 0 {
		return
	}
	for _, f := range facets {
		c.perCode[f] = make([]int, len(c.t.names[f]))
	}
	docs := c.filter
	if c.out != nil {
		docs = c.out
	}
	it := docs.ManyIterator()
	var buf [256]uint32
	for n := it.NextMany(buf[:]); n > 0; n = it.NextMany(buf[:]) {
		for _, f := range facets {
			per := c.perCode[f]
			if oneValue[f] {
				codes := c.t.codes[f]
				for _, o := range buf[:n] {
					per[codes[o]]++
				}
				continue
			}
			masks := c.t.masks[f]
			for _, o := range buf[:n] {
				for m := masks[o]; m != 0; m &= m - 1 {
					per[bits.TrailingZeros64(m)]++
				}
			}
		}
	}
}

// page returns the ordinals of the documents in pass, in order, from
// position start of order on, skipping skip and taking at most size.
func (t *table) page(pass *roaring.Bitmap, start, skip, size int) []uint32 {
	n := int(pass.GetCardinality())
	if n <= skip || start >= len(t.order) {
		return nil
	}
	// Walking order meets about (skip+size)·len/n entries before it has
	// the page; sorting the ranks of pass costs about n.
	if walk := (skip + size) * (len(t.order) - start) / n; n < walk {
		return t.pageByRank(pass, start, skip, size)
	}
	out := make([]uint32, 0, size)
	for _, o := range t.order[start:] {
		if !pass.Contains(o) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if out = append(out, o); len(out) == size {
			break
		}
	}
	return out
}

func (t *table) pageByRank(pass *roaring.Bitmap, start, skip, size int) []uint32 {
	ranks := make([]uint32, 0, pass.GetCardinality())
	for o := range roaring.Values(pass) {
		if r := t.rank[o]; int(r) >= start {
			ranks = append(ranks, r)
		}
	}
	if len(ranks) <= skip {
		return nil
	}
	slices.Sort(ranks)
	ranks = ranks[skip:min(len(ranks), skip+size)]
	out := make([]uint32, len(ranks))
	for i, r := range ranks {
		out[i] = t.order[r]
	}
	return out
}
