package rdf

import (
	"strconv"
	"strings"
)

// Well-known IRIs used by parsers and writers.
const (
	RDFNS       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	XSDNS       = "http://www.w3.org/2001/XMLSchema#"
	RDFType     = RDFNS + "type"
	RDFFirst    = RDFNS + "first"
	RDFRest     = RDFNS + "rest"
	RDFNil      = RDFNS + "nil"
	RDFSubject  = RDFNS + "subject"
	RDFPred     = RDFNS + "predicate"
	RDFObject   = RDFNS + "object"
	RDFStmt     = RDFNS + "Statement"
	RDFLangStr  = RDFNS + "langString"
	RDFXMLLit   = RDFNS + "XMLLiteral"
	XSDString   = XSDNS + "string"
	XSDBoolean  = XSDNS + "boolean"
	XSDInteger  = XSDNS + "integer"
	XSDDecimal  = XSDNS + "decimal"
	XSDDouble   = XSDNS + "double"
	XSDDateTime = XSDNS + "dateTime"
)

// Kind tells what a Term is. The zero Kind marks the zero Term, which
// Graph.Match treats as a wildcard and a Quad uses for the default graph.
type Kind uint8

// The kinds of term.
const (
	KindNone Kind = iota
	KindIRI
	KindBlank
	KindLiteral
)

// Term is an RDF term. Value holds the IRI, the blank node label (without
// "_:") or the literal's lexical form. Datatype and Lang are set only on
// literals; Datatype is never empty on a literal.
type Term struct {
	Kind     Kind
	Value    string
	Datatype string
	Lang     string
}

// IRI returns an IRI term. The IRI is taken as given (absolute by contract).
func IRI(iri string) Term { return Term{Kind: KindIRI, Value: iri} }

// Blank returns a blank node with the given label.
func Blank(label string) Term { return Term{Kind: KindBlank, Value: label} }

// Literal returns a typed literal; an empty datatype means xsd:string.
func Literal(lex, datatype string) Term {
	if datatype == "" {
		datatype = XSDString
	}
	return Term{Kind: KindLiteral, Value: lex, Datatype: datatype}
}

// LangLiteral returns an rdf:langString literal. The tag is kept as given.
func LangLiteral(lex, lang string) Term {
	return Term{Kind: KindLiteral, Value: lex, Datatype: RDFLangStr, Lang: lang}
}

// String returns the literal's lexical form as a plain xsd:string literal.
func String(lex string) Term { return Term{Kind: KindLiteral, Value: lex, Datatype: XSDString} }

// IsIRI, IsBlank, IsLiteral and IsZero report the term's kind.
func (t Term) IsIRI() bool     { return t.Kind == KindIRI }
func (t Term) IsBlank() bool   { return t.Kind == KindBlank }
func (t Term) IsLiteral() bool { return t.Kind == KindLiteral }
func (t Term) IsZero() bool    { return t.Kind == KindNone }

// String renders the term in N-Triples syntax; the zero term renders empty.
func (t Term) String() string {
	return string(appendTerm(nil, t))
}

// Triple is a subject, predicate and object.
type Triple struct{ S, P, O Term }

// Quad is a triple in a named graph; G is the zero Term for the default
// graph.
type Quad struct{ S, P, O, G Term }

// Triple drops the graph name.
func (q Quad) Triple() Triple { return Triple{q.S, q.P, q.O} }

// String renders the quad as one N-Quads line without the newline.
func (q Quad) String() string {
	return string(appendQuad(nil, q))
}

// String renders the triple as one N-Triples line without the newline.
func (t Triple) String() string { return Quad{S: t.S, P: t.P, O: t.O}.String() }

// BlankNodes invents blank node labels for one document and maps the
// document's own labels so that they never collide with invented ones.
type BlankNodes struct {
	n   uint64
	buf []byte
}

// New returns a fresh blank node.
func (g *BlankNodes) New() Term {
	g.buf = append(g.buf[:0], 'q')
	g.buf = strconv.AppendUint(g.buf, g.n, 10)
	g.n++
	return Term{Kind: KindBlank, Value: string(g.buf)}
}

// Label maps a label written in the document to its blank node. Labels
// starting with 'q' get a "q_" prefix, so they cannot equal an invented
// "q<digits>" label; all others are kept as written.
func (g *BlankNodes) Label(label string) Term {
	if strings.HasPrefix(label, "q") {
		label = "q_" + label
	}
	return Term{Kind: KindBlank, Value: label}
}
