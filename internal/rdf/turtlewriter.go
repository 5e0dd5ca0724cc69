package rdf

import (
	"bufio"
	"io"
	"regexp"
	"slices"
	"strings"
)

// WriteTurtle writes g as Turtle: @prefix lines for the prefixes (prefix →
// namespace IRI) that are used, one block per subject with predicates and
// objects grouped, "a" for rdf:type, bare numbers and booleans where the
// lexical form allows, and blank nodes that are the object of exactly one
// triple written inline as [ ... ]. Other blank nodes keep a label.
// Subjects appear in the order the graph first saw them.
func WriteTurtle(w io.Writer, g *Graph, prefixes map[string]string) error {
	tw := &turtleWriter{w: bufio.NewWriter(w), g: g}
	tw.setPrefixes(prefixes)
	tw.planBlanks()
	tw.writePrefixes()
	for _, s := range g.SubjectTerms() {
		if tw.inline[s] || tw.done[s] {
			continue
		}
		tw.writeSubject(s)
	}
	return tw.w.Flush()
}

type turtleWriter struct {
	w      *bufio.Writer
	g      *Graph
	ns     []nsPrefix // longest namespace first
	used   map[string]bool
	inline map[Term]bool // blank nodes written nested where referenced
	done   map[Term]bool
}

type nsPrefix struct{ prefix, ns string }

func (tw *turtleWriter) setPrefixes(prefixes map[string]string) {
	for p, ns := range prefixes {
		tw.ns = append(tw.ns, nsPrefix{p, ns})
	}
	slices.SortFunc(tw.ns, func(a, b nsPrefix) int {
		if len(a.ns) != len(b.ns) {
			return len(b.ns) - len(a.ns)
		}
		return strings.Compare(a.prefix, b.prefix)
	})
	tw.used = map[string]bool{}
	tw.done = map[Term]bool{}
}

// planBlanks picks the blank nodes to nest: referenced once as an object,
// never as a graph-level cycle member that no named subject reaches.
func (tw *turtleWriter) planBlanks() {
	refs := map[Term]int{}
	for t := range tw.g.All() {
		if t.O.IsBlank() {
			refs[t.O]++
		}
	}
	tw.inline = map[Term]bool{}
	for b, n := range refs {
		if n == 1 {
			tw.inline[b] = true
		}
	}
	// A cycle of once-referenced blank nodes is reachable from no root;
	// label one member of each such cycle until everything is reachable.
	seen := map[Term]bool{}
	var walk func(Term)
	walk = func(s Term) {
		for t := range tw.g.Match(s, Term{}, Term{}) {
			if tw.inline[t.O] && !seen[t.O] {
				seen[t.O] = true
				walk(t.O)
			}
		}
	}
	subjects := tw.g.SubjectTerms()
	for _, s := range subjects {
		if !tw.inline[s] {
			walk(s)
		}
	}
	for _, s := range subjects {
		if tw.inline[s] && !seen[s] {
			tw.inline[s] = false
			walk(s)
		}
	}
	// Scan once more to find the prefixes actually used.
	for t := range tw.g.All() {
		for _, x := range []Term{t.S, t.P, t.O} {
			tw.termString(x, false)
		}
	}
}

func (tw *turtleWriter) writePrefixes() {
	var ps []nsPrefix
	for _, p := range tw.ns {
		if tw.used[p.prefix] {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b nsPrefix) int { return strings.Compare(a.prefix, b.prefix) })
	for _, p := range ps {
		tw.w.WriteString("@prefix " + p.prefix + ": ")
		tw.w.Write(appendIRI(nil, p.ns))
		tw.w.WriteString(" .\n")
	}
	if len(ps) > 0 {
		tw.w.WriteByte('\n')
	}
}

