package harvest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"qlink/internal/model"
	"qlink/internal/quality"
	"qlink/internal/store"
)

// TestRunStoresQualityReports: a record with a known defect (no title) is
// stored and indexed all the same, flagged, its violation named with the
// source format's field; the run's summary counts it and says how long
// the checks took.
func TestRunStoresQualityReports(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, `{"type":"ooapi","path":"SRV/ooapi/v5"}`)
	const good, untitled = "https://uni.test/courses/good", "https://uni.test/courses/untitled"
	f.adapter.paths = []string{"/courses"}
	noTitle := spec(untitled, "", "P1")
	noTitle.Title = nil
	f.adapter.specs = []model.Specification{spec(good, "Good", "P1"), noTitle}
	run, err := f.h.Source(ctx, f.src, "test")
	if err != nil || run.Status != store.RunOK || run.Added != 2 {
		t.Fatalf("run: %+v, %v", run, err)
	}

	bad, err := f.st.Course(ctx, untitled)
	if err != nil || bad.Quality == nil || !bad.Quality.Flagged {
		t.Fatalf("the untitled course is not stored flagged: %+v, %v", bad.Quality, err)
	}
	i := slices.IndexFunc(bad.Quality.Violations, func(v store.QualityFinding) bool { return v.Rule == "course-title" })
	if i < 0 {
		t.Fatalf("the missing title is not named: %+v", bad.Quality.Violations)
	}
	if v := bad.Quality.Violations[i]; v.Field != "name" || v.Severity != quality.SeverityViolation || v.Message == "" {
		t.Errorf("title finding: %+v, want OOAPI field name, violation severity and a message", v)
	}
	if ok, _ := f.st.Course(ctx, good); ok.Quality == nil ||
		slices.ContainsFunc(ok.Quality.Violations, func(v store.QualityFinding) bool { return v.Rule == "course-title" }) {
		t.Errorf("the titled course: %+v", ok.Quality)
	}
	if !f.idx.docs[untitled].Flagged {
		t.Errorf("the index does not hold the flag: %+v", f.idx.docs[untitled])
	}

	stored, err := f.st.Run(ctx, run.ID)
	if err != nil || len(stored.Quality) == 0 || stored.ValidationTime <= 0 {
		t.Fatalf("run summary %q, validation time %v, %v", stored.Quality, stored.ValidationTime, err)
	}
	var sum model.QualitySummary
	if err := json.Unmarshal(stored.Quality, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Records != 2 || sum.Provider != "P1" {
		t.Errorf("summary: %+v", sum)
	}
	j := slices.IndexFunc(sum.Rules, func(r model.QualityRule) bool { return r.Rule == "course-title" })
	if j < 0 || sum.Rules[j].Records != 1 || !slices.Equal(sum.Rules[j].Examples, []string{untitled}) {
		t.Errorf("the summary does not count the untitled course: %+v", sum.Rules)
	}
}

// TestRunChecksPolicyOverTheRunsRecords: identifiers must be unique within
// the run's record set; the later record is flagged, naming the rule.
func TestRunChecksPolicyOverTheRunsRecords(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, `{"type":"ooapi","path":"SRV/ooapi/v5"}`)
	first, second := spec("https://uni.test/courses/a", "A", "P1"), spec("https://uni.test/courses/b", "B", "P1")
	first.Identifiers = []model.Identifier{{Value: "INF-1"}}
	second.Identifiers = []model.Identifier{{Value: "INF-1"}}
	f.adapter.paths = []string{"/courses"}
	f.adapter.specs = []model.Specification{first, second}
	if run, err := f.h.Source(ctx, f.src, "test"); err != nil || run.Status != store.RunOK {
		t.Fatalf("run: %+v, %v", run, err)
	}
	dup := func(id string) bool {
		c, err := f.st.Course(ctx, id)
		if err != nil || c.Quality == nil {
			t.Fatalf("course %s: %+v, %v", id, c.Quality, err)
		}
		return slices.ContainsFunc(c.Quality.Violations, func(v store.QualityFinding) bool { return v.Rule == quality.RuleUniqueID })
	}
	if dup(first.ID) || !dup(second.ID) {
		t.Errorf("duplicate identifier: first flagged %v, second flagged %v; want only the second", dup(first.ID), dup(second.ID))
	}
}
