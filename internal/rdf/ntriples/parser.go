// Package ntriples parses N-Triples and N-Quads (RDF 1.1) line by line.
//
// It is the fast path for dumps and for data re-exported by other tools:
// bytes in, rdf.Quad values out through a callback. Memory stays constant
// whatever the input size: one 1 MiB buffer, one scratch token and a
// bounded intern table. Blank node labels are kept exactly as written.
// IRIs must be absolute; Options.Base is ignored, as the format requires.
package ntriples

import (
	"io"

	"qlink/internal/rdf"
	"qlink/internal/rdf/internal/scan"
)

// Parse reads N-Triples; a fourth term (graph name) is an error.
func Parse(r io.Reader, opts rdf.Options, fn rdf.QuadFunc) error {
	return newParser(r, opts, fn, false).run()
}

// ParseQuads reads N-Quads.
func ParseQuads(r io.Reader, opts rdf.Options, fn rdf.QuadFunc) error {
	return newParser(r, opts, fn, true).run()
}

type parser struct {
	scan.Base
	quads bool
	// lastS is the previous subject: dumps list a subject's triples
	// together, so comparing with it saves most subject lookups.
	lastS rdf.Term
}

func newParser(r io.Reader, opts rdf.Options, fn rdf.QuadFunc, quads bool) *parser {
	format := "ntriples"
	if quads {
		format = "nquads"
	}
	return &parser{Base: scan.NewBase(r, format, opts, fn), quads: quads}
}

func (p *parser) run() error {
	for {
		if end, err := p.AtEnd(); end || err != nil {
			return err
		}
		q, err := p.statement()
		if err != nil {
			return err
		}
		if err := p.Emit(q); err != nil {
			return err
		}
	}
}

// statement parses one triple or quad up to the end of its line.
func (p *parser) statement() (rdf.Quad, error) {
	var q rdf.Quad
	var err error
	if q.S, err = p.subject(); err != nil {
		return q, err
	}
	p.skipBlanks()
	if p.R.Peek() != '<' {
		return q, p.R.Errorf("expected predicate IRI, found %s", p.R.Describe())
	}
	if q.P, err = p.iri(); err != nil {
		return q, err
	}
	p.skipBlanks()
	if c := p.R.Peek(); c == '"' {
		q.O, err = p.LiteralTerm('"', false, p.datatype)
	} else {
		q.O, err = p.node("object")
	}
	if err != nil {
		return q, err
	}
	p.skipBlanks()
	if c := p.R.Peek(); c != '.' {
		if !p.quads || c != '<' && c != '_' {
			return q, p.R.Errorf("expected '.' at the end of the statement, found %s", p.R.Describe())
		}
		if q.G, err = p.node("graph name"); err != nil {
			return q, err
		}
		p.skipBlanks()
		if p.R.Peek() != '.' {
			return q, p.R.Errorf("expected '.' at the end of the statement, found %s", p.R.Describe())
		}
	}
	p.R.Skip(1)
	p.skipBlanks()
	if p.R.Peek() == '#' {
		p.R.SkipSpace(true)
		return q, nil
	}
	if c := p.R.Peek(); c != '\n' && c != '\r' && c != scan.EOF {
		return q, p.R.Errorf("expected end of line after '.', found %s", p.R.Describe())
	}
	return q, nil
}

// skipBlanks skips spaces and tabs, which separate terms on a line.
func (p *parser) skipBlanks() {
	for c := p.R.Peek(); c == ' ' || c == '\t'; c = p.R.Peek() {
		p.R.Skip(1)
	}
}

// subject reads the subject, reusing the previous one when it repeats.
func (p *parser) subject() (rdf.Term, error) {
	if p.R.Peek() != '<' {
		return p.node("subject")
	}
	tok, err := p.R.ReadIRIRef(p.Tok[:0], p.Lim.MaxTermBytes)
	p.Tok = tok
	if err != nil {
		return rdf.Term{}, err
	}
	if p.lastS.IsIRI() && string(tok) == p.lastS.Value {
		return p.lastS, nil
	}
	t, err := p.absolute(tok)
	p.lastS = t
	return t, err
}

// node reads an IRI or a blank node label; role names it in errors.
func (p *parser) node(role string) (rdf.Term, error) {
	switch p.R.Peek() {
	case '<':
		return p.iri()
	case '_':
		if p.R.PeekAt(1) != ':' {
			break
		}
		p.R.Skip(2)
		tok, err := p.R.ReadBlankLabel(p.Tok[:0], p.Lim.MaxTermBytes)
		p.Tok = tok
		return rdf.Blank(p.Strs.Get(tok)), err
	}
	return rdf.Term{}, p.R.Errorf("expected %s (IRI or blank node), found %s", role, p.R.Describe())
}

func (p *parser) iri() (rdf.Term, error) {
	tok, err := p.R.ReadIRIRef(p.Tok[:0], p.Lim.MaxTermBytes)
	p.Tok = tok
	if err != nil {
		return rdf.Term{}, err
	}
	return p.absolute(tok)
}

// absolute interns an IRI read into tok and checks that it is absolute.
func (p *parser) absolute(tok []byte) (rdf.Term, error) {
	s := p.Strs.Get(tok)
	if !rdf.IsAbsolute(s) {
		return rdf.Term{}, p.R.Errorf("relative IRI <%s> not allowed", s)
	}
	return rdf.IRI(s), nil
}

// datatype reads the IRIREF after "^^".
func (p *parser) datatype() (string, error) {
	if p.R.Peek() != '<' {
		return "", p.R.Errorf("expected datatype IRI after '^^', found %s", p.R.Describe())
	}
	dt, err := p.iri()
	return dt.Value, err
}
