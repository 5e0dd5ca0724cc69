package rdf

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGraphAgainstList holds Graph to a plain list of distinct triples on
// random graphs whose nodes have from one edge to far more than smallNode,
// so both the scanned and the grouped nodes are checked, and the same
// graph is refilled after Reset.
func TestGraphAgainstList(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	g := NewGraph()
	for round := range 25 {
		g.Reset()
		terms := randomTerms(r, 1+r.IntN(40))
		preds := terms[:1+r.IntN(min(4, len(terms)))]
		var list []Triple
		for range r.IntN(600) {
			tr := Triple{terms[r.IntN(len(terms))], preds[r.IntN(len(preds))], terms[r.IntN(len(terms))]}
			if r.IntN(3) == 0 {
				tr.O = String(fmt.Sprint("lit", r.IntN(5))) // literals only as objects
			}
			isNew := !slices.Contains(list, tr)
			if isNew {
				list = append(list, tr)
			}
			if got := g.Add(tr); got != isNew {
				t.Fatalf("round %d: Add(%v) = %v, want %v", round, tr, got, isNew)
			}
		}
		checkGraph(t, round, g, list, append(terms, String("lit0"), IRI("http://x/absent")))
	}
}

func randomTerms(r *rand.Rand, n int) []Term {
	ts := make([]Term, n)
	for i := range ts {
		if r.IntN(3) == 0 {
			ts[i] = Blank(fmt.Sprint("b", i))
		} else {
			ts[i] = IRI(fmt.Sprint("http://x/", i))
		}
	}
	return ts
}

func checkGraph(t *testing.T, round int, g *Graph, list []Triple, terms []Term) {
	t.Helper()
	if g.Len() != len(list) || !slices.Equal(g.Triples(), list) {
		t.Fatalf("round %d: Triples differ: %d triples, want %d", round, g.Len(), len(list))
	}
	var subjects []Term
	for _, tr := range list {
		if !slices.Contains(subjects, tr.S) {
			subjects = append(subjects, tr.S)
		}
	}
	firstSeen := func(a, b Term) int { return g.rank(a) - g.rank(b) }
	slices.SortStableFunc(subjects, firstSeen)
	if got := g.SubjectTerms(); !slices.Equal(got, subjects) {
		t.Fatalf("round %d: SubjectTerms = %v, want %v", round, got, subjects)
	}
	for _, a := range terms {
		for _, p := range terms {
			var objs, subjs []Term
			for _, tr := range list {
				if tr.S == a && tr.P == p {
					objs = append(objs, tr.O)
				}
				if tr.O == a && tr.P == p {
					subjs = append(subjs, tr.S)
				}
			}
			if got := g.Objects(a, p); !slices.Equal(got, objs) {
				t.Fatalf("round %d: Objects(%v, %v) = %v, want %v", round, a, p, got, objs)
			}
			if got := g.Subjects(p, a); !slices.Equal(got, subjs) {
				t.Fatalf("round %d: Subjects(%v, %v) = %v, want %v", round, p, a, got, subjs)
			}
			if o, ok := g.Object(a, p); ok != (len(objs) > 0) || ok && o != objs[0] {
				t.Fatalf("round %d: Object(%v, %v) = %v, %v", round, a, p, o, ok)
			}
			for _, o := range terms {
				if g.Has(Triple{a, p, o}) != slices.Contains(list, Triple{a, p, o}) {
					t.Fatalf("round %d: Has(%v %v %v) is wrong", round, a, p, o)
				}
			}
			checkMatch(t, round, g, list, a, p)
		}
	}
}

// checkMatch compares Match by subject and by object with the list,
// grouped by predicate in first-seen order as Match promises.
func checkMatch(t *testing.T, round int, g *Graph, list []Triple, a, p Term) {
	t.Helper()
	for _, pattern := range [][3]Term{{a, {}, {}}, {{}, {}, a}, {a, p, {}}, {{}, p, a}} {
		var want []Triple
		for _, tr := range list {
			if (pattern[0].IsZero() || tr.S == pattern[0]) && (pattern[1].IsZero() || tr.P == pattern[1]) &&
				(pattern[2].IsZero() || tr.O == pattern[2]) {
				want = append(want, tr)
			}
		}
		slices.SortStableFunc(want, func(x, y Triple) int { return g.rank(x.P) - g.rank(y.P) })
		got := slices.Collect(g.Match(pattern[0], pattern[1], pattern[2]))
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: Match(%v) = %v, want %v", round, pattern, got, want)
		}
	}
}

// rank is a term's first-seen position, for the orders Graph promises.
func (g *Graph) rank(t Term) int {
	id, ok := g.lookup(t)
	if !ok {
		return -1
	}
	return int(id)
}
