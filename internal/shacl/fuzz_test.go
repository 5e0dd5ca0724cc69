package shacl_test

import (
	"strings"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/shacl"
)

// FuzzValidate compiles arbitrary Turtle as shapes and validates arbitrary
// Turtle data: neither may panic or run away. Inputs are capped at a few
// hundred statements, so a slow case is a real blow-up, not a big input.
func FuzzValidate(f *testing.F) {
	f.Add(`ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:datatype xsd:integer ] .`,
		`ex:a a ex:C ; ex:p "x" .`)
	f.Add(`ex:S sh:targetNode ex:a ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:node ex:S ; sh:class ex:C ] .`,
		`ex:a ex:p ex:b . ex:b ex:p ex:a . ex:b a ex:D . ex:D rdfs:subClassOf ex:C . ex:C rdfs:subClassOf ex:D .`)
	f.Add(`ex:S sh:targetSubjectsOf ex:p ; sh:or ( ex:S [ sh:not ex:S ] ) ; sh:xone ( ex:T ex:S ) ; sh:closed true .
ex:T sh:path ( ex:p [ sh:inversePath ex:p ] ) ; sh:qualifiedValueShape ex:S ; sh:qualifiedMinCount 2 ; sh:qualifiedValueShapesDisjoint true .`,
		`ex:a ex:p ex:a, "1"@en, "2"@EN .`)
	f.Add(`ex:S sh:targetObjectsOf ex:p ; sh:pattern "^a" ; sh:flags "ix" ; sh:languageIn ( "en" ) ; sh:minInclusive 3 ; sh:in ( 1 2 ) .`,
		`ex:a ex:p 1, "2020-01-01"^^xsd:date, _:b .`)
	f.Add(`ex:S sh:targetNode ex:a ; sh:path ex:p ; sh:lessThan ex:q ; sh:equals ex:r ; sh:disjoint ex:s ; sh:uniqueLang true .`,
		`ex:a ex:p 1, 2 ; ex:q 1.5 ; ex:r 1 ; ex:s 2 .`)
	opts := rdf.Options{Base: "http://example.org/", Limits: rdf.Limits{MaxStatements: 400, MaxDepth: 32}}
	f.Fuzz(func(t *testing.T, shapesTTL, dataTTL string) {
		shapesGraph, err := rdfio.LoadGraph(strings.NewReader(prefixes+shapesTTL), rdf.FormatTurtle, opts)
		if err != nil {
			return
		}
		dataGraph, err := rdfio.LoadGraph(strings.NewReader(prefixes+dataTTL), rdf.FormatTurtle, opts)
		if err != nil {
			return
		}
		shapes, err := shacl.Compile(shapesGraph)
		if err != nil {
			return
		}
		report := shapes.Validate(dataGraph)
		if report.Conforms != (len(report.Results) == 0) {
			t.Fatalf("conforms = %v with %d results", report.Conforms, len(report.Results))
		}
		report.Graph()
	})
}
