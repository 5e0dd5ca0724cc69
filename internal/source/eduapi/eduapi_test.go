package eduapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/source"
	"qlink/internal/source/sourcetest"
	"qlink/internal/vocab"
)

const root = "https://api.uni.test/ims/eduapi/v1p0"

// fakeServer is an Edu-API server in process: collection name → records
// (raw JSON), paged with limit and offset like a real server, with knobs
// for the ways real servers differ and break.
type fakeServer struct {
	items map[string][]string
	// headers: "link", "total", "both" or "none".
	headers string
	// maxLimit caps the limit asked for (0: no cap).
	maxLimit     int
	ignoreOffset bool
	// endless sends a next link on every page; past the end it repeats
	// the last page.
	endless bool
	// wrap sends {"<name>": [...]} instead of a bare array.
	wrap bool
	// status answers a collection with an error status.
	status map[string]int
	// failAfter answers an error from this offset on.
	failAfter map[string]int
	// single holds single records by path ("courseTemplates/<id>").
	single map[string]string
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/ims/eduapi/v1p0/")
	if doc, ok := f.single[name]; ok {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(doc))
		return
	}
	items, ok := f.items[name]
	if st := f.status[name]; st != 0 || !ok {
		http.Error(w, `{"imsx_codeMajor":"failure"}`, max(st, http.StatusNotFound))
		return
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	offset, _ := strconv.Atoi(q.Get("offset"))
	if limit <= 0 {
		limit = 100
	}
	if f.maxLimit > 0 {
		limit = min(limit, f.maxLimit)
	}
	if at, ok := f.failAfter[name]; ok && offset >= at {
		http.Error(w, "boom", http.StatusInternalServerError)
		return
	}
	if f.ignoreOffset {
		offset = 0
	}
	if f.endless && offset >= len(items) && len(items) > 0 {
		offset = (len(items) - 1) / limit * limit
	}
	lo, hi := min(offset, len(items)), min(offset+limit, len(items))
	link := func(rel string, off int) string {
		u := *r.URL
		qq := u.Query()
		qq.Set("offset", strconv.Itoa(off))
		u.RawQuery = qq.Encode()
		return fmt.Sprintf(`<%s>; rel="%s"`, u.String(), rel)
	}
	if f.headers == "link" || f.headers == "both" {
		links := []string{link("first", 0)}
		if hi < len(items) || f.endless {
			links = append(links, link("next", offset+limit))
		}
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	if f.headers == "total" || f.headers == "both" {
		w.Header().Set("X-Total-Count", strconv.Itoa(len(items)))
	}
	body := "[" + strings.Join(items[lo:hi], ",") + "]"
	if f.wrap {
		body = fmt.Sprintf(`{%q:%s}`, name, body)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(body))
}

var now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func config(pageSize int) source.Config {
	return source.Config{URL: root, PageSize: pageSize, MaxPages: 50, Now: now,
		Provider: model.Provider{ID: "DEQARINST0001", SCHAC: "uni.test", Name: model.Text{"en": "University of Testing"}}}
}

func harvest(t *testing.T, srv *fakeServer, cfg source.Config) (*sourcetest.Collector, *sourcetest.HandlerGetter, error) {
	t.Helper()
	get := &sourcetest.HandlerGetter{Handler: srv, Host: "api.uni.test"}
	out := &sourcetest.Collector{}
	err := Adapter{}.Harvest(context.Background(), cfg, get, out)
	return out, get, err
}

func organizationsJSON() []string {
	return []string{
		`{"sourcedId":"org-root","recordLanguage":"nl","name":[{"recordLanguage":"nl","value":"Universiteit Test"}],"organizationType":"institution",
		  "primaryCode":{"identifier":"uni.test","identifierType":"ext:schacHome"},"recordStatus":"active","children":["org-fac"]}`,
		`{"sourcedId":"org-fac","recordLanguage":"nl","name":[{"recordLanguage":"nl","value":"Faculteit Informatica"}],"organizationType":"department",
		  "primaryCode":{"identifier":"FI","identifierType":"identifier"},"parent":"org-root","recordStatus":"active"}`,
		`{"sourcedId":"org-other","recordLanguage":"de","name":[{"recordLanguage":"de","value":"Andere Hochschule"}],"organizationType":"institution",
		  "primaryCode":{"identifier":"andere.test","identifierType":"ext:schacHome"},"recordStatus":"active"}`,
	}
}

func courseJSON(id, code, extra string) string {
	return fmt.Sprintf(`{"sourcedId":%q,"courseType":"standard","recordLanguage":"nl-NL",
		"title":[{"recordLanguage":"nl-NL","value":"Inleiding %s"},{"recordLanguage":"en-GB","value":"Introduction %s"}],
		"description":[{"recordLanguage":"nl-NL","value":"Over %s."},{"recordLanguage":"en-GB","value":"About %s."}],
		"primaryCode":{"identifier":%q,"identifierType":"identifier"},"organization":"org-fac","level":"undergraduate",
		"creditType":"credit","creditsAwarded":"6 ECTS","gradingScheme":{"recordLanguage":"en","value":"1-10"},
		"recordStatus":"active","dateLastModified":"2026-10-01T08:00:00Z","teachingLanguage":"nl-NL"%s}`,
		id, code, code, code, code, code, extra)
}

func offeringJSON(id, course, extra string) string {
	return fmt.Sprintf(`{"sourcedId":%q,"offeringType":"standard","course":%q,"recordLanguage":"en",
		"title":[{"recordLanguage":"en","value":"Autumn 2026"}],"description":[],"primaryCode":{"identifier":"%s-2026","identifierType":"identifier"},
		"organization":"org-fac","academicSession":"s1","offeringFormat":"online","registrationStatus":"open",
		"startDate":"2026-09-01T00:00:00Z","endDate":"2027-01-31T00:00:00Z","recordStatus":"active",
		"maxNumberStudents":30,"enrolledNumberStudents":12,"dateLastModified":"2026-10-01T08:00:00Z",
		"locations":[{"identifier":"B1","description":[{"recordLanguage":"nl","value":"Gebouw 1"}]}]%s}`, id, course, course, extra)
}

// federation returns a server with 23 courses (one in a programme), each
// with one offering.
func federation() *fakeServer {
	f := &fakeServer{headers: "both", items: map[string][]string{
		"organizations": organizationsJSON(),
		"collectionTemplates": {`{"sourcedId":"p1","collectionType":"program","recordLanguage":"en",
			"title":[{"recordLanguage":"en","value":"BSc Informatics"}],"description":[],"primaryCode":{"identifier":"BSC-INF","identifierType":"identifier"},
			"organization":"org-root","level":"undergraduate","creditType":"credit","creditsAwarded":180,"recordStatus":"active","teachingLanguage":"en"}`},
		"collectionOfferings": {`{"sourcedId":"po1","collection":"p1","title":[{"recordLanguage":"en","value":"BSc 2026"}],
			"offeringFormat":"onGround","startDate":"2026-09-01T00:00:00Z","endDate":"2029-07-31T00:00:00Z","recordStatus":"active"}`},
	}}
	for i := 1; i <= 23; i++ {
		id := fmt.Sprintf("c%02d", i)
		extra := ""
		if i == 1 {
			extra = `,"parent":["p1"],"extensions":{"iscedCode":"0613","learningOutcomes":[[{"recordLanguage":"en-GB","value":"Apply X"},{"recordLanguage":"nl-NL","value":"X toepassen"}],"Explain Y"]}`
		}
		f.items["courseTemplates"] = append(f.items["courseTemplates"], courseJSON(id, "INF-"+id, extra))
		f.items["courseOfferings"] = append(f.items["courseOfferings"], offeringJSON("o-"+id, id, ""))
	}
	return f
}

func TestHarvestMapsTheSource(t *testing.T) {
	out, _, err := harvest(t, federation(), config(10))
	if err != nil || len(out.Warnings) != 0 {
		t.Fatalf("Harvest: %v\n%s", err, out.WarningList())
	}
	if len(out.Specs) != 24 {
		t.Fatalf("got %d specs, want 24", len(out.Specs))
	}
	c := out.ByID("urn:schac:uniqueCourseId:uni.test:INF-c01")
	if c == nil {
		t.Fatal("course INF-c01 missing")
	}
	// Both languages, each under the tag it was published with.
	if !maps(c.Title, model.Text{"nl-NL": "Inleiding INF-c01", "en-GB": "Introduction INF-c01"}) ||
		!maps(c.Description, model.Text{"nl-NL": "Over INF-c01.", "en-GB": "About INF-c01."}) {
		t.Errorf("texts: %v %v", c.Title, c.Description)
	}
	if !slices.Equal(c.Languages, []string{"nl"}) || c.EQFLevel != 6 || !slices.Equal(c.ISCEDF, []string{"0613"}) ||
		c.Type != vocab.LearningOpportunityTypes.URI("course") || c.PublisherID != "DEQARINST0001" || !c.Active ||
		!c.Modified.Equal(time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("course: %+v", c)
	}
	if e, _ := c.ECTS(); e != 6 || len(c.LearningOutcomes) != 2 || !maps(c.LearningOutcomes[0], model.Text{"en-GB": "Apply X", "nl-NL": "X toepassen"}) ||
		!maps(c.LearningOutcomes[1], model.Text{"und": "Explain Y"}) {
		t.Errorf("ects/outcomes: %v %v", e, c.LearningOutcomes)
	}
	wantIDs := []model.Identifier{{Scheme: "edu-api:sourcedId", Value: "c01"}, {Scheme: "edu-api:identifier", Value: "INF-c01"}}
	if !slices.Equal(c.Identifiers, wantIDs) {
		t.Errorf("identifiers: %v", c.Identifiers)
	}
	if len(c.Instances) != 1 {
		t.Fatalf("instances: %+v", c.Instances)
	}
	in := c.Instances[0]
	if in.ID != c.ID+":offering:c01-2026" || !in.Start.Equal(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)) ||
		*in.Capacity != 30 || *in.Enrolled != 12 || in.Minimum != nil || in.DefaultLanguage != "nl" ||
		!slices.Equal(in.Modes, []string{vocab.Modes.URI("online")}) || in.Location["nl"] != "Gebouw 1" || in.Title["en"] != "Autumn 2026" {
		t.Errorf("instance: %+v", in)
	}
	p := out.ByID("urn:schac:uniqueCourseId:uni.test:BSC-INF")
	if p == nil || p.Type != vocab.LearningOpportunityTypes.URI("programme") || p.EQFLevel != 6 || len(p.ISCEDF) != 0 || len(p.LearningOutcomes) != 0 {
		t.Fatalf("programme: %+v", p)
	}
	if e, _ := p.ECTS(); e != 180 || len(p.Instances) != 1 || !slices.Equal(p.Instances[0].Modes, []string{vocab.Modes.URI("presential")}) {
		t.Errorf("programme credits/instances: %v %+v", e, p.Instances)
	}
	if !slices.Equal(p.HasPart, []string{c.ID}) || !slices.Equal(c.PartOf, []string{p.ID}) {
		t.Errorf("structure: hasPart %v partOf %v", p.HasPart, c.PartOf)
	}
	if other := out.ByID("urn:schac:uniqueCourseId:uni.test:INF-c02"); len(other.ISCEDF) != 0 || len(other.LearningOutcomes) != 0 {
		t.Errorf("ISCED or outcomes invented without extensions: %+v", other)
	}
}

