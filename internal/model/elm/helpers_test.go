package elm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/model"
	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/sharedtest"
)

// sampleDir is shared/samples/elm beside the repository; tests that need
// it skip when it is absent.
func sampleDir(t testing.TB) string {
	t.Helper()
	return sharedtest.Require(t, "samples", "elm")
}

// loadSample parses one sample file into a graph.
func loadSample(t testing.TB, name string) *rdf.Graph {
	t.Helper()
	path := filepath.Join(sampleDir(t), name)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	format, ok := rdf.DetectFormat("", path)
	if !ok {
		t.Fatalf("%s: unknown format", name)
	}
	g, err := rdfio.LoadGraph(f, format, rdf.Options{Base: "https://samples.test/" + name})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return g
}

// parseTurtle parses an inline Turtle document with the usual prefixes.
func parseTurtle(t testing.TB, doc string) *rdf.Graph {
	t.Helper()
	g, err := rdfio.LoadGraph(strings.NewReader(turtlePrefixes+doc), rdf.FormatTurtle, rdf.Options{Base: "https://data.test/"})
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	return g
}

const turtlePrefixes = `@prefix ql: <http://data.quality-link.eu/ontology/v1#> .
@prefix elm: <http://data.europa.eu/snb/model/ontology/> .
@prefix elm32: <http://data.europa.eu/snb/model/elm/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix isced: <http://data.europa.eu/snb/isced-f/> .
@prefix eqf: <http://data.europa.eu/snb/eqf/> .
@prefix lang: <http://publications.europa.eu/resource/authority/language/> .
@prefix mode: <http://data.europa.eu/snb/learning-assessment/> .
`

// testProvider is the institution of the inline test documents.
var testProvider = model.Provider{ID: "DEQARINST0042", SCHAC: "uni.test", ETER: "BE0042", DEQAR: "DEQARINST0042",
	Name: model.Text{"en": "University of Testing"}, Country: "BE", Website: "https://www.uni.test/"}

// warningsText joins warnings, one per line, for substring checks.
func warningsText(ws []Warning) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.String() + "\n")
	}
	return b.String()
}
