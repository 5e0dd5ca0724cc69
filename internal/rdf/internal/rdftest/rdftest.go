// Package rdftest holds helpers for the RDF packages' tests and fuzz
// targets: locating ../shared, seeding fuzzers from the W3C suites, and
// the parse → write → parse property every parser must satisfy.
package rdftest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/rdf/ntriples"
	"qlink/internal/sharedtest"
)

// SharedDir returns ../shared next to the module root (it may not exist).
func SharedDir() string { return sharedtest.Dir() }

// SuiteDir is the W3C RDF 1.1 folder for a suite such as "rdf-turtle".
func SuiteDir(suite string) string {
	return filepath.Join(SharedDir(), "conformance", "rdf-tests", "rdf", "rdf11", suite)
}

// SeedFromSuite adds every file matching pattern in a suite folder (and
// its subfolders one level down) to the fuzzer's corpus; missing suites
// add nothing.
func SeedFromSuite(f *testing.F, suite string, patterns ...string) {
	for _, pat := range patterns {
		for _, glob := range []string{pat, filepath.Join("*", pat)} {
			files, _ := filepath.Glob(filepath.Join(SuiteDir(suite), glob))
			for _, name := range files {
				if data, err := os.ReadFile(name); err == nil && len(data) < 64<<10 {
					f.Add(data)
				}
			}
		}
	}
}

// FuzzLimits keeps fuzzing fast and bounded.
var FuzzLimits = rdf.Limits{MaxDepth: 64, MaxTermBytes: 1 << 16, MaxStatements: 10000}

// CheckRoundTrip writes qs as N-Quads and parses them back; the result
// must be isomorphic. Any parser's output must survive this.
func CheckRoundTrip(t *testing.T, qs []rdf.Quad) {
	t.Helper()
	var buf bytes.Buffer
	w := rdf.NewNQuadsWriter(&buf)
	for _, q := range qs {
		if err := w.Write(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var back []rdf.Quad
	err := ntriples.ParseQuads(bytes.NewReader(buf.Bytes()), rdf.Options{}, func(q rdf.Quad) error {
		back = append(back, q)
		return nil
	})
	if err != nil {
		t.Fatalf("re-parsing our own N-Quads: %v\n%s", err, buf.String())
	}
	if len(qs) < 200 && !rdf.Isomorphic(qs, back) {
		t.Fatalf("N-Quads round trip changed the graph:\n%s", buf.String())
	}
}

// Parser is the signature every syntax package's Parse has.
type Parser func(r io.Reader, opts rdf.Options, fn rdf.QuadFunc) error

// Collect runs parser p on data and returns the quads.
func Collect(p Parser, data []byte, opts rdf.Options) ([]rdf.Quad, error) {
	var qs []rdf.Quad
	err := p(bytes.NewReader(data), opts, func(q rdf.Quad) error {
		qs = append(qs, q)
		return nil
	})
	return qs, err
}

// FuzzBody is the body of every parser fuzz target: parsing must not
// panic, and what parses must survive the N-Quads round trip.
func FuzzBody(p Parser, opts rdf.Options) func(*testing.T, []byte) {
	return func(t *testing.T, data []byte) {
		if qs, err := Collect(p, data, opts); err == nil {
			CheckRoundTrip(t, qs)
		}
	}
}

// Lines renders quads as N-Quads lines joined by newlines.
func Lines(qs []rdf.Quad) string {
	var b strings.Builder
	for i, q := range qs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(q.String())
	}
	return b.String()
}

// WantParseError checks that err is an *rdf.ParseError at line:col whose
// message contains msg.
func WantParseError(t *testing.T, err error, line, col int, msg string) {
	t.Helper()
	var pe *rdf.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("want *rdf.ParseError, got %v", err)
	}
	if pe.Line != line || pe.Column != col || !strings.Contains(pe.Msg, msg) {
		t.Errorf("got %v (line %d col %d), want line %d col %d containing %q", err, pe.Line, pe.Column, line, col, msg)
	}
}
