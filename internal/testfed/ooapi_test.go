package testfed

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// envelope is the OOAPI pagination envelope, items left raw.
type envelope struct {
	PageSize        int               `json:"pageSize"`
	PageNumber      int               `json:"pageNumber"`
	HasPreviousPage bool              `json:"hasPreviousPage"`
	HasNextPage     bool              `json:"hasNextPage"`
	TotalPages      int               `json:"totalPages"`
	Items           []json.RawMessage `json:"items"`
	Ext             map[string]any    `json:"ext"`
}

// walk reads every page of a collection, checking the envelope, and
// returns the items decoded into T.
func walk[T any](t *testing.T, c *http.Client, url string, pageSize int) []T {
	t.Helper()
	var out []T
	for n := 1; ; n++ {
		resp, body := get(t, c, url+sep(url)+"pageSize="+strconv.Itoa(pageSize)+"&pageNumber="+strconv.Itoa(n))
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentTypeJSON {
			t.Fatalf("%s page %d: %s %s", url, n, resp.Status, resp.Header.Get("Content-Type"))
		}
		var e envelope
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatal(err)
		}
		if e.PageSize != pageSize || e.PageNumber != n || e.HasPreviousPage != (n > 1) || e.HasNextPage != (n < e.TotalPages) || len(e.Items) > pageSize || e.Ext == nil {
			t.Fatalf("%s page %d: envelope %+v", url, n, e)
		}
		for _, raw := range e.Items {
			var v T
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		if !e.HasNextPage {
			return out
		}
	}
}

func sep(url string) string {
	if strings.Contains(url, "?") {
		return "&"
	}
	return "?"
}

func TestOOAPIPagingYieldsEveryCourseOnce(t *testing.T) {
	f := shared(t)
	c := client(t, f)
	for _, in := range f.Institutions() {
		for _, src := range in.Sources {
			for _, size := range []int{src.PageSize, 10} {
				got := walk[ooCourse](t, c, src.Path+"courses", size)
				var gotIDs, wantIDs []string
				for _, oc := range got {
					gotIDs = append(gotIDs, oc.CourseID)
				}
				for _, course := range src.Courses {
					wantIDs = append(wantIDs, course.ID)
				}
				if !slices.Equal(gotIDs, wantIDs) {
					t.Errorf("%s pageSize %d: got %d courses, want %d in order", src.Path, size, len(gotIDs), len(wantIDs))
				}
			}
			if n := len(walk[ooProgram](t, c, src.Path+"programs", 50)); n != len(src.Programs) {
				t.Errorf("%s: %d programs, want %d", src.Path, n, len(src.Programs))
			}
			if n := len(walk[ooEducationSpecification](t, c, src.Path+"education-specifications", 250)); n != len(src.Programs)+len(src.Courses) {
				t.Errorf("%s: %d education specifications", src.Path, n)
			}
			if n := len(walk[ooOrganization](t, c, src.Path+"organizations", 20)); n != len(in.Organizations) {
				t.Errorf("%s: %d organizations", src.Path, n)
			}
		}
	}
}