func maps(got, want model.Text) bool {
	return fmt.Sprint(map[string]string(got)) == fmt.Sprint(map[string]string(want))
}

// TestPaging reads the same 23 courses from servers that signal the next
// page differently, and counts the requests each needs.
func TestPaging(t *testing.T) {
	tests := []struct {
		name     string
		headers  string
		limit    int
		maxLimit int
		wrap     bool
		pages    int
	}{
		{"Link header", "link", 10, 0, false, 3},
		{"X-Total-Count", "total", 10, 0, false, 3},
		{"both", "both", 10, 0, false, 3},
		{"no headers: short page ends", "none", 10, 0, false, 3},
		{"no headers, all on one page: one more request", "none", 100, 0, false, 2},
		{"server caps the limit, no headers", "none", 100, 7, false, 4},
		{"server caps the limit, X-Total-Count", "total", 100, 7, false, 4},
		{"wrapped in an object", "total", 10, 0, true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := federation()
			srv.headers, srv.maxLimit, srv.wrap = tt.headers, tt.maxLimit, tt.wrap
			out, get, err := harvest(t, srv, config(tt.limit))
			if err != nil {
				t.Fatalf("Harvest: %v", err)
			}
			if len(out.Specs) != 24 {
				t.Errorf("got %d specs, want 24", len(out.Specs))
			}
			pages := 0
			for _, u := range get.Requested() {
				if strings.Contains(u, "/courseTemplates?") {
					pages++
				}
			}
			if pages != tt.pages {
				t.Errorf("read %d pages of courses, want %d: %v", pages, tt.pages, get.Requested())
			}
			if wrapped := out.Warned("", "", "wrapped in an object"); wrapped != tt.wrap {
				t.Errorf("wrapped warning: %v\n%s", wrapped, out.WarningList())
			}
		})
	}
}

