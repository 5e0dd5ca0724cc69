package rdf

import (
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
type Graph struct {
	terms []Term
	ids   map[Term]termID
	set   map[spo]struct{}
	order []spo
	out   map[termID]map[termID][]termID // s → p → o
	in    map[termID]map[termID][]termID // o → p → s
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{
		ids: make(map[Term]termID),
		set: make(map[spo]struct{}),
		out: make(map[termID]map[termID][]termID),
		in:  make(map[termID]map[termID][]termID),
	}
}

func (g *Graph) intern(t Term) termID {
	if id, ok := g.ids[t]; ok {
		return id
	}
	id := termID(len(g.terms))
	g.terms = append(g.terms, t)
	g.ids[t] = id
	return id
}

func (g *Graph) lookup(t Term) (termID, bool) {
	id, ok := g.ids[t]
	return id, ok
}

// Add inserts a triple and reports whether it was new.
func (g *Graph) Add(t Triple) bool {
	k := spo{g.intern(t.S), g.intern(t.P), g.intern(t.O)}
	if _, dup := g.set[k]; dup {
		return false
	}
	g.set[k] = struct{}{}
	g.order = append(g.order, k)
	addIndex(g.out, k[0], k[1], k[2])
	addIndex(g.in, k[2], k[1], k[0])
	return true
}

func addIndex(ix map[termID]map[termID][]termID, a, b, c termID) {
	m := ix[a]
	if m == nil {
		m = make(map[termID][]termID, 4)
		ix[a] = m
	}
	m[b] = append(m[b], c)
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
	if !ok1 || !ok2 || !ok3 {
		return false
	}
	_, ok := g.set[spo{s, p, o}]
	return ok
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
func (g *Graph) walk(ix map[termID]map[termID][]termID, first, pred, last termID, reversed bool, yield func(Triple) bool) {
	emit := func(p, x termID) bool {
		k := spo{first, p, x}
		if reversed {
			k = spo{x, p, first}
		}
		return yield(g.triple(k))
	}
	for p, xs := range g.sortedPreds(ix[first]) {
		if pred != noID && p != pred {
			continue
		}
		for _, x := range xs {
			if last != noID && x != last {
				continue
			}
			if !emit(p, x) {
				return
			}
		}
	}
}

// sortedPreds iterates a predicate map in term-ID order (= first-seen
// order), keeping results deterministic.
func (g *Graph) sortedPreds(m map[termID][]termID) iter.Seq2[termID, []termID] {
	return func(yield func(termID, []termID) bool) {
		keys := make([]termID, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

// Objects returns the objects of (s, p, ?) in insertion order.
func (g *Graph) Objects(s, p Term) []Term { return g.column(g.out, s, p) }

// Subjects returns the subjects of (?, p, o) in insertion order.
func (g *Graph) Subjects(p, o Term) []Term { return g.column(g.in, o, p) }

func (g *Graph) column(ix map[termID]map[termID][]termID, a, p Term) []Term {
	ai, ok1 := g.lookup(a)
	pi, ok2 := g.lookup(p)
	if !ok1 || !ok2 {
		return nil
	}
	xs := ix[ai][pi]
	ts := make([]Term, len(xs))
	for i, x := range xs {
		ts[i] = g.terms[x]
	}
	return ts
}

// Object returns the first object of (s, p, ?).
func (g *Graph) Object(s, p Term) (Term, bool) {
	os := g.Objects(s, p)
	if len(os) == 0 {
		return Term{}, false
	}
	return os[0], true
}

// SubjectTerms returns every distinct subject in first-seen order.
func (g *Graph) SubjectTerms() []Term {
	ids := make([]termID, 0, len(g.out))
	for id := range g.out {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	ts := make([]Term, len(ids))
	for i, id := range ids {
		ts[i] = g.terms[id]
	}
	return ts
}
