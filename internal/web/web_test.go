package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/search/bleve"
	"qlink/internal/store"
	"qlink/internal/store/sqlite"
	"qlink/internal/vocab"
)

func TestParseSearch(t *testing.T) {
	cases := []struct {
		query   string
		wantErr string
		check   func(searchParams) bool
	}{
		{"", "", func(p searchParams) bool { return p.Page == 1 && p.Limit == defaultLimit && p.Text == "" }},
		{"q=+data+&country=DE,FR&country=DE&page=3&limit=50", "", func(p searchParams) bool {
			return p.Text == "data" && strings.Join(p.Filters[search.FacetCountry], "|") == "DE|FR" && p.Page == 3 && p.Limit == 50
		}},
		{"ects_min=2,5&ects_max=10", "", func(p searchParams) bool { return *p.ECTSMin == 2.5 && *p.ECTSMax == 10 }},
		{"ects_min=ten", "ects_min must be a number", nil},
		{"ects_min=10&ects_max=5", "above ects_max", nil},
		{"page=0", "page must be a whole number", nil},
		{"limit=1000", "limit must be a whole number from 1 to 100", nil},
		{"q=" + strings.Repeat("x", 501), "q is 501 characters long; the limit is 500", nil},
	}
	for _, tc := range cases {
		v, _ := url.ParseQuery(tc.query)
		p, err := parseSearch(v)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: err %v, want %q", tc.query, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !tc.check(p) {
			t.Errorf("%q: %+v %v", tc.query, p, err)
		}
	}
	p, _ := parseSearch(url.Values{"q": {"a b"}, "country": {"DE"}, "ects_min": {"3"}, "limit": {"10"}})
	if got := p.pageURL("/", 2); got != "/?country=DE&ects_min=3&limit=10&page=2&q=a+b" {
		t.Errorf("pageURL = %s", got)
	}
}

