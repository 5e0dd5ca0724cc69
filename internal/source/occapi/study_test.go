package occapi

import (
	"testing"

	"qlink/internal/model"
	"qlink/internal/vocab"
)

// TestStudyFacts: what OCCAPI says about schedule, term, credits,
// engagement hours and grading arrives in the model, through the fast
// decoder and, for sloppy values, through normalize.
func TestStudyFacts(t *testing.T) {
	srv := server()
	srv[path("/course/c1/instance")] = list(instance("i1", "c1", obj{"academicTermId": "2025/2026-2/2", "ects": 7.5, "engagementHours": 42,
		"gradingScheme": obj{"label": []obj{{"string": "Scale 0–10", "lang": "en"}}, "description": []obj{{"multiline": "5 passes.", "lang": "en"}}}}))
	// v1-style sloppiness: numbers as strings, a bare string as label.
	srv[path("/course/c2/instance")] = list(instance("i2", "c2", obj{"ects": "2,5", "engagementHours": "7.5", "gradingScheme": "pass/fail"}))
	srv[path("/course/c3/instance")] = list(instance("i3", "c3", obj{"ects": -1, "engagementHours": -3}))
	out, _, err := harvest(t, srv, config())
	if err != nil {
		t.Fatal(err)
	}
	prog := out.ByID("urn:schac:uniqueCourseId:uni.test:BSC-INF")
	if prog == nil || prog.Schedule != vocab.LearningSchedules.URI("full-time") {
		t.Fatalf("programme schedule: %+v", prog)
	}
	in := out.ByID("urn:schac:uniqueCourseId:uni.test:INF-1").Instances[0]
	if !same(in.AcademicTerm, model.Text{"und": "2025/2026-2/2"}) || in.VolumeOfLearning != "PT42H" ||
		len(in.Credits) != 1 || in.Credits[0] != (model.Credit{System: model.CreditECTS, Value: 7.5}) ||
		in.GradingScheme == nil || !same(in.GradingScheme.Title, model.Text{"en": "Scale 0–10"}) ||
		!same(in.GradingScheme.Description, model.Text{"en": "5 passes."}) {
		t.Errorf("instance i1: %+v", in)
	}
	sloppy := out.ByID("urn:schac:uniqueCourseId:uni.test:INF-2").Instances[0]
	if e, _ := sloppy.ECTS(); e != 2.5 || sloppy.VolumeOfLearning != "PT7H30M" || sloppy.GradingScheme == nil ||
		!same(sloppy.GradingScheme.Title, model.Text{"und": "pass/fail"}) {
		t.Errorf("instance i2: %+v", sloppy)
	}
	bad := out.ByID("urn:schac:uniqueCourseId:uni.test:INF-3").Instances[0]
	if len(bad.Credits) != 0 || bad.VolumeOfLearning != "" || bad.GradingScheme != nil {
		t.Errorf("instance i3: %+v", bad)
	}
	id3 := model.InstanceID("urn:schac:uniqueCourseId:uni.test:INF-3", "i3")
	for _, w := range []struct{ field, msg string }{{"ects", "-1 is not a number of credits"}, {"engagementHours", "-3 is not a number of hours"}} {
		if !out.Warned(id3, w.field, w.msg) {
			t.Errorf("no warning %s %q; got %v", w.field, w.msg, out.Warnings)
		}
	}
}
