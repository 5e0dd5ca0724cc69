package quality

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"qlink/internal/model"
	modelelm "qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/shacl"
)

// Every named property shape has a rule with its explanation, and every
// rule but the policy ones has a shape: the two files stay in step.
func TestShapesAndRulesMatch(t *testing.T) {
	compiledShapes() // panics if the embedded file does not compile
	g, err := rdfio.LoadGraph(bytes.NewReader(shapesTTL), rdf.FormatTurtle, rdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	shaped := map[string]bool{}
	for tr := range g.Match(rdf.Term{}, rdf.IRI(shacl.NS+"path"), rdf.Term{}) {
		id, ok := strings.CutPrefix(tr.S.Value, RuleNS)
		if !ok || !tr.S.IsIRI() {
			t.Errorf("property shape %v has no %s IRI: its violations would not group by rule", tr.S, RuleNS)
			continue
		}
		shaped[id] = true
		if _, ok := rules[id]; !ok {
			t.Errorf("shape %s has no entry in rules", id)
		}
	}
	for id := range rules {
		if !shaped[id] && !slices.Contains([]string{RuleOwner, RuleUniqueID, RuleRecordID}, id) {
			t.Errorf("rule %s has no shape in shapes.ttl", id)
		}
	}
}

const fixturePrefixes = `
@prefix ql: <http://data.quality-link.eu/ontology/v1#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
`

// course is a complete course in the given ELM namespace; extra is
// appended inside its description, and eqf names its EQF level.
func course(ns, eqf, extra string) string {
	return fixturePrefixes + "@prefix elm: <" + ns + "> .\n" + `
<https://uni.example/hei> a ql:HigherEducationInstitution ;
    adms:identifier [ a ql:SchacIdentifier ; elm:schemeId ql:Schac ; skos:notation "uni.example" ] .
<urn:schac:uniqueCourseId:uni.example:C1> a ql:LearningOpportunitySpecification ;
    adms:identifier [ a elm:Identifier ; skos:notation "C1" ] ;
    dcterms:title "Soil science"@en ;
    dcterms:language <http://publications.europa.eu/resource/authority/language/DEU> ;
    elm:ISCEDFCode <http://data.europa.eu/snb/isced-f/0812> ;
    elm:EQFLevel <` + eqf + `> ;
    elm:learningOutcome [ a elm:LearningOutcome ; dcterms:title "Can sample soil."@en ] ;
    dcterms:publisher <https://uni.example/hei> ` + extra + ` .
`
}

func parseTurtle(t *testing.T, ttl string) *rdf.Graph {
	t.Helper()
	g, err := rdfio.LoadGraph(strings.NewReader(ttl), rdf.FormatTurtle, rdf.Options{})
	if err != nil {
		t.Fatalf("fixture: %v\n%s", err, ttl)
	}
	return g
}

func TestBothNamespacesConform(t *testing.T) {
	for _, ns := range []string{modelelm.NS, modelelm.NS32} {
		g := parseTurtle(t, course(ns, "http://data.europa.eu/snb/eqf/6", ""))
		before := g.Len()
		rep := CheckGraph(g)
		if got := findings(rep); len(got) > 0 {
			t.Errorf("%s: want no findings, got %q", ns, got)
		}
		if g.Len() != before {
			t.Errorf("%s: CheckGraph changed its input: %d statements, had %d", ns, g.Len(), before)
		}
	}
}

// Only the EU concepts internal/vocab knows count as skos:Concept: a level
// that does not exist, or the https form of a real one, is a violation.
func TestUnknownConceptIsViolation(t *testing.T) {
	const rec = "urn:schac:uniqueCourseId:uni.example:C1"
	for _, eqf := range []string{"http://data.europa.eu/snb/eqf/9", "https://data.europa.eu/snb/eqf/6"} {
		rep := CheckGraph(parseTurtle(t, course(modelelm.NS, eqf, "")))
		want := []string{rec + " | course-eqf/class | " + eqf}
		if got := findings(rep); !slices.Equal(got, want) {
			t.Errorf("EQF %s: got %q, want %q", eqf, got, want)
		}
	}
	rep := CheckGraph(parseTurtle(t, course(modelelm.NS, "http://data.europa.eu/snb/eqf/6",
		"; dcterms:language <http://publications.europa.eu/resource/authority/language/XYZ>")))
	want := []string{rec + " | course-language/class | http://publications.europa.eu/resource/authority/language/XYZ"}
	if got := findings(rep); !slices.Equal(got, want) {
		t.Errorf("unknown language: got %q, want %q", got, want)
	}
}

func TestExplanationsInPlainWords(t *testing.T) {
	rep := CheckGraph(parseTurtle(t, fixturePrefixes+`@prefix elm: <`+modelelm.NS+`> .
<urn:x:c> a ql:LearningOpportunitySpecification ;
    dcterms:title "A"@en, "B"@en ;
    elm:learningOutcome [ a elm:LearningOutcome ] .`))
	got := map[string]string{}
	for _, v := range rep.Records[0].Violations {
		got[v.Rule+"/"+v.Component] = v.Explanation
		if v.Rule == "course-isced-f" && v.Fields[FormatOOAPI] != "fieldsOfStudy" {
			t.Errorf("course-isced-f names OOAPI field %q, want fieldsOfStudy", v.Fields[FormatOOAPI])
		}
	}
	for key, want := range map[string]string{
		"course-eqf/minCount":     "The course has no EQF level.",
		"outcome-title/minCount":  "The learning outcome has no title.",
		"course-title/uniqueLang": "The course has more than one title in the same language.",
		"course-isced-f/minCount": "The course has no ISCED-F thematic area.",
	} {
		if got[key] != want {
			t.Errorf("%s: explanation %q, want %q", key, got[key], want)
		}
	}
}

func fullSpec() model.Specification {
	id := model.CourseID("uni.example", "uni", "C1")
	return model.Specification{
		ID: id, Identifiers: []model.Identifier{{Value: "C1"}},
		Title: model.Text{"en": "Soil science"}, LearningOutcomes: []model.Text{{"en": "Can sample soil."}},
		Languages: []string{"de"}, ISCEDF: []string{"0812"}, EQFLevel: 6,
		Credits:     []model.Credit{{System: "http://data.europa.eu/snb/education-credit/6fcec5c5af", Value: 5}},
		PublisherID: "uni", Active: true,
		Instances: []model.Instance{{ID: id + ":2026", SpecificationID: id, DefaultLanguage: "de",
			ProviderIDs: []string{"uni", "partner"}, RegistrationPortal: "https://apply.uni.example/C1"}},
	}
}

var uni = model.Provider{ID: "uni", SCHAC: "uni.example", Name: model.Text{"en": "Uni"}}

func TestCheckSpecValidatesTheELMForm(t *testing.T) {
	rep := CheckSpec(fullSpec(), uni)
	if len(rep.Violations) > 0 || rep.Completeness == nil || rep.Completeness.Score != 100 {
		t.Fatalf("complete spec: got %+v", rep)
	}

	s := fullSpec()
	s.EQFLevel, s.LearningOutcomes, s.Identifiers, s.Credits = 0, nil, nil, nil
	rep = CheckSpec(s, uni)
	var got []string
	for _, v := range rep.Violations {
		got = append(got, v.Rule+"/"+v.Component+" ooapi:"+v.Fields[FormatOOAPI])
	}
	slices.Sort(got)
	want := []string{"course-eqf/minCount ooapi:level", "course-identifier/minCount ooapi:primaryCode",
		"course-learning-outcome/minCount ooapi:learningOutcomes"}
	if !slices.Equal(got, want) {
		t.Errorf("violations: got %q, want %q", got, want)
	}
	if c := rep.Completeness; c == nil || c.Score != 57 ||
		!slices.Equal(c.Missing, []string{ItemLearningOutcome, ItemEQF, ItemCredits}) {
		t.Errorf("completeness: got %+v", c)
	}
}

func TestCheckSpecRefusesRecordWithoutIRI(t *testing.T) {
	s := fullSpec()
	s.ID = "not an iri"
	rep := CheckSpec(s, uni)
	if len(rep.Violations) != 1 || rep.Violations[0].Rule != RuleRecordID || rep.Conforms() {
		t.Errorf("got %+v", rep)
	}
}

func TestCheckOwnership(t *testing.T) {
	mine, theirs, allowed := fullSpec(), fullSpec(), fullSpec()
	theirs.ID, theirs.PublisherID = "urn:x:theirs", "other"
	allowed.ID, allowed.PublisherID = "urn:x:allowed", "sister"
	mine.Instances[0].ProviderIDs = []string{"uni", "stranger"}
	got := CheckOwnership([]model.Specification{mine, theirs, allowed}, uni, []string{"sister", "partner"})
	var lines []string
	for _, c := range got {
		for _, v := range c.Violations {
			lines = append(lines, c.Record+" "+v.Rule+" "+v.Value)
		}
	}
	want := []string{mine.ID + " policy-owner stranger", "urn:x:theirs policy-owner other"}
	if !slices.Equal(lines, want) {
		t.Errorf("got %q, want %q", lines, want)
	}
}

func TestCheckUniqueIdentifiers(t *testing.T) {
	a, b, c, d := fullSpec(), fullSpec(), fullSpec(), fullSpec()
	b.ID = "urn:x:b"                                               // same code C1 as a
	c.ID, c.Identifiers = "urn:x:c", nil                           // same... nothing: unique
	d.Identifiers = []model.Identifier{{Value: "D"}, {Value: "D"}} // same ID as a; D twice in itself
	other := fullSpec()
	other.ID, other.PublisherID = "urn:x:other", "elsewhere" // C1 at another provider is fine
	got := CheckUniqueIdentifiers([]model.Specification{a, b, c, d, other})
	var lines []string
	for _, r := range got {
		for _, v := range r.Violations {
			lines = append(lines, r.Record+" "+v.Value+" "+v.Detail)
		}
	}
	want := []string{"urn:x:b C1 also used by " + a.ID, a.ID + " " + a.ID + " also used by " + a.ID}
	if !slices.Equal(lines, want) {
		t.Errorf("got %q\nwant %q", lines, want)
	}
}

func TestSummariseAndMerge(t *testing.T) {
	good := CheckSpec(fullSpec(), uni)
	bad := fullSpec()
	bad.ID, bad.EQFLevel = "urn:x:bad", 0
	bad.Instances = nil
	reports := Merge([]CourseReport{good, CheckSpec(bad, uni)}, CheckUniqueIdentifiers([]model.Specification{fullSpec(), bad}))
	s := Summarise("uni", "https://uni.example/ooapi", reports)
	if s.Records != 2 || s.Courses != 2 || s.Conforming != 1 {
		t.Errorf("counts: %+v", s)
	}
	// good scores 100; bad lacks EQF and the enrolment link: 5 of 7 = 71.
	if s.AverageScore != 85.5 {
		t.Errorf("average score %v, want 85.5", s.AverageScore)
	}
	var rulesSeen []string
	for _, r := range s.Rules {
		rulesSeen = append(rulesSeen, r.Rule)
		if r.Records != 1 || !slices.Equal(r.Examples, []string{"urn:x:bad"}) {
			t.Errorf("rule %s: %+v", r.Rule, r)
		}
	}
	slices.Sort(rulesSeen)
	if !slices.Equal(rulesSeen, []string{"course-eqf", RuleUniqueID}) {
		t.Errorf("rules %q", rulesSeen)
	}
	// A later harvest step stores the summary as JSON.
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back model.QualitySummary
	if err := json.Unmarshal(b, &back); err != nil || back.AverageScore != s.AverageScore || len(back.Rules) != len(s.Rules) {
		t.Errorf("JSON round trip: %v, %+v", err, back)
	}
}

func TestHomepageMustBeAWebPageWithURL(t *testing.T) {
	const rec = "urn:schac:uniqueCourseId:uni.example:C1"
	for _, tc := range []struct {
		homepage string
		want     []string
	}{
		{`[ a elm:WebResource ; elm:contentUrl "HTTPS://Uni.Example/c1" ]`, nil},
		{`"https://uni.example/c1"`, []string{rec + " | course-homepage/class | https://uni.example/c1"}},
		{`[ a elm:WebResource ; elm:contentUrl "ftp://uni.example/c1" ]`, []string{rec + " | course-homepage/node | _:"}},
		{`[ a elm:WebResource ]`, []string{rec + " | course-homepage/node | _:"}},
	} {
		rep := CheckGraph(parseTurtle(t, course(modelelm.NS, "http://data.europa.eu/snb/eqf/6", "; foaf:homepage "+tc.homepage)))
		if got := findings(rep); !slices.Equal(got, tc.want) {
			t.Errorf("homepage %s: got %q, want %q", tc.homepage, got, tc.want)
		}
	}
}

// Hostile shapes of data end: a cycle of blank nodes has no record above
// it, and the report says where the problem is all the same.
func TestBlankNodeCycleEnds(t *testing.T) {
	rep := CheckGraph(parseTurtle(t, fixturePrefixes+`@prefix elm: <`+modelelm.NS+`> .
_:a a elm:LearningOutcome ; elm:relatedSkill _:b .
_:b elm:relatedSkill _:a .`))
	if len(rep.Records) != 1 || rep.Records[0].Kind != KindOther || len(rep.Records[0].Violations) != 1 ||
		rep.Records[0].Violations[0].Rule != "outcome-title" {
		t.Errorf("got %+v", rep.Records)
	}
}

// Credits count for completeness in ECTS, or in no named system, not in
// another system such as ECVET.
func TestCompletenessCountsECTSOnly(t *testing.T) {
	for _, tc := range []struct {
		system string
		score  int
	}{{"http://data.europa.eu/snb/education-credit/6fcec5c5af", 100}, {"", 100},
		{"http://data.europa.eu/snb/education-credit/60b314e826", 86}} {
		s := fullSpec()
		s.Credits[0].System = tc.system
		if got := CheckSpec(s, uni).Completeness.Score; got != tc.score {
			t.Errorf("credit system %q: score %d, want %d", tc.system, got, tc.score)
		}
	}
}

// Checking a source's records a batch at a time finds what checking each
// alone finds, record by record, bad record IDs included.
func TestCheckSpecsMatchesCheckSpec(t *testing.T) {
	specs := benchSpecs(specBatch + 30) // two batches
	untitled := fullSpec()
	untitled.ID = model.CourseID("uni.example", "uni", "untitled")
	untitled.Title = nil
	badID := fullSpec()
	badID.ID = "not an IRI"
	specs = append(specs, untitled, badID)
	got := CheckSpecs(specs, uni)
	if len(got) != len(specs) {
		t.Fatalf("%d reports for %d records", len(got), len(specs))
	}
	found := 0
	for i, s := range specs {
		want := CheckSpec(s, uni)
		if !reflect.DeepEqual(got[i], want) {
			t.Fatalf("record %d (%s): batch %+v, alone %+v", i, s.ID, got[i], want)
		}
		found += len(want.Violations)
	}
	if found == 0 {
		t.Fatal("no findings: the test compares nothing")
	}
}
