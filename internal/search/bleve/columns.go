package bleve

import (
	"fmt"
	"hash/maphash"
	"math"
	"unsafe"
)

// The table keeps a string per ordinal (the ID and the sort key) and finds
// ordinals by ID. Kept as []string and map[string]uint32, a million
// courses made three million small objects, and the garbage collector
// marks every one of them at each cycle: about 0.2 s of CPU per cycle,
// hundreds of cycles in a first harvest. The two types below hold no
// pointer the collector has to follow: the strings live in one byte arena,
// and the ID index maps hashes of IDs to ordinals.

// strColumn holds one string per ordinal in an append-only byte arena. A
// string it returns points into the arena and stays valid for good: bytes
// once written are never changed, and compact writes a new arena.
type strColumn struct {
	data  []byte
	spans []span // by ordinal
	dead  int    // bytes of data that no ordinal uses any more
}

// span is where an ordinal's string lies in the arena.
type span struct{ off, n uint32 }

// newStrColumn returns an empty column with room for the strings of
// ordinals, of bytes in all.
func newStrColumn(ordinals, bytes int) strColumn {
	return strColumn{spans: make([]span, 0, ordinals), data: make([]byte, 0, bytes)}
}

func (c *strColumn) len() int { return len(c.spans) }

// get returns ordinal o's string ("" for none).
func (c *strColumn) get(o uint32) string {
	sp := c.spans[o]
	if sp.n == 0 {
		return ""
	}
	return unsafe.String(&c.data[sp.off], int(sp.n))
}

// add appends an ordinal holding s.
func (c *strColumn) add(s string) { c.addBytes(unsafe.Slice(unsafe.StringData(s), len(s))) }

// addBytes appends an ordinal holding the string b, which it copies.
func (c *strColumn) addBytes(b []byte) {
	c.spans = append(c.spans, span{})
	c.setBytes(uint32(len(c.spans)-1), b)
}

// set makes s ordinal o's string.
func (c *strColumn) set(o uint32, s string) {
	// The bytes of s are only read (copied into the arena).
	c.setBytes(o, unsafe.Slice(unsafe.StringData(s), len(s)))
}

// setBytes makes the string b ordinal o's, copying it.
func (c *strColumn) setBytes(o uint32, s []byte) {
	c.dead += int(c.spans[o].n)
	c.spans[o] = span{}
	if len(s) == 0 {
		return
	}
	if c.dead > len(c.data)/2 && c.dead > 1<<20 || len(c.data)+len(s) > math.MaxUint32 {
		c.compact()
	}
	if len(c.data)+len(s) > math.MaxUint32 {
		panic(fmt.Sprintf("search/bleve: the facet table's strings outgrow 4 GiB (%d ordinals)", len(c.spans)))
	}
	c.spans[o] = span{uint32(len(c.data)), uint32(len(s))}
	c.data = append(c.data, s...)
}

// compact writes the strings in use to a new arena, leaving out those of
// ordinals deleted or changed since.
func (c *strColumn) compact() {
	data := make([]byte, 0, len(c.data)-c.dead)
	for o, sp := range c.spans {
		if sp.n > 0 {
			c.spans[o].off = uint32(len(data))
			data = append(data, c.data[sp.off:sp.off+sp.n]...)
		}
	}
	c.data, c.dead = data, 0
}

// idIndex finds the ordinal of an ID. It maps a 64-bit hash of each ID to
// its ordinal, and checks the ID the ordinal holds; the rare ID whose hash
// another ID already holds goes into clashes instead.
type idIndex struct {
	hash    func(string) uint64
	byHash  map[uint64]uint32
	clashes map[string]uint32
}

func newIDIndex(ids int) idIndex {
	seed := maphash.MakeSeed()
	return idIndex{hash: func(id string) uint64 { return maphash.String(seed, id) },
		byHash: make(map[uint64]uint32, ids), clashes: map[string]uint32{}}
}

func (x *idIndex) len() int { return len(x.byHash) + len(x.clashes) }

// get returns the ordinal of id, whose strings ids holds.
func (x *idIndex) get(ids *strColumn, id string) (uint32, bool) {
	if o, ok := x.byHash[x.hash(id)]; ok && ids.get(o) == id {
		return o, true
	}
	o, ok := x.clashes[id]
	return o, ok
}

// put records that ordinal o holds id, which the index does not hold yet.
func (x *idIndex) put(ids *strColumn, id string, o uint32) {
	h := x.hash(id)
	if other, taken := x.byHash[h]; taken && ids.get(other) != id {
		x.clashes[id] = o
		return
	}
	x.byHash[h] = o
}

// remove forgets id; its ordinal must still hold it in ids.
func (x *idIndex) remove(ids *strColumn, id string) {
	if _, ok := x.clashes[id]; ok {
		delete(x.clashes, id)
		return
	}
	h := x.hash(id)
	if o, ok := x.byHash[h]; ok && ids.get(o) == id {
		delete(x.byHash, h)
	}
}