func TestPagingGuards(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*fakeServer)
		cfg     func(*source.Config)
		wantErr string
		specs   int
	}{
		// The programme's collections are short enough to be read whole.
		{"ignores offset", func(f *fakeServer) { f.ignoreOffset = true }, nil, "ignores offset", 1},
		{"ignores offset, everything on one page", func(f *fakeServer) { f.ignoreOffset, f.headers = true, "none" }, func(c *source.Config) { c.PageSize = 100 }, "", 24},
		{"endless next link", func(f *fakeServer) { f.endless, f.headers = true, "link" }, nil, "ignores offset", 0},
		{"page cap", nil, func(c *source.Config) { c.MaxPages = 2 }, "cap of 2 pages", 1},
		{"offerings fail part-way: courses withheld", func(f *fakeServer) { f.failAfter = map[string]int{"courseOfferings": 10} }, nil, "courseOfferings", 1},
		{"course templates fail part-way: what was read arrives", func(f *fakeServer) { f.failAfter = map[string]int{"courseTemplates": 20} }, nil, "HTTP 500", 21},
		{"no course templates", func(f *fakeServer) { f.status = map[string]int{"courseTemplates": 404} }, nil, "404", 0},
		{"optional collections absent", func(f *fakeServer) {
			f.status = map[string]int{"organizations": 404, "collectionTemplates": 404, "collectionOfferings": 404, "courseOfferings": 404}
		}, nil, "", 23},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := federation()
			if tt.change != nil {
				tt.change(srv)
			}
			cfg := config(10)
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			out, _, err := harvest(t, srv, cfg)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
			if len(out.Specs) != tt.specs {
				t.Errorf("%d specs, want %d\n%s", len(out.Specs), tt.specs, out.WarningList())
			}
		})
	}
}

