package ooapi

import (
	"context"
	"strings"
	"testing"

	"qlink/internal/vocab"
)

// TestStudyLoadAndModeOfStudy: a study load in hours is the workload, a
// full-time program has the full-time schedule; part-time, which the EU
// vocabulary splits in two, is not guessed.
func TestStudyLoadAndModeOfStudy(t *testing.T) {
	srv := &fakeServer{items: map[string][]string{
		"programs": {`{"programId":"p1","primaryCode":{"code":"FT"},"name":[{"language":"en","value":"Full"}],"modeOfStudy":"full-time",
			"studyLoad":{"studyLoadUnit":"hour","value":1680}}`,
			`{"programId":"p2","primaryCode":{"code":"PT"},"name":[{"language":"en","value":"Part"}],"modeOfStudy":"part-time",
			"studyLoad":{"studyLoadUnit":"sbu","value":"840"}}`},
		"programs/p1/offerings": {}, "programs/p2/offerings": {},
		"courses": {courseJSON("c1", "C1", "")}, "courses/c1/offerings": {},
	}}
	out := &collector{}
	if err := (Adapter{}).Harvest(context.Background(), config(10), srv, out); err != nil {
		t.Fatal(err)
	}
	ft, pt := out.byID("urn:schac:uniqueCourseId:uni.test:FT"), out.byID("urn:schac:uniqueCourseId:uni.test:PT")
	if ft == nil || pt == nil {
		t.Fatalf("programs missing: %+v", out.specs)
	}
	if ft.Schedule != vocab.LearningSchedules.URI("full-time") || ft.VolumeOfLearning != "PT1680H" {
		t.Errorf("full-time program: %q %q", ft.Schedule, ft.VolumeOfLearning)
	}
	if pt.Schedule != "" || pt.VolumeOfLearning != "PT840H" {
		t.Errorf("part-time program: %q %q", pt.Schedule, pt.VolumeOfLearning)
	}
	if c := out.byID("urn:schac:uniqueCourseId:uni.test:C1"); c == nil || c.VolumeOfLearning != "" || len(c.Credits) != 1 {
		t.Errorf("an ECTS study load is credits, not workload: %+v", c)
	}
	for _, w := range out.warnings {
		if strings.Contains(w.Message, "hours") {
			t.Errorf("warning %v", w)
		}
	}
}
