package rdfxml

import (
	"encoding/xml"
	"strconv"
	"strings"
	"unicode"

	"qlink/internal/rdf"
)

// The rdf: syntax attributes, as indexes into attrs.
const (
	aID = iota
	aNodeID
	aAbout
	aResource
	aDatatype
	aParseType
	aType // rdf:type on a node element; on a property element it is a property
	nSyntaxAttrs
)

var syntaxAttrs = map[string]int{
	rdf.RDFNS + "ID": aID, rdf.RDFNS + "nodeID": aNodeID, rdf.RDFNS + "about": aAbout,
	rdf.RDFNS + "resource": aResource, rdf.RDFNS + "datatype": aDatatype,
	rdf.RDFNS + "parseType": aParseType, rdf.RDFType: aType,
}

// syntaxAttr looks iri up in syntaxAttrs, skipping the map for the
// attributes outside the rdf: namespace, which are most of them.
func syntaxAttr(iri string) (int, bool) {
	if !strings.HasPrefix(iri, rdf.RDFNS) {
		return 0, false
	}
	k, ok := syntaxAttrs[iri]
	return k, ok
}

// attrs is an element's attributes sorted into RDF roles.
type attrs struct {
	val   [nSyntaxAttrs]string
	has   [nSyntaxAttrs]bool
	props []prop // property attributes (including rdf:type on property elements)
}

type prop struct{ pred, value string }

// forbidden lists rdf: names that may not appear as element or attribute
// names in the given role (RDF/XML §7.2.2-7.2.5).
var (
	coreSyntax = []string{"RDF", "ID", "about", "parseType", "resource", "nodeID", "datatype"}
	oldTerms   = []string{"aboutEach", "aboutEachPrefix", "bagID"}
)

func isRDF(iri string, names ...[]string) bool {
	if len(iri) <= len(rdf.RDFNS) || iri[:len(rdf.RDFNS)] != rdf.RDFNS {
		return false
	}
	local := iri[len(rdf.RDFNS):]
	for _, list := range names {
		for _, n := range list {
			if n == local {
				return true
			}
		}
	}
	return false
}

