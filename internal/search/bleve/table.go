package bleve

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"

	"qlink/internal/search"
)

// The facet table answers what bleve answered slowly: which documents pass
// the filters, how many of them carry each facet value, and which come first
// when there is no text to rank by. bleve's facet builder reads every hit's
// doc values and counts strings in maps, so a match-all query over a
// million courses cost time in proportion to the million; the table counts
// with bitmaps instead.
//
// Every document gets a dense ordinal (uint32; a deleted document's
// ordinal is reused). Per ordinal the table keeps the ID and the sort key
// (the analysed title bleve sorts by, or bleve's stand-in for none). Per
// facet value, and per ECTS value, it keeps a roaring bitmap of the
// ordinals carrying it, and bitmaps of the live, the active (live and not
// inactive), the inactive and the flagged documents. The facets that hold
// one value per document (institution, country, EQF, type) also keep a
// column of value codes by ordinal; those of several values (language,
// field, mode, alliance) a column of masks, one bit per value, while they
// have few enough values to fit. order lists the live ordinals by sort
// key then ID, the order of every query without text, and rank is each
// ordinal's position in it.
//
// A query becomes bitmaps (see filters): status, quality and ECTS make the
// base, each selected facet the OR of its selected values. A facet's counts
// are those of its values among the base and every other facet's selection
// (disjunctive faceting, as before with one bleve request per selected
// facet), counted the cheapest way (see counter): the values' own
// cardinalities when nothing filters, AND-cardinalities of bitmaps, and for
// the one-value facets a pass over the filter (or over the documents it
// keeps out, when those are fewer) through the code column, which costs
// in proportion to the filter rather than to the facet's thousand values;
// the mask column counts the other facets in the same pass when the
// documents passed over are sparse.
// A page without text is read from order, testing membership, or, when few
// documents pass, by sorting the passing ordinals' ranks. Text is still
// matched and scored by bleve, but its hits are only collected as
// ordinals (query.go).
//
// All of this lives beside the bleve index and follows it: Index and
// Delete update bleve, then the table, under the table's lock, so a reader
// sees a batch whole or not at all. A text search that runs while a batch
// is being written may see bleve's new hits before the table has them; such
// hits are left out, or counted under their previous facet values, until
// the table catches up a moment later. A search holds the read lock while
// bleve matches its text, so a batch waits for the searches in flight, and
// searches that come meanwhile wait for the batch (a few milliseconds at a
// million courses). The table is saved beside the index on Close and
// loaded at Open (tablefile.go).
type table struct {
	mu sync.RWMutex

	ids      strColumn // by ordinal; "" for a free ordinal (columns.go)
	ords     idIndex
	free     []uint32
	sortKeys strColumn // by ordinal
	order    []uint32  // live ordinals by sort key, then ID
	rank     []uint32  // by ordinal: its position in order

	live, active, inactive, flagged *roaring.Bitmap
	// values holds per facet (indexed as search.Facets) each value's
	// documents; ects each ECTS value's.
	values [numFacets]map[string]*roaring.Bitmap
	ects   map[float64]*roaring.Bitmap
	// codes holds, for the one-value facets, each ordinal's value as an
	// index into names (0: none); codeOf is the way back. masks holds, for
	// the other facets, each ordinal's values as the bits of their codes,
	// and is nil for a facet with more than maxMaskCode values.
	codes  [numFacets][]uint32
	masks  [numFacets][]uint64
	names  [numFacets][]string
	codeOf [numFacets]map[string]uint32

	// gen names the index state the table mirrors (genKey, index.go).
	gen string

	// segOrds keeps the ordinals of text hits by their place in bleve's
	// segments (hitords.go).
	segOrds segOrds
}

const numFacets = 8

// maxMaskCode is the largest code a mask holds (code 0 stays unused, as
// in the code columns).
const maxMaskCode = 63

// oneValue marks the facets of which a document has at most one value
// (facetValues): they get a code column.
var oneValue = func() (one [numFacets]bool) {
	for _, f := range []search.Facet{search.FacetInstitution, search.FacetCountry, search.FacetEQF, search.FacetType} {
		one[facetIndex(f)] = true
	}
	return one
}()

// noSortKey is bleve's sort value for a document without one: it sorts
// last.
var noSortKey = bsearch.HighTerm

