package shacl_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/shacl"
)

const prefixes = `@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
`

func turtle(t testing.TB, src string) *rdf.Graph {
	t.Helper()
	g, err := rdfio.LoadGraph(strings.NewReader(prefixes+src), rdf.FormatTurtle, rdf.Options{Base: "http://example.org/"})
	if err != nil {
		t.Fatalf("test Turtle: %v", err)
	}
	return g
}

func compile(t testing.TB, shapes string) *shacl.Shapes {
	t.Helper()
	s, err := shacl.Compile(turtle(t, shapes))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDatatypeLexicalForms checks that sh:datatype validates the lexical
// form, not just the datatype IRI.
func TestDatatypeLexicalForms(t *testing.T) {
	cases := []struct {
		literal string
		valid   bool
	}{
		{`"12"^^xsd:integer`, true}, {`"+12"^^xsd:integer`, true}, {`"1.0"^^xsd:integer`, false}, {`""^^xsd:integer`, false},
		{`"127"^^xsd:byte`, true}, {`"128"^^xsd:byte`, false}, {`"-129"^^xsd:byte`, false},
		{`"-1"^^xsd:unsignedByte`, false}, {`"0"^^xsd:positiveInteger`, false}, {`"0"^^xsd:nonNegativeInteger`, true},
		{`"9223372036854775808"^^xsd:long`, false}, {`"99999999999999999999"^^xsd:integer`, true},
		{`"1."^^xsd:decimal`, true}, {`".5"^^xsd:decimal`, true}, {`"1e3"^^xsd:decimal`, false},
		{`"1e3"^^xsd:double`, true}, {`"INF"^^xsd:float`, true}, {`"inf"^^xsd:double`, false},
		{`"true"^^xsd:boolean`, true}, {`"0"^^xsd:boolean`, true}, {`"yes"^^xsd:boolean`, false},
		{`"2024-02-29"^^xsd:date`, true}, {`"2023-02-29"^^xsd:date`, false}, {`"2023-13-01"^^xsd:date`, false},
		{`"2023-04-31"^^xsd:date`, false}, {`"2023-01-01Z"^^xsd:date`, true},
		{`"2020-01-01T10:00:00Z"^^xsd:dateTime`, true}, {`"2020-01-01T10:00:00.5+02:00"^^xsd:dateTime`, true},
		{`"2020-01-01"^^xsd:dateTime`, false}, {`"2020-01-01T25:00:00"^^xsd:dateTime`, false},
		{`"2020"^^xsd:gYear`, true}, {`"20"^^xsd:gYear`, false}, {`"--02-29"^^xsd:gMonthDay`, true},
		{`"P1Y2M"^^xsd:duration`, true}, {`"PT"^^xsd:duration`, false}, {`"P"^^xsd:duration`, false},
		{`"https://example.org/a"^^xsd:anyURI`, true}, {`"https://example.org/a b"^^xsd:anyURI`, false},
		{`"en-GB"^^xsd:language`, true}, {`"english language"^^xsd:language`, false},
	}
	for _, c := range cases {
		dt := c.literal[strings.Index(c.literal, "^^")+2:]
		shapes := compile(t, `ex:S sh:targetNode ex:x ; sh:property [ sh:path ex:p ; sh:datatype `+dt+` ] .`)
		report := shapes.Validate(turtle(t, `ex:x ex:p `+c.literal+` .`))
		if report.Conforms != c.valid {
			t.Errorf("%s: conforms = %v, want %v", c.literal, report.Conforms, c.valid)
		}
	}
}

// TestCompileErrors checks that a malformed shape is refused with an
// error naming the shape, the parameter and the reason.
func TestCompileErrors(t *testing.T) {
	cases := []struct{ shapes, param, reason string }{
		{`ex:S sh:targetNode ex:x ; sh:path ex:p ; sh:minCount -1 .`, "sh:minCount", "non-negative integer"},
		{`ex:S sh:targetNode ex:x ; sh:pattern "(" .`, "sh:pattern", "missing closing )"},
		{`ex:S sh:targetNode ex:x ; sh:pattern "a" ; sh:flags "z" .`, "sh:pattern", "unknown flag"},
		{`ex:S sh:targetNode ex:x ; sh:nodeKind ex:Thing .`, "sh:nodeKind", "six SHACL node kinds"},
		{`ex:S sh:targetNode ex:x ; sh:path "p" .`, "sh:path", "literal"},
		{`ex:S sh:targetNode ex:x ; sh:in _:l . _:l rdf:first ex:a ; rdf:rest _:l .`, "sh:in", "cyclic"},
		{`ex:S sh:targetNode ex:x ; sh:datatype xsd:string, xsd:integer .`, "sh:datatype", "allows one"},
		{`ex:S sh:targetNode ex:x ; sh:in ( 1 ), ( 2 ) .`, "sh:in", "allows one"},
		{`ex:S sh:targetNode ex:x ; sh:path [ sh:alternativePath ( ex:p ) ] .`, "sh:path", "at least 2"},
	}
	for _, c := range cases {
		_, err := shacl.Compile(turtle(t, c.shapes))
		var se *shacl.ShapeError
		if !errors.As(err, &se) {
			t.Errorf("%s: error %v, want a *ShapeError", c.shapes, err)
			continue
		}
		if se.Shape != rdf.IRI("http://example.org/S") || !strings.Contains(err.Error(), "example.org/S") || se.Parameter != c.param || !strings.Contains(se.Reason, c.reason) {
			t.Errorf("%s: got shape %s, parameter %q, reason %q; want ex:S, %q, %q", c.shapes, se.Shape, se.Parameter, se.Reason, c.param, c.reason)
		}
	}
}

// TestCompileErrorNamesBlankPropertyShape: a blank property shape is
// named by its path, which is what the author can find in the file.
func TestCompileErrorNamesBlankPropertyShape(t *testing.T) {
	_, err := shacl.Compile(turtle(t, `ex:S sh:targetNode ex:x ; sh:property [ sh:path ex:title ; sh:maxCount "many" ] .`))
	if err == nil || !strings.Contains(err.Error(), "for path <http://example.org/title>") || !strings.Contains(err.Error(), "sh:maxCount") {
		t.Errorf("error %v does not name the path and the parameter", err)
	}
}

// TestRecursiveShapesEnd validates a shape that refers to itself over
// cyclic data; without the recursion guard this never returns.
func TestRecursiveShapesEnd(t *testing.T) {
	shapes := compile(t, `
ex:Person sh:targetClass ex:Person ;
  sh:property [ sh:path ex:knows ; sh:node ex:Person ; sh:property [ sh:path ex:knows ; sh:node ex:Person ] ] ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ] .`)
	report := shapes.Validate(turtle(t, `
ex:a a ex:Person ; ex:name "A" ; ex:knows ex:b .
ex:b a ex:Person ; ex:knows ex:a .`))
	if report.Conforms {
		t.Fatal("ex:b lacks a name, yet the report conforms")
	}
	var missing []string
	for _, r := range report.Results {
		if r.Component == shacl.NS+"MinCountConstraintComponent" {
			missing = append(missing, r.Focus.Value)
		}
	}
	if !slices.Equal(missing, []string{"http://example.org/b"}) {
		t.Errorf("minCount results for %v, want only ex:b", missing)
	}
}

// TestSeverityAndMessages: sh:severity and language-tagged sh:message
// reach the results; a warning still makes the graph non-conforming, as
// SHACL says.
func TestSeverityAndMessages(t *testing.T) {
	shapes := compile(t, `
ex:S sh:targetNode ex:x ; sh:severity sh:Warning ;
  sh:message "Title missing"@en, "Titel fehlt"@de ;
  sh:property [ sh:path ex:title ; sh:minCount 1 ] .
ex:T sh:targetNode ex:x ; sh:deactivated true ; sh:property [ sh:path ex:title ; sh:minCount 1 ] .`)
	report := shapes.Validate(turtle(t, `ex:x ex:other 1 .`))
	if report.Conforms || len(report.Results) != 1 {
		t.Fatalf("want one result from the property shape, got %+v", report.Results)
	}
	// The property shape is a blank node without its own severity.
	if r := report.Results[0]; r.Severity != shacl.Violation || r.SourceShape.IsIRI() {
		t.Errorf("result %+v: want a violation from the blank property shape", r)
	}
	shapes = compile(t, `
ex:S sh:targetNode ex:x ; sh:severity sh:Info ; sh:message "Title missing"@en, "Titel fehlt"@de ;
  sh:path ex:title ; sh:minCount 1 .`)
	r := shapes.Validate(turtle(t, `ex:x ex:other 1 .`)).Results
	if len(r) != 1 || r[0].Severity != shacl.Info ||
		!slices.Contains(r[0].Messages, rdf.LangLiteral("Titel fehlt", "de")) || len(r[0].Messages) != 2 {
		t.Errorf("got %+v, want one Info result with the English and German messages", r)
	}
}

// TestReportGraph checks the RDF form of a report, including a complex
// result path rebuilt with its structure.
func TestReportGraph(t *testing.T) {
	shapes := compile(t, `ex:S sh:targetNode ex:x ; sh:path ( ex:p [ sh:inversePath ex:q ] ) ; sh:minCount 1 .`)
	g := shapes.Validate(turtle(t, `ex:x ex:p ex:y .`)).Graph()
	var out strings.Builder
	if err := rdf.WriteTurtle(&out, g, map[string]string{"sh": shacl.NS, "ex": "http://example.org/"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sh:ValidationReport", `sh:conforms false`, "sh:MinCountConstraintComponent", "sh:inversePath ex:q", "sh:focusNode ex:x"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report graph lacks %q:\n%s", want, out.String())
		}
	}
}

