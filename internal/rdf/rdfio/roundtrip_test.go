package rdfio

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/rdf/internal/rdftest"
	"qlink/internal/sharedtest"
)

var testPrefixes = map[string]string{
	"rdf": rdf.RDFNS, "xsd": rdf.XSDNS, "ex": "http://example.org/",
	"t": "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-turtle/",
}

// TestWritersRoundTrip writes the graph of every W3C evaluation test with
// the N-Quads and Turtle writers and parses it back: the result must be
// isomorphic to what was written.
func TestWritersRoundTrip(t *testing.T) {
	root := sharedtest.Require(t, "conformance", "rdf-tests", "rdf", "rdf11")
	n := 0
	for _, s := range suites {
		for _, tc := range readManifest(t, filepath.Join(root, s.dir), suiteBase+s.dir+"/") {
			if !strings.HasSuffix(tc.kind, "Eval") || strings.Contains(tc.kind, "Negative") {
				continue
			}
			qs, err := parseFile(root, tc.action, s.format)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			checkRoundTrip(t, tc.name, qs)
			n++
		}
	}
	t.Logf("round-tripped %d graphs through N-Quads and Turtle", n)
}

func checkRoundTrip(t *testing.T, name string, qs []rdf.Quad) {
	t.Helper()
	rdftest.CheckRoundTrip(t, qs)
	g := rdf.NewGraph()
	var triples []rdf.Quad
	for _, q := range qs {
		if q.G.IsZero() {
			g.Add(q.Triple())
			triples = append(triples, q)
		}
	}
	var ttl bytes.Buffer
	if err := rdf.WriteTurtle(&ttl, g, testPrefixes); err != nil {
		t.Fatal(err)
	}
	back, err := LoadQuads(bytes.NewReader(ttl.Bytes()), rdf.FormatTurtle, rdf.Options{})
	if err != nil || !rdf.Isomorphic(triples, back) {
		t.Errorf("%s: Turtle round trip failed (%v):\n%s", name, err, ttl.String())
	}
}

// TestWrite sends one small ELM graph through every output format and
// back.
func TestWrite(t *testing.T) {
	src := `@prefix elm: <http://data.europa.eu/snb/model/ontology/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<urn:x:los1> a <http://data.quality-link.eu/ontology/v1#LearningOpportunitySpecification> ;
    dcterms:title "Linked data"@en , "Verknüpfte Daten"@de ;
    elm:creditPoint [ a elm:CreditPoint ; elm:point "6" ] .`
	qs, err := LoadQuads(strings.NewReader(src), rdf.FormatTurtle, rdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []rdf.Format{rdf.FormatNQuads, rdf.FormatNTriples, rdf.FormatTurtle, rdf.FormatJSONLD} {
		var buf bytes.Buffer
		if err := Write(&buf, f, qs, map[string]string{"elm": "http://data.europa.eu/snb/model/ontology/"}); err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		back, err := LoadQuads(&buf, f, rdf.Options{})
		if err != nil || !rdf.Isomorphic(qs, back) {
			t.Errorf("%v: round trip failed (%v): %v", f, err, back)
		}
	}
	if err := Write(io.Discard, rdf.FormatRDFXML, qs, nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("RDF/XML output: want ErrUnsupported, got %v", err)
	}
}
