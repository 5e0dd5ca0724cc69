package rdfio

import (
	"encoding/json"
	"fmt"
	"io"

	"qlink/internal/rdf"
	"qlink/internal/rdf/jsonld"
)

// Write serialises quads in format f: N-Quads, N-Triples (graph names
// dropped), Turtle (the default graph's triples, grouped, with the given
// prefixes) or JSON-LD (compacted with qlink's ELM 3.3 + QualityLink
// context). TriG and RDF/XML output are not provided: qlink publishes
// N-Quads, Turtle and JSON-LD.
func Write(w io.Writer, f rdf.Format, quads []rdf.Quad, prefixes map[string]string) error {
	switch f {
	case rdf.FormatNQuads, rdf.FormatNTriples:
		nw := rdf.NewNQuadsWriter(w)
		nw.Triples = f == rdf.FormatNTriples
		for _, q := range quads {
			if err := nw.Write(q); err != nil {
				return err
			}
		}
		return nw.Flush()
	case rdf.FormatTurtle:
		g := rdf.NewGraph()
		for _, q := range quads {
			if q.G.IsZero() {
				g.Add(q.Triple())
			}
		}
		return rdf.WriteTurtle(w, g, prefixes)
	case rdf.FormatJSONLD:
		return WriteJSONLD(w, quads, jsonld.QLinkContextURL, jsonld.Options{})
	}
	return fmt.Errorf("%w: writing %v", ErrUnsupported, f)
}

// WriteJSONLD writes quads as JSON-LD compacted with qlink's context,
// which the document names by contextURL: jsonld.QLinkContextURL, or the
// URL a server publishes it at (jsonld.PublishedContextURL) with a loader
// that resolves that URL (jsonld.PublishedLoader).
func WriteJSONLD(w io.Writer, quads []rdf.Quad, contextURL string, o jsonld.Options) error {
	doc, err := jsonld.FromRDF(quads, o)
	if err != nil {
		return err
	}
	compacted, err := jsonld.Compact(doc, contextURL, o)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(compacted)
}
