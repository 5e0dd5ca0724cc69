package ooapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"qlink/internal/fetch"
	"qlink/internal/model"
	"qlink/internal/sharedtest"
	"qlink/internal/source"
	"qlink/internal/vocab"
)

// fakeServer is an OOAPI server in memory, reached through the Getter
// interface: endpoint path → items; it pages them like a real server.
type fakeServer struct {
	items     map[string][]string
	fail      map[string]error
	repeat    bool // ignore pageNumber, like a broken server
	mu        sync.Mutex
	requested []string
}

func (f *fakeServer) Get(_ context.Context, raw string) (*fetch.Response, error) {
	f.mu.Lock()
	f.requested = append(f.requested, raw)
	f.mu.Unlock()
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	path := strings.TrimPrefix(u.Path, "/ooapi/v5/")
	if err := f.fail[path]; err != nil {
		return nil, err
	}
	items, ok := f.items[path]
	if !ok {
		return &fetch.Response{Status: 404}, &fetch.Error{Kind: fetch.KindStatus, URL: raw, Status: 404}
	}
	size, _ := strconv.Atoi(u.Query().Get("pageSize"))
	n, _ := strconv.Atoi(u.Query().Get("pageNumber"))
	if f.repeat {
		n = 1
	}
	start, end := (n-1)*size, n*size
	start, end = min(start, len(items)), min(end, len(items))
	body := fmt.Sprintf(`{"pageSize":%d,"pageNumber":%d,"hasPreviousPage":%v,"hasNextPage":%v,"items":[%s]}`,
		size, n, n > 1, end < len(items), strings.Join(items[start:end], ","))
	return &fetch.Response{URL: raw, Status: 200, Body: []byte(body), ContentType: "application/json"}, nil
}

type collector struct {
	specs    []model.Specification
	warnings []source.Warning
}

func (c *collector) Spec(s model.Specification) { c.specs = append(c.specs, s) }
func (c *collector) Warn(w source.Warning)      { c.warnings = append(c.warnings, w) }

func (c *collector) byID(id string) *model.Specification {
	for i := range c.specs {
		if c.specs[i].ID == id {
			return &c.specs[i]
		}
	}
	return nil
}

var now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func config(pageSize int) source.Config {
	return source.Config{URL: "https://api.uni.test/ooapi/v5", PageSize: pageSize, MaxPages: 50, Now: now,
		Provider: model.Provider{ID: "DEQARINST0001", SCHAC: "uni.test"}}
}

func courseJSON(id, code string, extra string) string {
	return fmt.Sprintf(`{"courseId":%q,"primaryCode":{"codeType":"identifier","code":%q},
		"name":[{"language":"nl-NL","value":"Inleiding %s"},{"language":"en-GB","value":"Introduction %s"}],
		"teachingLanguage":"dut","level":"bachelor","studyLoad":{"studyLoadUnit":"ects","value":6},"fieldsOfStudy":"0613",
		"learningOutcomes":[[{"language":"en-GB","value":"Apply %s"},{"language":"nl-NL","value":"Toepassen %s"}]],
		"modeOfDelivery":["on campus"],"link":"https://www.uni.test/c/%s"%s}`, id, code, code, code, code, code, code, extra)
}

