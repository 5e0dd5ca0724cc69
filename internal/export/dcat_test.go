package export

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/rdf/jsonld"
	"qlink/internal/rdf/turtle"
	"qlink/internal/shacl"
)

var testCatalogue = Catalogue{BaseURL: "https://courses.example.org", Publisher: "Example Operator", Contact: "mailto:data@example.org"}

func loadTurtle(t *testing.T, data []byte) *rdf.Graph {
	t.Helper()
	g := rdf.NewGraph()
	must(t, turtle.Parse(bytes.NewReader(data), rdf.Options{}, g.AddQuadFunc()))
	return g
}

func dcatShapes(t *testing.T) *shacl.Shapes {
	t.Helper()
	data, err := os.ReadFile("testdata/dcat-ap-3-shapes.ttl")
	must(t, err)
	shapes, err := shacl.Compile(loadTurtle(t, data))
	must(t, err)
	return shapes
}

func generatedManifests(t *testing.T) []Manifest {
	t.Helper()
	ms, err := Generate(context.Background(), openStore(t), t.TempDir())
	must(t, err)
	return ms
}

// The description meets DCAT-AP 3's mandatory and recommended properties:
// no violation and no warning, but for the temporal coverage of datasets
// whose offerings have no dates (P2's one course has none).
func TestDCATConformsToDCATAP(t *testing.T) {
	ms := generatedManifests(t)
	var buf bytes.Buffer
	must(t, WriteDCAT(&buf, rdf.FormatTurtle, testCatalogue, ms))
	g := loadTurtle(t, buf.Bytes())
	undated := map[string]bool{}
	for _, m := range ms {
		if m.TemporalStart.IsZero() {
			undated[testCatalogue.datasetIRI(m.Scope)] = true
		}
	}
	if len(undated) != 2 {
		t.Errorf("undated datasets %v, want P2's and Germany's", undated)
	}
	report := dcatShapes(t).Validate(g)
	for _, r := range report.Results {
		if r.Severity == "http://www.w3.org/ns/shacl#Warning" && undated[r.Focus.Value] && strings.HasSuffix(r.Path.String(), "temporal>") {
			continue
		}
		t.Errorf("%s %v %v: %v", r.Severity, r.Focus, r.Path, r.Messages)
	}
	datasets := g.Subjects(rdf.IRI(nsRDF+"type"), rdf.IRI(nsDCAT+"Dataset"))
	distributions := g.Subjects(rdf.IRI(nsRDF+"type"), rdf.IRI(nsDCAT+"Distribution"))
	if len(datasets) != 5 || len(distributions) != len(ms) {
		t.Errorf("%d datasets and %d distributions, want 5 and %d", len(datasets), len(distributions), len(ms))
	}
	text := buf.String()
	for _, want := range []string{ms[0].SHA256, "https://courses.example.org/dataset/qlink-dataset.nq.gz", "data-theme/EDUC",
		"creativecommons.org/licenses/by-nc/4.0/", "country/NLD", "application/n-quads", "mailto:data@example.org"} {
		if !strings.Contains(text, want) {
			t.Errorf("description lacks %s", want)
		}
	}

	// The shapes do catch a distribution without its mandatory accessURL.
	broken := rdf.NewGraph()
	for tr := range g.All() {
		if tr.P.Value != nsDCAT+"accessURL" {
			broken.Add(tr)
		}
	}
	if dcatShapes(t).Validate(broken).Conforms {
		t.Error("a description without accessURL conforms")
	}
}

func TestDCATJSONLDSaysTheSame(t *testing.T) {
	ms := generatedManifests(t)
	var ttl, ld bytes.Buffer
	must(t, WriteDCAT(&ttl, rdf.FormatTurtle, testCatalogue, ms))
	must(t, WriteDCAT(&ld, rdf.FormatJSONLD, testCatalogue, ms))
	var a, b []rdf.Quad
	must(t, turtle.Parse(&ttl, rdf.Options{}, func(q rdf.Quad) error { a = append(a, q); return nil }))
	must(t, jsonld.Parse(&ld, rdf.Options{}, func(q rdf.Quad) error { b = append(b, q); return nil }))
	if !rdf.Isomorphic(a, b) {
		t.Errorf("Turtle (%d statements) and JSON-LD (%d) descriptions differ", len(a), len(b))
	}
}
