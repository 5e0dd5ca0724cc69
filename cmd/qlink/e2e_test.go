package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"qlink/internal/config"
	"qlink/internal/discovery"
	"qlink/internal/harvest"
	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/store"
	"qlink/internal/testfed"
	"qlink/internal/vocab"
)

// demo is one simulated federation harvested into a fresh data directory
// and served on loopback, shared by the end-to-end tests of this package.
type demo struct {
	fed     *testfed.Federation
	app     *app
	srv     *httptest.Server
	summary harvest.Summary
	output  string
}

var (
	demoOnce sync.Once
	shared   *demo
	demoErr  error
	cleanups []func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	os.Exit(code)
}

// demoInstitutions is the federation size of the end-to-end tests: 20
// well-behaved institutions (the bar), plus the misbehaving ones.
const demoInstitutions = 20

func startDemo(t *testing.T) *demo {
	t.Helper()
	demoOnce.Do(func() { shared, demoErr = newDemo() })
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return shared
}

func newDemo() (*demo, error) {
	ctx := context.Background()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: demoInstitutions, Seed: 7, Misbehaving: true,
		Formats: []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM}})
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { fed.Close() })
	dir, err := os.MkdirTemp("", "qlink-e2e-")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	cfg := config.Default()
	cfg.DataDir, cfg.RegistryURL, cfg.AlliancesURL, cfg.Fetch.AllowPrivateNetworks = dir, fed.RegistryURL(), fed.AlliancesURL(), true
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), network{resolver: fed.Resolver(),
		discovery: discovery.Options{Scheme: "http", Port: strconv.Itoa(fed.Port())}})
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, a.Close)
	var out bytes.Buffer
	sum, err := runHarvest(ctx, a, &out, "test", nil)
	if err != nil {
		return nil, fmt.Errorf("harvest: %w\n%s", err, out.String())
	}
	web, err := a.webServer("Demo data")
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(web.Handler())
	cleanups = append(cleanups, srv.Close)
	return &demo{fed: fed, app: a, srv: srv, summary: sum, output: out.String()}, nil
}

// expected computes the catalogue the federation should produce: every
// course and programme of every well-behaved institution, with the facet
// values each format's mapping gives them. The ground truth holds only
// what a source's format publishes (Edu-API: no ISCED-F without
// extensions, no EQF 5, one offering format; OCCAPI: no course EQF, no
// programme offerings), so absent values are simply absent here.
type expectedSpec struct {
	institution, alliance, country, language, eqf, field, typ string
	modes                                                     []string
	ects                                                      float64
}

// modeSlugs maps the truth's modes, per source type, to the mode facet's
// values: OOAPI's modeOfDelivery; Edu-API's offeringFormat (the truth
// holds onGround, online and blended as "on campus", "online" and
// "blended"); OCCAPI's elmModeOfLearning, one concept per mode.
var modeSlugs = map[string]map[string]string{
	testfed.FormatOOAPI:  ooapiModes,
	testfed.FormatEduAPI: {"on campus": "presential", "online": "online", "blended": "blended"},
	testfed.FormatOCCAPI: ooapiModes,
	testfed.FormatELM:    ooapiModes,
}

// ooapiModes maps every OOAPI modeOfDelivery; OCCAPI and ELM publish each
// as its own EU concept.
var ooapiModes = map[string]string{"on campus": "presential", "situated": "presential", "online": "online",
	"distance-learning": "online", "hybrid": "hybrid", "blended": "blended"}

func primary(code string) string {
	tag, _ := vocab.NormalizeLang(code)
	return model.PrimaryLang(tag)
}

func (e *expectedSpec) addModes(srcType string, modes []string) {
	for _, m := range modes {
		slug, ok := modeSlugs[srcType][m]
		if ok && !slices.Contains(e.modes, slug) {
			e.modes = append(e.modes, slug)
		}
	}
}

