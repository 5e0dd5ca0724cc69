// Package jsonld connects qlink's RDF layer to JSON-LD through
// github.com/piprate/json-gold: expand, compact, frame, toRDF and fromRDF,
// always with an offline document loader.
//
// It is a first stage for ELM files served as application/ld+json (ToRDF
// and Parse hand rdf.Quad values on) and a last stage for JSON-LD output
// (FromRDF, Compact, Frame). The loader serves embedded, qlink-authored
// contexts for the URLs ELM data uses (EDC-AP for ELM 3.0–3.2, W3C VC 1.0)
// and qlink's own ELM 3.3 + QualityLink context and frame; every other
// remote load is refused.
//
// JSON-LD is not streamed: the document is read whole (up to
// Limits.MaxDocumentBytes) and its nesting is checked against
// Limits.MaxDepth before json-gold sees it.
//
// json-gold lower-cases language tags ("en-GB" becomes "en-gb"); callers
// that compare tags use rdf.CanonicalLang.
package jsonld

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/piprate/json-gold/ld"

	"qlink/internal/rdf"
)

// DefaultMaxDocumentBytes caps a JSON-LD document when Options set no cap.
const DefaultMaxDocumentBytes = 64 << 20

// Options configure the JSON-LD operations.
type Options struct {
	// Base is the document's base IRI.
	Base string
	// Loader resolves remote contexts; nil means NewLoader(nil).
	Loader ld.DocumentLoader
	// MaxDepth caps JSON nesting (default rdf.DefaultMaxDepth).
	MaxDepth int
	// MaxDocumentBytes caps the input size (default 64 MiB).
	MaxDocumentBytes int64
}

func (o Options) ld() *ld.JsonLdOptions {
	opts := ld.NewJsonLdOptions(o.Base)
	opts.DocumentLoader = o.Loader
	if opts.DocumentLoader == nil {
		opts.DocumentLoader = NewLoader(nil)
	}
	opts.ProcessingMode = ld.JsonLd_1_1
	return opts
}

// Decode reads one JSON document, enforcing the size and depth caps.
func Decode(r io.Reader, o Options) (any, error) {
	max := o.MaxDocumentBytes
	if max <= 0 {
		max = DefaultMaxDocumentBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("jsonld: read: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("jsonld: document larger than %d bytes: %w", max, rdf.ErrLimit)
	}
	depth := o.MaxDepth
	if depth <= 0 {
		depth = rdf.DefaultMaxDepth
	}
	if err := checkDepth(data, depth); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, syntaxError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("jsonld: data after the JSON document")
	}
	return normalizeNumbers(doc), nil
}

// checkDepth scans the raw JSON for nesting beyond max, outside strings,
// before any recursive processing happens.
func checkDepth(data []byte, max int) error {
	depth, inStr, esc := 0, false, false
	for _, c := range data {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '[' || c == '{':
			depth++
			if depth > max {
				return fmt.Errorf("jsonld: nesting deeper than %d: %w", max, rdf.ErrLimit)
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}

// syntaxError gives JSON syntax errors a line and column.
func syntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return fmt.Errorf("jsonld: %w", err)
	}
	before := data[:min(int(se.Offset), len(data))]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return &rdf.ParseError{Format: "jsonld", Line: line, Column: col, Offset: se.Offset, Msg: se.Error(), Err: err}
}

// normalizeNumbers turns json.Number into float64 or int64-valued float64
// as json-gold expects native numbers; integers stay exact up to 2^53.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	}
	return v
}

// ErrProcessor reports a panic inside json-gold, turned into an error so
// that hostile documents cannot crash qlink.
var ErrProcessor = errors.New("jsonld: processor failure")

// guard converts a json-gold panic into ErrProcessor.
func guard(op string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w in %s: %v", ErrProcessor, op, r)
	}
}

// Expand returns the expanded form of doc.
func Expand(doc any, o Options) (out []any, err error) {
	defer guard("expand", &err)
	out, err = ld.NewJsonLdProcessor().Expand(doc, o.ld())
	return out, wrap("expand", err)
}

// Compact compacts doc with context (a context object, or a URL the loader
// serves, such as QLinkContextURL).
func Compact(doc, context any, o Options) (out map[string]any, err error) {
	defer guard("compact", &err)
	out, err = ld.NewJsonLdProcessor().Compact(doc, context, o.ld())
	return out, wrap("compact", err)
}

