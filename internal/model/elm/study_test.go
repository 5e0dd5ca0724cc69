package elm

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"qlink/internal/model"
	"qlink/internal/rdf"
)

// A short course of participation: no achievement is specified, so its
// opportunity is specified by an elm:LearningActivitySpecification alone.
// Both ELM namespaces carry it.
const activityDoc = `
<https://uni.test/las/summer> a %[1]s:LearningActivitySpecification ;
    adms:identifier [ a %[1]s:Identifier ; skos:notation "SUMMER-1" ] ;
    dcterms:title "Summer school on open data"@en ;
    dcterms:type <http://data.europa.eu/snb/learning-activity/efff75e10a> ;
    %[1]s:volumeOfLearning "PT30H"^^xsd:duration .
<https://uni.test/lo/summer-2026> a %[1]s:LearningOpportunity ;
    %[1]s:learningActivitySpecification <https://uni.test/las/summer> ;
    %[1]s:learningSchedule <http://data.europa.eu/snb/learning-schedule/72a0ab92fa> ;
    dcterms:temporal [ a dcterms:PeriodOfTime ; skos:prefLabel "Summer 2026"@en ;
        %[1]s:startDate "2026-07-01T00:00:00Z"^^xsd:dateTime ] .
`

func TestReadActivitySpecification(t *testing.T) {
	for _, prefix := range []string{"elm", "elm32"} {
		t.Run(prefix, func(t *testing.T) {
			res := Read(parseTurtle(t, strings.ReplaceAll(activityDoc, "%[1]s", prefix)), ReadOptions{Provider: testProvider})
			if len(res.Warnings) > 0 {
				t.Errorf("warnings:\n%s", warningsText(res.Warnings))
			}
			if len(res.Specs) != 1 {
				t.Fatalf("%d specifications, want the activity specification", len(res.Specs))
			}
			s := res.Specs[0]
			want(t, s.ID, "urn:schac:uniqueCourseId:uni.test:SUMMER-1")
			want(t, s.Kind, model.KindActivity)
			want(t, s.Type, "") // a learning-activity concept is no learning-opportunity type
			want(t, s.VolumeOfLearning, "PT30H")
			if len(s.Instances) != 1 {
				t.Fatalf("instances %+v", s.Instances)
			}
			in := s.Instances[0]
			want(t, in.Schedule, "http://data.europa.eu/snb/learning-schedule/72a0ab92fa")
			want(t, in.AcademicTerm, model.Text{"en": "Summer 2026"})
		})
	}
}

// TestActivityCurriculumIsNoCourse: an activity specification detailing
// the activities of an instance whose achievement is specified is part of
// that course, not a second one.
func TestActivityCurriculumIsNoCourse(t *testing.T) {
	g := parseTurtle(t, `
<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "Databases"@en .
<https://uni.test/las/1> a elm:LearningActivitySpecification ; dcterms:title "Lectures and labs"@en .
<https://uni.test/lo/1> a ql:LearningOpportunityInstance ;
    elm:learningAchievementSpecification <https://uni.test/c/1> ;
    elm:learningActivitySpecification <https://uni.test/las/1> .`)
	res := Read(g, ReadOptions{Provider: testProvider})
	if len(res.Specs) != 1 || res.Specs[0].Kind != model.KindAchievement || len(res.Specs[0].Instances) != 1 {
		t.Fatalf("specs %+v", res.Specs)
	}
}

