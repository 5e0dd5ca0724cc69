package rdf

import (
	"cmp"
	"iter"
	"slices"
)

// termID numbers the distinct terms of one Graph, so indexes hold small
// integers instead of strings.
type termID uint32

type spo [3]termID

// noID marks an unbound position in a Match pattern.
const noID = ^termID(0)

// Graph is an in-memory set of triples with two indexes: subject →
// predicate → objects and object → predicate → subjects (the lookups the
// SHACL engine needs in both directions). Iteration follows insertion
// order, so output built from a Graph is deterministic. A Graph is not safe
// for concurrent writes; concurrent reads are fine.
//
// The quality check builds and queries one graph per batch of harvested
// records, so building and looking up are on the harvest's hot path. Terms
// are numbered densely, which lets both indexes be slices by term ID. A
// node's edges are a list threaded through one shared slice, so adding a
// triple allocates nothing per node, and most nodes have a handful of
// edges, which a scan answers faster than a map. IRIs, the most common
// terms, are interned by their string alone.
type Graph struct {
	terms  []Term
	iris   map[string]termID // IRIs by value
	others map[Term]termID   // blank nodes and literals
	order  []spo
	out    []node // by subject: (predicate, object)
	in     []node // by object: (predicate, subject)
	edges  []edge // every node's edges, each list linked by next
	// set holds the triples of subjects with many edges, whose duplicates
	// a scan of their edges would find too slowly.
	set map[spo]struct{}
}

// node is one term's edges in one direction, in insertion order: first
// and last index edges (0 is no edge). Past smallNode edges they are also
// grouped by predicate.
type node struct {
	first, last, n uint32
	byPred         map[termID][]termID
}

type edge struct {
	p, x termID
	next uint32
}

// smallNode is the most edges a node answers by scanning them.
const smallNode = 16

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{
		iris:   make(map[string]termID),
		others: make(map[Term]termID),
		set:    make(map[spo]struct{}),
		edges:  make([]edge, 1), // edges[0] ends every list
	}
}

// Reset empties g, keeping the memory it has grown, so one graph can be
// filled again and again without growing its maps each time.
func (g *Graph) Reset() {
	clear(g.iris)
	clear(g.others)
	clear(g.set)
	g.terms, g.order = g.terms[:0], g.order[:0]
	g.out, g.in, g.edges = g.out[:0], g.in[:0], g.edges[:1]
}

func (g *Graph) intern(t Term) termID {
	if id, ok := g.lookup(t); ok {
		return id
	}
	id := termID(len(g.terms))
	g.terms = append(g.terms, t)
	if t.Kind == KindIRI {
		g.iris[t.Value] = id
	} else {
		g.others[t] = id
	}
	g.out = append(g.out, node{})
	g.in = append(g.in, node{})
	return id
}

func (g *Graph) lookup(t Term) (termID, bool) {
	if t.Kind == KindIRI {
		id, ok := g.iris[t.Value]
		return id, ok
	}
	id, ok := g.others[t]
	return id, ok
}

// Add inserts a triple and reports whether it was new.
func (g *Graph) Add(t Triple) bool {
	k := spo{g.intern(t.S), g.intern(t.P), g.intern(t.O)}
	if g.has(k) {
		return false
	}
	g.order = append(g.order, k)
	s := &g.out[k[0]]
	g.link(s, k[1], k[2])
	switch {
	case s.n == smallNode+1:
		for e := range g.list(s) {
			g.set[spo{k[0], e.p, e.x}] = struct{}{}
		}
	case s.n > smallNode+1:
		g.set[k] = struct{}{}
	}
	g.link(&g.in[k[2]], k[1], k[0])
	return true
}

func (g *Graph) has(k spo) bool {
	s := &g.out[k[0]]
	if s.n > smallNode {
		_, ok := g.set[k]
		return ok
	}
	for e := range g.list(s) {
		if e.p == k[1] && e.x == k[2] {
			return true
		}
	}
	return false
}

// link appends the edge (p, x) to n.
func (g *Graph) link(n *node, p, x termID) {
	i := uint32(len(g.edges))
	g.edges = append(g.edges, edge{p: p, x: x})
	if n.first == 0 {
		n.first = i
	} else {
		g.edges[n.last].next = i
	}
	n.last = i
	n.n++
	switch {
	case n.n == smallNode+1:
		n.byPred = make(map[termID][]termID)
		for e := range g.list(n) {
			n.byPred[e.p] = append(n.byPred[e.p], e.x)
		}
	case n.n > smallNode+1:
		n.byPred[p] = append(n.byPred[p], x)
	}
}

// list yields n's edges in insertion order.
func (g *Graph) list(n *node) iter.Seq[edge] {
	return func(yield func(edge) bool) {
		for i := n.first; i != 0; i = g.edges[i].next {
			if !yield(g.edges[i]) {
				return
			}
		}
	}
}

// values yields the x of each of n's edges (p, x) in insertion order.
func (g *Graph) values(n *node, p termID) iter.Seq[termID] {
	return func(yield func(termID) bool) {
		if n.byPred != nil {
			for _, x := range n.byPred[p] {
				if !yield(x) {
					return
				}
			}
			return
		}
		for e := range g.list(n) {
			if e.p == p && !yield(e.x) {
				return
			}
		}
	}
}