func expectedCatalogue(fed *testfed.Federation) []expectedSpec {
	var out []expectedSpec
	for _, in := range fed.Institutions() {
		for _, src := range in.Sources {
			for _, c := range src.Courses {
				e := expectedSpec{institution: in.DEQARID, alliance: in.AllianceID(), country: in.Country.Alpha2, language: primary(c.Language),
					field: c.BroadField(), typ: "course", ects: c.ECTS}
				if c.EQF > 0 {
					e.eqf = strconv.Itoa(c.EQF)
				}
				for _, o := range c.Offerings {
					modes := o.Modes
					if len(modes) == 0 {
						modes = c.Modes
					}
					e.addModes(src.Type, modes)
				}
				out = append(out, e)
			}
			for _, p := range src.Programs {
				e := expectedSpec{institution: in.DEQARID, alliance: in.AllianceID(), country: in.Country.Alpha2, language: primary(p.Language),
					typ: "programme", ects: p.ECTS}
				if len(p.ISCED) >= 2 {
					e.field = p.ISCED[:2]
				}
				if p.Type == "minor" || p.Type == "specialization" || p.Type == "track" {
					e.typ = "module"
				}
				if p.EQF > 0 {
					e.eqf = strconv.Itoa(p.EQF)
				}
				for _, o := range p.Offerings {
					e.addModes(src.Type, o.Modes)
				}
				out = append(out, e)
			}
		}
	}
	return out
}

func (e expectedSpec) values(f search.Facet) []string {
	switch f {
	case search.FacetInstitution:
		return []string{e.institution}
	case search.FacetAlliance:
		if e.alliance == "" {
			return nil
		}
		return []string{e.alliance}
	case search.FacetCountry:
		return []string{e.country}
	case search.FacetLanguage:
		return []string{e.language}
	case search.FacetEQF:
		if e.eqf == "" {
			return nil
		}
		return []string{e.eqf}
	case search.FacetField:
		if e.field == "" {
			return nil
		}
		return []string{e.field}
	case search.FacetType:
		return []string{e.typ}
	case search.FacetMode:
		return e.modes
	}
	return nil
}

// apiCourse and apiFacet decode what a client of the public API sees.
type apiCourse struct {
	ID               string              `json:"id"`
	Title            map[string]string   `json:"title"`
	Description      map[string]string   `json:"description"`
	LearningOutcomes []map[string]string `json:"learningOutcomes"`
}

type apiFacet struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