func newTable() *table {
	t := &table{ids: newStrColumn(0, 0), sortKeys: newStrColumn(0, 0), ords: newIDIndex(0),
		live: roaring.New(), active: roaring.New(), inactive: roaring.New(), flagged: roaring.New(),
		ects: map[float64]*roaring.Bitmap{}}
	for i := range t.values {
		t.values[i] = map[string]*roaring.Bitmap{}
		t.names[i], t.codeOf[i] = []string{""}, map[string]uint32{}
		if oneValue[i] {
			t.codes[i] = []uint32{}
		} else {
			t.masks[i] = []uint64{}
		}
	}
	return t
}

// code returns the code of value v of the one-value facet f, giving it
// one if it has none yet.
func (t *table) code(f int, v string) uint32 {
	c, ok := t.codeOf[f][v]
	if !ok {
		c = uint32(len(t.names[f]))
		t.names[f] = append(t.names[f], v)
		t.codeOf[f][v] = c
	}
	return c
}

// fillCodes sets the code and mask columns from the value bitmaps, for a
// table read from a file or from the index.
func (t *table) fillCodes() {
	for f := range t.values {
		values := slices.Sorted(maps.Keys(t.values[f]))
		switch {
		case oneValue[f]:
			t.codes[f] = make([]uint32, t.ids.len())
		case len(values) <= maxMaskCode:
			t.masks[f] = make([]uint64, t.ids.len())
		default:
			t.masks[f] = nil
		}
		for _, v := range values {
			c := t.code(f, v)
			for o := range roaring.Values(t.values[f][v]) {
				if oneValue[f] {
					t.codes[f][o] = c
				} else if t.masks[f] != nil {
					t.masks[f][o] |= 1 << c
				}
			}
		}
	}
}

// mask returns the mask of values vs of facet f, giving them codes; a
// value past maxMaskCode drops f's mask column for good (until the table
// is next loaded, when fillCodes counts the values in use).
func (t *table) mask(f int, vs []string) uint64 {
	var m uint64
	for _, v := range vs {
		c := t.code(f, v)
		if c > maxMaskCode {
			t.masks[f] = nil
			return 0
		}
		m |= 1 << c
	}
	return m
}

// facetIndex returns f's place in search.Facets and table.values.
func facetIndex(f search.Facet) int { return slices.Index(search.Facets, f) }

// row is what the table keeps of one document.
type row struct {
	id      string
	sortKey string
	values  [numFacets][]string
	ects    float64 // NaN when not stated
	// inactive and flagged mirror search.Document.
	inactive, flagged bool
}

// update applies one batch: put adds or replaces documents (the last of
// one ID wins), del removes them; gen names the index state after it.
func (t *table) update(put []row, del []string, gen string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	put = lastByID(put)
	stale := roaring.New()
	for _, id := range del {
		if o, ok := t.ords.get(&t.ids, id); ok {
			stale.Add(o)
		}
	}
	placed := make([]uint32, len(put))
	for i, r := range put {
		o, ok := t.ords.get(&t.ids, r.id)
		if ok {
			stale.Add(o)
		} else {
			o = t.newOrdinal(r.id)
		}
		placed[i] = o
	}
	t.forget(stale)
	for _, id := range del {
		if o, ok := t.ords.get(&t.ids, id); ok {
			t.ords.remove(&t.ids, id)
			t.ids.set(o, "")
			t.sortKeys.set(o, "")
			t.free = append(t.free, o)
		}
	}
	for i, r := range put {
		t.set(placed[i], r)
	}
	t.insertOrder(placed)
	t.gen = gen
}

// lastByID drops every row whose ID a later row repeats.
func lastByID(rows []row) []row {
	seen := make(map[string]bool, len(rows))
	out := make([]row, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		if !seen[rows[i].id] {
			seen[rows[i].id] = true
			out = append(out, rows[i])
		}
	}
	slices.Reverse(out)
	return out
}

// newOrdinal gives id a free ordinal, or a new one.
func (t *table) newOrdinal(id string) uint32 {
	var o uint32
	if n := len(t.free); n > 0 {
		o, t.free = t.free[n-1], t.free[:n-1]
	} else {
		o = uint32(t.ids.len())
		t.ids.add("")
		t.sortKeys.add("")
		t.rank = append(t.rank, 0)
		for f, codes := range t.codes {
			if codes != nil {
				t.codes[f] = append(codes, 0)
			}
		}
		for f, masks := range t.masks {
			if masks != nil {
				t.masks[f] = append(masks, 0)
			}
		}
	}
	t.ids.set(o, id)
	t.ords.put(&t.ids, id, o)
	return o
}

