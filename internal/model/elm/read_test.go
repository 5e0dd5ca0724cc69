package elm

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
)

func TestReadSamples(t *testing.T) {
	minimalProvider := model.Provider{ID: "DEQARINST0007", SCHAC: "example.ac.at"}
	at := model.Provider{ID: "DEQARINST0815", ETER: "AT0001"}
	cases := []struct {
		file                 string
		provider             model.Provider
		specs, instances     int
		old                  bool
		warnings             []string
		check                func(t *testing.T, r Result)
		noWarningsExceptThem bool
	}{
		{file: "minimal/minimal-elm33.ttl", provider: minimalProvider, specs: 1, instances: 1, check: checkMinimal, noWarningsExceptThem: true},
		{file: "minimal/minimal-elm33.jsonld", provider: minimalProvider, specs: 1, instances: 1, check: checkMinimal, noWarningsExceptThem: true},
		{file: "quality-link/AT0002.ttl", provider: at, specs: 2, old: true, warnings: []string{
			"learning-opportunity/4711 is not a specification in this file",
			"the instance belongs to no specification in this file; skipped",
			`identifier "123" is also used by urn:schac:courseId:uni-lj.si:123`,
		}, check: func(t *testing.T, r Result) {
			s := r.Specs[0]
			if s.ID != "urn:qlink:course:DEQARINST0815:123" || s.PublisherID != at.ID || s.Version != "1.0" || !s.Active ||
				!reflect.DeepEqual(s.Languages, []string{"sh"}) || len(s.LearningOutcomes) != 2 || s.EQFLevel != 0 {
				t.Errorf("first spec %+v", s)
			}
			if !hasIdentifier(r.Specs[1].Identifiers, SchemeIRI, "http://course.are.cool/123") {
				t.Errorf("second spec lost its IRI: %+v", r.Specs[1].Identifiers)
			}
		}},
		{file: "quality-link/notebook-20251030_112437.ttl", provider: model.Provider{ID: "x", ETER: "AT0005"}, specs: 2, old: true,
			warnings: []string{"the instance belongs to no specification in this file"}},
		{file: "quality-link/SI0001.ttl", provider: model.Provider{ID: "DEQARINST0001", ETER: "SI0001"}, specs: 2, instances: 1, old: true,
			warnings: []string{"elm:learningOutcome[1]: learning outcome without a title; skipped"},
			check: func(t *testing.T, r Result) {
				s := r.Specs[0]
				if s.EQFLevel != 7 || len(s.LearningOutcomes) != 1 || len(s.Instances) != 1 {
					t.Fatalf("spec %+v", s)
				}
				in := s.Instances[0]
				if in.Homepage != "https://quality-link.eu/" || in.DefaultLanguage != "sh" || !reflect.DeepEqual(in.ProviderIDs, []string{"DEQARINST0001"}) ||
					in.Title["en"] != "Computer Science - Linked Open Data" || !in.Start.IsZero() {
					t.Errorf("instance %+v", in)
				}
				if r.Specs[1].PublisherID != "DEQARINST0001" {
					t.Errorf("a specification without publisher is published by the source's institution, got %q", r.Specs[1].PublisherID)
				}
			}},
		{file: "quality-link/alliance.ttl", provider: at, old: true},
		{file: "ec-elm-v3/credential-sample-turtle.ttl", provider: at, old: true},
		{file: "ec-elm-v3/credential-sample.jsonld", provider: at, old: true},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			r := Read(loadSample(t, tc.file), ReadOptions{Provider: tc.provider})
			if len(r.Specs) != tc.specs || r.Instances != tc.instances || r.OldNamespace != tc.old {
				t.Errorf("%d specs, %d instances, old namespace %v; want %d, %d, %v", len(r.Specs), r.Instances, r.OldNamespace, tc.specs, tc.instances, tc.old)
			}
			got := warningsText(r.Warnings)
			for _, w := range tc.warnings {
				if !strings.Contains(got, w) {
					t.Errorf("no warning %q in\n%s", w, got)
				}
			}
			if tc.noWarningsExceptThem && len(r.Warnings) != len(tc.warnings) {
				t.Errorf("warnings:\n%s", got)
			}
			if tc.check != nil && len(r.Specs) == tc.specs {
				tc.check(t, r)
			}
		})
	}
}

