package occapi

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"qlink/internal/source"
	"qlink/internal/source/sourcetest"
	"qlink/internal/testfed"
)

var _ = []source.Decoder{&specAttrs{}, &instanceAttrs{}, &heiAttrs{}, &ounitAttrs{}}

// TestFastFieldsMatchTags: each fast reader's member list names the json
// tags of its type in the order of its fields, so no key encoding/json
// would decode is skipped as unknown. (That each DecodeJSON passes its
// targets in that order, TestFastEveryMember checks.)
func TestFastFieldsMatchTags(t *testing.T) {
	of := reflect.TypeOf
	for typ, fs := range map[reflect.Type]*source.Fields{
		of(collection[specAttrs]{}): documentFields, of(single[heiAttrs]{}): documentFields,
		of(resource[specAttrs]{}): resourceFields, of(links{}): linksFields, of(link{}): linkFields, of(text{}): textFields,
		of(ref{}): refFields, of(relationships{}): relationshipsFields, of(relationships{}.Course): dataFields,
		of(relationships{}.RelatedProgramme): dataFields, of(meta{}): metaFields, of(meta{}.Global): globalFields,
		of(programmeRef{}): programmeRefFields, of(specAttrs{}): specAttrsFields, of(instanceAttrs{}): instanceAttrsFields,
		of(heiAttrs{}): heiAttrsFields, of(ounitAttrs{}): ounitAttrsFields,
	} {
		var tags []string
		for f := range typ.Fields() {
			tags = append(tags, strings.Split(f.Tag.Get("json"), ",")[0])
		}
		if names := fs.Names(); !slices.Equal(tags, names) {
			t.Errorf("%v: tags %v, fast reader %v", typ, tags, names)
		}
	}
}

// fastAgrees decodes body as the document the fast path reads at url,
// both ways; what the fast path accepts must decode the same with
// encoding/json. It reports whether the fast path accepted.
func fastAgrees(t *testing.T, url string, body []byte) bool {
	t.Helper()
	switch {
	case strings.HasSuffix(url, "/instance"):
		return agrees(t, body, readCollection[instanceAttrs])
	case strings.HasSuffix(url, "/course") || strings.HasSuffix(url, "/programme"):
		return agrees(t, body, readCollection[specAttrs])
	case strings.HasSuffix(url, "/ounit"):
		return agrees(t, body, readCollection[ounitAttrs])
	}
	return agrees(t, body, readSingle[heiAttrs])
}

func agrees[D any](t *testing.T, body []byte, fast func([]byte, *D) bool) bool {
	t.Helper()
	var got, want D
	ok := fast(body, &got)
	err := json.Unmarshal(body, &want)
	if ok && (err != nil || !reflect.DeepEqual(got, want)) {
		t.Errorf("%.300s:\nfast          %+v\nencoding/json %+v (%v)", body, got, want, err)
	}
	return ok
}

// TestFastEveryMember reads documents that set every member of every wire
// type, each to its own value.
func TestFastEveryMember(t *testing.T) {
	for url, doc := range map[string]string{
		"/course": `{"data":[{"type":"course","id":"c1","attributes":{"title":[{"string":"s","multiline":"m","uri":"u","lang":"l"}],
			"code":"code","ects":7.5,"languageOfInstruction":["en"],"lastModified":"lm","description":[{"string":"d"}],
			"learningOutcomes":[{"multiline":"lo"}],"prerequisites":[{"string":"pre"}],"elmLearningOpportunityType":["t"],
			"elmModeOfLearning":["m"],"iscedCode":["0613"],"url":[{"uri":"https://u"}],"deprecated":true,"eqfLevelProvided":6,
			"validUntil":"vu","other":[1,{"x":null}]},
			"meta":{"relatedProgramme":[{"programmeId":"p1"}],"programme":[{"programmeId":"p2"}],"global":{"eqfLevel":5}},
			"relationships":{"relatedProgramme":{"data":[{"type":"programme","id":"p3"}]},"course":{"data":{"type":"course","id":"c0"}}},
			"links":{"self":{"href":"1"},"next":{"href":"2"},"hei":{"href":"3"},"ounit":{"href":"4"},"programme":{"href":"5"},
				"course":{"href":"6"},"instance":{"href":"7"}}}],"links":{"next":{"href":"n"}},"jsonapi":{"version":"1.1"}}`,
		"/instance": `{"data":[{"id":"i1","attributes":{"startDate":"s","endDate":"e","languageOfInstruction":["nl"],
			"elmModeOfLearning":["m"],"lastModified":"lm"}}]}`,
		"/hei":   `{"data":{"id":"h","attributes":{"heiId":"uni.test","title":[{"string":"Uni"}]}},"links":{"course":{"href":"c"}}}`,
		"/ounit": `{"data":[{"id":"o","attributes":{"name":"x"},"links":{"course":{"href":"c"}}}]}`,
	} {
		if !fastAgrees(t, url, []byte(doc)) {
			t.Errorf("%s: refused", url)
		}
	}
}

// TestFastMatchesEncodingJSON reads every document of a simulated
// federation, and of this package's test server, with the fast path.
func TestFastMatchesEncodingJSON(t *testing.T) {
	rec := sourcetest.Record(t, Adapter{}, testfed.FormatOCCAPI, 3)
	for _, run := range rec.Runs {
		for url, resp := range run.Pages {
			if !fastAgrees(t, url, resp.Body) {
				t.Errorf("%s: the fast path refused a well-formed document", url)
			}
		}
	}
	for p, doc := range server() {
		fastAgrees(t, p, []byte(mustJSON(doc)))
	}
}

// FuzzFastDecode holds the fast path to encoding/json on any document.
func FuzzFastDecode(f *testing.F) {
	for p, doc := range server() {
		f.Add(p, []byte(mustJSON(doc)))
	}
	f.Add("/course", []byte(`{"data":[{"id":"c","attributes":{"Title":[],"ects":"6"},"links":{"self":"x"}}]}`))
	f.Fuzz(func(t *testing.T, url string, body []byte) { fastAgrees(t, url, body) })
}

// BenchmarkFastDecode compares the fast path with encoding/json on the
// course pages of a simulated federation.
func BenchmarkFastDecode(b *testing.B) {
	rec := sourcetest.Record(b, Adapter{}, testfed.FormatOCCAPI, 2)
	var pages [][]byte
	for _, run := range rec.Runs {
		pages = append(pages, run.Pages.Bodies(func(u string) bool { return strings.HasSuffix(u, "/course") })...)
	}
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			for _, p := range pages {
				var doc collection[specAttrs]
				if !readCollection(p, &doc) {
					b.Fatal("refused")
				}
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			for _, p := range pages {
				var doc collection[specAttrs]
				if err := json.Unmarshal(p, &doc); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
