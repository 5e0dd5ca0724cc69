package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// registryFixture is what newRegistryServer stored.
type registryFixture struct {
	// runs are Liège's runs, oldest first.
	runs []int64
	// warned is the run with warnings: three kept of 250.
	warned int64
	main   store.Source
}

var march1 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// newRegistryServer serves a registry of 25 providers: Liège (found,
// harvested five times over two sources, one course withdrawn), Munich
// (its latest discovery found nothing) and 23 colleges in the Netherlands.
func newRegistryServer(t *testing.T) (*httptest.Server, registryFixture) {
	t.Helper()
	ctx := context.Background()
	st := openTestStore(t)
	providers := []model.Provider{
		{ID: "liege", SCHAC: "uliege.be", DEQAR: "DEQARINST0123", ETER: "BE0001", Country: "BE", Acronym: "ULiège",
			Website: "https://www.uliege.be", Name: model.Text{"fr": "Université de Liège", "en": "University of Liège"}},
		{ID: "tum", SCHAC: "tum.de", ETER: "DE0069", Country: "DE", Name: model.Text{"de": "Technische Universität München"}},
	}
	for i := range 23 {
		providers = append(providers, model.Provider{ID: fmt.Sprintf("nl%02d", i), Country: "NL",
			Name: model.Text{"nl": fmt.Sprintf("Hogeschool %d", i)}})
	}
	must(t, st.UpsertProviders(ctx, providers))
	probes := `[{"step":1,"domain":"uliege.be","method":"dns","outcome":"none","reason":"no TXT record","durationMs":3},` +
		`{"step":2,"domain":"uliege.be","method":"well-known","url":"https://uliege.be/.well-known/quality-link-manifest","outcome":"found","durationMs":40}]`
	for _, d := range []store.Discovery{
		{ProviderID: "liege", StartedAt: march1.Add(-48 * time.Hour), Error: "no manifest found"},
		{ProviderID: "liege", StartedAt: march1, Duration: 43 * time.Millisecond,
			ManifestURL: "https://uliege.be/.well-known/quality-link-manifest", Probes: []byte(probes)},
		{ProviderID: "tum", StartedAt: march1, Error: "no manifest found"},
	} {
		if _, err := st.AddDiscovery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: "liege", URL: "https://uliege.be/m", FetchedAt: march1, Body: []byte("m")},
		[]store.Source{
			{Key: "courses", Type: "ooapi", URL: "https://api.uliege.be/ooapi", Entry: []byte(`{"type":"ooapi","refresh":"12"}`)},
			{Key: "elm", Type: "elm", URL: "https://uliege.be/elm.ttl", Entry: []byte(`{"type":"elm"}`)},
		})
	must(t, err)
	f := registryFixture{main: srcs[0]}
	if srcs[0].Type != "ooapi" {
		f.main = srcs[1]
	}
	must(t, st.SetNextRun(ctx, f.main.ID, march1.Add(36*time.Hour)))
	for i := range 5 {
		src := f.main
		if i == 1 {
			src = srcs[0]
			if src.ID == f.main.ID {
				src = srcs[1]
			}
		}
		r, err := st.StartRun(ctx, src.ID, "schedule", "", march1.Add(time.Duration(i)*time.Hour))
		must(t, err)
		r.Status, r.FinishedAt, r.Seen, r.Added = store.RunOK, r.StartedAt.Add(time.Minute), 2, 2-min(i, 2)
		if i == 3 {
			r.Warnings = []store.Warning{{Record: "c1", Field: "title", Message: "empty"},
				{Record: "c2", Field: "ects", Message: "not a number"}, {Record: "c3", Field: "title", Message: "too long"}}
			r.WarningCount, f.warned = 250, r.ID
		}
		must(t, st.FinishRun(ctx, r))
		f.runs = append(f.runs, r.ID)
	}
	spec := func(id string) model.Specification {
		return model.Specification{ID: "urn:schac:uniqueCourseId:uliege.be:" + id, Title: model.Text{"en": id}, PublisherID: "liege"}
	}
	_, err = st.ApplyCourses(ctx, f.main.ID, f.runs[0], []model.Specification{spec("A"), spec("B")}, true, march1, nil)
	must(t, err)
	_, err = st.ApplyCourses(ctx, f.main.ID, f.runs[2], []model.Specification{spec("A")}, true, march1.Add(2*time.Hour), nil)
	must(t, err)
	srv, err := New(Options{Store: st})
	must(t, err)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// getJSON fetches path, checks the status and the API's headers, and
// decodes the body into v.
func getJSON(t *testing.T, ts *httptest.Server, path string, status int, v any) {
	t.Helper()
	resp, body := get(t, ts.URL+path)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d: %s", path, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET %s: no CORS header", path)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, body)
	}
}

