package rdf

import (
	"hash/maphash"
	"slices"
)

// Isomorphic reports whether two sets of quads are equal up to a renaming
// of blank nodes (RDF 1.1 Concepts §3.6, extended to datasets). Duplicates
// are ignored. It colours blank nodes by their surroundings, refines the
// colours until stable, and backtracks only among nodes that stay
// indistinguishable, so typical test graphs finish in one pass.
func Isomorphic(a, b []Quad) bool {
	seed := maphash.MakeSeed()
	ga, gb := newIsoGraph(a, seed), newIsoGraph(b, seed)
	if ga == nil || gb == nil || len(ga.quads) != len(gb.quads) || len(ga.blanks) != len(gb.blanks) || len(ga.ground) != len(gb.ground) {
		return false
	}
	for q := range ga.ground {
		if _, ok := gb.ground[q]; !ok {
			return false
		}
	}
	ca := ga.refine(make([]uint64, len(ga.blanks)))
	cb := gb.refine(make([]uint64, len(gb.blanks)))
	return search(ga, gb, ca, cb, 0)
}

// IsomorphicTriples is Isomorphic for triples.
func IsomorphicTriples(a, b []Triple) bool {
	conv := func(ts []Triple) []Quad {
		qs := make([]Quad, len(ts))
		for i, t := range ts {
			qs[i] = Quad{S: t.S, P: t.P, O: t.O}
		}
		return qs
	}
	return Isomorphic(conv(a), conv(b))
}

type isoGraph struct {
	seed   maphash.Seed
	ground map[Quad]struct{}
	quads  []Quad   // quads with at least one blank node
	terms  [][4]int // per quad: blank index per position, or -1
	fixed  [][4]uint64
	blanks []string
	occ    [][]int // blank → quads it occurs in
}

func newIsoGraph(qs []Quad, seed maphash.Seed) *isoGraph {
	g := &isoGraph{seed: seed, ground: make(map[Quad]struct{})}
	idx := map[string]int{}
	seen := map[Quad]struct{}{}
	for _, q := range qs {
		if _, dup := seen[q]; dup {
			continue
		}
		seen[q] = struct{}{}
		pos := [4]Term{q.S, q.P, q.O, q.G}
		if !slices.ContainsFunc(pos[:], Term.IsBlank) {
			g.ground[q] = struct{}{}
			continue
		}
		qi := len(g.quads)
		g.quads = append(g.quads, q)
		var ids [4]int
		var fixed [4]uint64
		for i, t := range pos {
			ids[i] = -1
			if !t.IsBlank() {
				fixed[i] = maphash.Comparable(seed, t)
				continue
			}
			bi, ok := idx[t.Value]
			if !ok {
				bi = len(g.blanks)
				idx[t.Value] = bi
				g.blanks = append(g.blanks, t.Value)
				g.occ = append(g.occ, nil)
			}
			ids[i] = bi
			if len(g.occ[bi]) == 0 || g.occ[bi][len(g.occ[bi])-1] != qi {
				g.occ[bi] = append(g.occ[bi], qi)
			}
		}
		g.terms = append(g.terms, ids)
		g.fixed = append(g.fixed, fixed)
	}
	return g
}

// refine recolours blank nodes from the colours of their neighbours until
// the number of distinct colours stops growing.
func (g *isoGraph) refine(colors []uint64) []uint64 {
	n := distinct(colors)
	for range len(colors) + 1 {
		next := make([]uint64, len(colors))
		sig := make([]uint64, 0, 8)
		for b := range g.blanks {
			sig = sig[:0]
			for _, qi := range g.occ[b] {
				sig = append(sig, g.quadHash(qi, b, colors))
			}
			slices.Sort(sig)
			var h maphash.Hash
			h.SetSeed(g.seed)
			writeUint(&h, colors[b])
			for _, s := range sig {
				writeUint(&h, s)
			}
			next[b] = h.Sum64()
		}
		colors = next
		m := distinct(colors)
		if m == n {
			break
		}
		n = m
	}
	return colors
}

func (g *isoGraph) quadHash(qi, self int, colors []uint64) uint64 {
	var h maphash.Hash
	h.SetSeed(g.seed)
	for i, bi := range g.terms[qi] {
		switch {
		case bi < 0:
			writeUint(&h, g.fixed[qi][i])
		case bi == self:
			writeUint(&h, 1)
		default:
			writeUint(&h, 2^colors[bi]<<1)
		}
	}
	return h.Sum64()
}

func writeUint(h *maphash.Hash, v uint64) {
	var b [8]byte
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	h.Write(b[:])
}

func distinct(colors []uint64) int {
	s := slices.Clone(colors)
	slices.Sort(s)
	return len(slices.Compact(s))
}

// search tries to turn matching colourings into a bijection. When some
// colour is shared by several nodes it fixes one node of a and tries every
// equally coloured node of b, refining after each choice.
func search(ga, gb *isoGraph, ca, cb []uint64, depth int) bool {
	sa, sb := slices.Clone(ca), slices.Clone(cb)
	slices.Sort(sa)
	slices.Sort(sb)
	if !slices.Equal(sa, sb) {
		return false
	}
	tied := -1
	for i, c := range ca {
		if count(ca, c) > 1 {
			tied = i
			break
		}
	}
	if tied < 0 {
		return verify(ga, gb, ca, cb)
	}
	mark := uint64(0x9e3779b97f4a7c15) + uint64(depth)
	for j, c := range cb {
		if c != ca[tied] {
			continue
		}
		na, nb := slices.Clone(ca), slices.Clone(cb)
		na[tied] ^= mark
		nb[j] ^= mark
		if search(ga, gb, ga.refine(na), gb.refine(nb), depth+1) {
			return true
		}
	}
	return false
}

func count(cs []uint64, c uint64) int {
	n := 0
	for _, x := range cs {
		if x == c {
			n++
		}
	}
	return n
}

// verify checks that the bijection given by unique colours maps every quad
// of a onto a quad of b.
func verify(ga, gb *isoGraph, ca, cb []uint64) bool {
	byColor := make(map[uint64]string, len(cb))
	for i, c := range cb {
		byColor[c] = gb.blanks[i]
	}
	want := make(map[Quad]struct{}, len(gb.quads))
	for _, q := range gb.quads {
		want[q] = struct{}{}
	}
	for qi, q := range ga.quads {
		pos := [4]*Term{&q.S, &q.P, &q.O, &q.G}
		for i, bi := range ga.terms[qi] {
			if bi >= 0 {
				pos[i].Value = byColor[ca[bi]]
			}
		}
		if _, ok := want[q]; !ok {
			return false
		}
	}
	return true
}
