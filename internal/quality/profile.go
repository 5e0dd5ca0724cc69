package quality

import (
	"bytes"
	_ "embed"
	"strings"
	"sync"

	modelelm "qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/shacl"
	"qlink/internal/vocab"
)

//go:embed shapes.ttl
var shapesTTL []byte

// RuleNS prefixes the IRI of every property shape in shapes.ttl; the rest
// of the IRI is the rule's ID.
const RuleNS = "urn:qlink:rule:"

// compiledShapes parses and compiles the embedded profile once. The file
// is part of the binary and a test compiles it, so a failure here is a
// build defect, not bad input.
var compiledShapes = sync.OnceValue(func() *shacl.Shapes {
	g, err := rdfio.LoadGraph(bytes.NewReader(shapesTTL), rdf.FormatTurtle, rdf.Options{})
	if err != nil {
		panic("quality: embedded shapes.ttl: " + err.Error())
	}
	s, err := shacl.Compile(g)
	if err != nil {
		panic("quality: embedded shapes.ttl: " + err.Error())
	}
	return s
})

const (
	rdfType        = modelelm.RDFNS + "type"
	rdfsSubClassOf = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
	skosConcept    = modelelm.SKOS + "Concept"
	skosInScheme   = modelelm.SKOS + "inScheme"
)

// ontologyAxioms are the rdfs:subClassOf statements of the QualityLink
// ontology that the shapes rely on. SHACL reads subclasses from the data
// graph, and providers rarely copy them into their files.
var ontologyAxioms = [][2]string{
	{modelelm.QL + "HigherEducationInstitution", modelelm.NS + "Organisation"},
	{modelelm.QL + "LearningOpportunitySpecification", modelelm.NS + "LearningAchievementSpecification"},
	{modelelm.QL + "LearningOpportunityInstance", modelelm.NS + "LearningOpportunity"},
	{modelelm.QL + "SchacIdentifier", modelelm.NS + "Identifier"},
	{modelelm.QL + "OrgRegIdentifier", modelelm.NS + "Identifier"},
}

// schemes are the EU controlled vocabularies whose concepts vocab knows
// one by one; languages are recognised by their NAL form.
var schemes = []*vocab.Scheme{vocab.ISCEDF, vocab.EQF, vocab.LearningOpportunityTypes, vocab.Modes,
	vocab.LearningSchedules, vocab.CreditSystems}

// prepare returns the graph the shapes see for data: a copy with ELM
// ≤3.2 IRIs rewritten to 3.3, enriched. data is not changed.
func prepare(data *rdf.Graph) *rdf.Graph {
	g := rdf.NewGraph()
	for t := range data.All() {
		q, _ := modelelm.NormalizeQuad(rdf.Quad{S: t.S, P: t.P, O: t.O})
		g.Add(q.Triple())
	}
	enrich(g)
	return g
}

// enrich adds to g, in place, the ontology axioms and every EU vocabulary
// concept g names, typed skos:Concept in its scheme: Validate sees only
// the graph it is given.
func enrich(g *rdf.Graph) {
	seen := map[rdf.Term]bool{}
	var concepts [][2]string
	for t := range g.All() {
		if t.O.IsIRI() && !seen[t.O] {
			seen[t.O] = true
			if scheme := conceptScheme(t.O.Value); scheme != "" {
				concepts = append(concepts, [2]string{t.O.Value, scheme})
			}
		}
	}
	for _, c := range concepts {
		g.Add(rdf.Triple{S: rdf.IRI(c[0]), P: rdf.IRI(rdfType), O: rdf.IRI(skosConcept)})
		g.Add(rdf.Triple{S: rdf.IRI(c[0]), P: rdf.IRI(skosInScheme), O: rdf.IRI(c[1])})
	}
	for _, ax := range ontologyAxioms {
		g.Add(rdf.Triple{S: rdf.IRI(ax[0]), P: rdf.IRI(rdfsSubClassOf), O: rdf.IRI(ax[1])})
	}
}

// conceptScheme returns the IRI of the EU vocabulary that publishes iri
// as a concept, or "" when none does. Only the exact published IRI counts:
// a misspelt or https form is not the concept.
func conceptScheme(iri string) string {
	for _, s := range schemes {
		if c, ok := s.Lookup(iri); ok && c.URI == iri {
			return strings.TrimSuffix(s.Base, "/")
		}
	}
	if code, ok := strings.CutPrefix(iri, vocab.LanguageBase); ok && isNALLanguageCode(code) {
		return strings.TrimSuffix(vocab.LanguageBase, "/")
	}
	return ""
}

// isNALLanguageCode reports whether code is how the EU language table
// keys a language: three upper-case letters of a known ISO 639-2/3 code.
// (LanguageURI does not round-trip: it folds macrolanguages such as HBS
// into a member, yet HBS is in the table.)
func isNALLanguageCode(code string) bool {
	if len(code) != 3 || strings.ToUpper(code) != code {
		return false
	}
	_, ok := vocab.NormalizeLang(code)
	return ok
}
