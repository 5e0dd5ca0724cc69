package rdf

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	gonum "gonum.org/v1/gonum/graph/formats/rdf"

	"crypto/sha256"
)

func TestResolve(t *testing.T) {
	// RFC 3986 §5.4 examples.
	base := ParseBase("http://a/b/c/d;p?q")
	cases := map[string]string{
		"g:h": "g:h", "g": "http://a/b/c/g", "./g": "http://a/b/c/g", "g/": "http://a/b/c/g/",
		"/g": "http://a/g", "//g": "http://g", "?y": "http://a/b/c/d;p?y", "g?y": "http://a/b/c/g?y",
		"#s": "http://a/b/c/d;p?q#s", "g#s": "http://a/b/c/g#s", ";x": "http://a/b/c/;x", "": "http://a/b/c/d;p?q",
		".": "http://a/b/c/", "./": "http://a/b/c/", "..": "http://a/b/", "../g": "http://a/b/g",
		"../..": "http://a/", "../../g": "http://a/g", "../../../g": "http://a/g", "/./g": "http://a/g",
		"/../g": "http://a/g", "g.": "http://a/b/c/g.", ".g": "http://a/b/c/.g", "g..": "http://a/b/c/g..",
		"./../g": "http://a/b/g", "./g/.": "http://a/b/c/g/", "g/./h": "http://a/b/c/g/h", "g/../h": "http://a/b/c/h",
		"g;x=1/./y": "http://a/b/c/g;x=1/y", "g;x=1/../y": "http://a/b/c/y", "g?y/./x": "http://a/b/c/g?y/./x",
		"g#s/../x": "http://a/b/c/g#s/../x",
	}
	for ref, want := range cases {
		if got := base.Resolve(ref); got != want {
			t.Errorf("Resolve(%q) = %q, want %q", ref, got, want)
		}
	}
	if got := ParseBase("").Resolve("x"); got != "x" {
		t.Errorf("zero base changed a relative ref: %q", got)
	}
}