// readAttrs sorts attributes; nodeElem selects the node-element rules.
func (p *parser) readAttrs(se xml.StartElement, nodeElem bool) (attrs, error) {
	var a attrs
	for _, at := range se.Attr {
		if isNSDecl(at.Name) {
			continue
		}
		iri, err := p.attrIRI(at.Name)
		if err != nil {
			return a, err
		}
		if iri == "" {
			continue
		}
		if len(at.Value) > p.lim.MaxTermBytes {
			return a, p.limitf("attribute value longer than %d bytes", p.lim.MaxTermBytes)
		}
		if k, ok := syntaxAttr(iri); ok && (k != aType || nodeElem) {
			a.val[k], a.has[k] = at.Value, true
			continue
		}
		if isRDF(iri, oldTerms, []string{"li", "Description", "RDF"}) {
			return a, p.errorf("rdf:%s is not allowed as an attribute", iri[len(rdf.RDFNS):])
		}
		a.props = append(a.props, prop{iri, at.Value})
	}
	if nodeElem && (a.has[aResource] || a.has[aDatatype] || a.has[aParseType]) {
		return a, p.errorf("rdf:resource, rdf:datatype and rdf:parseType are not allowed on a node element")
	}
	if nodeElem && btoi(a.has[aID])+btoi(a.has[aNodeID])+btoi(a.has[aAbout]) > 1 {
		return a, p.errorf("only one of rdf:ID, rdf:nodeID and rdf:about may be given")
	}
	if !nodeElem && (a.has[aAbout] || a.has[aResource] && a.has[aNodeID]) {
		return a, p.errorf("a property element takes rdf:resource or rdf:nodeID, not both, and no rdf:about")
	}
	if a.has[aID] && nodeElem {
		if err := p.checkNCName(a.val[aID]); err != nil {
			return a, err
		}
	}
	if a.has[aNodeID] {
		if err := p.checkNCName(a.val[aNodeID]); err != nil {
			return a, err
		}
	}
	return a, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// idIRI turns rdf:ID into base#ID, which must be unique in the document.
func (p *parser) idIRI(id string, sc scope) (rdf.Term, error) {
	if err := p.checkNCName(id); err != nil {
		return rdf.Term{}, err
	}
	iri := sc.base.Resolve("#" + id)
	if _, dup := p.ids[iri]; dup {
		return rdf.Term{}, p.errorf("rdf:ID %q used twice", id)
	}
	p.ids[iri] = struct{}{}
	return rdf.IRI(iri), nil
}

func (p *parser) checkNCName(s string) error {
	for i, c := range s {
		if !(c == '_' || unicode.IsLetter(c) || i > 0 && (c == '-' || c == '.' || unicode.IsDigit(c) || c == 0xB7 || unicode.Is(unicode.Mn, c) || unicode.Is(unicode.Mc, c))) {
			return p.errorf("%q is not an XML NCName", s)
		}
	}
	if s == "" {
		return p.errorf("empty rdf:ID or rdf:nodeID")
	}
	return nil
}

// nodeElement parses a node element and returns its subject.
func (p *parser) nodeElement(se xml.StartElement, sc scope) (rdf.Term, error) {
	if err := p.enter(se); err != nil {
		return rdf.Term{}, err
	}
	iri, err := p.elemIRI(se.Name)
	if err != nil {
		return rdf.Term{}, err
	}
	return p.nodeElementBody(se, iri, sc)
}

// nodeElementBody does the work of nodeElement after enter.
func (p *parser) nodeElementBody(se xml.StartElement, iri string, sc scope) (rdf.Term, error) {
	if isRDF(iri, coreSyntax, oldTerms, []string{"li"}) {
		return rdf.Term{}, p.errorf("rdf:%s cannot be a node element", iri[len(rdf.RDFNS):])
	}
	sc, _ = p.scopeFor(se, sc)
	a, err := p.readAttrs(se, true)
	if err != nil {
		return rdf.Term{}, err
	}
	var s rdf.Term
	switch {
	case a.has[aID]:
		s, err = p.idIRI(a.val[aID], sc)
	case a.has[aNodeID]:
		s = p.blanks.Label(a.val[aNodeID])
	case a.has[aAbout]:
		s, err = p.resolve(a.val[aAbout], sc)
	default:
		s = p.blanks.New()
	}
	if err != nil {
		return s, err
	}
	if iri != rdf.RDFNS+"Description" {
		if err := p.emit(s, rdf.IRI(rdf.RDFType), rdf.IRI(iri)); err != nil {
			return s, err
		}
	}
	if a.has[aType] {
		t, err := p.resolve(a.val[aType], sc)
		if err != nil {
			return s, err
		}
		if err := p.emit(s, rdf.IRI(rdf.RDFType), t); err != nil {
			return s, err
		}
	}
	if err := p.propertyAttrs(s, a.props, sc); err != nil {
		return s, err
	}
	return s, p.propertyElements(se, s, sc)
}

func (p *parser) resolve(ref string, sc scope) (rdf.Term, error) {
	iri := sc.base.Resolve(ref)
	if !rdf.IsValidIRI(iri) {
		if !rdf.IsAbsolute(iri) {
			return rdf.Term{}, p.errorf("relative IRI %q and no base IRI", ref)
		}
		return rdf.Term{}, p.errorf("invalid IRI %q", iri)
	}
	return rdf.IRI(p.strs.Get([]byte(iri))), nil
}

// propertyAttrs emits property attributes as literals (rdf:type as IRI).
func (p *parser) propertyAttrs(s rdf.Term, props []prop, sc scope) error {
	for _, pr := range props {
		o := p.plainLiteral(pr.value, sc)
		if pr.pred == rdf.RDFType {
			var err error
			if o, err = p.resolve(pr.value, sc); err != nil {
				return err
			}
		}
		if err := p.emit(s, rdf.IRI(pr.pred), o); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) plainLiteral(v string, sc scope) rdf.Term {
	if sc.lang != "" {
		return rdf.LangLiteral(v, sc.lang)
	}
	return rdf.String(v)
}

// propertyElements parses the children of a node element up to its end tag.
func (p *parser) propertyElements(parent xml.StartElement, s rdf.Term, sc scope) error {
	li := 0
	return p.children(parent, "between property elements", func(child xml.StartElement) error {
		return p.propertyElement(child, s, sc, &li)
	})
}

// propertyElement parses one property element of subject s.
func (p *parser) propertyElement(se xml.StartElement, s rdf.Term, sc scope, li *int) error {
	if err := p.enter(se); err != nil {
		return err
	}
	iri, err := p.elemIRI(se.Name)
	if err != nil {
		return err
	}
	switch {
	case iri == rdf.RDFNS+"li":
		*li++
		iri = rdf.RDFNS + "_" + strconv.Itoa(*li)
	case isRDF(iri, coreSyntax, oldTerms, []string{"Description"}):
		return p.errorf("rdf:%s cannot be a property element", iri[len(rdf.RDFNS):])
	}
	sc, _ = p.scopeFor(se, sc)
	a, err := p.readAttrs(se, false)
	if err != nil {
		return err
	}
	pred := rdf.IRI(iri)
	if a.has[aParseType] {
		if a.has[aResource] || a.has[aNodeID] || a.has[aDatatype] || len(a.props) > 0 {
			return p.errorf("rdf:parseType cannot be combined with rdf:resource, rdf:nodeID, rdf:datatype or property attributes")
		}
		switch a.val[aParseType] {
		case "Resource":
			return p.parseTypeResource(se, s, pred, a, sc)
		case "Collection":
			return p.parseTypeCollection(se, s, pred, a, sc)
		}
		return p.parseTypeLiteral(se, s, pred, a, sc)
	}
	return p.contentProperty(se, s, pred, a, sc)
}

// reify emits the reification of (s p o) when the property element had an
// rdf:ID.
func (p *parser) reify(a attrs, sc scope, s, pred, o rdf.Term) error {
	if err := p.emit(s, pred, o); err != nil || !a.has[aID] {
		return err
	}
	r, err := p.idIRI(a.val[aID], sc)
	if err != nil {
		return err
	}
	for _, t := range [][2]rdf.Term{
		{rdf.IRI(rdf.RDFType), rdf.IRI(rdf.RDFStmt)},
		{rdf.IRI(rdf.RDFSubject), s},
		{rdf.IRI(rdf.RDFPred), pred},
		{rdf.IRI(rdf.RDFObject), o},
	} {
		if err := p.emit(r, t[0], t[1]); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) parseTypeResource(se xml.StartElement, s, pred rdf.Term, a attrs, sc scope) error {
	n := p.blanks.New()
	if err := p.reify(a, sc, s, pred, n); err != nil {
		return err
	}
	return p.propertyElements(se, n, sc)
}

func (p *parser) parseTypeCollection(se xml.StartElement, s, pred rdf.Term, a attrs, sc scope) error {
	var items []rdf.Term
	err := p.children(se, `in rdf:parseType="Collection"`, func(child xml.StartElement) error {
		n, err := p.nodeElement(child, sc)
		items = append(items, n)
		return err
	})
	if err != nil {
		return err
	}
	return p.emitList(s, pred, items, a, sc)
}

func (p *parser) emitList(s, pred rdf.Term, items []rdf.Term, a attrs, sc scope) error {
	if len(items) == 0 {
		return p.reify(a, sc, s, pred, rdf.IRI(rdf.RDFNil))
	}
	nodes := make([]rdf.Term, len(items))
	for i := range nodes {
		nodes[i] = p.blanks.New()
	}
	if err := p.reify(a, sc, s, pred, nodes[0]); err != nil {
		return err
	}
	for i, n := range nodes {
		rest := rdf.IRI(rdf.RDFNil)
		if i+1 < len(nodes) {
			rest = nodes[i+1]
		}
		if err := p.emit(n, rdf.IRI(rdf.RDFFirst), items[i]); err != nil {
			return err
		}
		if err := p.emit(n, rdf.IRI(rdf.RDFRest), rest); err != nil {
			return err
		}
	}
	return nil
}

// contentProperty handles property elements without rdf:parseType: a
// nested node element, text (a literal), or nothing (an empty property).
func (p *parser) contentProperty(se xml.StartElement, s, pred rdf.Term, a attrs, sc scope) error {
	var text []byte
	for {
		tok, err := p.content()
		if err != nil {
			return err
		}
		switch t := tok; t.kind {
		case tokText:
			if len(text)+len(t.text) > p.lim.MaxTermBytes {
				return p.limitf("literal longer than %d bytes", p.lim.MaxTermBytes)
			}
			text = append(text, t.text...)
		case tokStart:
			if !isSpace(text) {
				return p.errorf("mixed text and elements in a property element (use rdf:parseType=\"Literal\")")
			}
			if a.has[aResource] || a.has[aNodeID] || a.has[aDatatype] || len(a.props) > 0 {
				return p.errorf("a property element with a node element inside cannot have rdf:resource, rdf:nodeID, rdf:datatype or property attributes")
			}
			o, err := p.nodeElement(t.start, sc)
			if err != nil {
				return err
			}
			if err := p.reify(a, sc, s, pred, o); err != nil {
				return err
			}
			return p.afterNode(se)
		case tokEnd:
			if err := p.leave(se, t.end); err != nil {
				return err
			}
			return p.textProperty(s, pred, a, sc, text)
		}
	}
}

// afterNode expects only white space before the property element closes.
func (p *parser) afterNode(se xml.StartElement) error {
	return p.children(se, "after the node element in a property element", func(xml.StartElement) error {
		return p.errorf("a property element can hold only one node element")
	})
}

// textProperty finishes a literal or empty property element.
func (p *parser) textProperty(s, pred rdf.Term, a attrs, sc scope, text []byte) error {
	if len(text) > 0 || a.has[aDatatype] {
		if a.has[aResource] || a.has[aNodeID] || len(a.props) > 0 {
			return p.errorf("a literal property element cannot have rdf:resource, rdf:nodeID or property attributes")
		}
		o := p.plainLiteral(string(text), sc)
		if a.has[aDatatype] {
			dt, err := p.resolve(a.val[aDatatype], sc)
			if err != nil {
				return err
			}
			o = rdf.Literal(string(text), dt.Value)
		}
		return p.reify(a, sc, s, pred, o)
	}
	if !a.has[aResource] && !a.has[aNodeID] && len(a.props) == 0 {
		return p.reify(a, sc, s, pred, p.plainLiteral("", sc))
	}
	var o rdf.Term
	var err error
	switch {
	case a.has[aResource]:
		o, err = p.resolve(a.val[aResource], sc)
	case a.has[aNodeID]:
		o = p.blanks.Label(a.val[aNodeID])
	default:
		o = p.blanks.New()
	}
	if err != nil {
		return err
	}
	if err := p.reify(a, sc, s, pred, o); err != nil {
		return err
	}
	return p.propertyAttrs(o, a.props, sc)
}