func TestAPIProvidersSearch(t *testing.T) {
	ts, _ := newRegistryServer(t)
	cases := []struct {
		name, query string
		want        []string
	}{
		{"name without accents, any case", "q=UNIVERSITE+DE+LIEGE", []string{"liege"}},
		{"name in another language", "q=university+of+li%C3%A8ge", []string{"liege"}},
		{"umlaut folded", "q=munchen", []string{"tum"}},
		{"acronym", "q=uliege", []string{"liege"}},
		{"SCHAC code in q", "q=tum.de", []string{"tum"}},
		{"DEQAR id in q, any case", "q=deqarinst0123", []string{"liege"}},
		{"ETER id in q", "q=DE0069", []string{"tum"}},
		{"schac parameter", "schac=uliege.be", []string{"liege"}},
		{"deqar parameter", "deqar=DEQARINST0123", []string{"liege"}},
		{"eter parameter", "eter=de0069", []string{"tum"}},
		{"country", "country=de", []string{"tum"}},
		{"nothing", "q=sorbonne", []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got apiProviderList
			getJSON(t, ts, "/api/v1/providers?"+tc.query, 200, &got)
			ids := []string{}
			for _, p := range got.Items {
				ids = append(ids, p.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.want, ",") || got.Total != len(tc.want) {
				t.Errorf("found %v (total %d), want %v", ids, got.Total, tc.want)
			}
		})
	}
}

func TestAPIProvidersItemsAndPaging(t *testing.T) {
	ts, _ := newRegistryServer(t)
	var got apiProviderList
	getJSON(t, ts, "/api/v1/providers?q=liege", 200, &got)
	if len(got.Items) != 1 {
		t.Fatalf("items: %+v", got.Items)
	}
	p := got.Items[0]
	if p.SCHAC != "uliege.be" || p.DEQAR != "DEQARINST0123" || p.ETER != "BE0001" || p.Country.Value != "BE" ||
		p.Website != "https://www.uliege.be" || p.Name["fr"] != "Université de Liège" || !p.ManifestFound || p.Courses != 1 ||
		p.Refreshed == nil || !p.Refreshed.Equal(march1.Add(4*time.Hour+time.Minute)) {
		t.Errorf("Liège: %+v (refreshed %v)", p, p.Refreshed)
	}
	getJSON(t, ts, "/api/v1/providers?q=tum.de", 200, &got)
	if p := got.Items[0]; p.ManifestFound || p.Refreshed != nil || p.Courses != 0 {
		t.Errorf("Munich, never found nor harvested: %+v", p)
	}
	getJSON(t, ts, "/api/v1/providers?country=NL&limit=10&page=3", 200, &got)
	if got.Total != 23 || got.Page != 3 || got.Limit != 10 || len(got.Items) != 3 || got.Items[0].ID != "nl20" {
		t.Errorf("third page of 10 of 23: total %d, page %d, limit %d, %d items from %q", got.Total, got.Page, got.Limit,
			len(got.Items), got.Items[0].ID)
	}
	getJSON(t, ts, "/api/v1/providers", 200, &got)
	if got.Total != 25 || len(got.Items) != defaultLimit {
		t.Errorf("default page: total %d, %d items", got.Total, len(got.Items))
	}
}

func TestAPIRegistryRefusals(t *testing.T) {
	ts, f := newRegistryServer(t)
	long := strings.Repeat("x", maxTextRunes+1)
	cases := []struct {
		path   string
		status int
		param  string
	}{
		{"/api/v1/providers?limit=0", 400, "limit"},
		{"/api/v1/providers?limit=101", 400, "limit"},
		{"/api/v1/providers?page=zero", 400, "page"},
		{"/api/v1/providers?country=Belgium", 400, "country"},
		{"/api/v1/providers?q=" + long, 400, "q"},
		{"/api/v1/providers?schac=" + strings.Repeat("x", maxIdentifierBytes+1), 400, "schac"},
		{"/api/v1/providers/nobody", 404, ""},
		{"/api/v1/providers/nobody/runs", 404, ""},
		{"/api/v1/providers/liege/runs?page=-1", 400, "page"},
		{"/api/v1/runs/9999", 404, ""},
		{"/api/v1/runs/abc", 400, "id"},
		{"/api/v1/runs/0", 400, "id"},
		{fmt.Sprintf("/api/v1/runs/%d?limit=1000", f.warned), 400, "limit"},
	}
	for _, tc := range cases {
		var got struct{ Error, Parameter string }
		getJSON(t, ts, tc.path, tc.status, &got)
		if got.Error == "" || got.Parameter != tc.param {
			t.Errorf("GET %s: error %q about parameter %q, want one about %q", tc.path, got.Error, got.Parameter, tc.param)
		}
	}
}

