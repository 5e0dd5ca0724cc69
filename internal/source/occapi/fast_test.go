package occapi

import (
	"strings"
	"testing"

	"qlink/internal/jsonread"
	"qlink/internal/source/sourcetest"
	"qlink/internal/testfed"
)

var _ = []jsonread.Decoder{&specAttrs{}, &instanceAttrs{}, &heiAttrs{}, &ounitAttrs{}}

// fastAgrees decodes body as the document the fast path reads at url,
// both ways; what the fast path accepts must decode the same with
// encoding/json. It reports whether the fast path accepted.
func fastAgrees(t *testing.T, url string, body []byte) bool {
	t.Helper()
	switch {
	case strings.HasSuffix(url, "/instance"):
		return agrees[collection[instanceAttrs]](t, body)
	case strings.HasSuffix(url, "/course") || strings.HasSuffix(url, "/programme"):
		return agrees[collection[specAttrs]](t, body)
	case strings.HasSuffix(url, "/ounit"):
		return agrees[collection[ounitAttrs]](t, body)
	}
	return agrees[single[heiAttrs]](t, body)
}

func agrees[D any, PD interface {
	*D
	jsonread.Decoder
}](t *testing.T, body []byte) bool {
	t.Helper()
	ok, err := jsonread.CheckDecode[D, PD](body)
	if err != nil {
		t.Error(err)
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