type apiResponse struct {
	Total  int `json:"total"`
	Items  []apiCourse
	Facets map[string][]apiFacet `json:"facets"`
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

func TestDemoHarvestsTheFederation(t *testing.T) {
	d := startDemo(t)
	want := expectedCatalogue(d.fed)
	if d.summary.Discovered != demoInstitutions || d.summary.Providers != demoInstitutions+2 {
		t.Errorf("discovered %d of %d providers, want %d of %d\n%s", d.summary.Discovered, d.summary.Providers,
			demoInstitutions, demoInstitutions+2, d.output)
	}
	if d.summary.Runs[store.RunOK] != d.summary.Sources || d.summary.Courses != len(want) {
		t.Errorf("runs %v, courses %d, want %d, all ok\n%s", d.summary.Runs, d.summary.Courses, len(want), d.output)
	}
	// Every format the federation publishes was harvested.
	srcs, err := d.app.store.ListSources(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, s := range srcs {
		types[s.Type]++
	}
	for _, f := range []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM} {
		if types[f] == 0 {
			t.Errorf("no %s source was harvested (sources by type: %v)", f, types)
		}
	}
	if len(want) < 1000 {
		t.Errorf("the federation has only %d courses; the demo promises at least 1,000 from 20 institutions", len(want))
	}
	for _, line := range []string{"no manifest found", "not a usable manifest"} {
		if !strings.Contains(d.output, line) {
			t.Errorf("progress output does not explain %q:\n%s", line, d.output)
		}
	}
}

func TestDiscoveryMatchesWhatInstitutionsPublished(t *testing.T) {
	d := startDemo(t)
	ctx := context.Background()
	for _, in := range d.fed.Institutions() {
		rec, err := d.app.store.LatestDiscovery(ctx, in.DEQARID)
		if err != nil {
			t.Fatalf("%s: %v", in.SCHAC, err)
		}
		var probes []discovery.Probe
		json.Unmarshal(rec.Probes, &probes)
		if in.Misbehavior != "" {
			if rec.Error == "" {
				t.Errorf("%s (%s): discovery should fail", in.SCHAC, in.Misbehavior)
			}
			continue
		}
		last := probes[len(probes)-1]
		if rec.ManifestURL != in.Discovery.ManifestURL || last.Domain != in.Discovery.Domain || last.Method != string(in.Discovery.Method) {
			t.Errorf("%s (%s): found %s on %s by %s; want %s on %s by %s", in.SCHAC, in.Discovery.Variant, rec.ManifestURL,
				last.Domain, last.Method, in.Discovery.ManifestURL, in.Discovery.Domain, in.Discovery.Method)
		}
	}
}

func TestFacetCountsMatchTheGeneratedData(t *testing.T) {
	d := startDemo(t)
	want := expectedCatalogue(d.fed)
	var all apiResponse
	getJSON(t, d.srv.URL+"/api/v1/courses?limit=1", &all)
	if all.Total != len(want) {
		t.Fatalf("total %d, want %d", all.Total, len(want))
	}
	for _, f := range search.Facets {
		counts := map[string]int{}
		for _, e := range want {
			for _, v := range e.values(f) {
				counts[v]++
			}
		}
		got := map[string]int{}
		for _, fc := range all.Facets[string(f)] {
			got[fc.Value] = fc.Count
			if fc.Label == "" {
				t.Errorf("facet %s value %s has no label", f, fc.Value)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(counts) {
			t.Errorf("facet %s:\n got %v\nwant %v", f, got, counts)
		}
		// Filtering by a value returns exactly its count.
		checked := 0
		for v, n := range counts {
			if checked == 3 {
				break
			}
			checked++
			var res apiResponse
			getJSON(t, d.srv.URL+"/api/v1/courses?limit=1&"+url.Values{string(f): {v}}.Encode(), &res)
			if res.Total != n {
				t.Errorf("%s=%s: total %d, want %d", f, v, res.Total, n)
			}
		}
	}

	// Two facets and an ECTS range together.
	country, field := want[0].country, want[0].field
	n := 0
	for _, e := range want {
		if e.country == country && e.field == field && e.ects >= 5 && e.ects <= 10 {
			n++
		}
	}
	var res apiResponse
	getJSON(t, d.srv.URL+"/api/v1/courses?"+url.Values{"country": {country}, "field": {field}, "ects_min": {"5"}, "ects_max": {"10"}}.Encode(), &res)
	if res.Total != n {
		t.Errorf("country=%s field=%s ects 5–10: total %d, want %d", country, field, res.Total, n)
	}
}

func TestSearchFindsDataCoursesInTheirLanguages(t *testing.T) {
	d := startDemo(t)
	var res apiResponse
	getJSON(t, d.srv.URL+"/api/v1/courses?q=data&limit=100", &res)
	if res.Total == 0 || len(res.Items) == 0 {
		t.Fatal("q=data found nothing")
	}
	for _, it := range res.Items[:10] {
		text := strings.ToLower(fmt.Sprint(it.Title, it.Description, it.LearningOutcomes))
		if !strings.Contains(text, "data") && !strings.Contains(text, "dat") {
			t.Errorf("%s does not mention data: %v", it.ID, it.Title)
		}
	}
	// A course published in Dutch and English keeps both, tagged as
	// published, and so does a course in two languages from each format.
	checked := map[string]bool{}
	for _, in := range d.fed.Institutions() {
		for _, src := range in.Sources {
			for _, c := range src.Courses {
				langs := c.Name.Languages()
				dutch := !checked["nl"] && slices.Contains(langs, "nl") && slices.Contains(langs, "en")
				if len(langs) != 2 || checked[src.Type] && !dutch {
					continue
				}
				checkBilingual(t, d, in, c)
				checked[src.Type] = true
				checked["nl"] = checked["nl"] || dutch
			}
		}
	}
	for _, key := range []string{"nl", testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM} {
		if !checked[key] {
			t.Errorf("the federation has no course published in two languages for %s", key)
		}
	}
}

// checkBilingual checks that a course published in two languages shows
// both, tagged as published, and is found by its title in either.
func checkBilingual(t *testing.T, d *demo, in testfed.Institution, c testfed.Course) {
	t.Helper()
	var got apiCourse
	getJSON(t, d.srv.URL+"/api/v1/courses/"+url.PathEscape(model.CourseID(in.SCHAC, in.DEQARID, c.Code)), &got)
	langs := map[string]string{}
	for tag, v := range got.Title {
		langs[model.PrimaryLang(tag)] = v
	}
	for _, lang := range c.Name.Languages() {
		if langs[lang] != c.Name.In(lang) || len(got.Title) != len(c.Name) {
			t.Errorf("%s: titles %v, want %v", c.Code, got.Title, c.Name)
		}
		var hits apiResponse
		q := url.Values{"q": {c.Name.In(lang)}, "institution": {in.DEQARID}, "limit": {"100"}}
		getJSON(t, d.srv.URL+"/api/v1/courses?"+q.Encode(), &hits)
		if !slices.ContainsFunc(hits.Items, func(a apiCourse) bool { return a.ID == got.ID }) {
			t.Errorf("searching the %s title %q does not find %s", lang, c.Name.In(lang), got.ID)
		}
	}
}
