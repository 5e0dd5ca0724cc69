// Package rdfio is the single entry point to qlink's RDF parsers and
// writers. Consumers detect a format once (rdf.DetectFormat), then call
// Parse to stream quads to a callback, All to range over them, or
// LoadGraph/LoadQuads to collect them; Write serialises quads. It lives apart from package rdf
// because it imports every syntax package, which themselves import rdf.
package rdfio

import (
	"errors"
	"fmt"
	"io"
	"iter"

	"qlink/internal/rdf"
	"qlink/internal/rdf/jsonld"
	"qlink/internal/rdf/ntriples"
	"qlink/internal/rdf/rdfxml"
	"qlink/internal/rdf/turtle"
)

// ErrUnsupported is returned for formats that have no parser.
var ErrUnsupported = errors.New("rdfio: unsupported format")

// Parse reads r in format f and calls fn for every quad. Errors from fn
// are returned unchanged; syntax errors are *rdf.ParseError.
func Parse(r io.Reader, f rdf.Format, opts rdf.Options, fn rdf.QuadFunc) error {
	switch f {
	case rdf.FormatTurtle:
		return turtle.Parse(r, opts, fn)
	case rdf.FormatTriG:
		return turtle.ParseTriG(r, opts, fn)
	case rdf.FormatNTriples:
		return ntriples.Parse(r, opts, fn)
	case rdf.FormatNQuads:
		return ntriples.ParseQuads(r, opts, fn)
	case rdf.FormatRDFXML:
		return rdfxml.Parse(r, opts, fn)
	case rdf.FormatJSONLD:
		return jsonld.Parse(r, opts, fn)
	}
	return fmt.Errorf("%w: %v", ErrUnsupported, f)
}

// All returns an iterator over the quads of r. Iteration stops at the
// first error, which is yielded with a zero Quad.
func All(r io.Reader, f rdf.Format, opts rdf.Options) iter.Seq2[rdf.Quad, error] {
	return func(yield func(rdf.Quad, error) bool) {
		err := Parse(r, f, opts, func(q rdf.Quad) error {
			if !yield(q, nil) {
				return rdf.ErrStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, rdf.ErrStop) {
			yield(rdf.Quad{}, err)
		}
	}
}

// LoadGraph parses r into a new Graph. Graph names are dropped: every
// quad's triple lands in the one graph.
func LoadGraph(r io.Reader, f rdf.Format, opts rdf.Options) (*rdf.Graph, error) {
	g := rdf.NewGraph()
	return g, Parse(r, f, opts, g.AddQuadFunc())
}

// LoadQuads parses r into a slice.
func LoadQuads(r io.Reader, f rdf.Format, opts rdf.Options) ([]rdf.Quad, error) {
	var qs []rdf.Quad
	err := Parse(r, f, opts, func(q rdf.Quad) error {
		qs = append(qs, q)
		return nil
	})
	return qs, err
}