// openTestStore opens a migrated SQLite store in a temporary directory,
// closed when the test ends.
func openTestStore(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// openTestIndex opens an empty in-memory index, closed when the test ends.
func openTestIndex(t testing.TB) *bleve.Index {
	t.Helper()
	idx, err := bleve.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return idx
}

// newTestServer stores and indexes a few courses and serves them.
// Options can be adjusted by the tweaks.
func newTestServer(t testing.TB, tweaks ...func(*Options)) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	st, idx := openTestStore(t), openTestIndex(t)
	// P2's official name has no stated language, as the DEQAR registry
	// gives it.
	nameB := model.Text{"en": "University B"}
	nameB.Set("", "Universität B")
	providers := []model.Provider{
		{ID: "P1", SCHAC: "uni-a.test", Name: model.Text{"en": "University A", "nl": "Universiteit A"}, Country: "NL"},
		{ID: "P2", SCHAC: "uni-b.test", Name: nameB, Country: "DE"},
	}
	if err := st.UpsertProviders(ctx, providers); err != nil {
		t.Fatal(err)
	}
	lumen := model.Alliance{ID: "INT9001", Name: model.Text{"en": "LUMEN European University"}, Members: []string{"id:P1"}}
	if err := st.SaveAlliances(ctx, "alliance.ttl", []model.Alliance{lumen}); err != nil {
		t.Fatal(err)
	}
	providers[0].Alliances = []string{lumen.ID} // as the store reads it back
	cap30 := 30
	specs := map[string][]model.Specification{
		"P1": {{ID: "urn:schac:uniqueCourseId:uni-a.test:DS%201", Title: model.Text{"nl": "Inleiding datawetenschap", "en-GB": "Introduction to data science"},
			Description:      model.Text{"en-GB": "<p>Learn <strong>data</strong>.</p><script>alert(1)</script>", "nl": "Leer data."},
			LearningOutcomes: []model.Text{{"en-GB": "Clean data", "nl": "Data opschonen"}}, Languages: []string{"nl"},
			ISCEDF: []string{"0613"}, EQFLevel: 6, Credits: []model.Credit{{System: model.CreditECTS, Value: 6}}, Active: true,
			Type: vocab.LearningOpportunityTypes.URI("course"), PublisherID: "P1",
			Study: model.Study{Schedule: vocab.LearningSchedules.URI("full-time"), VolumeOfLearning: "PT150H",
				GradingScheme: &model.GradingScheme{Title: model.Text{"en": "Dutch 1–10 scale"}, Description: model.Text{"en": "A 6 passes."}}},
			Instances: []model.Instance{{ID: "i1", Start: time.Date(2099, 9, 1, 0, 0, 0, 0, time.UTC), Modes: []string{vocab.Modes.URI("online")},
				Capacity: &cap30, RegistrationPortal: "https://apply.uni-a.test/ds1", DefaultLanguage: "nl",
				AcademicTerm: model.Text{model.LangUnstated: "2099/2100-1/2"}, Credits: []model.Credit{{System: model.CreditECTS, Value: 5}},
				Study: model.Study{Schedule: vocab.LearningSchedules.URI("part-time-light"), VolumeOfLearning: "PT42H"}}}}},
		"P2": {{ID: "urn:schac:uniqueCourseId:uni-b.test:GESCH", Kind: model.KindActivity, Title: model.Text{"de": "Geschichte Europas"}, Languages: []string{"de"},
			ISCEDF: []string{"0222"}, EQFLevel: 7, Active: true, Type: vocab.LearningOpportunityTypes.URI("course"), PublisherID: "P2"}},
	}
	for pid, ss := range specs {
		srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: pid, URL: "x", FetchedAt: time.Now(), Body: []byte(pid)},
			[]store.Source{{Key: "k", Type: "ooapi", URL: "https://x/"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ApplyCourses(ctx, srcs[0].ID, 0, ss, true, time.Now(), nil); err != nil {
			t.Fatal(err)
		}
		for _, s := range ss {
			p := providers[0]
			if pid == "P2" {
				p = providers[1]
			}
			if err := idx.Index(ctx, []search.Document{search.NewDocument(s, p)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Refreshed labels overlay the embedded ones.
	labels := vocab.Labels{vocab.Modes.URI("online"): {"en": "Online (distance)"}}
	o := Options{Store: st, Index: idx, BaseURL: "https://catalogue.test", Notice: "Test data", Labels: labels}
	for _, tweak := range tweaks {
		tweak(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestCataloguePages(t *testing.T) {
	ts := newTestServer(t)
	cases := []struct {
		name, path string
		header     []string
		status     int
		want       []string
		notWant    []string
	}{
		{"catalogue", "/", nil, 200, []string{"<!doctype html>", "2 courses", "Test data", `name="country" value="NL"`,
			"Netherlands", "EQF level 6", "Information and Communication Technologies", `lang="en-GB"`}, nil},
		{"search", "/?q=datawetenschap", nil, 200, []string{"1 course", "Introduction to data science"}, []string{"Geschichte"}},
		{"facet", "/?country=DE", nil, 200, []string{"Geschichte Europas", "Country: Germany"}, []string{"Introduction to data"}},
		{"htmx partial", "/?q=data", []string{"HX-Request", "true"}, 200, []string{`id="catalogue"`}, []string{"<!doctype html>"}},
		{"bad query", "/?ects_min=lots", nil, 400, []string{"ects_min must be a number", `role="alert"`}, nil},
		{"course", "/courses/" + url.PathEscape("urn:schac:uniqueCourseId:uni-a.test:DS%201"), []string{"Accept-Language", "nl"}, 200,
			[]string{`lang="nl">Inleiding datawetenschap`, "Data opschonen", "6 ECTS", "https://apply.uni-a.test/ds1", "1 Sep 2099",
				"Universiteit A", "Online (distance)", `href="?text=en-GB"`}, []string{"<script>"}},
		{"course in English", "/courses/" + url.PathEscape("urn:schac:uniqueCourseId:uni-a.test:DS%201") + "?text=en-GB", nil, 200,
			[]string{`lang="en-GB">Introduction to data science`, "<strong>data</strong>"}, []string{"alert(1)"}},
		{"study facts", "/courses/" + url.PathEscape("urn:schac:uniqueCourseId:uni-a.test:DS%201"), nil, 200,
			[]string{"<dt>Learning schedule</dt><dd>Full time</dd>", "<dt>Workload</dt><dd>150 hours</dd>", `<dd lang="en">Dutch 1–10 scale</dd>`,
				"A 6 passes.", "2099/2100, semester 1", "<th scope=\"col\">Study</th>", "Part time light<br>5 ECTS<br>42 hours"}, nil},
		{"no study facts, none shown", "/courses/" + url.PathEscape("urn:schac:uniqueCourseId:uni-b.test:GESCH"), nil, 200,
			[]string{"A learning activity"}, []string{"Learning schedule", "Workload", "Grading", "<th scope=\"col\">Study</th>"}},
		{"missing course", "/courses/urn:nope", nil, 404, []string{"No course has this identifier"}, nil},
		{"missing page", "/nope", nil, 404, []string{"There is no page at this address"}, nil},
		{"about", "/about", nil, 200, []string{"Open API", `href="/api/v1/openapi.json"`}, nil},
		{"health", "/healthz", nil, 200, []string{"ok"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, ts.URL+tc.path, tc.header...)
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
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("CSP missing: %q", csp)
			}
		})
	}
}

func TestAPI(t *testing.T) {
	ts := newTestServer(t)
	resp, body := get(t, ts.URL+"/api/v1/courses?q=data&limit=5")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("status %d, CORS %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	var list struct {
		Total  int                         `json:"total"`
		Limit  int                         `json:"limit"`
		Items  []map[string]any            `json:"items"`
		Facets map[string][]map[string]any `json:"facets"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if list.Total != 1 || list.Limit != 5 || len(list.Items) != 1 || list.Items[0]["url"] != "https://catalogue.test/courses/urn:schac:uniqueCourseId:uni-a.test:DS%25201" {
		t.Errorf("list: %s", body)
	}
	if f := list.Facets["country"]; len(f) != 1 || f[0]["label"] != "Netherlands" || f[0]["count"] != 1.0 {
		t.Errorf("facets: %v", list.Facets)
	}
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/api/v1/courses?limit=0", 400, `"error":"limit must be`},
		{"/api/v1/courses/urn:nope", 404, `"error":"no course with id urn:nope"`},
		{"/api/v1/nothing", 404, `"error":"no such API endpoint`},
		{"/api/v1/courses/" + url.PathEscape("urn:schac:uniqueCourseId:uni-b.test:GESCH"), 200, `"title":{"de":"Geschichte Europas"}`},
		{"/api/v1/courses/" + url.PathEscape("urn:schac:uniqueCourseId:uni-b.test:GESCH"), 200, `"kind":"activity"`},
		{"/api/v1/courses/" + url.PathEscape("urn:schac:uniqueCourseId:uni-a.test:DS%201"), 200,
			`"schedule":{"value":"full-time","label":"Full time"},"volumeOfLearning":{"value":"PT150H","label":"150 hours"},` +
				`"gradingScheme":{"title":{"en":"Dutch 1–10 scale"},"description":{"en":"A 6 passes."}}`},
		{"/api/v1/courses/" + url.PathEscape("urn:schac:uniqueCourseId:uni-a.test:DS%201"), 200,
			`"academicTerm":{"und":"2099/2100-1/2"},"ects":5,"schedule":{"value":"part-time-light","label":"Part time light"},` +
				`"volumeOfLearning":{"value":"PT42H","label":"42 hours"}`},
		// A name of unstated language is keyed by the BCP 47 tag "und".
		{"/api/v1/courses/" + url.PathEscape("urn:schac:uniqueCourseId:uni-b.test:GESCH"), 200, `"name":{"en":"University B","und":"Universität B"}`},
	} {
		resp, body := get(t, ts.URL+tc.path)
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %s", tc.path, resp.StatusCode, body)
		}
	}
}

func TestStaticAssetsAreVersioned(t *testing.T) {
	ts := newTestServer(t)
	_, page := get(t, ts.URL+"/about")
	i := strings.Index(page, "/static/style.css?v=")
	if i < 0 {
		t.Fatal("stylesheet link without version")
	}
	link := page[i : i+strings.IndexByte(page[i:], '"')]
	resp, body := get(t, ts.URL+link)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.Contains(body, "--accent") {
		t.Errorf("%s: %d %q", link, resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if resp, _ := get(t, ts.URL+"/static/style.css?v=old"); strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Error("a stale version must not be cached for long")
	}
}
