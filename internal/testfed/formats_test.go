package testfed

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var allFormats = []string{FormatOOAPI, FormatEduAPI, FormatOCCAPI}

var formatsOpts = Options{Now: testNow, Institutions: 15, Formats: allFormats, Hostile: []Hostile{
	{RepeatedPages, FormatEduAPI}, {EndlessPages, FormatEduAPI}, {RepeatedPages, FormatOOAPI}, {EndlessPages, FormatOOAPI},
	{MalformedItem, FormatOOAPI}, {MalformedItem, FormatEduAPI}, {MalformedItem, FormatOCCAPI}, {ForeignLinks, FormatOCCAPI},
}}

var (
	formatsOnce sync.Once
	formatsFed  *Federation
)

// formatsFederation is a federation publishing every format, with every
// hostile server, shared by the tests and closed by TestMain.
func formatsFederation(t *testing.T) *Federation {
	t.Helper()
	formatsOnce.Do(func() {
		var err error
		if formatsFed, err = Start(context.Background(), formatsOpts); err != nil {
			t.Fatal(err)
		}
	})
	if formatsFed == nil {
		t.Fatal("the federation did not start")
	}
	return formatsFed
}

func TestFormatAssignment(t *testing.T) {
	plain := Generate(Options{Now: testNow, Institutions: 15})
	if !reflect.DeepEqual(plain, Generate(Options{Now: testNow, Institutions: 15, Formats: []string{FormatOOAPI}})) {
		t.Error("Formats [ooapi] differs from the default")
	}
	mixed := Generate(Options{Now: testNow, Institutions: 15, Formats: allFormats})
	if !reflect.DeepEqual(mixed, Generate(Options{Now: testNow, Institutions: 15, Formats: allFormats})) {
		t.Error("not deterministic")
	}
	count := map[string]int{}
	for i, in := range mixed {
		for k, src := range in.Sources {
			count[src.Type]++
			if want := allFormats[(i+i/3+k)%3]; src.Type != want {
				t.Errorf("%s source %d: %s, want %s", in.SCHAC, k, src.Type, want)
			}
			// The same courses, whatever the format.
			p := plain[i].Sources[k]
			if len(src.Courses) != len(p.Courses) || src.Courses[0].Code != p.Courses[0].Code || src.ID != p.ID {
				t.Errorf("%s: the courses changed with the format", src.Path)
			}
			checkTrimmed(t, in.SCHAC, src, p)
		}
	}
	if count[FormatOOAPI] < 5 || count[FormatEduAPI] < 5 || count[FormatOCCAPI] < 5 {
		t.Errorf("sources per format: %v", count)
	}
}

// checkTrimmed holds a source's truth against the OOAPI one: only what
// the format cannot publish may be missing.
func checkTrimmed(t *testing.T, schac string, src, full Source) {
	t.Helper()
	switch src.Type {
	case FormatOOAPI:
		if !reflect.DeepEqual(src, full) {
			t.Errorf("%s: an OOAPI source changed", src.Path)
		}
	case FormatEduAPI:
		if !strings.HasSuffix(src.Path, eduAPIRoot) || src.Version != "1.0" {
			t.Errorf("%s: version %s", src.Path, src.Version)
		}
		for k, c := range src.Courses {
			f := full.Courses[k]
			if (c.ISCED == "") == src.Extensions || c.Modes != nil || (c.EQF == 0) != (f.Level == levelAssociate) ||
				!src.Extensions && c.LearningOutcomes != nil || src.Extensions && len(c.LearningOutcomes) != len(f.LearningOutcomes) {
				t.Errorf("%s %s: %+v", src.Path, c.Code, c)
			}
			for j, o := range c.Offerings {
				if len(o.Modes) != 1 || eduModes[f.Offerings[j].Modes[0]] != o.Modes[0] {
					t.Errorf("%s %s: modes %v from %v", src.Path, c.Code, o.Modes, f.Offerings[j].Modes)
				}
			}
		}
	case FormatOCCAPI:
		if !strings.HasSuffix(src.Path, occapiRoot+"hei/"+schac) || src.PageSize != 0 {
			t.Errorf("%s: path or page size %d", src.Path, src.PageSize)
		}
		for _, c := range src.Courses {
			if c.EQF != 0 {
				t.Errorf("%s %s: EQF %d", src.Path, c.Code, c.EQF)
			}
		}
		for _, p := range src.Programs {
			if p.Offerings != nil {
				t.Errorf("%s %s: offerings", src.Path, p.Code)
			}
		}
	}
}