func checkMinimal(t *testing.T, r Result) {
	s := r.Specs[0]
	want := model.Specification{
		ID:               "urn:schac:uniqueCourseId:example.ac.at:CS101",
		Identifiers:      []model.Identifier{{Scheme: SchemeELM, Value: "CS101"}},
		Type:             "http://data.europa.eu/snb/learning-opportunity/05053c1cbe",
		Title:            model.Text{"en": "Linked Open Data", "de": "Verknüpfte offene Daten"},
		Description:      model.Text{"en": "Introduction to RDF, SPARQL and SHACL."},
		LearningOutcomes: []model.Text{{"en": "The learner can explain RDF serialisation formats."}},
		Languages:        []string{"en"},
		ISCEDF:           []string{"0612"},
		EQFLevel:         6,
		Credits:          []model.Credit{{System: model.CreditECTS, Value: 6}},
		Active:           true,
		Modified:         time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		PublisherID:      "DEQARINST0007",
		Instances: []model.Instance{{
			ID:                 "urn:schac:uniqueCourseId:example.ac.at:CS101:offering:CS101-2026S",
			Identifiers:        []model.Identifier{{Scheme: SchemeIRI, Value: "https://data.example.ac.at/loi/CS101-2026S"}},
			SpecificationID:    "urn:schac:uniqueCourseId:example.ac.at:CS101",
			Start:              time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
			End:                time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC),
			Modes:              []string{"http://data.europa.eu/snb/learning-assessment/9191af2ed9"},
			DefaultLanguage:    "en",
			ProviderIDs:        []string{"DEQARINST0007"},
			RegistrationPortal: "https://apply.example.ac.at/CS101",
			Homepage:           "https://www.example.ac.at/cs101",
		}},
	}
	if !reflect.DeepEqual(normalized(s), normalized(want)) {
		t.Errorf("got  %+v\nwant %+v", normalized(s), normalized(want))
	}
}

