package shacl

import (
	"fmt"

	"qlink/internal/rdf"
)

type pathKind uint8

const (
	pathPredicate pathKind = iota
	pathInverse
	pathSequence
	pathAlternative
	pathZeroOrMore
	pathOneOrMore
	pathZeroOrOne
)

// path is a compiled SHACL property path.
type path struct {
	kind  pathKind
	pred  rdf.Term // pathPredicate
	inner []*path  // the one operand, or the members of a sequence/alternative
}

// maxPathDepth bounds nested path expressions, so a hostile shapes graph
// cannot recurse the compiler without end.
const maxPathDepth = 64

// compilePath reads the path expression at node in the shapes graph.
func compilePath(g *rdf.Graph, node rdf.Term, depth int) (*path, error) {
	if depth > maxPathDepth {
		return nil, fmt.Errorf("path nested deeper than %d", maxPathDepth)
	}
	if node.IsIRI() {
		return &path{kind: pathPredicate, pred: node}, nil
	}
	if !node.IsBlank() {
		return nil, fmt.Errorf("path %s is a literal", node)
	}
	// A list is a sequence path even when the node says more (the
	// "strange path" tests): rdf:first wins.
	if _, ok := g.Object(node, iriFirst); ok {
		members, err := readList(g, node)
		if err != nil {
			return nil, err
		}
		if len(members) < 2 {
			return nil, fmt.Errorf("sequence path %s has %d members, needs at least 2", node, len(members))
		}
		return compileOperands(g, pathSequence, members, depth)
	}
	for _, op := range []struct {
		pred string
		kind pathKind
	}{{"inversePath", pathInverse}, {"zeroOrMorePath", pathZeroOrMore}, {"oneOrMorePath", pathOneOrMore}, {"zeroOrOnePath", pathZeroOrOne}} {
		if operand, ok := g.Object(node, sh(op.pred)); ok {
			return compileOperands(g, op.kind, []rdf.Term{operand}, depth)
		}
	}
	if alt, ok := g.Object(node, sh("alternativePath")); ok {
		members, err := readList(g, alt)
		if err != nil {
			return nil, err
		}
		if len(members) < 2 {
			return nil, fmt.Errorf("alternative path %s has %d members, needs at least 2", node, len(members))
		}
		return compileOperands(g, pathAlternative, members, depth)
	}
	return nil, fmt.Errorf("blank node %s is not a SHACL property path", node)
}

func compileOperands(g *rdf.Graph, kind pathKind, nodes []rdf.Term, depth int) (*path, error) {
	p := &path{kind: kind, inner: make([]*path, len(nodes))}
	for i, n := range nodes {
		inner, err := compilePath(g, n, depth+1)
		if err != nil {
			return nil, err
		}
		p.inner[i] = inner
	}
	return p, nil
}

// values appends the nodes reachable from focus along p to out, each once.
func (p *path) values(g *rdf.Graph, focus rdf.Term, out []rdf.Term) []rdf.Term {
	if p.kind == pathPredicate {
		// The common case: the index already holds a duplicate-free list.
		return append(out, g.Objects(focus, p.pred)...)
	}
	seen := map[rdf.Term]bool{}
	for _, v := range p.eval(g, []rdf.Term{focus}) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// eval maps a set of start nodes to the set reachable along p.
func (p *path) eval(g *rdf.Graph, from []rdf.Term) []rdf.Term {
	switch p.kind {
	case pathPredicate:
		return step(from, func(n rdf.Term) []rdf.Term { return g.Objects(n, p.pred) })
	case pathInverse:
		if p.inner[0].kind == pathPredicate {
			pred := p.inner[0].pred
			return step(from, func(n rdf.Term) []rdf.Term { return g.Subjects(pred, n) })
		}
		return p.inner[0].inverse(g, from)
	case pathSequence:
		for _, q := range p.inner {
			from = q.eval(g, from)
		}
		return from
	case pathAlternative:
		var out []rdf.Term
		for _, q := range p.inner {
			out = union(out, q.eval(g, from))
		}
		return out
	case pathZeroOrOne:
		return union(append([]rdf.Term(nil), from...), p.inner[0].eval(g, from))
	default: // zeroOrMore, oneOrMore: breadth-first to a fixed point
		return p.closure(g, from)
	}
}

// closure follows the operand until no new node appears; the visited set
// bounds it on cyclic data.
func (p *path) closure(g *rdf.Graph, from []rdf.Term) []rdf.Term {
	seen := map[rdf.Term]bool{}
	var out []rdf.Term
	if p.kind == pathZeroOrMore {
		for _, n := range from {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	frontier := from
	for len(frontier) > 0 {
		var next []rdf.Term
		for _, n := range p.inner[0].eval(g, frontier) {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
				next = append(next, n)
			}
		}
		frontier = next
	}
	return out
}

// inverse evaluates p backwards: the nodes from which some start node is
// reachable along p. Used for ^(complex path).
func (p *path) inverse(g *rdf.Graph, from []rdf.Term) []rdf.Term {
	switch p.kind {
	case pathPredicate:
		return step(from, func(n rdf.Term) []rdf.Term { return g.Subjects(p.pred, n) })
	case pathInverse:
		return p.inner[0].eval(g, from)
	case pathSequence:
		for i := len(p.inner) - 1; i >= 0; i-- {
			from = p.inner[i].inverse(g, from)
		}
		return from
	case pathAlternative:
		var out []rdf.Term
		for _, q := range p.inner {
			out = union(out, q.inverse(g, from))
		}
		return out
	case pathZeroOrOne:
		return union(append([]rdf.Term(nil), from...), p.inner[0].inverse(g, from))
	default:
		rev := &path{kind: p.kind, inner: []*path{{kind: pathInverse, inner: p.inner}}}
		return rev.closure(g, from)
	}
}

// step applies next to every node and returns the distinct results.
func step(from []rdf.Term, next func(rdf.Term) []rdf.Term) []rdf.Term {
	if len(from) == 1 {
		return next(from[0])
	}
	var out []rdf.Term
	for _, n := range from {
		out = union(out, next(n))
	}
	return out
}

// smallSet is the size up to which union scans instead of hashing: value
// lists are short, and scanning a few terms beats building a map.
const smallSet = 16

// union appends the members of add not already in set.
func union(set, add []rdf.Term) []rdf.Term {
	if len(set)+len(add) > smallSet {
		ts := termSet{}
		ts.add(set...)
		ts.add(add...)
		return ts.list
	}
	for _, t := range add {
		if !contains(set, t) {
			set = append(set, t)
		}
	}
	return set
}

func contains(set []rdf.Term, t rdf.Term) bool {
	for _, s := range set {
		if s == t {
			return true
		}
	}
	return false
}

// readList returns the members of an RDF list, refusing cycles and
// malformed cells.
func readList(g *rdf.Graph, head rdf.Term) ([]rdf.Term, error) {
	var members []rdf.Term
	seen := map[rdf.Term]bool{}
	for node := head; node != rdf.IRI(rdf.RDFNil); {
		if seen[node] {
			return nil, fmt.Errorf("list %s is cyclic", head)
		}
		seen[node] = true
		first, ok1 := g.Object(node, iriFirst)
		rest, ok2 := g.Object(node, iriRest)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("list %s: node %s lacks rdf:first or rdf:rest", head, node)
		}
		members = append(members, first)
		node = rest
	}
	return members, nil
}