func TestReadStudyFacts(t *testing.T) {
	g := parseTurtle(t, `
<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "Databases"@en ;
    elm:volumeOfLearning "pt150h" ;
    elm:gradingScheme [ a elm:GradingScheme ; dcterms:title "Dutch 1–10 scale"@en, "Schaal 1–10"@nl ;
        dcterms:description "6 is a pass."@en ] ;
    elm:learningOpportunity <https://uni.test/lo/1> .
<https://uni.test/lo/1> a ql:LearningOpportunityInstance ;
    elm:creditPoint [ a elm:CreditPoint ; elm:framework <http://data.europa.eu/snb/education-credit/6fcec5c5af> ; elm:point "5" ] ;
    elm:learningSchedule <http://data.europa.eu/snb/learning-schedule/f230bae523> ;
    elm:volumeOfLearning "P2W" ;
    elm:gradingScheme "pass/fail" ;
    dcterms:temporal [ a dcterms:PeriodOfTime ; skos:prefLabel "2025/2026-1/2" ] .
<https://uni.test/c/2> a ql:LearningOpportunitySpecification ; dcterms:title "Bad"@en ;
    elm:volumeOfLearning "150 hours" ; elm:learningSchedule "full time" .`)
	res := Read(g, ReadOptions{Provider: testProvider})
	s := res.Specs[0]
	want(t, s.VolumeOfLearning, "PT150H")
	want(t, *s.GradingScheme, model.GradingScheme{Title: model.Text{"en": "Dutch 1–10 scale", "nl": "Schaal 1–10"},
		Description: model.Text{"en": "6 is a pass."}})
	in := s.Instances[0]
	want(t, in.Credits, []model.Credit{{System: model.CreditECTS, Value: 5}})
	want(t, in.Schedule, "http://data.europa.eu/snb/learning-schedule/f230bae523")
	want(t, in.VolumeOfLearning, "P2W")
	want(t, in.GradingScheme.Title, model.Text{model.LangUnstated: "pass/fail"})
	want(t, in.AcademicTerm, model.Text{model.LangUnstated: "2025/2026-1/2"})
	bad := res.Specs[1]
	want(t, bad.VolumeOfLearning, "")
	want(t, bad.Schedule, "")
	text := warningsText(res.Warnings)
	for _, w := range []string{
		`https://uni.test/c/2: elm:volumeOfLearning: "150 hours" is not an xsd:duration`,
		`https://uni.test/c/2: elm:learningSchedule: http://data.europa.eu/snb/learning-schedule/full time is not a learning-schedule concept`,
		`https://uni.test/lo/1: elm:gradingScheme: a literal; expected an elm:GradingScheme`,
	} {
		if !strings.Contains(text, w) {
			t.Errorf("missing warning %q in\n%s", w, text)
		}
	}
}

// TestWriteActivitySpecification: an activity specification is written as
// elm:LearningActivitySpecification (never ql:LOS, an achievement
// specification ELM declares disjoint from it) and its instances point to
// it with elm:learningActivitySpecification.
func TestWriteActivitySpecification(t *testing.T) {
	spec := model.Specification{ID: "urn:schac:uniqueCourseId:uni.test:S1", Kind: model.KindActivity, Title: model.Text{"en": "Summer school"},
		PublisherID: testProvider.ID, Study: model.Study{VolumeOfLearning: "PT30H"},
		Instances: []model.Instance{{ID: "urn:schac:uniqueCourseId:uni.test:S1:offering:2026", SpecificationID: "urn:schac:uniqueCourseId:uni.test:S1",
			ProviderIDs: []string{testProvider.ID}, AcademicTerm: model.Text{"en": "Summer 2026"}, Credits: []model.Credit{{System: model.CreditECTS, Value: 2}},
			Study: model.Study{Schedule: "http://data.europa.eu/snb/learning-schedule/72a0ab92fa",
				GradingScheme: &model.GradingScheme{Title: model.Text{"en": "Pass/fail"}}}}}}
	var buf bytes.Buffer
	if err := Write(&buf, rdf.FormatNTriples, []model.Specification{spec}, []model.Provider{testProvider}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, w := range []string{
		"<urn:schac:uniqueCourseId:uni.test:S1> <" + rdfType + "> <" + elmLActS + ">",
		"<urn:schac:uniqueCourseId:uni.test:S1:offering:2026> <" + pLActS + "> <urn:schac:uniqueCourseId:uni.test:S1>",
		`<` + pVolume + `> "PT30H"^^<` + xsdDuration + `>`,
		`<` + pPrefLabel + `> "Summer 2026"@en`,
		`<` + pSchedule + `> <http://data.europa.eu/snb/learning-schedule/72a0ab92fa>`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %s in\n%s", w, out)
		}
	}
	for _, not := range []string{"<" + qlLOS + ">", "<" + pLAS + ">", "<" + pLearningOpp + ">"} {
		if strings.Contains(out, not) {
			t.Errorf("unexpected %s in\n%s", not, out)
		}
	}
	back := readBack(t, buf.Bytes(), rdf.FormatNTriples)
	if len(back.Warnings) > 0 {
		t.Errorf("warnings on qlink's own output:\n%s", warningsText(back.Warnings))
	}
	if len(back.Specs) != 1 || !reflect.DeepEqual(normalized(back.Specs[0]), normalized(spec)) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back.Specs, spec)
	}
}