// TestReadSloppy feeds small documents with one problem each: the problem
// is reported against the node and property, and the rest still arrives.
func TestReadSloppy(t *testing.T) {
	cases := []struct {
		name    string
		doc     string
		warning string // "" for none
		check   func(t *testing.T, specs []model.Specification)
	}{
		{"literal homepage", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ;
			foaf:homepage "https://uni.test/a" .`, "foaf:homepage: \"https://uni.test/a\"; expected an elm:WebResource",
			func(t *testing.T, s []model.Specification) { want(t, s[0].Homepage, "https://uni.test/a") }},
		{"IRI homepage", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ;
			foaf:homepage <https://uni.test/a> .`, "expected an elm:WebResource",
			func(t *testing.T, s []model.Specification) { want(t, s[0].Homepage, "https://uni.test/a") }},
		{"homepage not http", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ;
			foaf:homepage [ a elm:WebResource ; elm:contentUrl "ftp://uni.test/a" ] .`, `"ftp://uni.test/a" is not an http(s) URL`,
			func(t *testing.T, s []model.Specification) { want(t, s[0].Homepage, "") }},
		{"comma point", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ;
			elm:creditPoint [ a elm:CreditPoint ; elm:framework <http://data.europa.eu/snb/education-credit/6fcec5c5af> ; elm:point "7,5" ] .`, "",
			func(t *testing.T, s []model.Specification) { want(t, s[0].Credits[0].Value, 7.5) }},
		{"typed point without framework", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ;
			elm:creditPoint [ elm:point 5.0 ] .`, "elm:creditPoint/elm:framework: no credit framework; read as ECTS",
			func(t *testing.T, s []model.Specification) {
				want(t, s[0].Credits[0], model.Credit{System: model.CreditECTS, Value: 5})
			}},
		{"bad point", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ;
			elm:creditPoint [ elm:framework <http://data.europa.eu/snb/education-credit/6fcec5c5af> ; elm:point "six" ] .`,
			`elm:creditPoint/elm:point: "six" is not a number of credits`,
			func(t *testing.T, s []model.Specification) { want(t, len(s[0].Credits), 0) }},
		{"title as IRI", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title <https://uni.test/t>, "B"@en .`,
			"dcterms:title: <https://uni.test/t> is not a text",
			func(t *testing.T, s []model.Specification) { want(t, s[0].Title, model.Text{"en": "B"}) }},
		{"two titles in one language", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "B"@en, "C"@EN .`,
			`a second value in language "en"; the first is kept`,
			func(t *testing.T, s []model.Specification) { want(t, s[0].Title, model.Text{"en": "B"}) }},
		{"languages kept, untagged kept apart", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ;
			dcterms:title "Titel"@de-at, "Title"@en-gb, "Naslov"@sr-latn, "untagged" .`, "",
			func(t *testing.T, s []model.Specification) {
				want(t, s[0].Title, model.Text{"de-AT": "Titel", "en-GB": "Title", "sr-Latn": "Naslov", "und": "untagged"})
			}},
		{"no title", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; elm:EQFLevel eqf:6 .`,
			"dcterms:title: no title in any language",
			func(t *testing.T, s []model.Specification) { want(t, s[0].EQFLevel, 6) }},
		{"language as literal", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ;
			dcterms:language "nld", lang:ENG, <http://example.org/lang/x> .`, `dcterms:language: "nld" is a literal; expected a NAL language IRI`,
			func(t *testing.T, s []model.Specification) { want(t, s[0].Languages, []string{"nl", "en"}) }},
		{"unknown ISCED-F and EQF 9", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ;
			elm:ISCEDFCode isced:9876, isced:0611, "0612" ; ql:ISCEDFBroadField isced:01 ; elm:EQFLevel eqf:9 .`,
			`"9876" is not an ISCED-F 2013 code`,
			func(t *testing.T, s []model.Specification) {
				want(t, s[0].ISCEDF, []string{"0611", "0612"})
				want(t, s[0].EQFLevel, 0)
			}},
		{"two EQF levels", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ; elm:EQFLevel eqf:6, eqf:7 .`,
			"elm:EQFLevel: 2 values; the first is kept",
			func(t *testing.T, s []model.Specification) { want(t, s[0].EQFLevel, 6) }},
		{"bad boolean and version", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ;
			ql:isActive "maybe" ; ql:version 2 ; dcterms:modified "2026-01-02"^^xsd:date .`, `ql:isActive: "maybe" is not a boolean`,
			func(t *testing.T, s []model.Specification) {
				want(t, s[0].Active, true)
				want(t, s[0].Version, "2")
				want(t, s[0].Modified, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
			}},
		{"inactive", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ; ql:isActive false .`, "",
			func(t *testing.T, s []model.Specification) { want(t, s[0].Active, false) }},
		{"old namespace, Qualification, untyped instance", `<https://uni.test/c/1> a elm32:Qualification ; dcterms:title "A"@en ;
			elm32:learningOpportunity <https://uni.test/o/1> .
			<https://uni.test/o/1> dcterms:temporal [ elm32:startDate "2026-09-01"^^xsd:date ; elm32:endDate "2027-01-31T00:00:00" ] ;
			ql:enrolmentCapacity "30"^^xsd:nonNegativeInteger ; ql:enrolledLearnerCount -1 ; elm32:mode mode:920fbb3cbe .`,
			"ql:enrolledLearnerCount: \"-1\"",
			func(t *testing.T, s []model.Specification) {
				in := s[0].Instances[0]
				want(t, in.ID, "urn:schac:uniqueCourseId:uni.test:1:offering:1")
				want(t, in.Start, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
				want(t, in.End, time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC))
				want(t, *in.Capacity, 30)
				want(t, in.Enrolled, (*int)(nil))
				want(t, in.Modes, []string{"http://data.europa.eu/snb/learning-assessment/920fbb3cbe"})
				want(t, in.ProviderIDs, []string{testProvider.ID})
			}},
		{"dangling learningOpportunity", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ;
			elm:learningOpportunity <https://uni.test/o/missing> .`, "elm:learningOpportunity: https://uni.test/o/missing is not described in this file",
			func(t *testing.T, s []model.Specification) { want(t, len(s[0].Instances), 0) }},
		{"instance of two specifications", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en .
			<https://uni.test/c/2> a ql:LearningOpportunitySpecification ; dcterms:title "B"@en ; elm:learningOpportunity <https://uni.test/o/1> .
			<https://uni.test/o/1> a ql:LearningOpportunityInstance ; elm:learningAchievementSpecification <https://uni.test/c/1> .`,
			"the instance belongs to 2 specifications; kept with https://uni.test/c/1",
			func(t *testing.T, s []model.Specification) { want(t, len(s[0].Instances)+10*len(s[1].Instances), 1) }},
		{"blank specification without identifier", `[ a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ] .
			[ a ql:LearningOpportunitySpecification ; dcterms:title "B"@en ; adms:identifier [ skos:notation "B-1" ; elm:schemeName "local code" ] ] .`,
			"a blank node without adms:identifier cannot be identified; skipped",
			func(t *testing.T, s []model.Specification) {
				want(t, len(s), 1)
				want(t, s[0].ID, "urn:schac:uniqueCourseId:uni.test:B-1")
				want(t, s[0].Identifiers, []model.Identifier{{Scheme: "local code", Value: "B-1"}})
			}},
		{"identifier of another institution", `<urn:schac:uniqueCourseId:other.test:X1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en .`,
			"course identifier of another institution",
			func(t *testing.T, s []model.Specification) {
				want(t, s[0].ID, "urn:schac:uniqueCourseId:uni.test:X1")
				want(t, s[0].Identifiers, []model.Identifier{{Scheme: SchemeIRI, Value: "urn:schac:uniqueCourseId:other.test:X1"}})
			}},
		{"own identifier kept, SCHAC case folded", `<urn:schac:uniqueCourseId:Uni.Test:X1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en .`, "",
			func(t *testing.T, s []model.Specification) {
				want(t, s[0].ID, "urn:schac:uniqueCourseId:uni.test:X1")
				want(t, s[0].Identifiers, []model.Identifier{{Scheme: SchemeIRI, Value: "urn:schac:uniqueCourseId:Uni.Test:X1"}})
			}},
		{"publisher recognised by identifier, another kept by IRI", `
			<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ; dcterms:publisher <https://uni.test/us> .
			<https://uni.test/c/2> a ql:LearningOpportunitySpecification ; dcterms:title "B"@en ; dcterms:publisher <https://other.test/them> .
			<https://uni.test/us> adms:identifier [ a ql:SchacIdentifier ; skos:notation "UNI.TEST" ] .`, "",
			func(t *testing.T, s []model.Specification) {
				want(t, s[0].PublisherID, testProvider.ID)
				want(t, s[1].PublisherID, "https://other.test/them")
			}},
		{"vocabulary and provider statements are not read", `
			<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ; elm:EQFLevel eqf:6 ;
				dcterms:publisher <https://data.deqar.eu/institution/42> .
			eqf:6 skos:prefLabel "EQF level 99"@en ; dcterms:title "poisoned"@en .
			<https://data.deqar.eu/institution/42> dcterms:title "Evil University"@en ; foaf:homepage "https://evil.test/" .`, "",
			func(t *testing.T, s []model.Specification) {
				want(t, s[0].EQFLevel, 6)
				want(t, s[0].Title, model.Text{"en": "A"})
				want(t, s[0].PublisherID, testProvider.ID) // DEQAR IRI of the source's own institution
				want(t, s[0].Homepage, "")
			}},
		{"outcome summary stands in", `<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ;
			elm:learningOutcomeSummary [ a elm:Note ; elm:noteLiteral "Can do X."@en, "Kan X."@nl ] ;
			elm:entryRequirement "Bachelor" .`, "elm:entryRequirement: a literal; expected an elm:Note",
			func(t *testing.T, s []model.Specification) {
				want(t, s[0].LearningOutcomes, []model.Text{{"en": "Can do X.", "nl": "Kan X."}})
				want(t, s[0].EntryRequirements, model.Text{"und": "Bachelor"})
			}},
		{"parts", `<https://uni.test/p/P1> a ql:LearningOpportunitySpecification ; dcterms:title "P"@en ;
			elm:hasPart <https://uni.test/c/C1>, <urn:schac:uniqueCourseId:other.test:Z>, <https://nowhere.test/x>,
				[ a ql:LearningOpportunitySpecificationReference ; adms:identifier [ skos:notation "C9" ] ] .
			<https://uni.test/c/C1> a ql:LearningOpportunitySpecification ; dcterms:title "C"@en ; elm:isPartOf <https://uni.test/p/P1> .`,
			"elm:hasPart: https://nowhere.test/x is not a specification in this file",
			func(t *testing.T, s []model.Specification) {
				want(t, s[0].HasPart, []string{"urn:schac:uniqueCourseId:uni.test:C1", "urn:schac:uniqueCourseId:other.test:Z", "urn:schac:uniqueCourseId:uni.test:C9"})
				want(t, s[1].PartOf, []string{"urn:schac:uniqueCourseId:uni.test:P1"})
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Read(parseTurtle(t, tc.doc), ReadOptions{Provider: testProvider})
			got := warningsText(r.Warnings)
			switch {
			case tc.warning == "" && got != "":
				t.Errorf("unexpected warnings:\n%s", got)
			case tc.warning != "" && !strings.Contains(got, tc.warning):
				t.Errorf("no warning %q in\n%s", tc.warning, got)
			}
			if len(r.Specs) == 0 {
				t.Fatal("no specification")
			}
			tc.check(t, r.Specs)
		})
	}
}

func want[T any](t *testing.T, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}
