// Package turtle parses Turtle and TriG (RDF 1.1) into a stream of quads.
//
// It is the first stage for ELM files served as text/turtle: bytes in,
// rdf.Quad values out through a callback, in document order. The lexer is
// hand-written over a 1 MiB sliding buffer (internal/scan); tokens are
// built in one reusable scratch slice, prefixed names are expanded into it,
// and the resulting IRIs, labels and language tags go through a bounded
// intern table, so repeated vocabulary costs no allocation. Memory use is
// bounded by the buffer, the intern table, the prefix map and the nesting
// depth, not by the document size.
//
// Relative IRIs resolve against Options.Base and @base/BASE; without a
// base they are errors. Blank node labels are scoped to one document (in
// TriG, across its graphs).
package turtle

import (
	"io"

	"qlink/internal/rdf"
	"qlink/internal/rdf/internal/scan"
)

// Parse reads a Turtle document and calls fn for each triple (as a quad in
// the default graph).
func Parse(r io.Reader, opts rdf.Options, fn rdf.QuadFunc) error {
	return newParser(r, opts, fn, false).run()
}

// ParseTriG reads a TriG document and calls fn for each quad.
func ParseTriG(r io.Reader, opts rdf.Options, fn rdf.QuadFunc) error {
	return newParser(r, opts, fn, true).run()
}

type parser struct {
	scan.Base
	trig     bool
	base     rdf.BaseIRI
	prefixes map[string]string
	blanks   rdf.BlankNodes
	depth    int
	graph    rdf.Term
}

func newParser(r io.Reader, opts rdf.Options, fn rdf.QuadFunc, trig bool) *parser {
	format := "turtle"
	if trig {
		format = "trig"
	}
	return &parser{
		Base:     scan.NewBase(r, format, opts, fn),
		trig:     trig,
		base:     rdf.ParseBase(opts.Base),
		prefixes: make(map[string]string),
	}
}

func (p *parser) emit(s, pred, o rdf.Term) error {
	return p.Emit(rdf.Quad{S: s, P: pred, O: o, G: p.graph})
}

func (p *parser) run() error {
	for {
		if end, err := p.AtEnd(); end || err != nil {
			return err
		}
		if err := p.statement(p.R.Peek()); err != nil {
			return err
		}
	}
}

// statement parses one directive, triples statement or (TriG) graph block.
func (p *parser) statement(c int) error {
	if c == '@' {
		return p.atDirective()
	}
	switch p.keyword() {
	case "prefix":
		return p.prefixDirective(false)
	case "base":
		return p.baseDirective(false)
	case "graph":
		if p.trig {
			p.R.Skip(5)
			return p.graphStatement(true)
		}
	}
	if p.trig {
		return p.trigBlock(c)
	}
	if err := p.triples(); err != nil {
		return err
	}
	return p.expect('.', "'.' at the end of a statement")
}

func (p *parser) expect(c byte, what string) error {
	p.R.SkipSpace(true)
	if p.R.Peek() != int(c) {
		return p.R.Errorf("expected %s, found %s", what, p.R.Describe())
	}
	p.R.Skip(1)
	return nil
}

// keyword returns "prefix", "base" or "graph" when the next word is that
// SPARQL-style keyword (any case) and not the start of a prefixed name.
func (p *parser) keyword() string {
	var w [6]byte
	n := 0
	for ; n < len(w); n++ {
		c := p.R.PeekAt(n)
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			break
		}
		w[n] = byte(c) | 0x20
	}
	switch string(w[:n]) {
	case "prefix", "base", "graph":
		if c := p.R.PeekAt(n); c == scan.EOF || scan.IsWS(c) || c == '<' || c == '#' || c == '[' || c == '{' {
			return string(w[:n])
		}
	}
	return ""
}

func (p *parser) atDirective() error {
	p.R.Skip(1)
	switch {
	case p.matchWord("prefix", true):
		return p.prefixDirective(true)
	case p.matchWord("base", false):
		return p.baseDirective(true)
	}
	return p.R.Errorf("expected @prefix or @base")
}

// matchWord consumes w if it comes next followed by a non-name byte
// (colon allows "@prefix:", where the prefix name is empty).
func (p *parser) matchWord(w string, colon bool) bool {
	for i := range len(w) {
		if p.R.PeekAt(i) != int(w[i]) {
			return false
		}
	}
	if c := p.R.PeekAt(len(w)); c != scan.EOF && (scan.IsASCIIName(byte(c)) || c == ':' && !colon) {
		return false
	}
	p.R.Skip(len(w))
	return true
}

func (p *parser) prefixDirective(at bool) error {
	if !at {
		p.R.Skip(6)
	}
	p.R.SkipSpace(true)
	p.Tok = p.Tok[:0]
	tok, err := p.readPrefix(p.Tok)
	p.Tok = tok
	if err != nil {
		return err
	}
	if p.R.Peek() != ':' {
		return p.R.Errorf("expected ':' after prefix name, found %s", p.R.Describe())
	}
	p.R.Skip(1)
	name := string(p.Tok)
	p.R.SkipSpace(true)
	ns, err := p.iriRef()
	if err != nil {
		return err
	}
	p.prefixes[name] = ns
	if at {
		return p.expect('.', "'.' after @prefix")
	}
	return nil
}