func TestHarvestMapsAndPages(t *testing.T) {
	srv := &fakeServer{items: map[string][]string{
		"programs": {`{"programId":"p1","primaryCode":{"codeType":"programCode","code":"BSC-INF"},"programType":"program",
			"name":[{"language":"en-GB","value":"BSc Informatics"}],"levelOfQualification":"6","teachingLanguage":"eng",
			"studyLoad":{"studyLoadUnit":"ects","value":"180"},"learningOutcomes":[[]]}`},
		"programs/p1/offerings": {},
	}}
	for i := 1; i <= 23; i++ {
		id := fmt.Sprintf("c%02d", i)
		extra := ""
		if i == 1 {
			extra = `,"programs":["p1"]`
		}
		srv.items["courses"] = append(srv.items["courses"], courseJSON(id, "INF-"+id, extra))
		srv.items["courses/"+id+"/offerings"] = []string{fmt.Sprintf(`{"offeringId":"o-%s","primaryCode":{"code":"%s-2026"},
			"startDate":"2026-09-01","endDate":"","enrollEndDate":"2026-08-01","maxNumberStudents":30,"enrolledNumberStudents":"12",
			"modeOfDelivery":"online","consumers":[{"consumerKey":"eduxchange","alliances":[{"name":"X","enrollmentUrl":"https://apply.uni.test/%s"}]}]}`, id, id, id)}
	}
	out := &collector{}
	if err := (Adapter{}).Harvest(context.Background(), config(10), srv, out); err != nil {
		t.Fatalf("Harvest: %v (warnings %v)", err, out.warnings)
	}
	if len(out.specs) != 24 {
		t.Fatalf("got %d specs, want 24", len(out.specs))
	}
	c := out.byID("urn:schac:uniqueCourseId:uni.test:INF-c01")
	if c == nil {
		t.Fatal("course INF-c01 missing")
	}
	if c.Title["nl-NL"] != "Inleiding INF-c01" || c.Title["en-GB"] != "Introduction INF-c01" {
		t.Errorf("titles: %v", c.Title)
	}
	if !slices.Equal(c.Languages, []string{"nl"}) || c.EQFLevel != 6 || !slices.Equal(c.ISCEDF, []string{"0613"}) {
		t.Errorf("language/eqf/isced: %v %d %v", c.Languages, c.EQFLevel, c.ISCEDF)
	}
	if e, _ := c.ECTS(); e != 6 || len(c.LearningOutcomes) != 1 || c.LearningOutcomes[0]["nl-NL"] != "Toepassen INF-c01" {
		t.Errorf("ects/outcomes: %v %v", e, c.LearningOutcomes)
	}
	if len(c.Instances) != 1 {
		t.Fatalf("instances: %+v", c.Instances)
	}
	in := c.Instances[0]
	if in.ID != c.ID+":offering:c01-2026" || !in.Start.Equal(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)) || !in.End.IsZero() ||
		*in.Capacity != 30 || *in.Enrolled != 12 || in.RegistrationPortal != "https://apply.uni.test/c01" ||
		!slices.Equal(in.Modes, []string{vocab.Modes.URI("online")}) || in.DefaultLanguage != "nl" {
		t.Errorf("instance: %+v", in)
	}
	p := out.byID("urn:schac:uniqueCourseId:uni.test:BSC-INF")
	if p == nil || p.Type != vocab.LearningOpportunityTypes.URI("programme") || p.EQFLevel != 6 || len(p.LearningOutcomes) != 0 {
		t.Fatalf("programme: %+v", p)
	}
	if !slices.Equal(p.HasPart, []string{c.ID}) || !slices.Equal(c.PartOf, []string{p.ID}) {
		t.Errorf("structure: hasPart %v partOf %v", p.HasPart, c.PartOf)
	}
	// Pages of 10: 3 course pages, and every offering request asks for history.
	pages := 0
	for _, r := range srv.requested {
		if strings.Contains(r, "/courses?") {
			pages++
		}
		if strings.Contains(r, "/offerings?") && !strings.Contains(r, "since=2024-11-28") {
			t.Errorf("offerings without since: %s", r)
		}
	}
	if pages != 3 {
		t.Errorf("read %d course pages, want 3", pages)
	}
}

func TestHarvestSloppyAndHostileInput(t *testing.T) {
	srv := &fakeServer{items: map[string][]string{
		"courses": {
			courseJSON("good", "G1", ""),
			`{"courseId":"sloppy","primaryCode":{"code":"S1"},"name":"Plain name","teachingLanguage":"xx-not","fieldsOfStudy":"9876",
			  "level":"wizard","validTo":"2020-01-01","learningOutcomes":[[]],"studyLoad":{"studyLoadUnit":"hour","value":""},"link":"javascript:alert(1)"}`,
			`{"courseId":"dup","primaryCode":{"code":"G1"},"name":[{"language":"en","value":"Same code"}]}`,
			`"not an object"`,
			`{"name":[{"language":"en","value":"No id"}]}`,
		},
		"courses/good/offerings":   {`{"offeringId":"o1","startDate":"01/09/2026","modeOfDelivery":["teleportation"]}`},
		"courses/sloppy/offerings": {},
		"courses/dup/offerings":    {},
	}}
	out := &collector{}
	if err := (Adapter{}).Harvest(context.Background(), config(0), srv, out); err != nil {
		t.Fatalf("Harvest: %v", err)
	}
	if len(out.specs) != 3 {
		t.Fatalf("got %d specs, want good, sloppy and dup", len(out.specs))
	}
	sloppy := out.byID("urn:schac:uniqueCourseId:uni.test:S1")
	if sloppy == nil || sloppy.Active || sloppy.Title["und"] != "Plain name" || len(sloppy.ISCEDF) != 0 || sloppy.Homepage != "" || len(sloppy.Credits) != 0 {
		t.Errorf("sloppy course: %+v", sloppy)
	}
	if out.byID("urn:schac:uniqueCourseId:uni.test:dup") == nil {
		t.Errorf("a duplicate code must fall back to the OOAPI id")
	}
	wantWarnings := []string{"teachingLanguage", "fieldsOfStudy", `unknown level "wizard"`,
		"link", "is also used by good", "not a valid course", "item without an id", `"01/09/2026" is not a date`, `unknown mode "teleportation"`}
	var all []string
	for _, w := range out.warnings {
		all = append(all, w.Field+": "+w.String())
	}
	joined := strings.Join(all, "\n")
	for _, w := range wantWarnings {
		if !strings.Contains(joined, w) {
			t.Errorf("missing warning %q in:\n%s", w, joined)
		}
	}
}

