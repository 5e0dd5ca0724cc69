package web

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/store"
)

const (
	keptID      = "urn:schac:uniqueCourseId:uni-a.test:KEPT"
	withdrawnID = "urn:schac:uniqueCourseId:uni-a.test:GONE"
	freshID     = "urn:schac:uniqueCourseId:uni-a.test:FRESH"
)

// newHistoryServer serves a source's courses after three runs: on 12 Mar
// 2026 it published KEPT and GONE; on 20 Mar it edited KEPT's English
// title, withdrew GONE and added FRESH. The index is filled from the
// store, as the harvest does, inactive courses included.
func newHistoryServer(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	st, idx := openTestStore(t), openTestIndex(t)
	p := model.Provider{ID: "P1", SCHAC: "uni-a.test", Name: model.Text{"en": "University A"}, Country: "NL"}
	if err := st.UpsertProviders(ctx, []model.Provider{p}); err != nil {
		t.Fatal(err)
	}
	srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: "P1", URL: "x", FetchedAt: time.Now(), Body: []byte("m")},
		[]store.Source{{Key: "k", Type: "ooapi", URL: "https://x/"}})
	if err != nil {
		t.Fatal(err)
	}
	course := func(id, en, nl string) model.Specification {
		return model.Specification{ID: id, Title: model.Text{"en": en, "nl": nl}, Active: true, PublisherID: "P1",
			Instances: []model.Instance{{ID: id + ":2026", SpecificationID: id, RegistrationPortal: "https://uni-a.test/apply"}}}
	}
	march12 := time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC)
	runs := []struct {
		run   int64
		at    time.Time
		specs []model.Specification
	}{
		{7, march12, []model.Specification{course(keptID, "Marine biology", "Mariene biologie"), course(withdrawnID, "Glassblowing", "Glasblazen")}},
		{8, march12.Add(8 * 24 * time.Hour), []model.Specification{course(keptID, "Marine biology, revised", "Mariene biologie"),
			course(freshID, "Astronomy", "Sterrenkunde")}},
	}
	for _, r := range runs {
		if _, err := st.ApplyCourses(ctx, srcs[0].ID, r.run, r.specs, true, r.at, nil); err != nil {
			t.Fatal(err)
		}
	}
	ids, _ := st.CourseIDs(ctx, "", "")
	courses, err := st.CoursesByID(ctx, ids)
	if err != nil || len(courses) != 3 {
		t.Fatalf("stored courses: %+v, %v", courses, err)
	}
	for _, c := range courses {
		doc := search.NewDocument(c.Spec, p)
		doc.Inactive = c.Inactive
		if err := idx.Index(ctx, []search.Document{doc}); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := New(Options{Store: st, Index: idx, BaseURL: "https://catalogue.test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func TestInactiveCoursesInTheCatalogue(t *testing.T) {
	ts := newHistoryServer(t)
	cases := []struct {
		name, path string
		status     int
		want       []string
		notWant    []string
	}{
		{"hidden by default", "/", 200, []string{"2 courses", "Marine biology, revised", "Astronomy", `id="status-active" name="status" value="active" checked`},
			[]string{"Glassblowing"}},
		{"status=inactive shows them", "/?status=inactive", 200, []string{"1 course", "Glassblowing", "No longer offered since",
			`datetime="2026-03-12">12 Mar 2026`, "Availability: No longer offered", `value="inactive" checked`}, []string{"Astronomy"}},
		{"status=all", "/?status=all", 200, []string{"3 courses", "Glassblowing", "Astronomy"}, nil},
		{"bad status", "/?status=gone", 400, []string{"status must be active, inactive or all"}, nil},
		{"inactive course page", "/courses/" + url.PathEscape(withdrawnID), 200,
			[]string{"No longer offered since <time datetime=\"2026-03-12\">12 Mar 2026</time>", "Glassblowing",
				"Change history", "20 Mar 2026</time>: no longer offered"}, []string{">Apply</a>"}},
		{"changed course page", "/courses/" + url.PathEscape(keptID), 200,
			[]string{"Change history", "20 Mar 2026</time>: title (en) changed", "12 Mar 2026</time>: first published",
				`href="/api/v1/courses/` + url.PathEscape(keptID) + `/history"`}, []string{"No longer offered since"}},
		{"new course, no history section", "/courses/" + url.PathEscape(freshID), 200, []string{"Astronomy", ">Apply</a>"}, []string{"Change history"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, ts.URL+tc.path)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("unexpected %q", w)
				}
			}
		})
	}
}

