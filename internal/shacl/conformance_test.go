package shacl_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/shacl"
	"qlink/internal/sharedtest"
)

const (
	mf  = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
	sht = "http://www.w3.org/ns/shacl-test#"
)

func sh(local string) rdf.Term { return rdf.IRI(shacl.NS + local) }

// loadFile parses a Turtle file with its file: IRI as base, as the suite's
// relative references (<>, <x-data.ttl>) expect.
func loadFile(t testing.TB, path string) *rdf.Graph {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := rdfio.LoadGraph(f, rdf.FormatTurtle, rdf.Options{Base: "file://" + path})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return g
}

func fileOf(iri rdf.Term) string { return strings.TrimPrefix(iri.Value, "file://") }

type suiteTest struct {
	name                string
	manifest            *rdf.Graph
	node                rdf.Term
	dataFile, shapeFile string
}

// collectTests walks a manifest and its mf:include tree.
func collectTests(t *testing.T, path string) []suiteTest {
	g := loadFile(t, path)
	var tests []suiteTest
	for _, inc := range g.Objects(rdf.IRI("file://"+path), rdf.IRI(mf+"include")) {
		tests = append(tests, collectTests(t, fileOf(inc))...)
	}
	for _, head := range g.Objects(rdf.IRI("file://"+path), rdf.IRI(mf+"entries")) {
		for _, entry := range listOf(g, head) {
			action, _ := g.Object(entry, rdf.IRI(mf+"action"))
			data, _ := g.Object(action, rdf.IRI(sht+"dataGraph"))
			shapes, _ := g.Object(action, rdf.IRI(sht+"shapesGraph"))
			rel, _ := filepath.Rel(filepath.Dir(filepath.Dir(path)), fileOf(entry))
			tests = append(tests, suiteTest{name: rel, manifest: g, node: entry, dataFile: fileOf(data), shapeFile: fileOf(shapes)})
		}
	}
	return tests
}

func listOf(g *rdf.Graph, head rdf.Term) []rdf.Term {
	var out []rdf.Term
	for n := head; n != rdf.IRI(rdf.RDFNil) && len(out) < 10000; {
		first, ok := g.Object(n, rdf.IRI(rdf.RDFFirst))
		if !ok {
			break
		}
		out = append(out, first)
		n, _ = g.Object(n, rdf.IRI(rdf.RDFRest))
	}
	return out
}

// TestW3CCoreConformance runs every test of the W3C SHACL Core suite and
// compares reports as the suite asks: sh:conforms, and the results as a
// set of (focus, path, value, component, severity, source shape) with
// sh:resultMessage compared only where the expected result gives one.
func TestW3CCoreConformance(t *testing.T) {
	root := sharedtest.Require(t, "conformance", "shacl-tests", "data-shapes-test-suite", "tests", "core")
	root, _ = filepath.Abs(root)
	tests := collectTests(t, filepath.Join(root, "manifest.ttl"))
	passed := 0
	for _, tc := range tests {
		if err := runSuiteTest(t, tc); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		passed++
	}
	t.Logf("SHACL Core conformance: %d/%d passed", passed, len(tests))
	if len(tests) < 90 {
		t.Errorf("found only %d tests; the manifest walk is broken", len(tests))
	}
}

func runSuiteTest(t *testing.T, tc suiteTest) error {
	shapes, err := shacl.Compile(loadFile(t, tc.shapeFile))
	if err != nil {
		return fmt.Errorf("compile: %v", err)
	}
	report := shapes.Validate(loadFile(t, tc.dataFile))
	got := report.Graph()
	gotNode := got.Subjects(rdf.IRI(rdf.RDFType), sh("ValidationReport"))[0]

	want, _ := tc.manifest.Object(tc.node, rdf.IRI(mf+"result"))
	wantConforms, _ := tc.manifest.Object(want, sh("conforms"))
	gotConforms, _ := got.Object(gotNode, sh("conforms"))
	if wantConforms.Value != gotConforms.Value {
		return fmt.Errorf("conforms = %s, want %s\n%s", gotConforms.Value, wantConforms.Value, describe(report))
	}
	// Blank focus nodes and shapes compare by label only when data, shapes
	// and expectations come from one file (so one parse labelled them).
	sameFile := tc.dataFile == tc.shapeFile && tc.dataFile == fileOf(tc.node)[:strings.IndexByte(fileOf(tc.node)+"#", '#')]
	return compareResults(tc.manifest, want, got, gotNode, sameFile, report)
}

// compareResults matches expected results to actual ones one to one.
func compareResults(wg *rdf.Graph, want rdf.Term, gg *rdf.Graph, got rdf.Term, sameFile bool, report *shacl.Report) error {
	actual := gg.Objects(got, sh("result"))
	used := make([]bool, len(actual))
	var missing []string
	for _, w := range wg.Objects(want, sh("result")) {
		wk := resultKey(wg, w, sameFile)
		wantMsgs := wg.Objects(w, sh("resultMessage"))
		found := false
		for i, a := range actual {
			if used[i] || resultKey(gg, a, sameFile) != wk || !subset(wantMsgs, gg.Objects(a, sh("resultMessage"))) {
				continue
			}
			used[i], found = true, true
			break
		}
		if !found {
			missing = append(missing, wk)
		}
	}
	var extra []string
	for i, a := range actual {
		if !used[i] {
			extra = append(extra, resultKey(gg, a, sameFile))
		}
	}
	if len(missing)+len(extra) > 0 {
		return fmt.Errorf("missing results:\n  %s\nunexpected results:\n  %s", strings.Join(missing, "\n  "), strings.Join(extra, "\n  "))
	}
	return nil
}

func subset(want, have []rdf.Term) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func resultKey(g *rdf.Graph, r rdf.Term, sameFile bool) string {
	node := func(p string) string {
		v, ok := g.Object(r, sh(p))
		switch {
		case !ok:
			return "-"
		case v.IsBlank() && !sameFile:
			return "_:"
		}
		return v.String()
	}
	path := "-"
	if p, ok := g.Object(r, sh("resultPath")); ok {
		path = structure(g, p, 0)
	}
	return fmt.Sprintf("focus=%s path=%s value=%s component=%s severity=%s shape=%s",
		node("focusNode"), path, node("value"), node("sourceConstraintComponent"), node("resultSeverity"), node("sourceShape"))
}

// structure renders a path expression by its shape, not its blank labels.
func structure(g *rdf.Graph, n rdf.Term, depth int) string {
	if !n.IsBlank() || depth > 20 {
		return n.String()
	}
	var parts []string
	for t := range g.Match(n, rdf.Term{}, rdf.Term{}) {
		parts = append(parts, t.P.String()+" "+structure(g, t.O, depth+1))
	}
	slices.Sort(parts)
	return "[" + strings.Join(parts, "; ") + "]"
}

func describe(r *shacl.Report) string {
	var b strings.Builder
	for _, res := range r.Results {
		fmt.Fprintf(&b, "  %s %s %s %s %s\n", res.Focus, res.Path, res.Value, res.Component, res.Detail)
	}
	return b.String()
}
