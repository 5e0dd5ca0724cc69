// Package ntriples parses N-Triples and N-Quads (RDF 1.1) line by line.
//
// It is the fast path for dumps and for data re-exported by other tools:
// bytes in, rdf.Quad values out through a callback. Memory stays constant
// whatever the input size: one 256 KiB buffer, one scratch token and a
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
	r     *scan.Reader
	quads bool
	lim   rdf.Limits
	strs  scan.Interner
	tok   []byte
	out   *rdf.Counter
}

func newParser(r io.Reader, opts rdf.Options, fn rdf.QuadFunc, quads bool) *parser {
	format := "ntriples"
	if quads {
		format = "nquads"
	}
	return &parser{
		r:     scan.NewReader(r, format),
		quads: quads,
		lim:   opts.Limits.WithDefaults(),
		strs:  scan.NewInterner(),
		out:   rdf.NewCounter(opts.Limits.MaxStatements, fn),
	}
}

func (p *parser) run() error {
	for {
		p.r.SkipSpace(true)
		if p.r.Peek() == scan.EOF {
			if err := p.r.ReadErr(); err != nil {
				return p.r.Errorf("read: %v", err)
			}
			return nil
		}
		q, err := p.statement()
		if err != nil {
			return err
		}
		if err := p.out.Emit(q); err != nil {
			if scan.IsLimit(err) {
				return p.r.LimitErr("%v", err)
			}
			return err
		}
	}
}

// statement parses one triple or quad up to the end of its line.
func (p *parser) statement() (rdf.Quad, error) {
	var q rdf.Quad
	var err error
	if q.S, err = p.node("subject"); err != nil {
		return q, err
	}
	p.skipBlanks()
	if p.r.Peek() != '<' {
		return q, p.r.Errorf("expected predicate IRI, found %s", p.r.Describe())
	}
	if q.P, err = p.iri(); err != nil {
		return q, err
	}
	p.skipBlanks()
	if c := p.r.Peek(); c == '"' {
		q.O, err = p.literal()
	} else {
		q.O, err = p.node("object")
	}
	if err != nil {
		return q, err
	}
	p.skipBlanks()
	if c := p.r.Peek(); c != '.' {
		if !p.quads || c != '<' && c != '_' {
			return q, p.r.Errorf("expected '.' at the end of the statement, found %s", p.r.Describe())
		}
		if q.G, err = p.node("graph name"); err != nil {
			return q, err
		}
		p.skipBlanks()
		if p.r.Peek() != '.' {
			return q, p.r.Errorf("expected '.' at the end of the statement, found %s", p.r.Describe())
		}
	}
	p.r.Skip(1)
	p.skipBlanks()
	if p.r.Peek() == '#' {
		p.r.SkipSpace(true)
		return q, nil
	}
	if c := p.r.Peek(); c != '\n' && c != '\r' && c != scan.EOF {
		return q, p.r.Errorf("expected end of line after '.', found %s", p.r.Describe())
	}
	return q, nil
}

// skipBlanks skips spaces and tabs, which separate terms on a line.
func (p *parser) skipBlanks() {
	for c := p.r.Peek(); c == ' ' || c == '\t'; c = p.r.Peek() {
		p.r.Skip(1)
	}
}

// node reads an IRI or a blank node label; role names it in errors.
func (p *parser) node(role string) (rdf.Term, error) {
	switch p.r.Peek() {
	case '<':
		return p.iri()
	case '_':
		if p.r.PeekAt(1) != ':' {
			break
		}
		p.r.Skip(2)
		tok, err := p.r.ReadBlankLabel(p.tok[:0], p.lim.MaxTermBytes)
		p.tok = tok
		return rdf.Blank(p.strs.Get(tok)), err
	}
	return rdf.Term{}, p.r.Errorf("expected %s (IRI or blank node), found %s", role, p.r.Describe())
}

func (p *parser) iri() (rdf.Term, error) {
	tok, err := p.r.ReadIRIRef(p.tok[:0], p.lim.MaxTermBytes)
	p.tok = tok
	if err != nil {
		return rdf.Term{}, err
	}
	s := p.strs.Get(tok)
	if !rdf.IsAbsolute(s) {
		return rdf.Term{}, p.r.Errorf("relative IRI <%s> not allowed", s)
	}
	return rdf.IRI(s), nil
}

func (p *parser) literal() (rdf.Term, error) {
	p.r.Skip(1)
	tok, err := p.r.ReadString(p.tok[:0], '"', false, p.lim.MaxTermBytes)
	p.tok = tok
	if err != nil {
		return rdf.Term{}, err
	}
	lex := p.strs.Lexical(tok)
	switch p.r.Peek() {
	case '@':
		p.r.Skip(1)
		tok, err = p.r.ReadLangTag(p.tok[:0])
		p.tok = tok
		return rdf.LangLiteral(lex, p.strs.Get(tok)), err
	case '^':
		if p.r.PeekAt(1) != '^' || p.r.PeekAt(2) != '<' {
			return rdf.Term{}, p.r.Errorf("expected '^^<' before datatype IRI")
		}
		p.r.Skip(2)
		dt, err := p.iri()
		return rdf.Literal(lex, dt.Value), err
	}
	return rdf.String(lex), nil
}