// forget takes the stale ordinals out of every bitmap and out of order;
// their IDs stay.
func (t *table) forget(stale *roaring.Bitmap) {
	if stale.IsEmpty() {
		return
	}
	for f := range t.values {
		forgetIn(t.values[f], stale)
	}
	forgetIn(t.ects, stale)
	for _, bm := range []*roaring.Bitmap{t.live, t.active, t.inactive, t.flagged} {
		bm.AndNot(stale)
	}

	positions := make([]uint32, 0, stale.GetCardinality())
	for o := range roaring.Values(stale) {
		positions = append(positions, t.rank[o])
	}
	slices.Sort(positions)
	kept := t.order[:positions[0]]
	for i, p := range positions {
		end := uint32(len(t.order))
		if i+1 < len(positions) {
			end = positions[i+1]
		}
		kept = append(kept, t.order[p+1:end]...)
	}
	t.order = kept
	t.renumber(int(positions[0]))
}

// forgetIn takes the stale ordinals out of each bitmap of values, and the
// emptied bitmaps out of values.
func forgetIn[K comparable](values map[K]*roaring.Bitmap, stale *roaring.Bitmap) {
	for v, bm := range values {
		if bm.Intersects(stale) {
			bm.AndNot(stale)
			if bm.IsEmpty() {
				delete(values, v)
			}
		}
	}
}

// set records r at ordinal o, which holds nothing else.
func (t *table) set(o uint32, r row) {
	t.sortKeys.set(o, r.sortKey)
	t.live.Add(o)
	if r.inactive {
		t.inactive.Add(o)
	} else {
		t.active.Add(o)
	}
	if r.flagged {
		t.flagged.Add(o)
	}
	if !math.IsNaN(r.ects) {
		addTo(t.ects, r.ects, o)
	}
	for f, vs := range r.values {
		for _, v := range vs {
			addTo(t.values[f], v, o)
		}
		switch {
		case oneValue[f]:
			t.codes[f][o] = 0
			if len(vs) > 0 {
				t.codes[f][o] = t.code(f, vs[0])
			}
		case t.masks[f] != nil:
			if m := t.mask(f, vs); t.masks[f] != nil {
				t.masks[f][o] = m
			}
		}
	}
}

// addTo adds ordinal o to value v's bitmap in values.
func addTo[K comparable](values map[K]*roaring.Bitmap, v K, o uint32) {
	bm := values[v]
	if bm == nil {
		bm = roaring.New()
		values[v] = bm
	}
	bm.Add(o)
}

// insertOrder puts the ordinals, whose sort keys are set, into order.
func (t *table) insertOrder(add []uint32) {
	if len(add) == 0 {
		return
	}
	add = slices.Clone(add)
	slices.SortFunc(add, t.compare)
	// at[i] is where add[i] goes among the current entries.
	at := make([]int, len(add))
	for i, o := range add {
		at[i], _ = slices.BinarySearchFunc(t.order, o, t.compare)
	}
	n := len(t.order)
	t.order = slices.Grow(t.order, len(add))[:n+len(add)]
	// Fill from the back, so every entry moves once.
	end := n
	for i := len(add) - 1; i >= 0; i-- {
		copy(t.order[at[i]+i+1:end+i+1], t.order[at[i]:end])
		t.order[at[i]+i] = add[i]
		end = at[i]
	}
	t.renumber(at[0])
}

// renumber sets the rank of every ordinal from position from on.
func (t *table) renumber(from int) {
	for p := from; p < len(t.order); p++ {
		t.rank[t.order[p]] = uint32(p)
	}
}

// compare orders ordinals as queries without text do: sort key, then ID.
func (t *table) compare(a, b uint32) int {
	return cmp.Or(strings.Compare(t.sortKeys.get(a), t.sortKeys.get(b)), strings.Compare(t.ids.get(a), t.ids.get(b)))
}

// after returns the position in order of the first document that sorts
// after the key (sort key, ID).
func (t *table) after(sortKey, id string) int {
	i, found := slices.BinarySearchFunc(t.order, struct{ key, id string }{sortKey, id}, func(o uint32, k struct{ key, id string }) int {
		return cmp.Or(strings.Compare(t.sortKeys.get(o), k.key), strings.Compare(t.ids.get(o), k.id))
	})
	if found {
		i++
	}
	return i
}

// ectsRange returns the documents whose ECTS credits lie within [lo, hi];
// a nil bound is open. Documents without ECTS never match. Courses state
// few distinct values, so this ORs a few bitmaps.
func (t *table) ectsRange(lo, hi *float64) *roaring.Bitmap {
	var in []*roaring.Bitmap
	for e, bm := range t.ects {
		if (lo == nil || e >= *lo) && (hi == nil || e <= *hi) {
			in = append(in, bm)
		}
	}
	return roaring.FastOr(in...)
}