func TestSloppyAndHostileRecords(t *testing.T) {
	srv := federation()
	srv.items["courseTemplates"] = []string{
		courseJSON("good", "G1", ""),
		`"not an object"`,
		strings.Replace(courseJSON("typed", "T1", ""), `"dateLastModified":"2026-10-01T08:00:00Z"`, `"dateLastModified":20261001`, 1),
		courseJSON("dup", "G1", ""),
		strings.Replace(courseJSON("gone", "X1", ""), `"recordStatus":"active"`, `"recordStatus":"deleted"`, 1),
		`{"sourcedId":"sloppy","courseType":"thesis","title":"Plain title","primaryCode":{"identifier":"S1"},"organization":"org-other",
		  "level":"wizard","creditType":"credit","creditsAwarded":"4 SWS","recordStatus":"inactive","teachingLanguage":"xx-not!",
		  "parent":["nowhere"],"extensions":{"iscedCode":["0613","9876"]}}`,
		`{"sourcedId":"loose","courseType":"ext:microcredential","title":{"recordLanguage":"de","value":"Nur Deutsch"},"primaryCode":{"identifier":"L1"},
		  "level":"ext:shortCycle","creditType":"nonCredit","creditsAwarded":"3","organization":"org-unknown","recordLanguage":"de-AT"}`,
		`{"sourcedId":"intern","courseType":"internship","title":[{"recordLanguage":"en","value":"Placement"}],"primaryCode":{"identifier":"I1"},
		  "creditType":"credit","creditsAwarded":"7,5","level":"graduate"}`,
		`{"title":[{"recordLanguage":"en","value":"No id"}]}`,
	}
	srv.items["courseOfferings"] = []string{
		strings.NewReplacer(`"offeringFormat":"online"`, `"offeringFormat":"teleportation"`, `"maxNumberStudents":30`, `"maxNumberStudents":"many"`).
			Replace(offeringJSON("o1", "good", "")),
		strings.Replace(offeringJSON("o2", "good", ""), `"startDate":"2026-09-01T00:00:00Z"`, `"startDate":"01/09/2026"`, 1),
		offeringJSON("o3", "missing", ""),
	}
	out, _, err := harvest(t, srv, config(0))
	if err != nil {
		t.Fatalf("Harvest: %v", err)
	}
	// good, typed, dup, sloppy, loose, intern; and the programme.
	if len(out.Specs) != 7 {
		t.Fatalf("got %d specs, want 7\n%s", len(out.Specs), out.WarningList())
	}
	id := func(local string) *model.Specification { return out.ByID("urn:schac:uniqueCourseId:uni.test:" + local) }
	if s := id("T1"); s == nil || !s.Modified.IsZero() || s.Title.IsEmpty() {
		t.Errorf("a wrongly typed field must leave the rest of the record: %+v", s)
	}
	if id("dup") == nil || id("X1") != nil {
		t.Errorf("duplicate code must fall back to the sourcedId; deleted records must not be published")
	}
	s := id("S1")
	if s == nil || s.Active || s.Title["und"] != "Plain title" || s.Type != vocab.LearningOpportunityTypes.URI("thesis") || s.EQFLevel != 0 ||
		len(s.Credits) != 0 || len(s.Languages) != 0 || !slices.Equal(s.ISCEDF, []string{"0613"}) || s.PublisherID != "edu-api:organization:org-other" {
		t.Errorf("sloppy: %+v", s)
	}
	l := id("L1")
	if l == nil || l.Title["de"] != "Nur Deutsch" || !slices.Equal(l.Languages, []string{"de"}) || l.EQFLevel != 0 || len(l.Credits) != 0 ||
		l.Type != vocab.LearningOpportunityTypes.URI("course") || l.PublisherID != "DEQARINST0001" {
		t.Errorf("loose: %+v", l)
	}
	if i := id("I1"); i == nil || i.Type != vocab.LearningOpportunityTypes.URI("internship") || i.EQFLevel != 7 {
		t.Errorf("internship: %+v", i)
	} else if e, _ := i.ECTS(); e != 7.5 {
		t.Errorf("7,5 credits read as %v", e)
	}
	g := id("G1")
	if len(g.Instances) != 2 || g.Instances[0].Capacity != nil || len(g.Instances[0].Modes) != 0 || !g.Instances[1].Start.IsZero() {
		t.Errorf("good instances: %+v", g.Instances)
	}
	warnings := []struct{ record, field, msg string }{
		{"courseTemplates?limit=100&offset=0 item 2", "", "not a valid template"},
		{"typed", "dateLastModified", "number where template expects string"},
		{"dup", "primaryCode", `code "G1" is also used by good`},
		{"gone", "recordStatus", "deleted"},
		{"S1", "level", `unknown level "wizard"`},
		{"S1", "creditsAwarded", `unit "sws"`},
		{"S1", "teachingLanguage", "not a BCP 47 language tag"},
		{"S1", "parent", `"nowhere" is not among the collection templates`},
		{"S1", "extensions.iscedCode", `"9876"`},
		{"S1", "organization", "Andere Hochschule"},
		{"L1", "organization", `"org-unknown" is not among`},
		{"L1", "creditType", "nonCredit"},
		{"item 9", "sourcedId", "without sourcedId"},
		{"G1:offering:good-2026", "offeringFormat", `"teleportation"`},
		{"G1:offering:good-2026", "maxNumberStudents", `"many"`},
		{"o2", "startDate", `"01/09/2026" is not a date`},
		{"o3", "course", `offering of "missing"`},
	}
	for _, w := range warnings {
		if !out.Warned(w.record, w.field, w.msg) {
			t.Errorf("no warning on %s %s: %q in\n%s", w.record, w.field, w.msg, out.WarningList())
		}
	}
}

