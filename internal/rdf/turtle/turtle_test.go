package turtle

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/rdf/internal/rdftest"
	"qlink/internal/sharedtest"
)

const base = "http://example.org/doc"

func TestParse(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string // N-Triples lines, in emission order
	}{
		{"prefixed and a", `@prefix ex: <http://example.org/> . ex:s a ex:C .`,
			[]string{`<http://example.org/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/C> .`}},
		{"relative IRI and base", `@base <http://x/a/b> . <../c> <#p> <d> .`,
			[]string{`<http://x/c> <http://x/a/b#p> <http://x/a/d> .`}},
		{"language tag keeps case", `<s> <p> "Colour"@en-GB .`,
			[]string{`<http://example.org/s> <http://example.org/p> "Colour"@en-GB .`}},
		{"long string with newline", "<s> <p> \"\"\"a\n\"b\"\" \"\"\" .",
			[]string{`<http://example.org/s> <http://example.org/p> "a\n\"b\"\" " .`}},
		{"numbers and booleans", `<s> <p> 1, -2.5, 1e3, true .`, []string{
			`<http://example.org/s> <http://example.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .`,
			`<http://example.org/s> <http://example.org/p> "-2.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .`,
			`<http://example.org/s> <http://example.org/p> "1e3"^^<http://www.w3.org/2001/XMLSchema#double> .`,
			`<http://example.org/s> <http://example.org/p> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .`}},
		{"nested blank node", `<s> <p> [ <q> "x" ] .`, []string{
			`_:q0 <http://example.org/q> "x" .`,
			`<http://example.org/s> <http://example.org/p> _:q0 .`}},
		{"user label starting with q", `_:q0 <p> _:x .`,
			[]string{`_:q_q0 <http://example.org/p> _:x .`}},
		{"collection", `<s> <p> ( 1 ) .`, []string{
			`_:q0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .`,
			`_:q0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .`,
			`<http://example.org/s> <http://example.org/p> _:q0 .`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			qs, err := rdftest.Collect(Parse, []byte(c.in), rdf.Options{Base: base})
			if err != nil {
				t.Fatal(err)
			}
			if got := rdftest.Lines(qs); got != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", got, strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name, in  string
		line, col int
		msg       string
	}{
		{"missing dot", "<s> <p> <o>\n<s> <p> <o> .", 2, 1, "expected '.'"},
		{"n3 arrow", ":s => :o .", 1, 1, "undefined prefix"},
		{"undefined prefix", "@prefix a: <http://x/> .\n  b:s a:p a:o .", 2, 4, `undefined prefix "b"`},
		{"bad escape", `<s> <p> "a\qb" .`, 1, 11, "unknown escape"},
		{"space in IRI", `<s> <p> <a b> .`, 1, 11, "not allowed in IRI"},
		{"relative without base", `<s> <p> <o> .`, 1, 4, "no base IRI"},
		{"unterminated string", `<s> <p> "abc`, 1, 13, "unterminated string"},
		{"literal subject", `"a" <p> <o> .`, 1, 1, "unexpected"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := rdf.Options{Base: base}
			if c.name == "relative without base" {
				opts.Base = ""
			}
			_, err := rdftest.Collect(Parse, []byte(c.in), opts)
			rdftest.WantParseError(t, err, c.line, c.col, c.msg)
		})
	}
}

func TestLimits(t *testing.T) {
	cases := []struct {
		name string
		in   string
		lim  rdf.Limits
	}{
		{"depth", "<s> <p> " + strings.Repeat("[ <p> ", 50) + "<o>" + strings.Repeat(" ]", 50) + " .", rdf.Limits{MaxDepth: 10}},
		{"collection depth", "<s> <p> " + strings.Repeat("(", 100000) + " .", rdf.Limits{}},
		{"literal size", `<s> <p> "` + strings.Repeat("x", 2000) + `" .`, rdf.Limits{MaxTermBytes: 1000}},
		{"IRI size", `<s> <p> <http://x/` + strings.Repeat("x", 2000) + `> .`, rdf.Limits{MaxTermBytes: 1000}},
		{"statements", strings.Repeat("<s> <p> <o> .\n", 11), rdf.Limits{MaxStatements: 10}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := rdftest.Collect(Parse, []byte(c.in), rdf.Options{Base: base, Limits: c.lim})
			if !errors.Is(err, rdf.ErrLimit) {
				t.Errorf("want ErrLimit, got %v", err)
			}
		})
	}
}

func TestHandlerErrorStops(t *testing.T) {
	n := 0
	err := Parse(strings.NewReader(strings.Repeat("<s> <p> <o> .\n", 5)), rdf.Options{Base: base}, func(rdf.Quad) error {
		n++
		return rdf.ErrStop
	})
	if !errors.Is(err, rdf.ErrStop) || n != 1 {
		t.Errorf("got %v after %d quads, want ErrStop after 1", err, n)
	}
}

func TestTriG(t *testing.T) {
	in := `@prefix : <http://x/> . :g { :s :p :o } { :a :b :c . } GRAPH _:h { :s :p "x" }`
	qs, err := rdftest.Collect(ParseTriG, []byte(in), rdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 3 || qs[0].G != rdf.IRI("http://x/g") || !qs[1].G.IsZero() || !qs[2].G.IsBlank() {
		t.Errorf("wrong graphs: %v", qs)
	}
}

// TestELMSamples parses the real QualityLink and EC Turtle samples.
func TestELMSamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(rdftest.SharedDir(), "samples", "elm", "*", "*.ttl"))
	if len(files) == 0 {
		sharedtest.Absent(t, "no ELM Turtle samples under %s", sharedtest.Path("samples", "elm"))
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		qs, err := rdftest.Collect(Parse, data, rdf.Options{Base: "file:///" + filepath.Base(name)})
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(name), err)
			continue
		}
		rdftest.CheckRoundTrip(t, qs)
	}
}

func FuzzTurtle(f *testing.F) {
	rdftest.SeedFromSuite(f, "rdf-turtle", "*.ttl")
	f.Add([]byte(`@prefix : <http://x/> . :s :p [ :q ( 1 2.0 "x"@en ) ] .`))
	f.Fuzz(rdftest.FuzzBody(Parse, rdf.Options{Base: base, Limits: rdftest.FuzzLimits}))
}

func FuzzTriG(f *testing.F) {
	rdftest.SeedFromSuite(f, "rdf-trig", "*.trig")
	f.Add([]byte(`@prefix : <http://x/> . :g { :s :p :o . } GRAPH [] { :a :b "c" }`))
	f.Fuzz(rdftest.FuzzBody(ParseTriG, rdf.Options{Base: base, Limits: rdftest.FuzzLimits}))
}
