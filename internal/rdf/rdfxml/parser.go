// Package rdfxml parses RDF/XML (RDF 1.1 XML Syntax) into a stream of
// quads in the default graph.
//
// It is the first stage for ELM and DCAT files served as application/xml:
// bytes in, rdf.Quad values out through a callback. It reads the
// encoding/xml raw token stream and keeps its own namespace stack (RawToken
// skips the decoder's per-token namespace copies), so memory is bounded by
// element depth, not document size, except for the set of rdf:ID values
// that must stay unique per document.
//
// Hostile input: the decoder runs in strict mode and never fetches
// external entities. A DOCTYPE may declare simple internal entities (as
// OWL files do for namespace IRIs); only values without markup or further
// references and of at most 512 bytes are accepted, 64 at most, so a
// "billion laughs" expansion cannot happen. Element nesting, literal size
// and statement count obey rdf.Limits.
//
// Supported: rdf:RDF or a lone node element as root, typed node elements,
// property attributes, rdf:ID (with reification), rdf:nodeID, rdf:about,
// rdf:resource, rdf:datatype, rdf:li, rdf:parseType Resource, Literal
// (exclusive-canonical XML literal) and Collection, xml:base, xml:lang.
package rdfxml

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"qlink/internal/rdf"
	"qlink/internal/rdf/internal/scan"
)

const xmlNS = "http://www.w3.org/XML/1998/namespace"

// Parse reads an RDF/XML document and calls fn for each triple.
func Parse(r io.Reader, opts rdf.Options, fn rdf.QuadFunc) error {
	p := newParser(opts, fn)
	p.d = newXMLTokenizer(r, p.entities, p.lim.MaxTermBytes)
	return p.run()
}

// parseStd is Parse on encoding/xml's tokenizer: the reference the
// differential tests compare the fast tokenizer with.
func parseStd(r io.Reader, opts rdf.Options, fn rdf.QuadFunc) error {
	p := newParser(opts, fn)
	d := xml.NewDecoder(r)
	d.Strict = true
	d.Entity = p.entities
	p.d = stdTokenizer{d}
	return p.run()
}

func (p *parser) run() error {
	err := p.document()
	var pe *rdf.ParseError
	if err != nil && !errors.As(err, &pe) && !errors.Is(err, rdf.ErrLimit) && p.userErr != err {
		return p.errorf("%v", err)
	}
	return err
}

type parser struct {
	d        tokenizer
	tok      token
	entities map[string]string // declared in the DOCTYPE; shared with d
	nsUndo   []string          // prefixes pushed by open elements, innermost last
	nsMarks  []int             // len(nsUndo) when each open element started
	lim      rdf.Limits
	ns       map[string][]string // prefix → stack of namespace IRIs
	blanks   rdf.BlankNodes
	ids      map[string]struct{} // rdf:ID IRIs seen, which must be unique
	out      *rdf.Counter
	strs     scan.Interner
	buf      []byte
	depth    int
	userErr  error // an error returned by the callback, passed through as is
	base     rdf.BaseIRI
	validNS  map[string]bool // namespace names checked by absolute
	// iris caches the IRI of each prefixed (or default-namespace element)
	// name; it is cleared whenever a prefix is bound to something new.
	iris map[xml.Name]string
}

// scope is what an element inherits: base IRI and language.
type scope struct {
	base rdf.BaseIRI
	lang string
}

func newParser(opts rdf.Options, fn rdf.QuadFunc) *parser {
	return &parser{
		entities: map[string]string{},
		validNS:  map[string]bool{},
		iris:     map[xml.Name]string{},
		lim:      opts.Limits.WithDefaults(),
		base:     rdf.ParseBase(opts.Base),
		ns:       map[string][]string{"xml": {xmlNS}},
		ids:      map[string]struct{}{},
		out:      rdf.NewCounter(opts.Limits.MaxStatements, fn),
		strs:     scan.NewInterner(),
	}
}

func (p *parser) errorf(format string, args ...any) error {
	line, col := p.d.InputPos()
	var cause error
	for _, a := range args {
		if e, ok := a.(error); ok {
			cause = e
		}
	}
	return &rdf.ParseError{Format: "rdfxml", Line: line, Column: col, Offset: p.d.InputOffset(), Msg: fmt.Sprintf(format, args...), Err: cause}
}