// TestOOAPIResources checks single resources and sub-collections against
// the ground truth: every sixth course and every course with a quirk.
func TestOOAPIResources(t *testing.T) {
	f := shared(t)
	c := client(t, f)
	checked := map[Quirk]bool{}
	for _, in := range f.Institutions() {
		for _, src := range in.Sources {
			for k, course := range src.Courses {
				if k%6 != 0 && len(course.Quirks) == 0 {
					continue
				}
				var oc ooCourse
				getJSON(t, c, src.Path+"courses/"+course.ID, &oc)
				if oc.Abbreviation != course.Code || oc.TeachingLanguage != course.TeachingLanguage || oc.StudyLoad.Value != course.ECTS ||
					oc.FieldsOfStudy != course.ISCED || oc.Level != course.Level || len(oc.Name) != len(course.Name) || oc.Name[0].Value != course.Name[0].Value {
					t.Fatalf("%s: served %+v for %+v", course.Code, oc, course)
				}
				if course.HasQuirk(QuirkEmptyDates) && (oc.ValidFrom != "" || oc.FirstStartDate != "" || oc.ValidTo == nil || *oc.ValidTo != "") {
					t.Errorf("%s: dates %q %q %v, want empty strings", course.Code, oc.FirstStartDate, oc.ValidFrom, oc.ValidTo)
				}
				if course.HasQuirk(QuirkEmptyLearningOutcomes) && (len(oc.LearningOutcomes) != 1 || len(oc.LearningOutcomes[0]) != 0) {
					t.Errorf("%s: learningOutcomes %v, want [[]]", course.Code, oc.LearningOutcomes)
				}
				for _, q := range course.Quirks {
					checked[q] = true
				}
				offs := walk[ooOffering](t, c, src.Path+"courses/"+course.ID+"/offerings?since=1900-01-01", 10)
				if len(offs) != len(course.Offerings) {
					t.Errorf("%s: %d offerings, want %d", course.Code, len(offs), len(course.Offerings))
				}
				for k, o := range offs {
					var single ooOffering
					getJSON(t, c, src.Path+"offerings/"+o.OfferingID, &single)
					want := course.Offerings[k]
					if single.OfferingID != want.ID || single.Course != course.ID || single.StartDate != want.Start.Format(time.DateOnly) ||
						(want.EnrollmentURL != "") != (len(single.Consumers) == 1 && single.Consumers[0].Alliances[0].EnrollmentURL == want.EnrollmentURL) {
						t.Errorf("%s: offering %+v, want %+v", course.Code, single, want)
					}
				}
			}
			for _, p := range src.Programs {
				var op ooProgram
				getJSON(t, c, src.Path+"programs/"+p.ID, &op)
				if op.ProgramID != p.ID || op.QualificationAwarded != p.QualificationAwarded || op.LevelOfQualification != strconv.Itoa(p.EQF) {
					t.Errorf("%s: served %+v", p.Code, op)
				}
				var ids []string
				for _, oc := range walk[ooCourse](t, c, src.Path+"programs/"+p.ID+"/courses", 20) {
					ids = append(ids, oc.CourseID)
				}
				if !slices.Equal(ids, p.Courses) {
					t.Errorf("%s: courses %v, want %v", p.Code, ids, p.Courses)
				}
				if n := len(walk[ooOffering](t, c, src.Path+"programs/"+p.ID+"/offerings?since=2000-01-01", 10)); n != len(p.Offerings) {
					t.Errorf("%s: %d offerings, want %d", p.Code, n, len(p.Offerings))
				}
			}
		}
	}
	if !checked[QuirkEmptyDates] || !checked[QuirkEmptyLearningOutcomes] {
		t.Errorf("quirks checked: %v", checked)
	}
}

