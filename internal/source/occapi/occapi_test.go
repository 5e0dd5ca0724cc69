package occapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/source"
	"qlink/internal/source/sourcetest"
	"qlink/internal/vocab"
)

const (
	host = "api.uni.test"
	hei  = "https://" + host + "/occapi/v2/hei/uni.test"
)

// docs is an OCCAPI server in process: documents by URL path.
type docs map[string]any

func (d docs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	doc, ok := d[r.URL.Path]
	if !ok {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"errors":[{"status":"404","title":"Resource not found."}]}`))
		return
	}
	body, ok := doc.(string)
	if !ok {
		raw, _ := json.Marshal(doc)
		body = string(raw)
	}
	w.Header().Set("Content-Type", "application/vnd.api+json")
	w.Write([]byte(body))
}

type obj = map[string]any

func path(rel string) string { return "/occapi/v2/hei/uni.test" + rel }

func heiJSON(linked ...string) obj {
	links := obj{"self": obj{"href": hei}}
	for _, kind := range linked {
		links[kind] = obj{"href": hei + "/" + kind}
	}
	return obj{"jsonapi": obj{"version": "1.1"}, "data": obj{"type": "hei", "id": "uni.test",
		"attributes": obj{"heiId": "uni.test", "title": []obj{{"string": "Universiteit Test", "lang": "nl"}}}, "links": links}}
}

func course(id, code string, attrs obj, extra obj) obj {
	a := obj{"title": []obj{{"string": "Inleiding " + code, "lang": "nl"}, {"string": "Introduction " + code, "lang": "en-GB"}},
		"code": code, "ects": 6, "languageOfInstruction": []string{"nl"}, "lastModified": "2026-10-01T08:00:00Z",
		"description":      []obj{{"multiline": "<p>Over " + code + "</p>", "lang": "nl"}, {"multiline": "<p>About " + code + "</p>", "lang": "en-GB"}},
		"learningOutcomes": []obj{{"multiline": "- Toepassen\n- Uitleggen", "lang": "nl"}, {"multiline": "- Apply\n- Explain", "lang": "en-GB"}},
		"academicTerm":     []string{"1/2"}, "elmLearningOpportunityType": []string{"05053c1cbe"}, "elmModeOfLearning": []string{"9191af2ed9"},
		"iscedCode": []string{"0613"}, "url": []obj{{"uri": "https://www.uni.test/c/" + code, "lang": "en"}}}
	for k, v := range attrs {
		a[k] = v
	}
	c := obj{"type": "course", "id": id, "attributes": a,
		"links": obj{"self": obj{"href": hei + "/course/" + id}, "instance": obj{"href": hei + "/course/" + id + "/instance"}}}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

func instance(id, courseID string, attrs obj) obj {
	a := obj{"startDate": "2026-09-01", "endDate": "2027-01-31", "academicTermId": "2026/2027-1/2", "ects": 6,
		"languageOfInstruction": []string{"en"}, "lastModified": "2026-10-01T08:00:00Z", "engagementHours": 42}
	for k, v := range attrs {
		a[k] = v
	}
	return obj{"type": "instance", "id": id, "attributes": a,
		"relationships": obj{"course": obj{"data": obj{"type": "course", "id": courseID}}},
		"links":         obj{"self": obj{"href": hei + "/instance/" + id}}}
}

func list(items ...obj) obj {
	return obj{"jsonapi": obj{"version": "1.1"}, "data": items, "links": obj{}}
}

// server returns a well-formed source: a programme and 3 courses, the
// first in the programme, each with one instance.
func server() docs {
	d := docs{
		path(""): heiJSON("course", "programme", "ounit"),
		path("/programme"): list(obj{"type": "programme", "id": "p1", "attributes": obj{
			"title": []obj{{"string": "BSc Informatica", "lang": "nl"}}, "code": "BSC-INF", "ects": 180, "eqfLevelProvided": 6,
			"languageOfInstruction": []string{"nl"}, "lastModified": "2026-10-01T08:00:00Z", "iscedCode": []string{"0613"},
			"elmLearningOpportunityType": []string{"79343569f3"}, "elmLearningScheduleType": "72a0ab92fa", "length": "6/2"},
			"links": obj{"self": obj{"href": hei + "/programme/p1"}}}),
	}
	var cs []obj
	for i := 1; i <= 3; i++ {
		id := fmt.Sprintf("c%d", i)
		extra := obj{}
		if i == 1 {
			extra["meta"] = obj{"relatedProgramme": []obj{{"programmeId": "p1", "mandatoryCourse": true, "year": "1/3"}}}
			extra["relationships"] = obj{"relatedProgramme": obj{"data": []obj{{"type": "programme", "id": "p1"}}}}
		}
		cs = append(cs, course(id, fmt.Sprintf("INF-%d", i), nil, extra))
		d[path("/course/"+id+"/instance")] = list(instance("i"+id, id, nil))
	}
	d[path("/course")] = list(cs...)
	return d
}

var now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func config() source.Config {
	return source.Config{URL: hei, Version: "2", MaxPages: 50, Now: now,
		Provider: model.Provider{ID: "DEQARINST0001", SCHAC: "uni.test"}}
}

func harvest(t *testing.T, h http.Handler, cfg source.Config) (*sourcetest.Collector, *sourcetest.HandlerGetter, error) {
	t.Helper()
	get := &sourcetest.HandlerGetter{Handler: h}
	out := &sourcetest.Collector{}
	err := Adapter{}.Harvest(context.Background(), cfg, get, out)
	return out, get, err
}

func same(got, want model.Text) bool {
	return fmt.Sprint(map[string]string(got)) == fmt.Sprint(map[string]string(want))
}

func TestHarvestMapsTheSource(t *testing.T) {
	out, get, err := harvest(t, server(), config())
	if err != nil || len(out.Warnings) > 0 {
		t.Fatalf("Harvest: %v\n%s", err, out.WarningList())
	}
	if len(out.Specs) != 4 {
		t.Fatalf("%d specs, want 4", len(out.Specs))
	}
	c := out.ByID("urn:schac:uniqueCourseId:uni.test:INF-1")
	if c == nil {
		t.Fatal("INF-1 missing")
	}
	if !same(c.Title, model.Text{"nl": "Inleiding INF-1", "en-GB": "Introduction INF-1"}) || c.Description["en-GB"] != "<p>About INF-1</p>" {
		t.Errorf("texts: %v %v", c.Title, c.Description)
	}
	if len(c.LearningOutcomes) != 2 || !same(c.LearningOutcomes[0], model.Text{"nl": "Toepassen", "en-GB": "Apply"}) ||
		!same(c.LearningOutcomes[1], model.Text{"nl": "Uitleggen", "en-GB": "Explain"}) {
		t.Errorf("outcomes: %v", c.LearningOutcomes)
	}
	if e, _ := c.ECTS(); e != 6 || !slices.Equal(c.Languages, []string{"nl"}) || !slices.Equal(c.ISCEDF, []string{"0613"}) || c.EQFLevel != 0 ||
		c.Type != vocab.LearningOpportunityTypes.URI("course") || c.Homepage != "https://www.uni.test/c/INF-1" || !c.Active ||
		!c.Modified.Equal(time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)) || c.PublisherID != "DEQARINST0001" {
		t.Errorf("course: %+v", c)
	}
	if !slices.Equal(c.Identifiers, []model.Identifier{{Scheme: "occapi:id", Value: "c1"}, {Scheme: "occapi:code", Value: "INF-1"}}) {
		t.Errorf("identifiers: %v", c.Identifiers)
	}
	if len(c.Instances) != 1 {
		t.Fatalf("instances: %+v", c.Instances)
	}
	in := c.Instances[0]
	if in.ID != c.ID+":offering:ic1" || !in.Start.Equal(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)) || in.DefaultLanguage != "en" ||
		!slices.Equal(in.Modes, []string{vocab.Modes.URI("presential")}) || in.ProviderIDs[0] != "DEQARINST0001" {
		t.Errorf("instance: %+v", in)
	}
	p := out.ByID("urn:schac:uniqueCourseId:uni.test:BSC-INF")
	if p == nil || p.EQFLevel != 6 || p.Type != vocab.LearningOpportunityTypes.URI("programme") || !slices.Equal(p.HasPart, []string{c.ID}) ||
		!slices.Equal(c.PartOf, []string{p.ID}) || len(p.Instances) != 0 {
		t.Errorf("programme: %+v", p)
	}
	// Links are followed; nothing else is asked, and never the ounits.
	for _, u := range get.Requested() {
		if strings.Contains(u, "ounit") {
			t.Errorf("read %s", u)
		}
	}
	if n := len(get.Requested()); n != 1+2+3 {
		t.Errorf("%d requests: %v", n, get.Requested())
	}
}

func TestOutcomes(t *testing.T) {
	en, nl := "en", "nl"
	tests := []struct {
		name   string
		blocks []text
		want   []model.Text
		warn   string
	}{
		{"bullets in two languages", []text{{Multiline: "- A\n- B", Lang: en}, {Multiline: "• A-nl\n• B-nl", Lang: nl}},
			[]model.Text{{"en": "A", "nl": "A-nl"}, {"en": "B", "nl": "B-nl"}}, ""},
		{"numbered with a continuation line", []text{{Multiline: "1. Apply the\n   method\n2) Explain it", Lang: en}},
			[]model.Text{{"en": "Apply the method"}, {"en": "Explain it"}}, ""},
		{"HTML list", []text{{Multiline: "<ul><li>Apply</li><li class=x>Explain</li></ul>", Lang: en}},
			[]model.Text{{"en": "Apply"}, {"en": "Explain"}}, ""},
		{"prose stays one outcome", []text{{Multiline: "Students learn to apply.\n\nThey explain.", Lang: en}, {Multiline: "Studenten passen toe.", Lang: nl}},
			[]model.Text{{"en": "Students learn to apply.\n\nThey explain.", "nl": "Studenten passen toe."}}, ""},
		{"lists of different lengths stay whole", []text{{Multiline: "- A\n- B", Lang: en}, {Multiline: "- A\n- B\n- C", Lang: nl}},
			[]model.Text{{"en": "- A\n- B", "nl": "- A\n- B\n- C"}}, ""},
		{"a lead-in line makes it prose", []text{{Multiline: "You will:\n- apply\n- explain", Lang: en}},
			[]model.Text{{"en": "You will:\n- apply\n- explain"}}, ""},
		{"one item is not a list", []text{{Multiline: "- Apply", Lang: en}}, []model.Text{{"en": "- Apply"}}, ""},
		{"unstated language", []text{{Multiline: "- A\n- B"}}, []model.Text{{"": "A"}, {"": "B"}}, ""},
		{"a second block in one language", []text{{Multiline: "First", Lang: en}, {Multiline: "Second", Lang: "en"}},
			[]model.Text{{"en": "First"}}, "a second block"},
		{"nothing", []text{{Multiline: "  ", Lang: en}}, nil, ""},
	}
	for _, tt := range tests {
		var warned []string
		got := outcomes(&source.Langs{}, tt.blocks, func(msg string) { warned = append(warned, msg) })
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		if (tt.warn == "") != (len(warned) == 0) || tt.warn != "" && !strings.Contains(warned[0], tt.warn) {
			t.Errorf("%s: warnings %q", tt.name, warned)
		}
	}
}

func TestSloppyAndHostileInput(t *testing.T) {
	srv := server()
	cs := srv[path("/course")].(obj)["data"].([]obj)
	cs = append(cs,
		course("typed", "T1", obj{"lastModified": 20261001}, nil),
		course("nolang", "N1", obj{"title": []obj{{"string": "Untagged", "lang": nil}}, "description": "bare string",
			"learningOutcomes": []obj{{"multiline": "Prose.", "lang": nil}}, "languageOfInstruction": "en", "iscedCode": []any{"0000", 613, "06"},
			"elmLearningOpportunityType": []string{"b2434ca358"}, "elmModeOfLearning": []string{"nonsense"}, "deprecated": true,
			"url": []obj{{"uri": "www.uni.test/n1"}}, "ects": "7,5"}, obj{"links": obj{"self": obj{"href": hei + "/course/nolang"}}}),
		course("dup", "INF-1", nil, nil),
		course("foreign", "F1", nil, obj{"links": obj{"instance": obj{"href": "https://evil.test/occapi/v2/hei/evil.test/course/x/instance"}}}),
		course("gone", "G1", nil, nil),
		course("strange", "S1", obj{"ects": "six", "url": []obj{{"uri": "javascript:alert(1)"}}, "validUntil": "2020-01-01"},
			obj{"meta": obj{"relatedProgramme": []obj{{"programmeId": "p-unknown"}}}}),
	)
	srv[path("/course")] = strings.Replace(mustJSON(list(cs...)), `"data":[`, `"data":["not a resource",{"type":"ounit","id":"u1"},`, 1)
	srv[path("/course/typed/instance")] = list(instance("it", "typed", nil))
	srv[path("/course/dup/instance")] = list(instance("id1", "dup", nil), instance("id1", "dup", nil), instance("iother", "c2", nil))
	srv[path("/course/strange/instance")] = list(instance("is", "strange", obj{"startDate": "01/09/2026", "elmModeOfLearning": []string{"920fbb3cbe"}}))
	// gone's instance link answers 404; nolang has no instance link and the
	// documented path answers 404 too.
	out, get, err := harvest(t, srv, config())
	if err == nil || !strings.Contains(err.Error(), "points to another host") {
		t.Errorf("error %v, want the foreign link refused", err)
	}
	for _, u := range get.Requested() {
		if strings.Contains(u, "evil.test") {
			t.Errorf("followed %s", u)
		}
	}
	id := func(local string) *model.Specification { return out.ByID("urn:schac:uniqueCourseId:uni.test:" + local) }
	// 4 from the server, typed, nolang, dup, gone, strange; not foreign.
	if len(out.Specs) != 9 || id("F1") != nil {
		t.Fatalf("%d specs\n%s", len(out.Specs), out.WarningList())
	}
	if s := id("T1"); s == nil || !s.Modified.IsZero() || len(s.Instances) != 1 {
		t.Errorf("typed: %+v", s)
	}
	n := id("N1")
	if n == nil || !same(n.Title, model.Text{"und": "Untagged"}) || !same(n.Description, model.Text{"und": "bare string"}) ||
		len(n.LearningOutcomes) != 1 || n.LearningOutcomes[0]["und"] != "Prose." || !slices.Equal(n.Languages, []string{"en"}) ||
		!slices.Equal(n.ISCEDF, []string{"06"}) || n.Type != vocab.LearningOpportunityTypes.URI("thesis") || n.Active ||
		n.Homepage != "https://www.uni.test/n1" || len(n.Instances) != 0 {
		t.Errorf("nolang: %+v", n)
	} else if e, _ := n.ECTS(); e != 7.5 {
		t.Errorf("ects %v", e)
	}
	if d := id("dup"); d == nil || len(d.Instances) != 1 {
		t.Errorf("dup: %+v", d)
	}
	if s := id("S1"); s == nil || len(s.Credits) != 0 || s.Homepage != "" || s.Active || len(s.PartOf) != 0 ||
		!slices.Equal(s.Instances[0].Modes, []string{vocab.Modes.URI("online")}) {
		t.Errorf("strange: %+v", s)
	}
	warnings := []struct{ record, field, msg string }{
		{"item 1", "", "not a valid course"},
		{"item 2", "type", `"ounit" resource`},
		{"T1", "lastModified", `"20261001" is not a date`},
		{"N1", "iscedCode", `"0000"`},
		{"N1", "iscedCode", `"613"`},
		{"N1", "elmModeOfLearning", `"nonsense"`},
		{"dup", "code", `code "INF-1" is also used by c1`},
		{"item 2", "id", "without a distinct id"},
		{"item 3", "relationships.course", `course "c2" listed under "dup"`},
		{"G1", "links.instance", "answers 404"},
		{hei, "links.instance", "documented path"},
		{hei, "", "no course instances published"},
		{"S1", "ects", `"six" is not a number of credits`},
		{"S1", "url", "not an http(s) URL"},
		{"S1", "relatedProgramme", `"p-unknown"`},
		{"S1:offering:is", "startDate", `"01/09/2026" is not a date`},
	}
	for _, w := range warnings {
		if !out.Warned(w.record, w.field, w.msg) {
			t.Errorf("no warning on %s %s: %q in\n%s", w.record, w.field, w.msg, out.WarningList())
		}
	}
}

func mustJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(raw)
}

func TestLinks(t *testing.T) {
	tests := []struct {
		name    string
		change  func(d docs)
		wantErr string
		specs   int
		warn    string
	}{
		{"no course link: through the units", func(d docs) {
			d[path("")] = heiJSON("ounit")
			d[path("/ounit")] = list(
				obj{"type": "ounit", "id": "u1", "links": obj{"course": obj{"href": hei + "/ounit/u1/course"}, "programme": obj{"href": hei + "/ounit/u1/programme"}}},
				obj{"type": "ounit", "id": "u2", "links": obj{"course": obj{"href": hei + "/ounit/u2/course"}}})
			cs := d[path("/course")].(obj)["data"].([]obj)
			d[path("/ounit/u1/course")] = list(cs[0], cs[1])
			d[path("/ounit/u2/course")] = list(cs[1], cs[2])
			d[path("/ounit/u1/programme")] = d[path("/programme")]
		}, "", 4, "read through 2 organisational unit(s)"},
		{"no links: the documented paths", func(d docs) { d[path("")] = heiJSON() }, "", 4, "trying the documented path"},
		{"v1: links on the document", func(d docs) {
			h := heiJSON()
			h["links"] = obj{"course": obj{"href": hei + "/course"}, "programme": hei + "/programme"}
			d[path("")] = h
		}, "", 4, ""},
		{"programme link to another host", func(d docs) {
			h := heiJSON("course")
			h["data"].(obj)["links"].(obj)["programme"] = obj{"href": "https://evil.test/occapi/v2/hei/evil.test/programme"}
			d[path("")] = h
		}, "points to another host", 3, ""},
		{"no programmes", func(d docs) { delete(d, path("/programme")) }, "", 3, "no programmes published"},
		{"no courses", func(d docs) { delete(d, path("/course")) }, "not published", 0, ""},
		{"errors document", func(d docs) { d[path("")] = `{"errors":[{"status":"500","title":"Down"}]}` }, "500 Down", 0, ""},
		{"next links: a second page", func(d docs) {
			c := d[path("/course")].(obj)
			d["/occapi/v2/hei/uni.test/course-2"] = obj{"data": c["data"].([]obj)[1:]}
			d[path("/course")] = obj{"data": c["data"].([]obj)[:1], "links": obj{"next": "course-2"}}
		}, "", 4, ""},
		{"next link loop", func(d docs) {
			c := d[path("/course")].(obj)
			d[path("/course")] = obj{"data": c["data"], "links": obj{"next": hei + "/course"}}
		}, "points back to a page already read", 4, ""},
		{"the institution is another", func(d docs) {
			h := heiJSON("course", "programme")
			h["data"].(obj)["attributes"].(obj)["heiId"] = "other.test"
			d[path("")] = h
		}, "", 4, "describes institution other.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := server()
			tt.change(srv)
			out, _, err := harvest(t, srv, config())
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
			if len(out.Specs) != tt.specs {
				t.Errorf("%d specs, want %d\n%s", len(out.Specs), tt.specs, out.WarningList())
			}
			if tt.warn != "" && !out.Warned("", "", tt.warn) {
				t.Errorf("no warning %q in\n%s", tt.warn, out.WarningList())
			}
		})
	}
}

func TestConvertSavedDocuments(t *testing.T) {
	course := `{"type":"course","id":"c1","attributes":{"code":"DS-1","ects":6,"languageOfInstruction":["nl"],
		"title":[{"string":"Datawetenschap","lang":"nl"},{"string":"Data science","lang":"en"}],"lastModified":"2026-10-01T00:00:00Z"}}`
	instance := `{"type":"instance","id":"i1","attributes":{"startDate":"2027-02-01","endDate":"2027-06-30","ects":6,
		"languageOfInstruction":["nl"],"elmModeOfLearning":["920fbb3cbe"]},"relationships":{"course":{"data":{"type":"course","id":"c1"}}}}`
	cfg := source.Config{Provider: model.Provider{ID: "P1", SCHAC: "uni.test"}}
	for _, tc := range []struct {
		name, body string
		specs      int
		instances  int
		wantErr    bool
	}{
		{"collection with included instances", `{"data":[` + course + `],"included":[` + instance + `]}`, 1, 1, false},
		{"single resource", `{"data":` + course + `}`, 1, 0, false},
		{"only an instance", `{"data":[` + instance + `]}`, 0, 0, true},
		{"not JSON:API", `[1,2]`, 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &sourcetest.Collector{}
			err := Adapter{}.Convert([]byte(tc.body), cfg, out)
			if (err != nil) != tc.wantErr || len(out.Specs) != tc.specs {
				t.Fatalf("err %v, %d specs, warnings %v", err, len(out.Specs), out.Warnings)
			}
			if tc.specs > 0 {
				s := out.Specs[0]
				if s.ID != "urn:schac:uniqueCourseId:uni.test:DS-1" || s.Title["en"] != "Data science" || len(s.Instances) != tc.instances {
					t.Errorf("spec %+v", s)
				}
			}
		})
	}
}
