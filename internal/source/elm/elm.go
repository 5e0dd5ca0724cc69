// Package elm is the source adapter for static ELM files (manifest type
// "elm"): one Turtle, RDF/XML or JSON-LD document in either ELM namespace.
//
// It fetches the file once through the harvest's Getter (which makes the
// request conditional and keeps the snapshot), picks the syntax from the
// manifest's contentType, else the served Content-Type, else the file
// extension, parses it into a graph under statement, depth and term-size
// limits (rewriting ELM ≤3.2 IRIs to 3.3 as statements stream in), maps it
// with internal/model/elm and hands on the specifications and warnings.
// It refuses what is not RDF with a message that says how to fix the
// manifest or the server, including QDR "LOQ XML", which looks like
// RDF/XML but is not.
package elm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"sort"
	"strings"

	modelelm "qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/source"
)

// Adapter reads an ELM source. The zero value uses DefaultLimits.
type Adapter struct {
	// Limits bound the parse; zero fields take DefaultLimits' values.
	Limits rdf.Limits
}

var (
	_ source.Adapter   = Adapter{}
	_ source.Converter = Adapter{}
)

// DefaultLimits suit course catalogues: a large national catalogue has a
// few hundred thousand statements, and no title or description needs a
// megabyte.
var DefaultLimits = rdf.Limits{MaxStatements: 5_000_000, MaxDepth: 64, MaxTermBytes: 1 << 20}