func TestDeltaHarvest(t *testing.T) {
	srv := federation()
	// The server applies the filter: only c02 changed; c05's offering changed.
	changed := map[string]bool{"c02": true}
	srv.single = map[string]string{"courseTemplates/c05": courseJSON("c05", "INF-c05", "")}
	srv.items["courseOfferings"][4] = strings.Replace(srv.items["courseOfferings"][4], "2026-10-01T08:00:00Z", "2026-11-20T08:00:00Z", 1)
	var keep []string
	for _, c := range srv.items["courseTemplates"] {
		if changed[c[14:17]] {
			keep = append(keep, c)
		}
	}
	srv.items["courseTemplates"] = keep
	var mu sync.Mutex
	var filters []string
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/courseTemplates") {
			mu.Lock()
			filters = append(filters, r.URL.Query().Get("filter"))
			mu.Unlock()
		}
		srv.ServeHTTP(w, r)
	})
	cfg := config(10)
	cfg.Since = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	out := &sourcetest.Collector{}
	if err := (Adapter{}).Harvest(context.Background(), cfg, &sourcetest.HandlerGetter{Handler: handler}, out); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(filters, []string{"dateLastModified>'2026-11-01T00:00:00Z'"}) {
		t.Errorf("filters sent: %q", filters)
	}
	var ids []string
	for _, s := range out.Specs {
		ids = append(ids, strings.TrimPrefix(s.ID, "urn:schac:uniqueCourseId:uni.test:")+"/"+strconv.Itoa(len(s.Instances)))
	}
	if !slices.Equal(ids, []string{"INF-c02/1", "INF-c05/1"}) {
		t.Errorf("delta specs: %v", ids)
	}
	if !out.Warned("", "", "programmes are only updated by a full harvest") {
		t.Errorf("warnings:\n%s", out.WarningList())
	}
	if c := out.ByID("urn:schac:uniqueCourseId:uni.test:INF-c02"); c == nil {
		t.Fatal("c02 missing")
	}
}