func (p *parser) baseDirective(at bool) error {
	if !at {
		p.R.Skip(4)
	}
	p.R.SkipSpace(true)
	iri, err := p.iriRef()
	if err != nil {
		return err
	}
	p.base = rdf.ParseBase(iri)
	if at {
		return p.expect('.', "'.' after @base")
	}
	return nil
}

// triples parses subject predicateObjectList, or a blankNodePropertyList
// with an optional predicateObjectList.
func (p *parser) triples() error {
	var s rdf.Term
	var err error
	optional := false
	switch p.R.Peek() {
	case '[':
		s, optional, err = p.bracket()
	case '(':
		s, err = p.collection()
	default:
		s, err = p.subjectTerm()
	}
	if err != nil {
		return err
	}
	return p.predicateObjectList(s, optional)
}

// bracket parses '[' ... ']' in subject position. optional reports that a
// predicateObjectList may follow but need not (it had properties inside).
func (p *parser) bracket() (rdf.Term, bool, error) {
	p.R.Skip(1)
	p.R.SkipSpace(true)
	if p.R.Peek() == ']' {
		p.R.Skip(1)
		return p.blanks.New(), false, nil
	}
	b, err := p.propertyList()
	return b, true, err
}

// propertyList parses the inside of a blankNodePropertyList after '['.
func (p *parser) propertyList() (rdf.Term, error) {
	if err := p.enter(); err != nil {
		return rdf.Term{}, err
	}
	b := p.blanks.New()
	if err := p.predicateObjectList(b, false); err != nil {
		return b, err
	}
	p.depth--
	return b, p.expect(']', "']' to close '['")
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > p.Lim.MaxDepth {
		return p.R.LimitErr("nesting deeper than %d", p.Lim.MaxDepth)
	}
	return nil
}

// subjectTerm reads an IRI or a labelled blank node.
func (p *parser) subjectTerm() (rdf.Term, error) {
	switch p.R.Peek() {
	case '<':
		iri, err := p.iriRef()
		return rdf.IRI(iri), err
	case '_':
		return p.blankLabel()
	}
	iri, kw, err := p.nameOrKeyword()
	if err == nil && kw != "" {
		err = p.R.Errorf("expected subject, found %q", kw)
	}
	return rdf.IRI(iri), err
}

// predicateObjectList parses verb objectList (';' (verb objectList)?)*.
// With optional set it may also be empty.
func (p *parser) predicateObjectList(s rdf.Term, optional bool) error {
	p.R.SkipSpace(true)
	if optional {
		if c := p.R.Peek(); c == '.' || c == '}' || c == scan.EOF {
			return nil
		}
	}
	for {
		verb, err := p.verb()
		if err != nil {
			return err
		}
		if err := p.objectList(s, verb); err != nil {
			return err
		}
		p.R.SkipSpace(true)
		if p.R.Peek() != ';' {
			return nil
		}
		for p.R.Peek() == ';' {
			p.R.Skip(1)
			p.R.SkipSpace(true)
		}
		if c := p.R.Peek(); c == '.' || c == ']' || c == '}' || c == scan.EOF {
			return nil
		}
	}
}

func (p *parser) verb() (rdf.Term, error) {
	switch c := p.R.Peek(); c {
	case '<':
		iri, err := p.iriRef()
		return rdf.IRI(iri), err
	case 'a':
		if n := p.R.PeekAt(1); n == scan.EOF || scan.IsWS(n) || n == '<' || n == '[' || n == '(' || n == '"' || n == '\'' || n == '_' && p.R.PeekAt(2) == ':' {
			p.R.Skip(1)
			return rdf.IRI(rdf.RDFType), nil
		}
	case scan.EOF, '.', ';', ',', ']', '}', '[', '(', '"', '\'', '_':
		return rdf.Term{}, p.R.Errorf("expected predicate, found %s", p.R.Describe())
	}
	iri, kw, err := p.nameOrKeyword()
	if err == nil && kw != "" {
		err = p.R.Errorf("expected predicate, found %q", kw)
	}
	return rdf.IRI(iri), err
}

func (p *parser) objectList(s, verb rdf.Term) error {
	for {
		p.R.SkipSpace(true)
		o, err := p.object()
		if err != nil {
			return err
		}
		if err := p.emit(s, verb, o); err != nil {
			return err
		}
		p.R.SkipSpace(true)
		if p.R.Peek() != ',' {
			return nil
		}
		p.R.Skip(1)
	}
}

// collection parses ( ... ) after seeing '(' and returns its head.
func (p *parser) collection() (rdf.Term, error) {
	p.R.Skip(1)
	if err := p.enter(); err != nil {
		return rdf.Term{}, err
	}
	head := rdf.IRI(rdf.RDFNil)
	var cur rdf.Term
	for {
		p.R.SkipSpace(true)
		if p.R.Peek() == ')' {
			p.R.Skip(1)
			break
		}
		item, err := p.object()
		if err != nil {
			return head, err
		}
		node := p.blanks.New()
		if cur.IsZero() {
			head = node
		} else if err := p.emit(cur, rdf.IRI(rdf.RDFRest), node); err != nil {
			return head, err
		}
		if err := p.emit(node, rdf.IRI(rdf.RDFFirst), item); err != nil {
			return head, err
		}
		cur = node
	}
	p.depth--
	if !cur.IsZero() {
		return head, p.emit(cur, rdf.IRI(rdf.RDFRest), rdf.IRI(rdf.RDFNil))
	}
	return head, nil
}