// AddQuadFunc returns a QuadFunc that adds each quad's triple to g, so a
// parser can load straight into a graph. Graph names are dropped.
func (g *Graph) AddQuadFunc() QuadFunc {
	return func(q Quad) error {
		g.Add(Triple{q.S, q.P, q.O})
		return nil
	}
}

// Len returns the number of triples.
func (g *Graph) Len() int { return len(g.order) }

// Has reports whether the graph holds t.
func (g *Graph) Has(t Triple) bool {
	s, ok1 := g.lookup(t.S)
	p, ok2 := g.lookup(t.P)
	o, ok3 := g.lookup(t.O)
	return ok1 && ok2 && ok3 && g.has(spo{s, p, o})
}

func (g *Graph) triple(k spo) Triple {
	return Triple{g.terms[k[0]], g.terms[k[1]], g.terms[k[2]]}
}

// All yields every triple in insertion order.
func (g *Graph) All() iter.Seq[Triple] {
	return func(yield func(Triple) bool) {
		for _, k := range g.order {
			if !yield(g.triple(k)) {
				return
			}
		}
	}
}

// Triples returns every triple in insertion order.
func (g *Graph) Triples() []Triple {
	ts := make([]Triple, len(g.order))
	for i, k := range g.order {
		ts[i] = g.triple(k)
	}
	return ts
}

// Match yields the triples matching a pattern; a zero Term matches
// anything. It uses the subject index when s is given, the object index
// when o is given, and scans otherwise.
func (g *Graph) Match(s, p, o Term) iter.Seq[Triple] {
	return func(yield func(Triple) bool) {
		ids, ok := g.patternIDs(s, p, o)
		if !ok {
			return
		}
		switch {
		case !s.IsZero():
			g.walk(g.out, ids[0], ids[1], ids[2], false, yield)
		case !o.IsZero():
			g.walk(g.in, ids[2], ids[1], ids[0], true, yield)
		default:
			for _, k := range g.order {
				if (p.IsZero() || k[1] == ids[1]) && !yield(g.triple(k)) {
					return
				}
			}
		}
	}
}

// patternIDs maps the bound terms of a pattern to IDs; ok is false when a
// bound term is not in the graph, so nothing can match.
func (g *Graph) patternIDs(s, p, o Term) (ids spo, ok bool) {
	ids = spo{noID, noID, noID}
	for i, t := range [3]Term{s, p, o} {
		if t.IsZero() {
			continue
		}
		if ids[i], ok = g.lookup(t); !ok {
			return ids, false
		}
	}
	return ids, true
}

// walk yields from one index: first → pred → last, where pred and last
// may be noID (unbound). reversed says the index is object-first.

// walk yields from one index: first → pred → last, where pred and last
// may be noID (unbound), grouped by predicate in term-ID order (=
// first-seen order) so results are deterministic. reversed says the index
// is object-first.
func (g *Graph) walk(ix []node, first, pred, last termID, reversed bool, yield func(Triple) bool) {
	var es []edge
	for e := range g.list(&ix[first]) {
		if (pred == noID || e.p == pred) && (last == noID || e.x == last) {
			es = append(es, e)
		}
	}
	byPred := func(a, b edge) int { return cmp.Compare(a.p, b.p) }
	if !slices.IsSortedFunc(es, byPred) {
		slices.SortStableFunc(es, byPred)
	}
	for _, e := range es {
		k := spo{first, e.p, e.x}
		if reversed {
			k = spo{e.x, e.p, first}
		}
		if !yield(g.triple(k)) {
			return
		}
	}
}

// Objects returns the objects of (s, p, ?) in insertion order.
func (g *Graph) Objects(s, p Term) []Term { return g.column(g.out, s, p) }

// Subjects returns the subjects of (?, p, o) in insertion order.
func (g *Graph) Subjects(p, o Term) []Term { return g.column(g.in, o, p) }

func (g *Graph) column(ix []node, a, p Term) []Term {
	ai, ok1 := g.lookup(a)
	pi, ok2 := g.lookup(p)
	if !ok1 || !ok2 {
		return nil
	}
	n := &ix[ai]
	count := 0
	for range g.values(n, pi) {
		count++
	}
	if count == 0 {
		return nil
	}
	ts := make([]Term, 0, count)
	for x := range g.values(n, pi) {
		ts = append(ts, g.terms[x])
	}
	return ts
}

// Object returns the first object of (s, p, ?).
func (g *Graph) Object(s, p Term) (Term, bool) {
	si, ok1 := g.lookup(s)
	pi, ok2 := g.lookup(p)
	if !ok1 || !ok2 {
		return Term{}, false
	}
	for x := range g.values(&g.out[si], pi) {
		return g.terms[x], true
	}
	return Term{}, false
}

// SubjectTerms returns every distinct subject in first-seen order.
func (g *Graph) SubjectTerms() []Term {
	var ts []Term
	for id, n := range g.out {
		if n.n > 0 {
			ts = append(ts, g.terms[id])
		}
	}
	return ts
}
