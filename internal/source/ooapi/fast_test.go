package ooapi

import (
	"strings"
	"testing"

	"qlink/internal/jsonread"
	"qlink/internal/source/sourcetest"
	"qlink/internal/testfed"
)

// fastAgrees decodes body as a page of courses, or of offerings when url
// names them, both ways; what the fast path accepts must decode the same
// with encoding/json. It reports whether the fast path accepted.
func fastAgrees(t *testing.T, url string, body []byte) bool {
	t.Helper()
	if strings.Contains(url, "/offerings") {
		return agrees[offering](t, body)
	}
	return agrees[course](t, body)
}

func agrees[T any](t *testing.T, body []byte) bool {
	t.Helper()
	ok, err := jsonread.CheckDecode[itemPage[T]](body)
	if err != nil {
		t.Error(err)
	}
	return ok
}

// everyMember sets every member of the wire types, each to its own value.
var everyMember = map[string]string{
	"/courses": `{"pageSize":10,"hasNextPage":true,"items":[{"courseId":"c","programId":"p","educationSpecificationId":"e",
		"primaryCode":{"codeType":"ct","code":"C1"},"otherCodes":[{"codeType":"x","code":"X1"}],
		"name":[{"language":"en","value":"Name"},{"language":null,"value":"n"}],"abbreviation":"ab",
		"description":[{"language":"nl","value":"Besch\u0072ijving","extra":"x"}],"teachingLanguage":"eng",
		"teachingLanguages":["nld","eng"],"studyLoad":{"studyLoadUnit":"ects","value":"7,5"},"fieldsOfStudy":"0613",
		"learningOutcomes":[[{"language":"en","value":"LO"}],[],null],"level":"master","levelOfQualification":"7",
		"programType":"minor","educationSpecificationType":"course","modeOfDelivery":"online","modesOfDelivery":["hybrid"],
		"modeOfStudy":"full-time","admissionRequirements":[{"value":"req"}],"link":"https://l","validFrom":"2026-01-01",
		"validTo":"","organization":"o1","organisation":null,"programs":["p1",null],"programmes":["p2"],"parent":"pa",
		"educationSpecification":"es","consumers":[{"consumerKey":"k"}]}]}`,
	"/offerings": `{"items":[{"offeringId":"o","primaryCode":{"code":"O1"},"name":[{"language":"en","value":"N"}],
		"description":[],"teachingLanguage":"eng","teachingLanguages":"nld","modeOfDelivery":["on campus"],
		"modesOfDelivery":null,"startDate":"2026-02-01","endDate":"2026-06-30","enrollEndDate":"2026-01-15",
		"maxNumberStudents":200,"enrolledNumberStudents":"144","minNumberStudents":null,"link":"https://o",
		"consumers":[{"consumerKey":"eduxchange","alliances":[{"enrollmentUrl":"https://apply"}]}],
		"addresses":[{"city":"Utrecht","countryCode":"NL"}],"resultExpected":true}],"hasNextPage":false}`,
}

func TestFastEveryMember(t *testing.T) {
	for url, doc := range everyMember {
		if !fastAgrees(t, url, []byte(doc)) {
			t.Errorf("%s: refused", url)
		}
	}
}

// TestFastLenientShapes: the shapes of lenient values the fast path reads
// decode as their UnmarshalJSON decodes them; the others it refuses.
func TestFastLenientShapes(t *testing.T) {
	for in, accepted := range map[string]bool{
		`"name":null`: true, `"name":[]`: true, `"name":[{}]`: true, `"name":[{"language":"en","language":null}]`: true,
		`"name":"bare"`: false, `"name":{"value":"x"}`: false, `"name":["x"]`: false, `"name":[{"value":1}]`: false,
		`"learningOutcomes":[[]]`: true, `"learningOutcomes":null`: true, `"learningOutcomes":[]`: true,
		`"learningOutcomes":[{"name":[]}]`: false, `"learningOutcomes":["x"]`: false,
		`"teachingLanguages":""`: true, `"teachingLanguages":null`: true, `"teachingLanguages":[]`: true,
		`"teachingLanguages":[null]`: true, `"teachingLanguages":1`: true,
		`"studyLoad":{"value":""}`: true, `"studyLoad":{"value":"null"}`: true, `"studyLoad":{"value":"7,5"}`: true,
		`"studyLoad":{"value":6}`: true, `"studyLoad":null`: true, `"studyLoad":{"value":" 6"}`: true,
		`"studyLoad":{"value":"six"}`: true, `"studyLoad":{"value":"\"6\""}`: true, `"studyLoad":{"value":1e999}`: true,
		`"studyLoad":{"value":"NaN"}`: true, `"teachingLanguages":[{}]`: true,
		`"organization":"o"`: true, `"organization":null`: true, `"organization":{"organizationId":"o"}`: false,
		`"programs":null`: true, `"programs":[null]`: true, `"programs":"p"`: false, `"Name":[]`: false,
	} {
		body := `{"items":[{"courseId":"c",` + in + `}]}`
		if got := fastAgrees(t, "/courses", []byte(body)); got != accepted {
			t.Errorf("%s: accepted %v, want %v", in, got, accepted)
		}
	}
}

// TestFastMatchesEncodingJSON reads every page of a simulated federation
// with the fast path, which must accept them all.
func TestFastMatchesEncodingJSON(t *testing.T) {
	rec := sourcetest.Record(t, Adapter{}, testfed.FormatOOAPI, 3)
	ofOfferings := func(url string) bool { return strings.Contains(url, "/offerings") }
	for _, run := range rec.Runs {
		accepted := 0
		for _, body := range run.Pages.Bodies(ofOfferings) {
			accepted += countTrue(agrees[offering](t, body))
		}
		for _, body := range run.Pages.Bodies(func(url string) bool { return !ofOfferings(url) }) {
			accepted += countTrue(agrees[course](t, body))
		}
		if accepted != len(run.Pages) {
			t.Errorf("%s: the fast path refused %d of %d well-formed pages", run.Config.URL, len(run.Pages)-accepted, len(run.Pages))
		}
	}
}

func countTrue(b bool) int {
	if b {
		return 1
	}
	return 0
}

// FuzzFastDecode holds the fast path to encoding/json on any page.
func FuzzFastDecode(f *testing.F) {
	for url, doc := range everyMember {
		f.Add(url, []byte(doc))
	}
	f.Add("/courses", []byte(`{"items":[{"courseId":"c","name":[{"value":"a\u00e9"}],"learningOutcomes":[[{"value":"x"}]]}]}`))
	f.Fuzz(func(t *testing.T, url string, body []byte) { fastAgrees(t, url, body) })
}
