package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/store"
	"qlink/internal/vocab"
)

// withInstitutions adds n institutions I01…, institution i with i courses,
// so that the institution facet has more values than a page lists and
// every count differs.
func withInstitutions(t testing.TB, n int) func(*Options) {
	return func(o *Options) {
		for i := 1; i <= n; i++ {
			p := model.Provider{ID: fmt.Sprintf("I%02d", i), Name: model.Text{"en": fmt.Sprintf("Institution %02d", i)}, Country: "BE"}
			var specs []model.Specification
			for j := range i {
				specs = append(specs, model.Specification{ID: fmt.Sprintf("urn:test:%s:%d", p.ID, j), Title: model.Text{"en": "Course " + p.ID},
					Languages: []string{"en"}, Active: true, Type: vocab.LearningOpportunityTypes.URI("course"), PublisherID: p.ID})
			}
			addCourses(t, o, p, specs)
		}
	}
}

// listedInstitutions returns the institution checkboxes of a catalogue
// page, in order.
func listedInstitutions(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`name="institution" value="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestCatalogueListsTheLargestFacetValuesFirst(t *testing.T) {
	ts := newTestServer(t, withInstitutions(t, 20)) // and P1, P2 with one course each

	_, body := get(t, ts.URL+"/")
	want := []string{"I20", "I19", "I18", "I17", "I16", "I15", "I14", "I13", "I12", "I11"}
	if got := listedInstitutions(body); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("listed %v, want the ten with the most courses %v", got, want)
	}
	if !strings.Contains(body, `<a href="/?more=institution#facet-institution">Show 12 more</a>`) {
		t.Error("no link to the twelve institutions left out")
	}
	if strings.Contains(body, `name="more"`) {
		t.Error("a plain page carries more=")
	}

	// The link keeps the page the reader is on.
	if _, body := get(t, ts.URL+"/?page=2"); !strings.Contains(body, `<a href="/?more=institution&amp;page=2#facet-institution">`) {
		t.Error("the link to all institutions leaves page 2")
	}

	// A chosen value stays listed however few courses it has.
	_, body = get(t, ts.URL+"/?institution=I01")
	if got := listedInstitutions(body); len(got) != 11 || got[10] != "I01" || !strings.Contains(body, `value="I01" checked`) {
		t.Errorf("with I01 chosen, listed %v", got)
	}
	if !strings.Contains(body, "Show 11 more") {
		t.Error("the count of values left out ignores the chosen one")
	}

	// more= lists the facet in full, keeps the search, and comes back in
	// the form so that ticking a box keeps the list open.
	_, body = get(t, ts.URL+"/?more=institution&country=BE")
	if got := listedInstitutions(body); len(got) != 20 {
		t.Errorf("in full, listed %d institutions of Belgium: %v", len(got), got)
	}
	for _, w := range []string{`<input type="hidden" name="more" value="institution">`,
		`<a href="/?country=BE#facet-institution">Show fewer</a>`, `id="facet-institution"`} {
		if !strings.Contains(body, w) {
			t.Errorf("missing %q", w)
		}
	}

	// A short facet is listed whole: the three countries here, and the
	// fifteen institutions of a smaller catalogue.
	if !strings.Contains(body, `value="BE"`) || strings.Contains(body, "more=country") {
		t.Error("the short country facet is cut")
	}
	small := newTestServer(t, withInstitutions(t, 13))
	if _, body := get(t, small.URL+"/"); len(listedInstitutions(body)) != 15 || strings.Contains(body, "more=institution") {
		t.Errorf("fifteen institutions are not listed whole: %v", listedInstitutions(body))
	}

	resp, body := get(t, ts.URL+"/?more=everything")
	if resp.StatusCode != 400 || !strings.Contains(body, "more must name a facet") {
		t.Errorf("more=everything: %d", resp.StatusCode)
	}
	// facet_limit is the API's; the page ignores it.
	if resp, _ := get(t, ts.URL+"/?facet_limit=many"); resp.StatusCode != 200 {
		t.Errorf("the page refused the API's facet_limit: %d", resp.StatusCode)
	}
}

func TestAPIFacetLimit(t *testing.T) {
	ts := newTestServer(t, withInstitutions(t, 13))
	type facets struct {
		Next   string `json:"next"`
		Facets map[string][]struct {
			Value string `json:"value"`
			Count int    `json:"count"`
		} `json:"facets"`
		Totals map[string]int `json:"facetTotals"`
	}
	read := func(query string) facets {
		t.Helper()
		resp, body := get(t, ts.URL+"/api/v1/courses?"+query)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", query, resp.StatusCode, body)
		}
		var f facets
		if err := json.Unmarshal([]byte(body), &f); err != nil {
			t.Fatal(err)
		}
		return f
	}

	all := read("")
	if len(all.Facets["institution"]) != 15 || all.Totals["institution"] != 15 || all.Totals["country"] != 3 {
		t.Errorf("default: %d institutions listed, totals %v", len(all.Facets["institution"]), all.Totals)
	}

	two := read("facet_limit=2&limit=5")
	if inst := two.Facets["institution"]; len(inst) != 2 || inst[0].Value != "I13" || inst[0].Count != 13 || inst[1].Value != "I12" {
		t.Errorf("facet_limit=2: %+v", inst)
	}
	if two.Totals["institution"] != 15 {
		t.Errorf("facet_limit=2: totals %v", two.Totals)
	}
	if !strings.Contains(two.Next, "facet_limit=2") {
		t.Errorf("next page %q forgets facet_limit", two.Next)
	}

	none := read("facet_limit=0")
	if len(none.Facets["institution"]) != 0 || none.Totals["institution"] != 15 {
		t.Errorf("facet_limit=0: %+v, totals %v", none.Facets, none.Totals)
	}

	// more is the page's; the API ignores it.
	if resp, body := get(t, ts.URL+"/api/v1/courses?more=everything"); resp.StatusCode != 200 {
		t.Errorf("the API refused the page's more: %d %s", resp.StatusCode, body)
	}
	for _, bad := range []string{"-1", "10001", "many", "1e3"} {
		resp, body := get(t, ts.URL+"/api/v1/courses?facet_limit="+bad)
		if resp.StatusCode != 400 || !strings.Contains(body, `"parameter":"facet_limit"`) {
			t.Errorf("facet_limit=%s: %d %s", bad, resp.StatusCode, body)
		}
	}
}

// An institution's label in the facets follows its name in the store once
// the providers' snapshot is read again: the names remembered for the
// snapshot go with it.
func TestFacetLabelsFollowAProvidersNewName(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	var st store.Store
	ts := newTestServer(t, func(o *Options) {
		o.Now = func() time.Time { return now }
		st = o.Store
	})
	label := func() string {
		t.Helper()
		var answer apiList
		getJSON(t, ts, "/api/v1/courses", http.StatusOK, &answer)
		for _, v := range answer.Facets[search.FacetInstitution] {
			if v.Value == "P1" {
				return v.Label
			}
		}
		t.Fatalf("P1 not among the institutions: %+v", answer.Facets[search.FacetInstitution])
		return ""
	}
	if got := label(); got != "University A" {
		t.Fatalf("P1 labelled %q", got)
	}
	renamed := model.Provider{ID: "P1", SCHAC: "uni-a.test", Name: model.Text{"en": "Alpha University"}, Country: "NL"}
	if err := st.UpsertProviders(context.Background(), []model.Provider{renamed}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(providerCacheTTL + time.Second)
	if got := label(); got != "Alpha University" {
		t.Errorf("after the rename, P1 labelled %q", got)
	}
}