func (p *parser) limitf(format string, args ...any) error {
	line, col := p.d.InputPos()
	return &rdf.ParseError{Format: "rdfxml", Line: line, Column: col, Offset: p.d.InputOffset(), Msg: fmt.Sprintf(format, args...), Err: rdf.ErrLimit}
}

func (p *parser) emit(s, pred, o rdf.Term) error {
	err := p.out.Emit(rdf.Quad{S: s, P: pred, O: o})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, rdf.ErrLimit):
		return p.limitf("%v", err)
	}
	p.userErr = err
	return err
}

// next returns the next start element, end element or character data,
// handling DOCTYPE entity declarations and skipping comments and
// processing instructions. The token's attributes and text alias the
// tokenizer's buffers until the following call.
func (p *parser) next() (*token, error) {
	for {
		err := p.d.next(&p.tok)
		if err != nil {
			var pe *rdf.ParseError
			if err == io.EOF || errors.As(err, &pe) {
				return nil, err
			}
			return nil, p.errorf("%v", err)
		}
		switch p.tok.kind {
		case tokStart, tokEnd, tokText:
			return &p.tok, nil
		case tokDirective:
			if err := p.directive(p.tok.text); err != nil {
				return nil, err
			}
		}
	}
}

// document parses the whole input: rdf:RDF or one node element.
func (p *parser) document() error {
	sc := scope{base: p.base}
	for {
		tok, err := p.next()
		if err == io.EOF {
			return p.errorf("no root element")
		}
		if err != nil {
			return err
		}
		switch t := tok; t.kind {
		case tokText:
			if !isSpace(t.text) {
				return p.errorf("text before the root element")
			}
		case tokStart:
			if err := p.root(t.start, sc); err != nil {
				return err
			}
			return p.trailer()
		default:
			return p.errorf("unexpected end tag")
		}
	}
}

// trailer checks that only white space, comments and PIs follow the root.
func (p *parser) trailer() error {
	for {
		tok, err := p.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if tok.kind != tokText || !isSpace(tok.text) {
			return p.errorf("content after the root element")
		}
	}
}

func (p *parser) root(se xml.StartElement, sc scope) error {
	if err := p.enter(se); err != nil {
		return err
	}
	iri, err := p.elemIRI(se.Name)
	if err != nil {
		return err
	}
	if iri != rdf.RDFNS+"RDF" {
		_, err := p.nodeElementBody(se, iri, sc)
		return err
	}
	if sc, err = p.scopeFor(se, sc); err != nil {
		return err
	}
	for _, a := range se.Attr {
		if isNSDecl(a.Name) || a.Name.Space == "xml" {
			continue
		}
		return p.errorf("unexpected attribute %s on rdf:RDF", qname(a.Name))
	}
	return p.children(se, "directly inside rdf:RDF", func(child xml.StartElement) error {
		_, err := p.nodeElement(child, sc)
		return err
	})
}

// children reads the content of element se up to its end tag: white
// space is skipped, text is an error (where names the place in the
// message) and each child element goes to onStart.
func (p *parser) children(se xml.StartElement, where string, onStart func(xml.StartElement) error) error {
	for {
		tok, err := p.content()
		if err != nil {
			return err
		}
		switch tok.kind {
		case tokStart:
			if err := onStart(tok.start); err != nil {
				return err
			}
		case tokEnd:
			return p.leave(se, tok.end)
		case tokText:
			if !isSpace(tok.text) {
				return p.errorf("text not allowed %s", where)
			}
		}
	}
}

// content is next for element content, where the document may not end.
func (p *parser) content() (*token, error) {
	tok, err := p.next()
	if err != nil {
		return nil, p.eofErr(err)
	}
	return tok, nil
}

func (p *parser) eofErr(err error) error {
	if err == io.EOF {
		return p.errorf("unexpected end of document")
	}
	return err
}

// enter pushes an element's namespace declarations and checks depth.
func (p *parser) enter(se xml.StartElement) error {
	p.depth++
	if p.depth > p.lim.MaxDepth {
		return p.limitf("elements nested deeper than %d", p.lim.MaxDepth)
	}
	p.nsMarks = append(p.nsMarks, len(p.nsUndo))
	for _, a := range se.Attr {
		prefix := a.Name.Local
		switch {
		case a.Name.Space == "xmlns":
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			prefix = ""
		default:
			continue
		}
		if cur, _ := p.nsURI(prefix); cur != a.Value {
			clear(p.iris)
		}
		p.ns[prefix] = append(p.ns[prefix], a.Value)
		p.nsUndo = append(p.nsUndo, prefix)
	}
	return nil
}