func (a Adapter) limits() rdf.Limits {
	l := a.Limits
	if l.MaxStatements <= 0 {
		l.MaxStatements = DefaultLimits.MaxStatements
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxTermBytes <= 0 {
		l.MaxTermBytes = DefaultLimits.MaxTermBytes
	}
	return l
}

// Harvest fetches the file and maps it. There is no paging: an ELM source
// is one document.
func (a Adapter) Harvest(ctx context.Context, cfg source.Config, get source.Getter, out source.Emitter) error {
	resp, err := get.Get(ctx, cfg.URL)
	if err != nil {
		return err
	}
	doc := document{body: resp.Body, url: cmpOr(resp.URL, cfg.URL), override: cfg.ContentType, served: resp.ContentType}
	return a.read(doc, cfg, out)
}

// Convert maps one ELM file on its own. cfg.URL names the file (its
// extension counts when cfg.ContentType says nothing) and is the base IRI.
func (a Adapter) Convert(body []byte, cfg source.Config, out source.Emitter) error {
	return a.read(document{body: body, url: cfg.URL, override: cfg.ContentType}, cfg, out)
}

// document is one fetched or local file.
type document struct {
	body     []byte
	url      string
	override string // the manifest's contentType
	served   string // the Content-Type header
}

func (a Adapter) read(doc document, cfg source.Config, out source.Emitter) error {
	format, err := chooseFormat(doc, out)
	if err != nil {
		return err
	}
	if err := sniff(doc, format); err != nil {
		return fmt.Errorf("%w%s", err, mismatchHint(doc, format))
	}
	g := rdf.NewGraph()
	old := false
	opts := rdf.Options{Base: baseIRI(doc.url), Limits: a.limits()}
	err = rdfio.Parse(bytes.NewReader(doc.body), format, opts, func(q rdf.Quad) error {
		q, changed := modelelm.NormalizeQuad(q)
		old = old || changed
		g.Add(q.Triple())
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: not valid %s: %w%s", doc.url, formatName(format), err, mismatchHint(doc, format))
	}
	res := modelelm.Read(g, modelelm.ReadOptions{Provider: cfg.Provider})
	if old {
		out.Warn(source.Warning{Record: doc.url, Field: "namespace", Message: "uses the ELM 3.0–3.2 namespace " +
			modelelm.NS32 + "; read as ELM 3.3 (" + modelelm.NS + "), which Europass requires from 2026"})
	}
	for _, w := range res.Warnings {
		out.Warn(source.Warning{Record: w.Node, Field: w.Property, Message: w.Message})
	}
	if len(res.Specs) == 0 {
		return noSpecs(doc.url, g)
	}
	for _, s := range res.Specs {
		out.Spec(s)
	}
	return nil
}

// baseIRI is the document's URL when it is absolute; local files in
// `qlink convert` have none, and relative IRIs in them are then errors.
func baseIRI(u string) string {
	if rdf.IsAbsolute(u) {
		return u
	}
	return ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func formatName(f rdf.Format) string {
	switch f {
	case rdf.FormatTurtle:
		return "Turtle"
	case rdf.FormatRDFXML:
		return "RDF/XML"
	case rdf.FormatJSONLD:
		return "JSON-LD"
	}
	return f.String()
}

const fixHint = `set "contentType" in the manifest source to text/turtle, application/rdf+xml or application/ld+json`

// chooseFormat follows the manifest's contentType, else the served
// Content-Type, else the file extension. A server sending a generic type
// (text/plain, application/octet-stream) for a file whose extension names
// the syntax is common; that works, with a warning.
func chooseFormat(doc document, out source.Emitter) (rdf.Format, error) {
	if doc.override != "" {
		f, ok := rdf.DetectFormat(doc.override, "")
		if !ok {
			return 0, fmt.Errorf("%s: the manifest's contentType %q is not an RDF format; %s", doc.url, doc.override, fixHint)
		}
		return f, nil
	}
	if f, ok := rdf.DetectFormat(doc.served, ""); ok {
		return f, nil
	}
	if mt := mediaType(doc.served); mt == "text/html" || mt == "application/xhtml+xml" {
		return 0, fmt.Errorf("%s is served as %s: a web page, not ELM data; check the path, or %s", doc.url, doc.served, fixHint)
	}
	f, ok := rdf.DetectFormat("", doc.url)
	switch {
	case !ok && doc.served == "":
		return 0, fmt.Errorf("%s: cannot tell the RDF syntax: no content type and no .ttl, .rdf, .xml, .jsonld or .json extension; %s", doc.url, fixHint)
	case !ok:
		return 0, fmt.Errorf("%s is served as %q, which is not an RDF format, and its name has no RDF extension; %s", doc.url, doc.served, fixHint)
	case doc.served != "":
		out.Warn(source.Warning{Record: doc.url, Field: "contentType", Message: fmt.Sprintf(
			"served as %q; read as %s from the file extension. Serve it as %s or %s", doc.served, formatName(f), f.MediaType(), fixHint)})
	}
	return f, nil
}

// mismatchHint explains a parse failure of a file read by its served
// Content-Type whose name says another syntax: the usual cause is a
// server that labels every file with one type.
func mismatchHint(doc document, read rdf.Format) string {
	byName, ok := rdf.DetectFormat("", doc.url)
	if doc.override != "" || doc.served == "" || !ok || byName == read {
		return ""
	}
	return fmt.Sprintf("; it was served as %q, but its name says %s: serve it as %s or %s",
		doc.served, formatName(byName), byName.MediaType(), fixHint)
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

// noSpecs explains a file without learning opportunity specifications,
// naming the classes it does have: the usual causes are a namespace typo
// or credentials instead of a catalogue.
func noSpecs(u string, g *rdf.Graph) error {
	counts := map[string]int{}
	for t := range g.Match(rdf.Term{}, rdf.IRI(rdf.RDFType), rdf.Term{}) {
		if t.O.IsIRI() {
			counts[t.O.Value]++
		}
	}
	classes := make([]string, 0, len(counts))
	for c := range counts {
		classes = append(classes, c)
	}
	sort.Slice(classes, func(i, j int) bool {
		if counts[classes[i]] != counts[classes[j]] {
			return counts[classes[i]] > counts[classes[j]]
		}
		return classes[i] < classes[j]
	})
	msg := fmt.Sprintf("%s: no learning opportunity specification (ql:LearningOpportunitySpecification, elm:Qualification, "+
		"elm:LearningAchievementSpecification or elm:LearningActivitySpecification in %s or %s) among %d statements",
		u, modelelm.NS, modelelm.NS32, g.Len())
	if len(classes) > 0 {
		msg += "; the classes used are " + strings.Join(classes[:min(len(classes), 5)], ", ")
	}
	return errors.New(msg)
}

var _ source.Accepter = Adapter{}

// Accept asks for the RDF syntaxes the adapter reads, Turtle first.
func (Adapter) Accept() string {
	return "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.9, application/n-triples;q=0.8, application/n-quads;q=0.8, */*;q=0.1"
}