// TestConcurrentValidate shares one compiled Shapes between goroutines
// (run with -race to see it is read-only).
func TestConcurrentValidate(t *testing.T) {
	shapes := compile(t, `
ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:datatype xsd:integer ; sh:node ex:N ] .
ex:N sh:or ( [ sh:minInclusive 0 ] [ sh:maxInclusive -10 ] ) .`)
	data := turtle(t, `ex:a a ex:C ; ex:p 1, -5, "x" . ex:b a ex:C ; ex:p 3 .`)
	want := fmt.Sprint(shapes.Validate(data).Results)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := fmt.Sprint(shapes.Validate(data).Results); got != want {
				t.Errorf("concurrent result differs:\n%s\nwant\n%s", got, want)
			}
		})
	}
	wg.Wait()
}

// TestValueRanges compares across numeric types, dates and date-times, and
// treats values that cannot be compared as violations.
func TestValueRanges(t *testing.T) {
	cases := []struct {
		bound, value string
		ok           bool
	}{
		{`sh:minInclusive 5`, `5.0`, true}, {`sh:minInclusive 5`, `4.99`, false}, {`sh:minExclusive 5`, `5`, false},
		{`sh:maxInclusive 5`, `"5e0"^^xsd:double`, true}, {`sh:maxExclusive 5`, `"NaN"^^xsd:double`, false},
		{`sh:minInclusive 1`, `"99999999999999999999999"^^xsd:integer`, true},
		{`sh:minInclusive "2020-01-01"^^xsd:date`, `"2020-06-01"^^xsd:date`, true},
		{`sh:minInclusive "2020-01-01"^^xsd:date`, `"2019-12-31"^^xsd:date`, false},
		{`sh:minInclusive "2020-01-01"^^xsd:date`, `"2020-06-01T00:00:00"^^xsd:dateTime`, false},
		{`sh:maxInclusive "2020-01-01T12:00:00Z"^^xsd:dateTime`, `"2020-01-01T13:00:00+02:00"^^xsd:dateTime`, true},
		{`sh:maxInclusive "2020-01-01T12:00:00Z"^^xsd:dateTime`, `"2020-01-01T11:00:00"^^xsd:dateTime`, false},
		{`sh:minInclusive 5`, `"6"`, false}, {`sh:minInclusive 5`, `ex:six`, false},
		{`sh:minLength 3`, `"añb"`, true}, {`sh:maxLength 2`, `"añb"`, false},
	}
	for _, c := range cases {
		shapes := compile(t, `ex:S sh:targetNode ex:x ; sh:path ex:p ; `+c.bound+` .`)
		if got := shapes.Validate(turtle(t, `ex:x ex:p `+c.value+` .`)).Conforms; got != c.ok {
			t.Errorf("%s against %s: conforms = %v, want %v", c.value, c.bound, got, c.ok)
		}
	}
}