// Frame frames doc with frame (an object or a URL the loader serves, such
// as QLinkFrameURL).
func Frame(doc, frame any, o Options) (out map[string]any, err error) {
	defer guard("frame", &err)
	if u, ok := frame.(string); ok {
		rd, err := o.ld().DocumentLoader.LoadDocument(u)
		if err != nil {
			return nil, wrap("frame", err)
		}
		frame = rd.Document
	}
	opts := o.ld()
	opts.OmitDefault = true
	out, err = ld.NewJsonLdProcessor().Frame(doc, frame, opts)
	return out, wrap("frame", err)
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("jsonld: %s: %w", op, err)
}

// Parse reads a JSON-LD document and streams its quads to fn, like the
// other syntaxes' Parse functions.
func Parse(r io.Reader, opts rdf.Options, fn rdf.QuadFunc) error {
	o := Options{Base: opts.Base, MaxDepth: opts.Limits.MaxDepth}
	doc, err := Decode(r, o)
	if err != nil {
		return err
	}
	return ToRDF(doc, o, rdf.NewCounter(opts.Limits.MaxStatements, fn).Emit)
}

// ToRDF converts doc to quads, graph by graph (default graph first, then
// named graphs in IRI order), each in json-gold's order.
func ToRDF(doc any, o Options, fn rdf.QuadFunc) (err error) {
	defer guard("toRDF", &err)
	res, err := ld.NewJsonLdProcessor().ToRDF(doc, o.ld())
	if err != nil {
		return wrap("toRDF", err)
	}
	ds, ok := res.(*ld.RDFDataset)
	if !ok {
		return fmt.Errorf("jsonld: toRDF returned %T", res)
	}
	names := make([]string, 0, len(ds.Graphs))
	for name := range ds.Graphs {
		if name != "@default" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range append([]string{"@default"}, names...) {
		for _, q := range ds.Graphs[name] {
			out := fromLD(q)
			if !wellFormed(out) {
				continue // JSON-LD drops statements whose IRIs are not valid
			}
			if err := fn(out); err != nil {
				return err
			}
		}
	}
	return nil
}

func fromLD(q *ld.Quad) rdf.Quad {
	out := rdf.Quad{S: termFromLD(q.Subject), P: termFromLD(q.Predicate), O: termFromLD(q.Object)}
	if q.Graph != nil {
		if g := termFromLD(q.Graph); g.Value != "@default" {
			out.G = g
		}
	}
	return out
}

// wellFormed reports whether every IRI of q, datatype included, is valid.
func wellFormed(q rdf.Quad) bool {
	for _, t := range []rdf.Term{q.S, q.P, q.O, q.G} {
		if t.IsIRI() && !rdf.IsValidIRI(t.Value) {
			return false
		}
	}
	return !q.O.IsLiteral() || rdf.IsValidIRI(q.O.Datatype)
}

func termFromLD(n ld.Node) rdf.Term {
	switch x := n.(type) {
	case ld.IRI:
		return rdf.IRI(x.Value)
	case ld.BlankNode:
		return rdf.Blank(strings.TrimPrefix(x.Attribute, "_:"))
	case ld.Literal:
		if x.Language != "" {
			return rdf.LangLiteral(x.Value, x.Language)
		}
		return rdf.Literal(x.Value, x.Datatype)
	}
	return rdf.Term{}
}

// FromRDF turns quads into expanded JSON-LD (an array of node objects);
// compact or frame the result for output. The quads go to json-gold as
// its own terms: through N-Quads text, its parser misread literals that
// start with "@" ("@SUM(A1)"@en became the string "\"@SUM(A1)\"@en").
func FromRDF(quads []rdf.Quad, o Options) (_ []any, err error) {
	defer guard("fromRDF", &err)
	ds := ld.NewRDFDataset()
	for _, q := range quads {
		graph := "@default"
		if !q.G.IsZero() {
			graph = ldNode(q.G).GetValue()
		}
		ds.Graphs[graph] = append(ds.Graphs[graph], ld.NewQuad(ldNode(q.S), ldNode(q.P), ldNode(q.O), graph))
	}
	out, err := ld.NewJsonLdApi().FromRDF(ds, o.ld())
	if err != nil {
		return nil, wrap("fromRDF", err)
	}
	return out, nil
}

// ldNode is t as json-gold's term.
func ldNode(t rdf.Term) ld.Node {
	switch t.Kind {
	case rdf.KindIRI:
		return ld.NewIRI(t.Value)
	case rdf.KindBlank:
		return ld.NewBlankNode("_:" + t.Value)
	}
	if t.Lang != "" {
		return ld.NewLiteral(t.Value, ld.RDFLangString, t.Lang)
	}
	return ld.NewLiteral(t.Value, t.Datatype, "")
}
