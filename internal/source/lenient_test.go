package source_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/source"
	"qlink/internal/source/eduapi"
	"qlink/internal/source/occapi"
	"qlink/internal/source/ooapi"
	"qlink/internal/source/sourcetest"
)

// The lenient cases every JSON adapter meets in real data, as one table run
// against OOAPI, Edu-API and OCCAPI: the same sloppy value must give the
// same result (and a warning exactly when the value is unusable) whatever
// the format. All three read these values with internal/jsonread.

// Slots: the kinds of value a case puts into one course and its offering.
const (
	credits = "credits" // a number of credits on the course
	count   = "count"   // the offering's maximum number of students
	list    = "list"    // the course's teaching languages, an array
	link    = "link"    // the course's web page
	date    = "date"    // the offering's start date
)

var sept1 = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

var lenientCases = []struct {
	name, slot, raw string
	want            any // what the model holds; nil for nothing
	warn            bool
}{
	{"number as string", credits, `"6"`, 6.0, false},
	{"decimal comma", credits, `"7,5"`, 7.5, false},
	{"bad number: warning, record kept", credits, `"six"`, nil, true},
	{"NaN is no number", credits, `"NaN"`, nil, true},
	{"count as string", count, `"30"`, 30, false},
	{"fractional count", count, `7.5`, nil, true},
	{"bad count: warning, record kept", count, `"many"`, nil, true},
	{"single string where an array is due", list, `"de"`, []string{"de"}, false},
	{"link without scheme", link, `"www.uni.test/c/1"`, "https://www.uni.test/c/1", false},
	{"link that is no URL", link, `"javascript:alert(1)"`, nil, true},
	{`"" date is absent, silently`, date, `""`, nil, false},
	{"date", date, `"2026-09-01"`, sept1, false},
	{"date-time", date, `"2026-09-01T00:00:00Z"`, sept1, false},
	{"date-time with an offset", date, `"2026-09-01T02:00:00+02:00"`, sept1, false},
	{"not a date", date, `"01/09/2026"`, nil, true},
}

// format is one adapter, with a server that publishes one course (and one
// offering) carrying a case's value in a slot.
type format struct {
	name    string
	adapter source.Adapter
	url     string
	// fields names the field that carries each slot, as warnings name it;
	// a slot the format has no lenient field for is absent.
	fields map[string]string
	serve  func(values map[string]string) http.Handler
}

var formats = []format{
	{
		name: "ooapi", adapter: ooapi.Adapter{}, url: "https://api.uni.test/ooapi/v5",
		fields: map[string]string{credits: "studyLoad", count: "maxNumberStudents", list: "teachingLanguages", link: "link", date: "startDate"},
		serve: func(v map[string]string) http.Handler {
			return pages("/ooapi/v5/", "application/json", func(items string) string {
				return `{"pageSize":100,"pageNumber":1,"hasNextPage":false,"items":[` + items + `]}`
			}, map[string]string{
				"courses": fmt.Sprintf(`{"courseId":"c1","primaryCode":{"codeType":"identifier","code":"C1"},
					"name":[{"language":"en","value":"Course"}],"teachingLanguages":%s,
					"studyLoad":{"studyLoadUnit":"ects","value":%s},"link":%s}`, v[list], v[credits], v[link]),
				"courses/c1/offerings": fmt.Sprintf(`{"offeringId":"o1","name":[{"language":"en","value":"Autumn"}],
					"startDate":%s,"maxNumberStudents":%s}`, v[date], v[count]),
			})
		},
	},
	{
		name: "edu-api", adapter: eduapi.Adapter{}, url: "https://api.uni.test/ims/eduapi/v1p0",
		fields: map[string]string{credits: "creditsAwarded", count: "maxNumberStudents", date: "startDate"},
		serve: func(v map[string]string) http.Handler {
			return pages("/ims/eduapi/v1p0/", "application/json", func(items string) string { return "[" + items + "]" }, map[string]string{
				"courseTemplates": fmt.Sprintf(`{"sourcedId":"c1","courseType":"standard","recordLanguage":"en",
					"title":[{"recordLanguage":"en","value":"Course"}],"primaryCode":{"identifier":"C1","identifierType":"identifier"},
					"creditType":"credit","creditsAwarded":%s,"recordStatus":"active","teachingLanguage":"en"}`, v[credits]),
				"courseOfferings": fmt.Sprintf(`{"sourcedId":"o1","offeringType":"standard","course":"c1","recordLanguage":"en",
					"title":[{"recordLanguage":"en","value":"Autumn"}],"primaryCode":{"identifier":"C1-2026","identifierType":"identifier"},
					"startDate":%s,"maxNumberStudents":%s,"recordStatus":"active"}`, v[date], v[count]),
			})
		},
	},
	{
		name: "occapi", adapter: occapi.Adapter{}, url: "https://api.uni.test/occapi/v2/hei/uni.test",
		fields: map[string]string{credits: "ects", list: "languageOfInstruction", link: "url", date: "startDate"},
		serve: func(v map[string]string) http.Handler {
			const hei = "https://api.uni.test/occapi/v2/hei/uni.test"
			doc := func(data string) string { return `{"jsonapi":{"version":"1.1"},"data":` + data + `,"links":{}}` }
			return pages("/occapi/v2/hei/uni.test", "application/vnd.api+json", nil, map[string]string{
				"": doc(`{"type":"hei","id":"uni.test","attributes":{"heiId":"uni.test"},
					"links":{"self":{"href":"` + hei + `"},"course":{"href":"` + hei + `/course"}}}`),
				"/course": doc(fmt.Sprintf(`[{"type":"course","id":"c1","attributes":{"title":[{"string":"Course","lang":"en"}],
					"code":"C1","ects":%s,"languageOfInstruction":%s,"url":[{"uri":%s,"lang":"en"}]},
					"links":{"self":{"href":"%s/course/c1"},"instance":{"href":"%s/course/c1/instance"}}}]`,
					v[credits], v[list], v[link], hei, hei)),
				"/course/c1/instance": doc(fmt.Sprintf(`[{"type":"instance","id":"i1","attributes":{"startDate":%s},
					"relationships":{"course":{"data":{"type":"course","id":"c1"}}},"links":{"self":{"href":"%s/instance/i1"}}}]`,
					v[date], hei)),
			})
		},
	},
}