func TestAPIProviderDetail(t *testing.T) {
	ts, f := newRegistryServer(t)
	var got apiProviderDetail
	getJSON(t, ts, "/api/v1/providers/liege", 200, &got)
	if got.ManifestURL != "https://uliege.be/.well-known/quality-link-manifest" || got.Acronym != "ULiège" || got.ETER != "BE0001" {
		t.Errorf("identifiers and manifest: %+v", got)
	}
	var probes []struct{ Method, Outcome, Reason string }
	if got.Discovery == nil || got.Discovery.Error != "" || !got.Discovery.Started.Equal(march1) || got.Discovery.DurationMS != 43 {
		t.Fatalf("latest discovery: %+v", got.Discovery)
	}
	if err := json.Unmarshal(got.Discovery.Probes, &probes); err != nil || len(probes) != 2 || probes[0].Reason != "no TXT record" ||
		probes[1].Outcome != "found" {
		t.Errorf("probes: %+v, %v", probes, err)
	}
	if got.Courses != (apiCourseCount{Active: 1, Inactive: 1}) || len(got.Sources) != 2 {
		t.Fatalf("courses %+v, %d sources", got.Courses, len(got.Sources))
	}
	for _, src := range got.Sources {
		switch src.Type {
		case "ooapi":
			if src.ID != f.main.ID || src.Path != "https://api.uliege.be/ooapi" || src.RefreshHours == nil || *src.RefreshHours != 12 ||
				src.NextRun == nil || !src.NextRun.Equal(march1.Add(36*time.Hour)) ||
				src.LastRun == nil || src.LastRun.ID != f.runs[4] || src.LastRun.Status != store.RunOK ||
				src.Courses != (apiCourseCount{Active: 1, Inactive: 1}) {
				t.Errorf("main source: %+v, last run %+v", src, src.LastRun)
			}
		case "elm":
			if src.RefreshHours != nil || src.NextRun != nil || src.LastRun == nil || src.LastRun.ID != f.runs[1] || src.Courses.Active != 0 {
				t.Errorf("ELM source: %+v", src)
			}
		}
	}
	getJSON(t, ts, "/api/v1/providers/tum", 200, &got)
	if got.Discovery == nil || got.Discovery.Error != "no manifest found" || got.ManifestURL != "" || len(got.Sources) != 0 {
		t.Errorf("Munich: %+v", got)
	}
	getJSON(t, ts, "/api/v1/providers/nl00", 200, &got)
	if got.Discovery != nil || got.Sources == nil {
		t.Errorf("never discovered: %+v", got)
	}
}

func TestAPIProviderRuns(t *testing.T) {
	ts, f := newRegistryServer(t)
	var got apiRunList
	getJSON(t, ts, "/api/v1/providers/liege/runs?limit=2", 200, &got)
	if got.Total != 5 || got.Page != 1 || len(got.Items) != 2 || got.Items[0].ID != f.runs[4] || got.Items[1].ID != f.runs[3] {
		t.Fatalf("first page of 2: %+v", got)
	}
	r := got.Items[1]
	if r.Source != f.main.ID || r.Status != store.RunOK || r.Warnings != 250 || r.Finished == nil || r.Trigger != "schedule" ||
		r.Counts != (apiRunCounts{Seen: 2}) {
		t.Errorf("run with warnings: %+v", r)
	}
	getJSON(t, ts, "/api/v1/providers/liege/runs?limit=2&page=3", 200, &got)
	if len(got.Items) != 1 || got.Items[0].ID != f.runs[0] || got.Items[0].Counts.Added != 2 {
		t.Errorf("last page: %+v", got)
	}
	getJSON(t, ts, "/api/v1/providers/tum/runs", 200, &got)
	if got.Total != 0 || got.Items == nil || len(got.Items) != 0 {
		t.Errorf("no runs: %+v", got)
	}
}

func TestAPIRunWarnings(t *testing.T) {
	ts, f := newRegistryServer(t)
	var got apiRunDetail
	getJSON(t, ts, fmt.Sprintf("/api/v1/runs/%d?limit=2&page=2", f.warned), 200, &got)
	if got.ID != f.warned || got.Provider != "liege" || got.Warnings != 250 {
		t.Errorf("run: %+v", got.apiRun)
	}
	w := got.WarningList
	if w.Total != 250 || w.Kept != 3 || w.Page != 2 || len(w.Items) != 1 || w.Items[0] != (store.Warning{Record: "c3", Field: "title", Message: "too long"}) {
		t.Errorf("second page of 2 warnings: %+v", w)
	}
	getJSON(t, ts, fmt.Sprintf("/api/v1/runs/%d", f.runs[0]), 200, &got)
	if got.WarningList.Items == nil || got.WarningList.Total != 0 || got.Counts.Added != 2 {
		t.Errorf("run without warnings: %+v", got)
	}
}
