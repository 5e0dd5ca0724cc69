package rdfio

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/sharedtest"
)

// The W3C RDF 1.1 suites live beside the repository, in
// ../shared/conformance (see shared/README.md); they are never copied in.
const suiteBase = "https://w3c.github.io/rdf-tests/rdf/rdf11/"

const (
	mf   = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
	rdft = "http://www.w3.org/ns/rdftest#"
)

type suite struct {
	dir    string
	format rdf.Format
	result rdf.Format
}

var suites = []suite{
	{"rdf-turtle", rdf.FormatTurtle, rdf.FormatNTriples},
	{"rdf-trig", rdf.FormatTriG, rdf.FormatNQuads},
	{"rdf-n-triples", rdf.FormatNTriples, rdf.FormatNTriples},
	{"rdf-n-quads", rdf.FormatNQuads, rdf.FormatNQuads},
	{"rdf-xml", rdf.FormatRDFXML, rdf.FormatNTriples},
}

type w3cTest struct {
	name, kind     string
	action, result string // IRIs
}

// TestW3CConformance runs every test listed in each suite's manifest:
// positive and negative syntax tests, and evaluation tests compared by
// graph isomorphism.
func TestW3CConformance(t *testing.T) {
	root := sharedtest.Require(t, "conformance", "rdf-tests", "rdf", "rdf11")
	var total, passed int
	var summary []string
	for _, s := range suites {
		t.Run(s.dir, func(t *testing.T) {
			tests := readManifest(t, filepath.Join(root, s.dir), suiteBase+s.dir+"/")
			ok := 0
			for _, tc := range tests {
				if err := runTest(root, s, tc); err != nil {
					t.Errorf("%s (%s): %v", tc.name, tc.kind, err)
					continue
				}
				ok++
			}
			t.Logf("%s: %d/%d passed", s.dir, ok, len(tests))
			summary = append(summary, fmt.Sprintf("%s %d/%d", s.dir, ok, len(tests)))
			total += len(tests)
			passed += ok
		})
	}
	t.Logf("W3C RDF 1.1 conformance: %d/%d passed (%s)", passed, total, strings.Join(summary, ", "))
	fmt.Printf("W3C RDF 1.1 conformance: %d/%d passed (%s)\n", passed, total, strings.Join(summary, ", "))
}

func readManifest(t *testing.T, dir, base string) []w3cTest {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "manifest.ttl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := LoadGraph(f, rdf.FormatTurtle, rdf.Options{Base: base + "manifest.ttl"})
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	mans := g.Subjects(rdf.IRI(rdf.RDFType), rdf.IRI(mf+"Manifest"))
	if len(mans) != 1 {
		t.Fatalf("want one mf:Manifest, got %d", len(mans))
	}
	var tests []w3cTest
	list, _ := g.Object(mans[0], rdf.IRI(mf+"entries"))
	for list != rdf.IRI(rdf.RDFNil) && !list.IsZero() {
		e, _ := g.Object(list, rdf.IRI(rdf.RDFFirst))
		typ, _ := g.Object(e, rdf.IRI(rdf.RDFType))
		name, _ := g.Object(e, rdf.IRI(mf+"name"))
		action, _ := g.Object(e, rdf.IRI(mf+"action"))
		result, _ := g.Object(e, rdf.IRI(mf+"result"))
		tests = append(tests, w3cTest{
			name:   name.Value,
			kind:   strings.TrimPrefix(typ.Value, rdft),
			action: action.Value,
			result: result.Value,
		})
		list, _ = g.Object(list, rdf.IRI(rdf.RDFRest))
	}
	if len(tests) == 0 {
		t.Fatal("manifest lists no tests")
	}
	return tests
}

// localPath maps a test IRI to its file under root.
func localPath(root, iri string) string {
	return filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(iri, suiteBase)))
}

func parseFile(root, iri string, f rdf.Format) ([]rdf.Quad, error) {
	fh, err := os.Open(localPath(root, iri))
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return LoadQuads(fh, f, rdf.Options{Base: iri})
}

func runTest(root string, s suite, tc w3cTest) error {
	got, err := parseFile(root, tc.action, s.format)
	switch {
	case strings.Contains(tc.kind, "Negative"):
		if err == nil {
			return fmt.Errorf("parsed %d statements, want a syntax error", len(got))
		}
		return nil
	case err != nil:
		return err
	case !strings.HasSuffix(tc.kind, "Eval"):
		return nil
	}
	want, err := parseFile(root, tc.result, s.result)
	if err != nil {
		return fmt.Errorf("expected result: %v", err)
	}
	if !rdf.Isomorphic(got, want) {
		return fmt.Errorf("graphs differ:\n got:\n%s\nwant:\n%s", dump(got), dump(want))
	}
	return nil
}

func dump(qs []rdf.Quad) string {
	var b strings.Builder
	for _, q := range qs {
		b.WriteString("  " + q.String() + "\n")
	}
	return b.String()
}
