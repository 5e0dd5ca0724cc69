package bleve

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// A text hit reaches us as bleve's number for it: its segment's offset in
// the index snapshot plus its number in the segment. Finding its ordinal
// by its ID cost a read of the ID from the segment's stored fields and a
// lookup in the ID map, which misses the CPU cache at a million courses:
// a fifth of a text search that was not cached. Segments never change,
// and a document keeps its ordinal as long as it lives (table.update), so
// the ordinal found for a segment's document once holds for every later
// search of a snapshot in which that document is live: segOrds keeps it,
// per segment, in an array indexed by the document's number there.
//
// Why a kept ordinal cannot be stale: bleve is written before the table
// (Index.apply). A document leaves the table (freeing its ordinal for
// reuse) only after bleve deleted it, and a search holds the table's read
// lock while it takes bleve's snapshot and runs, so a search that sees the
// document live in a segment also sees the table still holding it at the
// ordinal kept. A document the table does not hold yet (bleve's write
// seen before the table's) gets no entry and is looked up again next
// time. The arrays belong to one table: a table loaded or rebuilt anew
// (tablefile.go) starts with none.
//
// Filled only by searches, the arrays made every text search after a
// start, and after every merge of segments, pay for the lookups of its
// hits not seen before: half the CPU of a common word's first search at a
// million courses (BENCHMARKS.md), 250 ms for the first "data" of a fresh
// start. So the Index's background goroutine (background.go) goes
// through each new segment's live documents in order, in chunks, ahead of
// the searches: at a million courses under a second of one core, once per
// start and per merge. It holds the table's read lock and a snapshot for
// each chunk, as a search does, so the rule above covers what it keeps.

// segOrds keeps, for the segments of the latest snapshots searched, each
// document's ordinal plus one (0: not known yet).
type segOrds struct {
	mu    sync.Mutex
	bySeg map[uint64][]atomic.Uint32 // by segment ID
	// filled holds, by segment ID, how many of its documents (in number
	// order) the background goroutine has been through.
	filled map[uint64]uint64
	// wake is signalled when a search meets a segment new to the arrays
	// and after each batch; set once before the table's first search, nil
	// for a table no Index fills.
	wake chan<- struct{}
}

// signal wakes the background goroutine to fill, unless it is awake
// already or there is none.
func (so *segOrds) signal() {
	if so.wake == nil {
		return
	}
	select {
	case so.wake <- struct{}{}:
	default:
	}
}

// hitOrds maps the hits of one search, which come in increasing order of
// their numbers in snap, to ordinals.
type hitOrds struct {
	t    *table
	segs []*scorch.SegmentSnapshot
	// offsets holds each segment's first number in the snapshot (bleve's
	// own rule: the sum of the sizes, deleted documents included, of the
	// segments before it), ords each segment's array.
	offsets []uint64
	ords    [][]atomic.Uint32
	cur     int // the segment of the previous hit
}

// forSnapshot returns the mapping of the hits of a search in reader,
// which must be a scorch snapshot. Segments new to it get empty arrays;
// arrays of segments it no longer holds are let go.
func (t *table) forSnapshot(reader index.IndexReader) (*hitOrds, error) {
	snap, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("search/bleve: a search read %T, not a scorch snapshot", reader)
	}
	segs := snap.Segments()
	h := &hitOrds{t: t, segs: segs, offsets: make([]uint64, len(segs)), ords: make([][]atomic.Uint32, len(segs))}
	so := &t.segOrds
	so.mu.Lock()
	defer so.mu.Unlock()
	fresh := false
	var next uint64
	for i, ss := range segs {
		h.offsets[i] = next
		size := ss.Segment().Count()
		next += size
		arr, ok := so.bySeg[ss.Id()]
		if !ok {
			arr, fresh = make([]atomic.Uint32, size), true
		}
		h.ords[i] = arr
	}
	if fresh || len(so.bySeg) != len(segs) {
		so.bySeg = make(map[uint64][]atomic.Uint32, len(segs))
		filled := make(map[uint64]uint64, len(segs))
		for i, ss := range segs {
			so.bySeg[ss.Id()] = h.ords[i]
			filled[ss.Id()] = so.filled[ss.Id()]
		}
		so.filled = filled
	}
	if fresh {
		so.signal()
	}
	return h, nil
}

// ordinal returns the ordinal of the hit numbered number in the snapshot,
// or false if the table does not hold it (yet). The caller holds the
// table's read lock.
func (h *hitOrds) ordinal(number uint64) (uint32, bool, error) {
	if number < h.offsets[h.cur] || h.cur+1 < len(h.offsets) && number >= h.offsets[h.cur+1] {
		// Hits come in increasing order: usually the next segment, but
		// segments without hits may lie between.
		h.cur = sort.Search(len(h.offsets), func(i int) bool { return h.offsets[i] > number }) - 1
	}
	return h.ordinalIn(h.cur, number-h.offsets[h.cur])
}

// ordinalIn returns the ordinal of the document numbered local in the
// snapshot's segment seg, as ordinal does.
func (h *hitOrds) ordinalIn(seg int, local uint64) (uint32, bool, error) {
	slot := &h.ords[seg][local]
	if v := slot.Load(); v != 0 {
		return v - 1, true, nil
	}
	id, err := h.segs[seg].DocID(local)
	if err != nil {
		return 0, false, fmt.Errorf("search/bleve: ID of document %d of segment %d: %w", local, h.segs[seg].Id(), err)
	}
	// The ID's bytes lie in the segment, held by the snapshot, and get
	// keeps nothing: a copy would be the fill's largest cost after the
	// lookup itself.
	o, ok := h.t.ords.get(&h.t.ids, unsafe.String(unsafe.SliceData(id), len(id)))
	if ok {
		slot.Store(o + 1)
	}
	return o, ok, nil
}

// fillChunk is how many documents the background goroutine looks up per
// read lock of the table: a few milliseconds a write may wait for.
const fillChunk = 1 << 14

// fill looks up the ordinals of up to n live documents of the first
// segment of the snapshot not gone through yet, and reports whether one
// was left. The caller holds the table's read lock.
func (h *hitOrds) fill(n uint64) (bool, error) {
	so := &h.t.segOrds
	for i, ss := range h.segs {
		so.mu.Lock()
		from := so.filled[ss.Id()]
		so.mu.Unlock()
		size := uint64(len(h.ords[i]))
		if from >= size {
			continue
		}
		to := min(size, from+n)
		deleted := ss.Deleted()
		for local := from; local < to; local++ {
			if deleted != nil && deleted.Contains(uint32(local)) {
				continue
			}
			if _, _, err := h.ordinalIn(i, local); err != nil {
				return false, err
			}
		}
		so.mu.Lock()
		if _, held := so.bySeg[ss.Id()]; held {
			so.filled[ss.Id()] = to
		}
		so.mu.Unlock()
		return true, nil
	}
	return false, nil
}

// fillSome fills the ordinals of up to n documents of the index's current
// snapshot, as a search would, and reports whether some were left.
func (ix *Index) fillSome(n uint64) (bool, error) {
	t := ix.table
	t.mu.RLock()
	defer t.mu.RUnlock()
	r, err := ix.reader()
	if err != nil {
		return false, err
	}
	defer r.Close()
	h, err := t.forSnapshot(r)
	if err != nil {
		return false, err
	}
	return h.fill(n)
}
