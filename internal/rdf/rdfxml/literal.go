package rdfxml

import (
	"encoding/xml"
	"regexp"
	"slices"
	"strings"

	"qlink/internal/rdf"
)

// parseTypeLiteral turns the element content into an rdf:XMLLiteral in
// exclusive canonical form: namespaces declared where visibly used, empty
// elements written as start/end pairs, attributes sorted, comments dropped.
func (p *parser) parseTypeLiteral(se xml.StartElement, s, pred rdf.Term, a attrs, sc scope) error {
	lit := xmlLiteral{p: p}
	for {
		tok, err := p.content()
		if err != nil {
			return err
		}
		if done, err := lit.add(tok, se); done || err != nil {
			if err != nil {
				return err
			}
			return p.reify(a, sc, s, pred, rdf.Literal(lit.b.String(), rdf.RDFXMLLit))
		}
	}
}

// xmlLiteral accumulates the canonical form of a parseType="Literal"
// element's content.
type xmlLiteral struct {
	p     *parser
	b     strings.Builder
	stack []openLiteral
}

type openLiteral struct {
	se       xml.StartElement
	declared map[string]string // prefixes declared in the output by this element
}

// add takes the next token; done reports that the token closed the
// property element itself.
func (l *xmlLiteral) add(t *token, prop xml.StartElement) (done bool, err error) {
	p := l.p
	switch t.kind {
	case tokText:
		escapeText(&l.b, t.text)
	case tokStart:
		if err := p.enter(t.start); err != nil {
			return false, err
		}
		declared := p.writeStart(&l.b, t.start, l.inScope)
		l.stack = append(l.stack, openLiteral{t.start.Copy(), declared})
	case tokEnd:
		if len(l.stack) == 0 {
			return true, p.leave(prop, t.end)
		}
		top := l.stack[len(l.stack)-1]
		l.stack = l.stack[:len(l.stack)-1]
		if err := p.leave(top.se, t.end); err != nil {
			return false, err
		}
		l.b.WriteString("</" + qname(t.end.Name) + ">")
	}
	if l.b.Len() > p.lim.MaxTermBytes {
		return false, p.limitf("XML literal longer than %d bytes", p.lim.MaxTermBytes)
	}
	return false, nil
}

// inScope reports whether the literal's output already declares prefix
// as uri at this point (the empty default namespace needs no declaration).
func (l *xmlLiteral) inScope(prefix, uri string) bool {
	for i := len(l.stack) - 1; i >= 0; i-- {
		if u, ok := l.stack[i].declared[prefix]; ok {
			return u == uri
		}
	}
	return prefix == "" && uri == ""
}

// writeStart writes a start tag with the namespace declarations it
// visibly uses and has not inherited (inScope reports inherited ones).
func (p *parser) writeStart(b *strings.Builder, t xml.StartElement, inScope func(prefix, uri string) bool) map[string]string {
	declared := map[string]string{}
	need := func(prefix string) {
		if prefix == "xml" {
			return
		}
		uri, _ := p.nsURI(prefix)
		if _, done := declared[prefix]; !done && !inScope(prefix, uri) {
			declared[prefix] = uri
		}
	}
	need(t.Name.Space)
	var plain []xml.Attr
	for _, at := range t.Attr {
		if isNSDecl(at.Name) {
			continue
		}
		if at.Name.Space != "" {
			need(at.Name.Space)
		}
		plain = append(plain, at)
	}
	b.WriteString("<" + qname(t.Name))
	prefixes := make([]string, 0, len(declared))
	for pf := range declared {
		prefixes = append(prefixes, pf)
	}
	slices.Sort(prefixes)
	for _, pf := range prefixes {
		if pf == "" {
			b.WriteString(` xmlns="`)
		} else {
			b.WriteString(" xmlns:" + pf + `="`)
		}
		escapeAttr(b, declared[pf])
		b.WriteByte('"')
	}
	slices.SortFunc(plain, func(x, y xml.Attr) int {
		ux, _ := p.nsURI(x.Name.Space)
		uy, _ := p.nsURI(y.Name.Space)
		if x.Name.Space == "" {
			ux = ""
		}
		if y.Name.Space == "" {
			uy = ""
		}
		if c := strings.Compare(ux, uy); c != 0 {
			return c
		}
		return strings.Compare(x.Name.Local, y.Name.Local)
	})
	for _, at := range plain {
		b.WriteString(" " + qname(at.Name) + `="`)
		escapeAttr(b, at.Value)
		b.WriteByte('"')
	}
	b.WriteByte('>')
	return declared
}

func escapeText(b *strings.Builder, s []byte) {
	for _, c := range string(s) {
		switch c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteRune(c)
		}
	}
}

func escapeAttr(b *strings.Builder, s string) {
	for _, c := range s {
		switch c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '"':
			b.WriteString("&quot;")
		case '\t':
			b.WriteString("&#x9;")
		case '\n':
			b.WriteString("&#xA;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteRune(c)
		}
	}
}

// Internal entity declarations in a DOCTYPE: <!ENTITY name "value">.
var entityDecl = regexp.MustCompile(`<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"]*)"|'([^']*)')\s*>`)

const (
	maxEntities    = 64
	maxEntityValue = 512
)

// directive records safe internal entities from a DOCTYPE. Values with
// markup or references are refused outright, so expansion is one level
// deep and bounded; external and parameter entities are never declared,
// so referring to one is an "invalid entity" error from the decoder.
func (p *parser) directive(d []byte) error {
	if !strings.HasPrefix(string(d), "DOCTYPE") {
		return nil
	}
	for _, m := range entityDecl.FindAllStringSubmatch("<!"+string(d)+">", -1) {
		name, val := m[1], m[2]+m[3]
		if strings.ContainsAny(val, "&<%") {
			return p.errorf("entity %q: values with markup or references are not accepted", name)
		}
		if len(val) > maxEntityValue || len(p.entities) >= maxEntities {
			return p.limitf("DOCTYPE entities: at most %d, of at most %d bytes each", maxEntities, maxEntityValue)
		}
		p.entities[name] = val
	}
	return nil
}