func TestInactiveCoursesInTheAPI(t *testing.T) {
	ts := newHistoryServer(t)
	var list struct {
		Total  int                         `json:"total"`
		Items  []map[string]any            `json:"items"`
		Facets map[string][]map[string]any `json:"facets"`
	}
	_, body := get(t, ts.URL+"/api/v1/courses?status=inactive")
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if list.Total != 1 || list.Items[0]["id"] != withdrawnID || list.Items[0]["status"] != "inactive" ||
		list.Items[0]["lastSeen"] != "2026-03-12T08:00:00Z" {
		t.Errorf("inactive list: %s", body)
	}
	if f := list.Facets["institution"]; len(f) != 1 || f[0]["count"] != 1.0 {
		t.Errorf("facet counts must follow the status: %v", list.Facets)
	}
	resp, body := get(t, ts.URL+"/api/v1/courses/"+url.PathEscape(withdrawnID))
	if resp.StatusCode != 200 || !strings.Contains(body, `"status":"inactive","lastSeen":"2026-03-12T08:00:00Z"`) {
		t.Errorf("inactive course: %d %s", resp.StatusCode, body)
	}
	if _, body := get(t, ts.URL+"/api/v1/courses/"+url.PathEscape(keptID)); !strings.Contains(body, `"status":"active","lastSeen":"2026-03-20T08:00:00Z"`) {
		t.Errorf("active course: %s", body)
	}
}

func TestCourseHistoryAPI(t *testing.T) {
	ts := newHistoryServer(t)
	type history struct {
		ID    string `json:"id"`
		Total int    `json:"total"`
		Items []struct {
			Run     int64           `json:"run"`
			Time    time.Time       `json:"time"`
			Kind    string          `json:"kind"`
			Changes json.RawMessage `json:"changes"`
		} `json:"items"`
	}
	read := func(path string) history {
		t.Helper()
		resp, body := get(t, ts.URL+path)
		var h history
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &h) != nil {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		return h
	}
	base := "/api/v1/courses/" + url.PathEscape(keptID) + "/history"
	h := read(base)
	if h.ID != keptID || h.Total != 2 || len(h.Items) != 2 || h.Items[0].Kind != "changed" || h.Items[0].Run != 8 ||
		!h.Items[0].Time.Equal(time.Date(2026, 3, 20, 8, 0, 0, 0, time.UTC)) || h.Items[1].Kind != "added" {
		t.Fatalf("history: %+v", h)
	}
	if got := string(h.Items[0].Changes); got != `[{"field":"title.en","old":"Marine biology","new":"Marine biology, revised"}]` {
		t.Errorf("changes: %s", got)
	}
	if string(h.Items[1].Changes) != "[]" {
		t.Errorf("an added entry lists no changes: %s", h.Items[1].Changes)
	}
	if h := read(base + "?limit=1&page=2"); h.Total != 2 || len(h.Items) != 1 || h.Items[0].Kind != "added" {
		t.Errorf("second page: %+v", h)
	}
	if h := read("/api/v1/courses/" + url.PathEscape(withdrawnID) + "/history"); len(h.Items) != 2 || h.Items[0].Kind != "inactive" {
		t.Errorf("withdrawn course: %+v", h)
	}
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{base + "?limit=101", 400, `"parameter":"limit","limit":100`},
		{base + "?limit=100&page=101", 400, `"parameter":"page"`},
		{"/api/v1/courses/urn:nope/history", 404, `"error":"no course with id urn:nope"`},
	} {
		if resp, body := get(t, ts.URL+tc.path); resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s", tc.path, resp.StatusCode, body)
		}
	}
}