func (tw *turtleWriter) writeSubject(s Term) {
	tw.done[s] = true
	if s.IsBlank() && !tw.isReferenced(s) {
		tw.w.WriteString("[")
		tw.writeProperties(s, 1, " ")
		tw.w.WriteString("\n] .\n\n")
		return
	}
	tw.w.WriteString(tw.termString(s, false))
	tw.writeProperties(s, 1, " ")
	tw.w.WriteString(" .\n\n")
}

func (tw *turtleWriter) isReferenced(b Term) bool {
	for range tw.g.Match(Term{}, Term{}, b) {
		return true
	}
	return false
}

// writeProperties writes "p o , o ;\n p o" for s at the given indent
// level; lead is written before the first predicate.
func (tw *turtleWriter) writeProperties(s Term, level int, lead string) {
	indent := strings.Repeat("    ", level)
	var last Term
	first := true
	for t := range tw.g.Match(s, Term{}, Term{}) {
		switch {
		case first:
			tw.w.WriteString(lead + tw.termString(t.P, true) + " ")
			first = false
		case t.P == last:
			tw.w.WriteString(" , ")
		default:
			tw.w.WriteString(" ;\n" + indent + tw.termString(t.P, true) + " ")
		}
		last = t.P
		tw.writeObject(t.O, level)
	}
}

func (tw *turtleWriter) writeObject(o Term, level int) {
	if !tw.inline[o] {
		tw.w.WriteString(tw.termString(o, false))
		return
	}
	tw.done[o] = true
	if !tw.hasProps(o) {
		tw.w.WriteString("[]")
		return
	}
	tw.w.WriteString("[\n" + strings.Repeat("    ", level+1))
	tw.writeProperties(o, level+1, "")
	tw.w.WriteString("\n" + strings.Repeat("    ", level) + "]")
}

func (tw *turtleWriter) hasProps(s Term) bool {
	for range tw.g.Match(s, Term{}, Term{}) {
		return true
	}
	return false
}

var (
	bareNumber = regexp.MustCompile(`^[+-]?[0-9]+$`)
	bareDec    = regexp.MustCompile(`^[+-]?[0-9]*\.[0-9]+$`)
)

// safeLocal reports whether a local name can follow a prefix as it is:
// letters, digits and '_', with '.' and '-' inside ('-' also last). It is
// the regular expression ^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$
// written out, as every IRI the writer prints passes through it.
func safeLocal(s string) bool {
	word := func(c byte) bool { return c == '_' || '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z' }
	if s == "" || !word(s[0]) || s[len(s)-1] == '.' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !word(c) && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// termString renders a term in Turtle; pred selects "a" for rdf:type.
func (tw *turtleWriter) termString(t Term, pred bool) string {
	var b strings.Builder
	switch t.Kind {
	case KindIRI:
		if pred && t.Value == RDFType {
			return "a"
		}
		b.WriteString(tw.iri(t.Value))
	case KindBlank:
		b.WriteString("_:" + BlankLabel(t.Value))
	case KindLiteral:
		switch {
		case t.Datatype == XSDInteger && bareNumber.MatchString(t.Value),
			t.Datatype == XSDDecimal && bareDec.MatchString(t.Value),
			t.Datatype == XSDBoolean && (t.Value == "true" || t.Value == "false"):
			return t.Value
		}
		b.WriteByte('"')
		b.Write(appendEscaped(nil, t.Value))
		b.WriteByte('"')
		switch {
		case t.Lang != "":
			b.WriteString("@" + t.Lang)
		case t.Datatype != XSDString && t.Datatype != "":
			b.WriteString("^^" + tw.iri(t.Datatype))
		}
	}
	return b.String()
}

func (tw *turtleWriter) iri(iri string) string {
	for _, p := range tw.ns {
		if local, ok := strings.CutPrefix(iri, p.ns); ok && (local == "" || safeLocal(local)) {
			tw.used[p.prefix] = true
			return p.prefix + ":" + local
		}
	}
	return string(appendIRI(nil, iri))
}
