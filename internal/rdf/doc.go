// Package rdf is qlink's RDF foundation: terms, triples and quads, an
// in-memory Graph with subject and object indexes, graph isomorphism,
// format detection, IRI resolution, language-tag canonicalisation and the
// N-Triples, N-Quads and Turtle writers.
//
// It is a foundation, not a stage: the ELM source adapter, the SHACL engine
// and the ELM output writer build on it. Parsing lives in subpackages so
// that each syntax keeps its own lexer:
//
//	internal/rdf/turtle   Turtle and TriG (RDF 1.1)
//	internal/rdf/ntriples N-Triples and N-Quads, line based, constant memory
//	internal/rdf/rdfxml   RDF/XML on encoding/xml
//	internal/rdf/jsonld   JSON-LD through json-gold, offline document loader
//	internal/rdf/rdfio    the one entry point: Parse(r, format, opts, fn)
//
// Consumers use one entry point, in package rdfio (kept apart so that it can
// import every syntax package without an import cycle):
//
//	f, ok := rdf.DetectFormat(contentType, fileName)
//	err := rdfio.Parse(r, f, rdf.Options{Base: url, Limits: lim}, func(q rdf.Quad) error { ... })
//	g, err := rdfio.LoadGraph(r, f, opts)   // or rdfio.All(r, f, opts) as an iterator
//
// and write with rdfio.Write (N-Quads, N-Triples, Turtle, JSON-LD), or
// directly with NewNQuadsWriter, WriteTurtle, or jsonld.FromRDF plus
// jsonld.Compact/Frame.
//
// # Terms
//
// A Term is a small comparable struct, so it can be a map key and compared
// with ==. Literals always carry a datatype: a simple literal has
// xsd:string and a language-tagged literal rdf:langString. Parsers keep
// language tags in the case they were written (the W3C suites compare them
// that way); CanonicalLang gives BCP 47 case for the model layer, which
// matters because json-gold lower-cases tags.
//
// # Blank nodes
//
// Parsers that invent blank nodes (for [] or rdf:parseType="Resource") use a
// BlankNodes generator. Invented labels look like "q12"; labels written in
// the document are kept, except that a label that starts with 'q' is
// prefixed with "q_" so the two sets can never collide.
//
// # Limits
//
// All parsers take Options with Limits: nesting depth, the size of one
// literal or IRI, and the number of statements. Parsers never panic; a
// broken or hostile document ends in a *ParseError carrying line, column
// and byte offset.
package rdf