func TestHarvestStopsOnBrokenPaging(t *testing.T) {
	items := []string{}
	for i := range 30 {
		items = append(items, courseJSON(fmt.Sprint("c", i), fmt.Sprint("C", i), ""))
		_ = i
	}
	t.Run("repeated pages", func(t *testing.T) {
		srv := &fakeServer{items: map[string][]string{"courses": items}, repeat: true}
		for i := range 30 {
			srv.items[fmt.Sprintf("courses/c%d/offerings", i)] = nil
		}
		err := (Adapter{}).Harvest(context.Background(), config(10), srv, &collector{})
		if err == nil || !strings.Contains(err.Error(), "same page again") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("page cap", func(t *testing.T) {
		srv := &fakeServer{items: map[string][]string{"courses": items}}
		cfg := config(10)
		cfg.MaxPages = 2
		out := &collector{}
		err := (Adapter{}).Harvest(context.Background(), cfg, srv, out)
		if err == nil || !strings.Contains(err.Error(), "cap of 2 pages") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("offerings fail for one course", func(t *testing.T) {
		srv := &fakeServer{items: map[string][]string{"courses": items[:3], "courses/c0/offerings": nil, "courses/c2/offerings": nil},
			fail: map[string]error{"courses/c1/offerings": &fetch.Error{Kind: fetch.KindTimeout}}}
		out := &collector{}
		err := (Adapter{}).Harvest(context.Background(), config(10), srv, out)
		if err == nil || len(out.specs) != 2 || out.byID("urn:schac:uniqueCourseId:uni.test:C1") != nil {
			t.Fatalf("err %v, specs %d", err, len(out.specs))
		}
	})
	t.Run("courses unreachable", func(t *testing.T) {
		srv := &fakeServer{items: map[string][]string{}, fail: map[string]error{"courses": &fetch.Error{Kind: fetch.KindNetwork}}}
		if err := (Adapter{}).Harvest(context.Background(), config(10), srv, &collector{}); err == nil {
			t.Fatal("no error")
		}
	})
}

// TestRealPayloads maps the published OOAPI quickstart course and offering.
func TestRealPayloads(t *testing.T) {
	dir := sharedtest.Require(t, "samples", "ooapi", "oeapi-quickstart")
	courseRaw, err := os.ReadFile(filepath.Join(dir, "3-Course.json"))
	if err != nil {
		t.Fatal(err)
	}
	offeringRaw, err := os.ReadFile(filepath.Join(dir, "4-Offering.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c course
	if err := json.Unmarshal(courseRaw, &c); err != nil {
		t.Fatal(err)
	}
	srv := &fakeServer{items: map[string][]string{"courses": {string(courseRaw)}, "courses/" + c.id() + "/offerings": {string(offeringRaw)}}}
	out := &collector{}
	if err := (Adapter{}).Harvest(context.Background(), config(0), srv, out); err != nil {
		t.Fatalf("Harvest: %v %v", err, out.warnings)
	}
	if len(out.specs) != 1 {
		t.Fatalf("specs: %d", len(out.specs))
	}
	s := out.specs[0]
	if s.Title["en-GB"] != "Course Example" || s.Title["es-ES"] != "Ejemplo de Curso" || !slices.Equal(s.Languages, []string{"es"}) {
		t.Errorf("title/language: %v %v", s.Title, s.Languages)
	}
	if e, _ := s.ECTS(); e != 6 || s.EQFLevel != 6 || len(s.LearningOutcomes) != 1 || s.EntryRequirements["es-ES"] == "" {
		t.Errorf("mapped: %+v", s)
	}
	t.Logf("%d instances, warnings: %v", len(s.Instances), out.warnings)
}

func TestHarvestEducationSpecificationsAndV6(t *testing.T) {
	t.Run("education specifications", func(t *testing.T) {
		srv := &fakeServer{items: map[string][]string{
			"courses":                  {courseJSON("c1", "C1", `,"educationSpecification":"es1"`)},
			"courses/c1/offerings":     nil,
			"education-specifications": {`{"educationSpecificationId":"es1","educationSpecificationType":"course","name":[{"language":"en","value":"Same as C1"}]}`, `{"educationSpecificationId":"es2","educationSpecificationType":"cluster","primaryCode":{"code":"MIN-X"},"name":[{"language":"en","value":"Minor X"}]}`},
		}}
		out := &collector{}
		if err := (Adapter{}).Harvest(context.Background(), config(10), srv, out); err != nil {
			t.Fatal(err)
		}
		if len(out.specs) != 2 {
			t.Fatalf("want the course and the unreferenced specification, got %d", len(out.specs))
		}
		if es := out.byID("urn:schac:uniqueCourseId:uni.test:MIN-X"); es == nil || es.Type != vocab.LearningOpportunityTypes.URI("module") {
			t.Errorf("education specification: %+v", es)
		}
	})
	t.Run("v6", func(t *testing.T) {
		srv := &fakeServer{items: map[string][]string{
			"programmes": {`{"programId":"p1","primaryCode":{"code":"P1"},"name":[{"language":"en","value":"Programme"}],"teachingLanguages":["nld","eng"],
				"learningOutcomes":[{"name":[{"language":"en","value":"Analyse"}]},{"description":[{"language":"nl","value":"Beschrijven"}]}]}`},
			"programmes/p1/offerings": {`{"offeringId":"o1","startDate":"2027-09-01","modesOfDelivery":["online","hybrid"]}`},
		}}
		cfg := config(10)
		cfg.Version = "6.0"
		out := &collector{}
		if err := (Adapter{}).Harvest(context.Background(), cfg, srv, out); err != nil {
			t.Fatal(err)
		}
		p := out.byID("urn:schac:uniqueCourseId:uni.test:P1")
		if p == nil || !slices.Equal(p.Languages, []string{"nl", "en"}) || len(p.LearningOutcomes) != 2 || p.LearningOutcomes[1]["nl"] != "Beschrijven" {
			t.Fatalf("v6 programme: %+v", p)
		}
		if m := p.Instances[0].Modes; len(m) != 2 {
			t.Errorf("v6 modes: %v", m)
		}
	})
	t.Run("no endpoint answers", func(t *testing.T) {
		err := (Adapter{}).Harvest(context.Background(), config(10), &fakeServer{items: map[string][]string{}}, &collector{})
		if err == nil || !strings.Contains(err.Error(), "is the path the OOAPI root?") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestConvertSavedResponses(t *testing.T) {
	one := courseJSON("c1", "C1", `,"offerings":[{"offeringId":"o1","startDate":"2027-02-01","modeOfDelivery":["online"]}]`)
	for _, tc := range []struct {
		name, body string
		specs      int
		wantErr    bool
	}{
		{"single course with expanded offerings", one, 1, false},
		{"page envelope", `{"pageSize":10,"pageNumber":1,"hasNextPage":false,"items":[` + one + `,` + courseJSON("c2", "C2", "") + `]}`, 2, false},
		{"bare array with junk", `[` + one + `, 42]`, 1, false},
		{"nothing usable", `{"hello":"world"}`, 0, true},
		{"not JSON", `<html>`, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &collector{}
			err := Adapter{}.Convert([]byte(tc.body), config(0), out)
			if (err != nil) != tc.wantErr || len(out.specs) != tc.specs {
				t.Fatalf("err %v, %d specs", err, len(out.specs))
			}
			if tc.specs > 0 && len(out.specs[0].Instances) != 1 {
				t.Errorf("expanded offerings lost: %+v", out.specs[0])
			}
		})
	}
}
