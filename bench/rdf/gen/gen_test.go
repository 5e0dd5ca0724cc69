package main

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
)

// TestSameGraph checks that the four files describe one graph.
func TestSameGraph(t *testing.T) {
	dir := t.TempDir()
	ds := build(15)
	var graphs [][]rdf.Quad
	for _, w := range []struct {
		name  string
		write func(*bufio.Writer, []course)
	}{{"x.ttl", writeTurtle}, {"x.nt", writeNTriples}, {"x.nq", writeNQuads}, {"x.rdf", writeRDFXML}} {
		path := filepath.Join(dir, w.name)
		if err := writeFile(path, ds, w.write); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		format, _ := rdf.DetectFormat("", w.name)
		qs, err := rdfio.LoadQuads(f, format, rdf.Options{Base: "file:///bench/"})
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		for i := range qs {
			qs[i].G = rdf.Term{} // N-Quads adds graph names
		}
		if len(qs) != countTriples(ds) {
			t.Errorf("%s: %d triples, want %d", w.name, len(qs), countTriples(ds))
		}
		graphs = append(graphs, qs)
	}
	for i := 1; i < len(graphs); i++ {
		if !rdf.Isomorphic(graphs[0], graphs[i]) {
			t.Errorf("file %d describes another graph than the Turtle file", i)
		}
	}
}