// defaults are well-formed values for the slots a case leaves alone.
var defaults = map[string]string{credits: `6`, count: `30`, list: `["en"]`, link: `"https://www.uni.test/c/1"`, date: `"2026-09-01"`}

func TestLenientValuesAcrossJSONAdapters(t *testing.T) {
	for _, f := range formats {
		for _, tc := range lenientCases {
			field, ok := f.fields[tc.slot]
			if !ok {
				continue
			}
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				values := map[string]string{}
				for k, v := range defaults {
					values[k] = v
				}
				values[tc.slot] = tc.raw
				out := &sourcetest.Collector{}
				cfg := source.Config{URL: f.url, MaxPages: 10, Now: sept1,
					Provider: model.Provider{ID: "DEQARINST0001", SCHAC: "uni.test"}}
				get := &sourcetest.HandlerGetter{Handler: f.serve(values), Host: "api.uni.test"}
				if err := f.adapter.Harvest(context.Background(), cfg, get, out); err != nil {
					t.Fatalf("harvest: %v\n%s", err, out.WarningList())
				}
				if len(out.Specs) != 1 || len(out.Specs[0].Instances) != 1 {
					t.Fatalf("%d courses (want 1, with 1 offering): the record must be kept\n%s", len(out.Specs), out.WarningList())
				}
				if got := valueIn(out.Specs[0], tc.slot); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s = %#v, want %#v", field, got, tc.want)
				}
				if warned := out.Warned("", field, ""); warned != tc.warn {
					t.Errorf("warning on %s: %v, want %v\n%s", field, warned, tc.warn, out.WarningList())
				}
			})
		}
	}
}

// valueIn is what the model holds for a slot, nil for nothing.
func valueIn(s model.Specification, slot string) any {
	switch slot {
	case credits:
		if len(s.Credits) > 0 {
			return s.Credits[0].Value
		}
	case count:
		if c := s.Instances[0].Capacity; c != nil {
			return *c
		}
	case list:
		return s.Languages
	case link:
		if s.Homepage != "" {
			return s.Homepage
		}
	case date:
		if st := s.Instances[0].Start; !st.IsZero() {
			return st
		}
	}
	return nil
}

// pages serves documents by path under prefix; wrap, when set, turns the
// items into a page (a second page, asked for by offset or page number,
// is empty). Anything else is 404.
func pages(prefix, contentType string, wrap func(items string) string, docs map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, ok := docs[strings.TrimPrefix(r.URL.Path, prefix)]
		if !ok || !strings.HasPrefix(r.URL.Path, prefix) {
			http.NotFound(w, r)
			return
		}
		if wrap != nil {
			if q := r.URL.Query(); q.Get("offset") > "0" || q.Get("pageNumber") > "1" {
				doc = ""
			}
			doc = wrap(doc)
		}
		w.Header().Set("Content-Type", contentType)
		w.Write([]byte(doc))
	})
}