func TestDetectFormat(t *testing.T) {
	cases := []struct {
		ct, name string
		want     Format
		ok       bool
	}{
		{"text/turtle; charset=utf-8", "", FormatTurtle, true},
		{"Text/Turtle", "", FormatTurtle, true},
		{"application/xml", "", FormatRDFXML, true},
		{"text/xml; charset=UTF-8", "", FormatRDFXML, true},
		{"application/rdf+xml", "", FormatRDFXML, true},
		{"application/json", "", FormatJSONLD, true},
		{"application/ld+json; profile=\"http://www.w3.org/ns/json-ld#expanded\"", "", FormatJSONLD, true},
		{"application/n-triples", "", FormatNTriples, true},
		{"application/n-quads", "", FormatNQuads, true},
		{"application/trig", "", FormatTriG, true},
		{"text/plain", "dump.nt", FormatNTriples, true},
		{"application/octet-stream", "courses.TTL", FormatTurtle, true},
		{"", "https://x.eu/elm/courses.rdf?page=2", FormatRDFXML, true},
		{"", "data.jsonld", FormatJSONLD, true},
		{"", "data.nq", FormatNQuads, true},
		{"text/html", "index.html", FormatUnknown, false},
		{"", "", FormatUnknown, false},
	}
	for _, c := range cases {
		got, ok := DetectFormat(c.ct, c.name)
		if got != c.want || ok != c.ok {
			t.Errorf("DetectFormat(%q, %q) = %v, %v; want %v, %v", c.ct, c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestCanonicalLang(t *testing.T) {
	for in, want := range map[string]string{"en-gb": "en-GB", "EN": "en", "sr-latn-rs": "sr-Latn-RS", "de-ch-1996": "de-CH-1996", "": "", "x-Klingon-!!": "x-klingon-!!"} {
		if got := CanonicalLang(in); got != want {
			t.Errorf("CanonicalLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTermString(t *testing.T) {
	cases := map[string]Term{
		`<http://x/a\u0020b>`:       IRI("http://x/a b"),
		`_:b1`:                      Blank("b1"),
		`"a\"b\\c\nd"`:              String("a\"b\\c\nd"),
		`"chat"@fr`:                 LangLiteral("chat", "fr"),
		`"1"^^<` + XSDInteger + `>`: Literal("1", XSDInteger),
		`"tab\tcontrol\u0001"`:      String("tab\tcontrol\x01"),
	}
	for want, term := range cases {
		if got := term.String(); got != want {
			t.Errorf("String() = %s, want %s", got, want)
		}
	}
}

func TestGraphIndexes(t *testing.T) {
	g := NewGraph()
	s, p, q := IRI("http://x/s"), IRI("http://x/p"), IRI("http://x/q")
	o1, o2 := String("one"), Blank("b")
	for _, tr := range []Triple{{s, p, o1}, {s, p, o2}, {s, q, o1}, {o2, p, s}, {s, p, o1}} {
		g.Add(tr)
	}
	if g.Len() != 4 {
		t.Fatalf("Len = %d, want 4 (one duplicate)", g.Len())
	}
	if got := g.Objects(s, p); !slices.Equal(got, []Term{o1, o2}) {
		t.Errorf("Objects = %v", got)
	}
	if got := g.Subjects(p, o1); !slices.Equal(got, []Term{s}) {
		t.Errorf("Subjects = %v", got)
	}
	if !g.Has(Triple{o2, p, s}) || g.Has(Triple{s, q, o2}) {
		t.Error("Has is wrong")
	}
	count := func(s, p, o Term) int {
		n := 0
		for range g.Match(s, p, o) {
			n++
		}
		return n
	}
	for _, c := range []struct {
		s, p, o Term
		want    int
	}{
		{Term{}, Term{}, Term{}, 4}, {s, Term{}, Term{}, 3}, {Term{}, p, Term{}, 3},
		{Term{}, Term{}, o1, 2}, {s, p, Term{}, 2}, {Term{}, q, o1, 1}, {IRI("http://nope"), Term{}, Term{}, 0},
	} {
		if got := count(c.s, c.p, c.o); got != c.want {
			t.Errorf("Match(%v,%v,%v) = %d, want %d", c.s, c.p, c.o, got, c.want)
		}
	}
	if got := g.SubjectTerms(); !slices.Equal(got, []Term{s, o2}) {
		t.Errorf("SubjectTerms = %v", got)
	}
}

func TestIsomorphicCases(t *testing.T) {
	p := IRI("http://x/p")
	b := Blank
	q := func(s, o Term) Quad { return Quad{S: s, P: p, O: o} }
	cases := []struct {
		name string
		a, b []Quad
		want bool
	}{
		{"renamed", []Quad{q(b("x"), b("y"))}, []Quad{q(b("m"), b("n"))}, true},
		{"self loop vs edge", []Quad{q(b("x"), b("x"))}, []Quad{q(b("m"), b("n"))}, false},
		{"two cycles vs one", // 2 triangles vs a hexagon: same degrees everywhere
			[]Quad{q(b("a"), b("b")), q(b("b"), b("c")), q(b("c"), b("a")), q(b("d"), b("e")), q(b("e"), b("f")), q(b("f"), b("d"))},
			[]Quad{q(b("1"), b("2")), q(b("2"), b("3")), q(b("3"), b("4")), q(b("4"), b("5")), q(b("5"), b("6")), q(b("6"), b("1"))}, false},
		{"ground differs", []Quad{q(IRI("http://x/a"), String("1"))}, []Quad{q(IRI("http://x/a"), String("2"))}, false},
		{"graph name blank", []Quad{{S: b("x"), P: p, O: b("x"), G: b("g")}}, []Quad{{S: b("y"), P: p, O: b("y"), G: b("h")}}, true},
		{"duplicates ignored", []Quad{q(b("x"), String("a")), q(b("x"), String("a"))}, []Quad{q(b("y"), String("a"))}, true},
	}
	for _, c := range cases {
		if got := Isomorphic(c.a, c.b); got != c.want {
			t.Errorf("%s: Isomorphic = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestIsomorphicAgainstGonum compares Isomorphic with gonum's on random
// graphs, their relabelled copies and one-edge mutations.
func TestIsomorphicAgainstGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		a := randomGraph(r, 2+r.IntN(6), 1+r.IntN(12))
		b := relabel(r, a)
		if r.IntN(2) == 0 {
			b[r.IntN(len(b))].O = Blank(fmt.Sprintf("n%d", r.IntN(8)))
		}
		got := Isomorphic(a, b)
		want := gonum.Isomorphic(toGonum(t, a), toGonum(t, b), false, sha256.New())
		if got != want {
			t.Fatalf("case %d: Isomorphic = %v, gonum says %v\na:\n%s\nb:\n%s", i, got, want, dumpQuads(a), dumpQuads(b))
		}
	}
}

func randomGraph(r *rand.Rand, blanks, n int) []Quad {
	preds := []Term{IRI("http://x/p"), IRI("http://x/q")}
	node := func() Term {
		if r.IntN(5) == 0 {
			return IRI("http://x/i")
		}
		return Blank(fmt.Sprintf("n%d", r.IntN(blanks)))
	}
	seen := map[Quad]bool{}
	var qs []Quad
	for range n {
		q := Quad{S: node(), P: preds[r.IntN(2)], O: node()}
		if !seen[q] {
			seen[q] = true
			qs = append(qs, q)
		}
	}
	return qs
}

func relabel(r *rand.Rand, qs []Quad) []Quad {
	perm := r.Perm(16)
	ren := func(t Term) Term {
		if t.IsBlank() {
			var i int
			fmt.Sscanf(t.Value, "n%d", &i)
			return Blank(fmt.Sprintf("m%d", perm[i]))
		}
		return t
	}
	out := make([]Quad, len(qs))
	for i, q := range qs {
		out[i] = Quad{S: ren(q.S), P: q.P, O: ren(q.O)}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func toGonum(t *testing.T, qs []Quad) []*gonum.Statement {
	var out []*gonum.Statement
	for _, q := range qs {
		s, err := gonum.ParseNQuad(q.String())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return gonum.Deduplicate(out)
}

func dumpQuads(qs []Quad) string {
	var b strings.Builder
	for _, q := range qs {
		b.WriteString(q.String() + "\n")
	}
	return b.String()
}
