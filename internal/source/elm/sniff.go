package elm

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"

	modelelm "qlink/internal/model/elm"
	"qlink/internal/rdf"
)

// sniff rejects documents that carry an RDF content type or extension but
// are not RDF, which would otherwise parse to nothing or to nonsense.
func sniff(doc document, f rdf.Format) error {
	switch f {
	case rdf.FormatRDFXML:
		return sniffXML(doc)
	case rdf.FormatJSONLD:
		return sniffJSON(doc)
	}
	return nil
}

// sniffXML looks at the root element. RDF/XML has rdf:RDF or a node
// element in some namespace; QDR "LOQ XML" has <Courses> in the LOQ
// namespace, and XML without a namespace cannot be RDF/XML.
func sniffXML(doc document) error {
	dec := xml.NewDecoder(bytes.NewReader(doc.body))
	dec.Strict = false
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return fmt.Errorf("%s: an empty XML document", doc.url)
		}
		if err != nil {
			return nil // the RDF/XML parser reports syntax errors with positions
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		space := namespaceOf(start)
		switch {
		case space == rdf.RDFNS && start.Name.Local == "RDF":
			return nil
		case space == modelelm.LOQ || space == modelelm.LOQ32:
			return fmt.Errorf(`%s is QDR "LOQ XML" (root element <%s> in %s): an XML Schema format, not RDF/XML; `+
				`publish the catalogue as ELM RDF (Turtle, RDF/XML or JSON-LD), for example with the Europass QDR RDF export`,
				doc.url, start.Name.Local, space)
		case space == "":
			return fmt.Errorf("%s: the root element <%s> has no XML namespace, so this is not RDF/XML; "+
				"publish the catalogue as ELM RDF (Turtle, RDF/XML or JSON-LD)", doc.url, start.Name.Local)
		}
		return nil
	}
}

// namespaceOf resolves the root element's prefix against its own
// attributes (RawToken leaves prefixes unresolved).
func namespaceOf(start xml.StartElement) string {
	for _, a := range start.Attr {
		switch {
		case start.Name.Space == "" && a.Name.Space == "" && a.Name.Local == "xmlns":
			return a.Value
		case start.Name.Space != "" && a.Name.Space == "xmlns" && a.Name.Local == start.Name.Space:
			return a.Value
		}
	}
	if start.Name.Space == "rdf" {
		return rdf.RDFNS // a prefix bound outside the element is unusual; trust the conventional one
	}
	if start.Name.Space != "" {
		return start.Name.Space
	}
	return ""
}

// sniffJSON refuses JSON that has no JSON-LD keyword at all: plain JSON
// (an API response saved by mistake) maps to no statements.
func sniffJSON(doc document) error {
	for _, kw := range []string{`"@context"`, `"@id"`, `"@type"`, `"@graph"`} {
		if bytes.Contains(doc.body, []byte(kw)) {
			return nil
		}
	}
	return fmt.Errorf("%s: JSON without @context, @id or @type, so not JSON-LD; ELM JSON-LD needs an @context "+
		"such as %q", doc.url, "http://data.europa.eu/snb/model/context/edc-ap")
}
