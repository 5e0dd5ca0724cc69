package shacl_test

import (
	"bytes"
	"fmt"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/shacl"
	"qlink/internal/sharedtest"
)

const (
	elmNS     = "http://data.europa.eu/snb/model/ontology/"
	dctermsNS = "http://purl.org/dc/terms/"
	skosNS    = "http://www.w3.org/2004/02/skos/core#"
)

// courseGraph generates n course-like records in the shape the QualityLink
// profile expects of an elm:LearningAchievementSpecification: identifier,
// titles in two languages, a learning outcome, language, ISCED-F and EQF
// concepts, a modification date. Every tenth course lacks its EQF level and
// every seventh has a malformed date, so the engine also writes results.
func courseGraph(n int) *rdf.Graph {
	g := rdf.NewGraph()
	add := func(s rdf.Term, p string, o rdf.Term) { g.Add(rdf.Triple{S: s, P: rdf.IRI(p), O: o}) }
	concept := func(iri string) rdf.Term {
		c := rdf.IRI(iri)
		add(c, rdf.RDFType, rdf.IRI(skosNS+"Concept"))
		return c
	}
	english := concept("http://publications.europa.eu/resource/authority/language/ENG")
	isced := concept("http://data.europa.eu/snb/isced-f/0613")
	eqf := concept("http://data.europa.eu/snb/eqf/6")
	for i := range n {
		course := rdf.IRI(fmt.Sprintf("https://uni.example/course/%d", i))
		id := rdf.IRI(fmt.Sprintf("https://uni.example/course/%d#id", i))
		lo := rdf.IRI(fmt.Sprintf("https://uni.example/course/%d#lo", i))
		add(course, rdf.RDFType, rdf.IRI(elmNS+"LearningAchievementSpecification"))
		add(course, "http://www.w3.org/ns/adms#identifier", id)
		add(id, rdf.RDFType, rdf.IRI(elmNS+"Identifier"))
		add(id, skosNS+"notation", rdf.String(fmt.Sprint(i)))
		add(course, dctermsNS+"title", rdf.LangLiteral(fmt.Sprintf("Course %d", i), "en"))
		add(course, dctermsNS+"title", rdf.LangLiteral(fmt.Sprintf("Kurs %d", i), "de"))
		add(course, elmNS+"learningOutcome", lo)
		add(lo, rdf.RDFType, rdf.IRI(elmNS+"LearningOutcome"))
		add(lo, dctermsNS+"title", rdf.LangLiteral("Writes Go", "en"))
		add(course, dctermsNS+"language", english)
		add(course, elmNS+"ISCEDFCode", isced)
		if i%10 != 0 {
			add(course, elmNS+"EQFLevel", eqf)
		}
		modified := "2026-01-15T10:00:00Z"
		if i%7 == 0 {
			modified = "2026-13-15"
		}
		add(course, dctermsNS+"modified", rdf.Literal(modified, rdf.XSDDateTime))
	}
	return g
}

func qualityLinkShapes(b *testing.B) *shacl.Shapes {
	data := sharedtest.ReadFile(b, "samples", "elm", "shapes", "quality-link-ontology-shacl.ttl")
	g, err := rdfio.LoadGraph(bytes.NewReader(data), rdf.FormatTurtle, rdf.Options{Base: "http://data.quality-link.eu/ontology/v1"})
	if err != nil {
		b.Fatal(err)
	}
	shapes, err := shacl.Compile(g)
	if err != nil {
		b.Fatal(err)
	}
	return shapes
}

// BenchmarkValidateCourses validates generated courses against the
// QualityLink shapes and reports courses per second on one goroutine:
// "graph" validates 1,000 courses in one graph, "record" one graph per
// course as a harvest does record by record.
func BenchmarkValidateCourses(b *testing.B) {
	shapes := qualityLinkShapes(b)
	const courses = 1000
	data := courseGraph(courses)
	if r := shapes.Validate(data); r.Conforms || len(r.Results) != 100+143 {
		b.Fatalf("generated defects: %d results, want 243", len(r.Results))
	}
	b.Run("graph", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			shapes.Validate(data)
		}
		b.ReportMetric(float64(courses*b.N)/b.Elapsed().Seconds(), "courses/s")
	})
	b.Run("record", func(b *testing.B) {
		record := courseGraph(1)
		b.ReportAllocs()
		for b.Loop() {
			shapes.Validate(record)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "courses/s")
	})
}