func getJSON(t *testing.T, c *http.Client, url string, v any) {
	t.Helper()
	resp, body := get(t, c, url)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func TestOOAPIOfferingsSince(t *testing.T) {
	f := shared(t)
	c := client(t, f)
	seen := 0
	for _, in := range f.Institutions() {
		for _, src := range in.Sources {
			for _, course := range src.Courses {
				var future, running []Offering
				for _, o := range course.Offerings {
					if !o.Start.Before(testNow) {
						future = append(future, o)
					} else if !o.End.Before(testNow) {
						running = append(running, o)
					}
				}
				if len(future) == 0 || len(future) == len(course.Offerings) || seen >= 40 {
					continue
				}
				seen++
				base := src.Path + "courses/" + course.ID + "/offerings"
				tests := []struct {
					query string
					want  int
				}{
					{"", len(future)},
					{"?since=" + testNow.Format(time.DateOnly), len(future)},
					{"?since=1900-01-01", len(course.Offerings)},
					{"?since=1900-01-01&until=" + testNow.Format(time.DateOnly), len(course.Offerings) - len(future) - len(running)},
					{"?until=2999-12-31", len(future)},
				}
				for _, tt := range tests {
					if got := len(walk[ooOffering](t, c, base+tt.query, 10)); got != tt.want {
						t.Errorf("%s%s: %d offerings, want %d", base, tt.query, got, tt.want)
					}
				}
			}
		}
	}
	if seen < 40 {
		t.Errorf("only %d courses with both past and future offerings", seen)
	}
}

func TestOOAPIErrors(t *testing.T) {
	f := shared(t)
	c := client(t, f)
	src := f.Institutions()[0].Sources[0]
	course := src.Courses[0]
	tests := []struct {
		path   string
		status int
	}{
		{"courses?pageSize=7", http.StatusBadRequest},
		{"courses?pageSize=ten", http.StatusBadRequest},
		{"courses?pageSize=1000", http.StatusBadRequest},
		{"courses?pageNumber=0", http.StatusBadRequest},
		{"courses?pageNumber=x", http.StatusBadRequest},
		{"courses/" + course.ID + "/offerings?since=yesterday", http.StatusBadRequest},
		{"courses/" + course.ID + "/offerings?until=2026-13-01", http.StatusBadRequest},
		{"courses/00000000-0000-0000-0000-000000000000", http.StatusNotFound},
		{"courses/00000000-0000-0000-0000-000000000000/offerings", http.StatusNotFound},
		{"programs/" + course.ID, http.StatusNotFound},
		{"persons", http.StatusNotFound},
	}
	for _, tt := range tests {
		resp, body := get(t, c, src.Path+tt.path)
		var p ooProblem
		if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != "application/problem+json" ||
			json.Unmarshal(body, &p) != nil || p.Status != strconv.Itoa(tt.status) || p.Title == "" {
			t.Errorf("%s: %s %s %s", tt.path, resp.Status, resp.Header.Get("Content-Type"), body)
		}
	}
	// Past the last page: an empty page, not an error.
	var e envelope
	getJSON(t, c, src.Path+"courses?pageNumber=99", &e)
	if len(e.Items) != 0 || e.HasNextPage || !e.HasPreviousPage {
		t.Errorf("page 99: %+v", e)
	}
	resp, err := c.Post(src.Path+"courses", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %s", resp.Status)
	}
	var svc ooService
	getJSON(t, c, src.Path, &svc)
	if svc.ContactEmail == "" || svc.Specification == "" || svc.Documentation == "" {
		t.Errorf("service document %+v", svc)
	}
}

func TestOOAPIConditionalRequests(t *testing.T) {
	f := shared(t)
	c := client(t, f)
	src := f.Institutions()[1].Sources[0]
	url := src.Path + "courses?pageSize=20&pageNumber=2"
	resp, body := get(t, c, url)
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if resp.StatusCode != http.StatusOK || etag == "" || lm != src.LastModified.Format(http.TimeFormat) {
		t.Fatalf("%s: %s, ETag %q, Last-Modified %q (want %q)", url, resp.Status, etag, lm, src.LastModified.Format(http.TimeFormat))
	}
	earlier := src.LastModified.Add(-time.Second).Format(http.TimeFormat)
	tests := []struct {
		header []string
		status int
	}{
		{[]string{"If-None-Match", etag}, http.StatusNotModified},
		{[]string{"If-None-Match", `"other", ` + etag}, http.StatusNotModified},
		{[]string{"If-None-Match", `"other"`}, http.StatusOK},
		{[]string{"If-Modified-Since", lm}, http.StatusNotModified},
		{[]string{"If-Modified-Since", earlier}, http.StatusOK},
		{[]string{"If-None-Match", `"other"`, "If-Modified-Since", lm}, http.StatusOK}, // If-None-Match wins
	}
	for _, tt := range tests {
		resp, b := get(t, c, url, tt.header...)
		if resp.StatusCode != tt.status {
			t.Errorf("%v: %s, want %d", tt.header, resp.Status, tt.status)
		}
		if tt.status == http.StatusOK && string(b) != string(body) {
			t.Errorf("%v: different body", tt.header)
		}
		if tt.status == http.StatusNotModified && (len(b) != 0 || resp.Header.Get("ETag") != etag) {
			t.Errorf("%v: 304 with %d bytes, ETag %q", tt.header, len(b), resp.Header.Get("ETag"))
		}
	}
	// Another page has another ETag.
	other, _ := get(t, c, src.Path+"courses?pageSize=20&pageNumber=1")
	if other.Header.Get("ETag") == etag {
		t.Error("pages 1 and 2 share an ETag")
	}
	head, err := c.Head(url)
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.StatusCode != http.StatusOK || head.ContentLength != int64(len(body)) {
		t.Errorf("HEAD: %s, length %d", head.Status, head.ContentLength)
	}
}
