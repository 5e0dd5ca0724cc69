package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/search/bleve"
	"qlink/internal/store"
	"qlink/internal/store/sqlite"
)

const (
	goodCourse = "https://uni-a.test/courses/good"
	badCourse  = "https://uni-a.test/courses/untitled"
)

// newQualityServer stores two courses of P1, one flagged for a missing
// title, and two checked runs: the first found two untitled courses, the
// second one.
func newQualityServer(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "db"))
	must(t, err)
	t.Cleanup(func() { st.Close() })
	must(t, st.Migrate(ctx))
	idx, err := bleve.OpenMemory()
	must(t, err)
	t.Cleanup(func() { idx.Close() })
	p := model.Provider{ID: "P1", SCHAC: "uni-a.test", Name: model.Text{"en": "University A"}, Country: "NL"}
	must(t, st.UpsertProviders(ctx, []model.Provider{p}))
	srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: "P1", URL: "x", FetchedAt: time.Now(), Body: []byte("m")},
		[]store.Source{{Key: "k", Type: "ooapi", URL: "https://x/"}})
	must(t, err)
	src := srcs[0]
	specs := []model.Specification{
		{ID: goodCourse, Title: model.Text{"en": "Good course"}, Active: true, PublisherID: "P1"},
		{ID: badCourse, Title: model.Text{"en": "Flagged course"}, Active: true, PublisherID: "P1"},
	}
	_, err = st.ApplyCourses(ctx, src.ID, 0, specs, true, time.Now(), nil)
	must(t, err)
	must(t, st.SetCourseQuality(ctx, src.ID, map[string]store.CourseQuality{
		goodCourse: {Score: 100},
		badCourse: {Score: 57, Flagged: true, Violations: []store.QualityFinding{
			{Rule: "course-title", Severity: "violation", Message: "The course has no title.", Field: "name"}}},
	}))
	for _, s := range specs {
		doc := search.NewDocument(s, p)
		doc.Flagged = s.ID == badCourse
		must(t, idx.Index(ctx, []search.Document{doc}))
	}
	title := model.QualityRule{Rule: "course-title", Component: "minCount", Severity: "violation",
		Explanation: "The course has no title.", Property: "dcterms:title", Fields: map[string]string{"ooapi": "name"}}
	for i, untitled := range [][]string{{goodCourse, badCourse}, {badCourse}} {
		rc := title
		rc.Violations, rc.Records, rc.Examples = len(untitled), len(untitled), untitled
		sum, err := json.Marshal(model.QualitySummary{Provider: "P1", Source: src.URL, Records: 2, Courses: 2,
			Conforming: 2 - len(untitled), AverageScore: float64(60 + 10*i), Rules: []model.QualityRule{rc}})
		must(t, err)
		run, err := st.StartRun(ctx, src.ID, "test", "", time.Now())
		must(t, err)
		run.Status, run.FinishedAt, run.Quality, run.ValidationTime = store.RunOK, time.Now(), sum, 3*time.Millisecond
		must(t, st.FinishRun(ctx, run))
	}
	srv, err := New(Options{Store: st, Index: idx, BaseURL: "https://catalogue.test"})
	must(t, err)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// TestCourseQualityInTheAPI: each course carries its quality object.
func TestCourseQualityInTheAPI(t *testing.T) {
	ts := newQualityServer(t)
	var c struct {
		Quality *struct {
			Score      int `json:"score"`
			Violations []struct {
				Rule, Severity, Message, Field string
			} `json:"violations"`
		} `json:"quality"`
	}
	getJSON(t, ts, "/api/v1"+courseURL(badCourse), http.StatusOK, &c)
	if c.Quality == nil || c.Quality.Score != 57 || len(c.Quality.Violations) != 1 {
		t.Fatalf("quality of the flagged course: %+v", c.Quality)
	}
	if v := c.Quality.Violations[0]; v.Rule != "course-title" || v.Severity != "violation" ||
		v.Message != "The course has no title." || v.Field != "name" {
		t.Errorf("violation: %+v", v)
	}
	c.Quality = nil
	getJSON(t, ts, "/api/v1"+courseURL(goodCourse), http.StatusOK, &c)
	if c.Quality == nil || c.Quality.Score != 100 || c.Quality.Violations == nil || len(c.Quality.Violations) != 0 {
		t.Errorf("quality of the good course: %+v", c.Quality)
	}
}