// leave pops what enter pushed and checks that the end tag matches.
func (p *parser) leave(se xml.StartElement, ee xml.EndElement) error {
	if ee.Name != se.Name {
		return p.errorf("element <%s> closed by </%s>", qname(se.Name), qname(ee.Name))
	}
	p.depth--
	mark := p.nsMarks[len(p.nsMarks)-1]
	p.nsMarks = p.nsMarks[:len(p.nsMarks)-1]
	for _, prefix := range p.nsUndo[mark:] {
		st := p.ns[prefix]
		if len(st) < 2 || st[len(st)-2] != st[len(st)-1] {
			clear(p.iris)
		}
		p.ns[prefix] = st[:len(st)-1]
	}
	p.nsUndo = p.nsUndo[:mark]
	return nil
}

func isNSDecl(n xml.Name) bool { return n.Space == "xmlns" || n.Space == "" && n.Local == "xmlns" }

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// nsURI returns the namespace bound to prefix.
func (p *parser) nsURI(prefix string) (string, bool) {
	st := p.ns[prefix]
	if len(st) == 0 {
		return "", false
	}
	return st[len(st)-1], true
}

// elemIRI maps an element name to its IRI.
func (p *parser) elemIRI(n xml.Name) (string, error) {
	if iri, ok := p.iris[n]; ok {
		return iri, nil
	}
	ns, ok := p.nsURI(n.Space)
	if !ok && n.Space != "" {
		return "", p.errorf("undeclared namespace prefix %q", n.Space)
	}
	if ns == "" {
		return "", p.errorf("element <%s> has no namespace", n.Local)
	}
	return p.absolute(p.concat(ns, n.Local), n)
}

// absolute checks that a name's IRI (namespace + local name) is a valid
// absolute IRI, as RDF requires. A local name (an NCName) cannot hold a
// character IRIs forbid, so only the namespace needs checking: once per
// namespace, remembered in validNS.
func (p *parser) absolute(iri string, n xml.Name) (string, error) {
	ns := iri[:len(iri)-len(n.Local)]
	valid, seen := p.validNS[ns]
	if !seen {
		valid = rdf.IsValidIRI(iri)
		p.validNS[ns] = valid
	}
	if !valid {
		return "", p.errorf("<%s> does not name a valid absolute IRI (namespace %q)", qname(n), ns)
	}
	p.iris[n] = iri
	return iri, nil
}

func (p *parser) concat(a, b string) string {
	p.buf = append(append(p.buf[:0], a...), b...)
	return p.strs.Get(p.buf)
}

// attrIRI maps an attribute name to its IRI; "" means the attribute is to
// be ignored (xml:*, or unqualified names starting with "xml").
func (p *parser) attrIRI(n xml.Name) (string, error) {
	if n.Space == "" {
		switch n.Local {
		case "ID", "about", "resource", "parseType", "type", "nodeID", "datatype":
			// Unqualified forms of rdf: attributes, allowed for backwards
			// compatibility (RDF/XML §6.1.4).
			return rdf.RDFNS + n.Local, nil
		}
		if strings.HasPrefix(strings.ToLower(n.Local), "xml") {
			return "", nil
		}
		return "", p.errorf("attribute %q has no namespace", n.Local)
	}
	if n.Space == "xml" {
		return "", nil
	}
	if iri, ok := p.iris[n]; ok {
		return iri, nil
	}
	ns, ok := p.nsURI(n.Space)
	if !ok {
		return "", p.errorf("undeclared namespace prefix %q", n.Space)
	}
	if strings.HasPrefix(strings.ToLower(n.Space), "xml") && ns == xmlNS {
		return "", nil
	}
	return p.absolute(p.concat(ns, n.Local), n)
}

// scopeFor applies xml:base and xml:lang.
func (p *parser) scopeFor(se xml.StartElement, sc scope) (scope, error) {
	for _, a := range se.Attr {
		if a.Name.Space != "xml" {
			continue
		}
		switch a.Name.Local {
		case "base":
			sc.base = rdf.ParseBase(sc.base.Resolve(a.Value))
		case "lang":
			sc.lang = p.strs.Get([]byte(a.Value))
		}
	}
	return sc, nil
}

func isSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}