func TestParseCredits(t *testing.T) {
	ects, ecvet := model.CreditECTS, vocab.CreditSystems.URI("ecvet")
	tests := []struct {
		in     string
		value  float64
		system string
		err    string
	}{
		{"6 ECTS", 6, ects, ""},
		{"7,5", 7.5, ects, ""},
		{"7.5 ECTS credits", 0, "", `unit "ects credits"`},
		{"ECTS: 5", 5, ects, ""},
		{"15 hp", 15, ects, ""},
		{"6 CFU", 6, ects, ""},
		{"3 ECVET", 3, ecvet, ""},
		{"4 SWS", 0, "", `unit "sws"`},
		{"6-8 ECTS", 0, "", "more than one number"},
		{"six", 0, "", "no number"},
	}
	for _, tt := range tests {
		v, sys, err := parseCredits(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || v != tt.value || sys != tt.system {
			t.Errorf("%q: %v %s %v", tt.in, v, sys, err)
		}
	}
}

func TestNextLink(t *testing.T) {
	base := root + "/courseTemplates?limit=10&offset=10"
	tests := []struct {
		values []string
		next   string
		paged  bool
	}{
		{[]string{`<https://api.uni.test/x?offset=20>; rel="next", <https://api.uni.test/x?offset=0>; rel="first"`}, "https://api.uni.test/x?offset=20", true},
		{[]string{`<?limit=10&offset=20>; rel=next`}, root + "/courseTemplates?limit=10&offset=20", true},
		{[]string{`<https://a.test/p?a=1,2>; rel="prev first"`, `<https://a.test/n>; title="a, b"; rel="next"`}, "https://a.test/n", true},
		{[]string{`<https://a.test/x>; rel="last"`}, "", true},
		{[]string{`<https://a.test/doc>; rel="describedby"`}, "", false},
		{nil, "", false},
		{[]string{`garbage`}, "", false},
	}
	for _, tt := range tests {
		next, paged := nextLink(tt.values, base)
		if next != tt.next || paged != tt.paged {
			t.Errorf("%q: %q %v, want %q %v", tt.values, next, paged, tt.next, tt.paged)
		}
	}
}

func TestFilterIsURLEncoded(t *testing.T) {
	r := &run{base: root + "/", limit: 5}
	u, _ := url.Parse(r.pageURL("courseTemplates", 10, url.Values{"filter": {"dateLastModified>'2026-01-01T00:00:00Z'"}}))
	if u.Query().Get("filter") != "dateLastModified>'2026-01-01T00:00:00Z'" || u.Query().Get("offset") != "10" {
		t.Errorf("%s", u)
	}
}

func TestConvertSavedResponses(t *testing.T) {
	course := `{"sourcedId":"ct1","courseType":"standard","recordLanguage":"nl","primaryCode":{"identifier":"DS-1","identifierType":"systemId"},
		"title":[{"recordLanguage":"nl","value":"Datawetenschap"},{"recordLanguage":"en","value":"Data science"}],
		"level":"undergraduate","creditType":"credit","creditsAwarded":"6 ECTS","recordStatus":"active"}`
	offering := `{"sourcedId":"co1","offeringType":"standard","course":"ct1","offeringFormat":"online",
		"startDate":"2027-02-01T00:00:00Z","endDate":"2027-06-30T00:00:00Z","recordStatus":"active"}`
	cfg := source.Config{Provider: model.Provider{ID: "P1", SCHAC: "uni.test"}}
	for _, tc := range []struct {
		name, body string
		specs      int
		instances  int
		wantErr    bool
	}{
		{"bare array of templates and offerings", "[" + course + "," + offering + "]", 1, 1, false},
		{"wrapped list", `{"courseTemplates":[` + course + `]}`, 1, 0, false},
		{"single template", course, 1, 0, false},
		{"only an offering", offering, 0, 0, true},
		{"not JSON", "<html>", 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &sourcetest.Collector{}
			err := Adapter{}.Convert([]byte(tc.body), cfg, out)
			if (err != nil) != tc.wantErr || len(out.Specs) != tc.specs {
				t.Fatalf("err %v, %d specs", err, len(out.Specs))
			}
			if tc.specs > 0 {
				s := out.Specs[0]
				if s.ID != "urn:schac:uniqueCourseId:uni.test:DS-1" || s.Title["nl"] != "Datawetenschap" || len(s.Instances) != tc.instances {
					t.Errorf("spec %+v", s)
				}
			}
		})
	}
}