func TestInvalidOptions(t *testing.T) {
	for _, o := range []Options{
		{Formats: []string{"csv"}},
		{Hostile: []Hostile{{ForeignLinks, FormatOOAPI}}},
		{Hostile: []Hostile{{RepeatedPages, FormatOCCAPI}}},
		{Hostile: []Hostile{{NoManifest, FormatOOAPI}}},
	} {
		if f, err := Start(context.Background(), o); err == nil {
			f.Close()
			t.Errorf("%+v: started", o)
		}
	}
}

// eduPage reads one page of an Edu-API collection.
func eduPage(t *testing.T, c *http.Client, url string) ([]json.RawMessage, http.Header) {
	t.Helper()
	resp, body := get(t, c, url)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentTypeJSON {
		t.Fatalf("%s: %s %s", url, resp.Status, resp.Header.Get("Content-Type"))
	}
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return items, resp.Header
}

func TestEduAPIServer(t *testing.T) {
	f := formatsFederation(t)
	c := client(t, f)
	seen := 0
	for _, in := range f.Institutions() {
		for _, src := range in.Sources {
			if src.Type != FormatEduAPI || in.Misbehavior != "" {
				continue
			}
			seen++
			variant := []string{"both", "total", "link", "none"}[in.Index%4]
			var templates []eaTemplate
			for offset := 0; ; offset += 7 {
				items, h := eduPage(t, c, src.Path+"courseTemplates?limit=7&offset="+strconv.Itoa(offset))
				total, link := h.Get("X-Total-Count"), h.Get("Link")
				if (total != "") != (variant == "both" || variant == "total") || (link != "") != (variant == "both" || variant == "link") ||
					total != "" && total != strconv.Itoa(len(src.Courses)) ||
					link != "" && strings.Contains(link, `rel="next"`) != (offset+7 < len(src.Courses)) {
					t.Fatalf("%s offset %d: X-Total-Count %q, Link %q (variant %s)", src.Path, offset, total, link, variant)
				}
				for _, raw := range items {
					var tpl eaTemplate
					json.Unmarshal(raw, &tpl)
					templates = append(templates, tpl)
				}
				if len(items) < 7 {
					break
				}
			}
			if len(templates) != len(src.Courses) {
				t.Fatalf("%s: %d templates, want %d", src.Path, len(templates), len(src.Courses))
			}
			for k, tpl := range templates {
				co := src.Courses[k]
				if tpl.SourcedID != co.ID || tpl.PrimaryCode.Identifier != co.Code || tpl.Title[0].Value != co.Name[0].Value ||
					slices.Equal(tpl.Parent, co.Programs) != true || (tpl.Extensions != nil) != src.Extensions {
					t.Errorf("%s: %+v for %+v", src.Path, tpl, co)
				}
			}
			if items, _ := eduPage(t, c, src.Path+"courseOfferings?limit=1000"); len(items) != min(eduMaxLimit, offeringCount(src)) {
				t.Errorf("%s: %d offerings on a page, want the cap %d", src.Path, len(items), eduMaxLimit)
			}
			var one eaOffering
			getJSON(t, c, src.Path+"courseOfferings/"+src.Courses[0].Offerings[0].ID, &one)
			if one.Course != src.Courses[0].ID || one.StartDate != src.Courses[0].Offerings[0].Start.Format("2006-01-02T15:04:05Z07:00") {
				t.Errorf("%s: offering %+v", src.Path, one)
			}
			for path, status := range map[string]int{"courseTemplates?limit=0": 400, "courseTemplates?offset=-1": 400,
				"courseTemplates?limit=x": 400, "courses": 404, "courseTemplates/none": 404} {
				resp, body := get(t, c, src.Path+path)
				var st eaStatus
				if resp.StatusCode != status || json.Unmarshal(body, &st) != nil || st.CodeMajor != "failure" {
					t.Errorf("%s%s: %s %s", src.Path, path, resp.Status, body)
				}
			}
		}
	}
	if seen < 4 {
		t.Errorf("%d Edu-API sources", seen)
	}
}

func offeringCount(src Source) int {
	n := 0
	for _, c := range src.Courses {
		n += len(c.Offerings)
	}
	return n
}

// occDoc is a JSON:API document as a client reads it.
type occDoc struct {
	Data  json.RawMessage   `json:"data"`
	Links map[string]ocLink `json:"links"`
}

type occResource struct {
	Type       string            `json:"type"`
	ID         string            `json:"id"`
	Attributes json.RawMessage   `json:"attributes"`
	Links      map[string]ocLink `json:"links"`
}

func occGet(t *testing.T, c *http.Client, url string, data any) map[string]ocLink {
	t.Helper()
	resp, body := get(t, c, url)
	var doc occDoc
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentTypeJSONAPI || json.Unmarshal(body, &doc) != nil ||
		json.Unmarshal(doc.Data, data) != nil {
		t.Fatalf("%s: %s %s %.200s", url, resp.Status, resp.Header.Get("Content-Type"), body)
	}
	return doc.Links
}

