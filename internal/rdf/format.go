package rdf

import (
	"mime"
	"path"
	"strings"
)

// Format is an RDF serialisation.
type Format uint8

// The formats qlink reads. FormatUnknown is the zero value.
const (
	FormatUnknown Format = iota
	FormatTurtle
	FormatTriG
	FormatNTriples
	FormatNQuads
	FormatRDFXML
	FormatJSONLD
)

var formatNames = [...]string{"unknown", "turtle", "trig", "ntriples", "nquads", "rdfxml", "jsonld"}

func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "unknown"
}

// MediaType is the format's registered media type.
func (f Format) MediaType() string {
	switch f {
	case FormatTurtle:
		return "text/turtle"
	case FormatTriG:
		return "application/trig"
	case FormatNTriples:
		return "application/n-triples"
	case FormatNQuads:
		return "application/n-quads"
	case FormatRDFXML:
		return "application/rdf+xml"
	case FormatJSONLD:
		return "application/ld+json"
	}
	return ""
}

// Extension is the usual file extension, with the dot.
func (f Format) Extension() string {
	return [...]string{"", ".ttl", ".trig", ".nt", ".nq", ".rdf", ".jsonld"}[min(int(f), 6)]
}

// mediaTypes maps media types (lower case, no parameters) to formats. Generic
// XML and JSON types count as RDF/XML and JSON-LD: that is how ELM files
// are commonly served.
var mediaTypes = map[string]Format{
	"text/turtle":               FormatTurtle,
	"application/x-turtle":      FormatTurtle,
	"application/turtle":        FormatTurtle,
	"text/n3":                   FormatTurtle, // Turtle is a subset of N3; ELM never uses N3 extras
	"application/trig":          FormatTriG,
	"application/x-trig":        FormatTriG,
	"application/n-triples":     FormatNTriples,
	"text/plain":                FormatUnknown, // often N-Triples, but too vague to trust
	"application/n-quads":       FormatNQuads,
	"text/x-nquads":             FormatNQuads,
	"application/rdf+xml":       FormatRDFXML,
	"application/xml":           FormatRDFXML,
	"text/xml":                  FormatRDFXML,
	"application/ld+json":       FormatJSONLD,
	"application/json":          FormatJSONLD,
	"application/activity+json": FormatJSONLD,
}

var extensions = map[string]Format{
	".ttl":      FormatTurtle,
	".turtle":   FormatTurtle,
	".trig":     FormatTriG,
	".nt":       FormatNTriples,
	".ntriples": FormatNTriples,
	".nq":       FormatNQuads,
	".nquads":   FormatNQuads,
	".rdf":      FormatRDFXML,
	".owl":      FormatRDFXML,
	".xml":      FormatRDFXML,
	".jsonld":   FormatJSONLD,
	".json":     FormatJSONLD,
}

// DetectFormat picks the format from a Content-Type header value and/or a
// file name (or URL path). The content type wins when it names an RDF
// format; otherwise the extension decides. ok is false when neither does.
func DetectFormat(contentType, fileName string) (Format, bool) {
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil {
			mt, _, _ = strings.Cut(contentType, ";")
			mt = strings.ToLower(strings.TrimSpace(mt))
		}
		if f := mediaTypes[mt]; f != FormatUnknown {
			return f, true
		}
	}
	if fileName != "" {
		name := fileName
		if i := strings.IndexAny(name, "?#"); i >= 0 {
			name = name[:i]
		}
		if f := extensions[strings.ToLower(path.Ext(name))]; f != FormatUnknown {
			return f, true
		}
	}
	return FormatUnknown, false
}