// TestQualityFilter: quality=valid hides flagged records from the API
// and the catalogue, quality=flagged shows them alone, the default shows
// all; a wrong value is refused with the parameter named.
func TestQualityFilter(t *testing.T) {
	ts := newQualityServer(t)
	ids := func(query string) []string {
		var list struct{ Items []struct{ ID string } }
		getJSON(t, ts, "/api/v1/courses"+query, http.StatusOK, &list)
		var out []string
		for _, it := range list.Items {
			out = append(out, it.ID)
		}
		slices.Sort(out)
		return out
	}
	if got := ids(""); !slices.Equal(got, []string{goodCourse, badCourse}) {
		t.Errorf("default: %v", got)
	}
	if got := ids("?quality=valid"); !slices.Equal(got, []string{goodCourse}) {
		t.Errorf("quality=valid: %v", got)
	}
	if got := ids("?quality=flagged"); !slices.Equal(got, []string{badCourse}) {
		t.Errorf("quality=flagged: %v", got)
	}
	_, page := get(t, ts.URL+"/?quality=valid")
	if strings.Contains(page, "Flagged course") || !strings.Contains(page, "Good course") {
		t.Errorf("catalogue with quality=valid shows the flagged course or hides the good one")
	}
	if !strings.Contains(page, `value="valid" checked`) || !strings.Contains(page, "Data quality: Without rule violations") {
		t.Errorf("catalogue with quality=valid does not show the filter as chosen")
	}
	resp, body := get(t, ts.URL+"/api/v1/courses?quality=perfect")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "quality") {
		t.Errorf("quality=perfect: %d %s", resp.StatusCode, body)
	}
}

// TestCoursePageDataQuality: a course with findings shows what to fix.
func TestCoursePageDataQuality(t *testing.T) {
	ts := newQualityServer(t)
	_, page := get(t, ts.URL+courseURL(badCourse))
	for _, want := range []string{"Data quality", "57 of 100", "The course has no title.", "<code>name</code>"} {
		if !strings.Contains(page, want) {
			t.Errorf("flagged course page lacks %q", want)
		}
	}
	if _, page := get(t, ts.URL+courseURL(goodCourse)); strings.Contains(page, "Data quality") {
		t.Error("a course without findings shows a data-quality section")
	}
}

// TestAPIProviderQuality: the latest report per source and for the
// provider, with the trend over both runs, newest first.
func TestAPIProviderQuality(t *testing.T) {
	ts := newQualityServer(t)
	var rep ProviderQuality
	getJSON(t, ts, "/api/v1/providers/P1/quality", http.StatusOK, &rep)
	if rep.Provider != "P1" || len(rep.Sources) != 1 || rep.Sources[0].Type != "ooapi" || rep.Sources[0].ValidationMS != 3 {
		t.Fatalf("report: %+v", rep)
	}
	s := rep.Summary
	if s.Records != 2 || s.Conforming != 1 || s.AverageScore != 70 || len(s.Rules) != 1 {
		t.Fatalf("summary (of the latest run): %+v", s)
	}
	if r := s.Rules[0]; r.Rule != "course-title" || r.Records != 1 || r.Explanation != "The course has no title." ||
		!slices.Equal(r.Examples, []string{badCourse}) || r.Fields["ooapi"] != "name" {
		t.Errorf("rule: %+v", r)
	}
	if len(rep.Trend) != 2 {
		t.Fatalf("trend: %+v", rep.Trend)
	}
	newest, oldest := rep.Trend[0], rep.Trend[1]
	if newest.Run <= oldest.Run || newest.Violations != 1 || oldest.Violations != 2 ||
		newest.AverageScore != 70 || oldest.AverageScore != 60 || oldest.Conforming != 0 {
		t.Errorf("trend: %+v", rep.Trend)
	}
	var missing map[string]string
	getJSON(t, ts, "/api/v1/providers/nobody/quality", http.StatusNotFound, &missing)
	var run struct {
		ValidationMS float64 `json:"validationMs"`
	}
	getJSON(t, ts, fmt.Sprintf("/api/v1/runs/%d", newest.Run), http.StatusOK, &run)
	if run.ValidationMS != 3 {
		t.Errorf("run %d: validationMs %v, want 3", newest.Run, run.ValidationMS)
	}
}