func TestOCCAPIServer(t *testing.T) {
	f := formatsFederation(t)
	c := client(t, f)
	seen := 0
	for _, in := range f.Institutions() {
		for _, src := range in.Sources {
			if src.Type != FormatOCCAPI || in.Misbehavior != "" {
				continue
			}
			seen++
			var hei occResource
			occGet(t, c, src.Path, &hei)
			if hei.ID != in.SCHAC || (hei.Links["course"].Href == "") != (in.Index%5 == 4) || hei.Links["ounit"].Href != src.Path+"/ounit" {
				t.Fatalf("%s: %+v", src.Path, hei)
			}
			// Every course once, through the units.
			var units, courses []occResource
			occGet(t, c, hei.Links["ounit"].Href, &units)
			for _, u := range units {
				var cs []occResource
				occGet(t, c, u.Links["course"].Href, &cs)
				courses = append(courses, cs...)
			}
			if len(courses) != len(src.Courses) {
				t.Errorf("%s: %d courses in the units, want %d", src.Path, len(courses), len(src.Courses))
			}
			for k, co := range src.Courses {
				var r occResource
				occGet(t, c, src.Path+"/course/"+co.ID, &r)
				var a ocCourse
				json.Unmarshal(r.Attributes, &a)
				if a.Code != co.Code || a.ECTS != co.ECTS || a.ISCEDCode[0] != co.ISCED || len(a.Title) != len(co.Name) ||
					(r.Links["instance"].Href == "") != (in.Index%4 == 3) {
					t.Errorf("%s: %+v for %+v", src.Path, r, co)
				}
				if co.HasQuirk(QuirkUnstatedLanguage) && a.Title[0].Lang != nil {
					t.Errorf("%s %s: lang %v", src.Path, co.Code, *a.Title[0].Lang)
				}
				if k%5 == 0 {
					var insts []occResource
					occGet(t, c, src.Path+"/course/"+co.ID+"/instance", &insts)
					if len(insts) != len(co.Offerings) {
						t.Errorf("%s %s: %d instances", src.Path, co.Code, len(insts))
					}
				}
			}
			resp, body := get(t, c, src.Path+"/course/none")
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), `"errors":[{"status":"404"`) {
				t.Errorf("unknown course: %s %s", resp.Status, body)
			}
		}
	}
	if seen < 4 {
		t.Errorf("%d OCCAPI sources", seen)
	}
}

func TestHostileServersMisbehave(t *testing.T) {
	f := formatsFederation(t)
	c := client(t, f)
	for _, in := range f.Institutions() {
		if in.Misbehavior == "" || in.Misbehavior == NoManifest || in.Misbehavior == MalformedManifest {
			continue
		}
		src := in.Sources[0]
		switch key := string(in.Misbehavior) + "/" + src.Type; key {
		case "repeated-pages/edu-api", "endless-pages/edu-api":
			first, _ := eduPage(t, c, src.Path+"courseTemplates?limit=10")
			later, h := eduPage(t, c, src.Path+"courseTemplates?limit=10&offset=1000")
			if in.Misbehavior == EndlessPages && (!strings.Contains(h.Get("Link"), `rel="next"`) || len(later) == 0) ||
				in.Misbehavior == RepeatedPages && !reflect.DeepEqual(first, later) {
				t.Errorf("%s: page past the end %d items, Link %q", key, len(later), h.Get("Link"))
			}
		case "repeated-pages/ooapi", "endless-pages/ooapi":
			var e envelope
			getJSON(t, c, src.Path+"courses?pageSize=10&pageNumber=99", &e)
			if !e.HasNextPage && in.Misbehavior == EndlessPages || len(e.Items) == 0 {
				t.Errorf("%s: page 99 %+v", key, e)
			}
		case "malformed-item/ooapi", "malformed-item/edu-api", "malformed-item/occapi":
			path := map[string]string{FormatOOAPI: "courses?pageSize=10", FormatEduAPI: "courseTemplates?limit=10", FormatOCCAPI: "/course"}[src.Type]
			_, body := get(t, c, src.Path+path)
			if !strings.Contains(string(body), `"not a course`) || !strings.Contains(string(body), `":20261001`) {
				t.Errorf("%s: %.300s", key, body)
			}
		case "foreign-links/occapi":
			var hei occResource
			occGet(t, c, src.Path, &hei)
			if strings.Contains(hei.Links["programme"].Href, "api."+in.SCHAC) || !src.Courses[0].HasQuirk(QuirkForeignLink) {
				t.Errorf("%s: %+v", key, hei.Links)
			}
		default:
			t.Errorf("unexpected %s", key)
		}
	}
}
