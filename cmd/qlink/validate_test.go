package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/sharedtest"
)

func TestValidateQualityLinkSamples(t *testing.T) {
	cases := []struct {
		file    []string
		fail    bool
		want    []string // substrings of standard output
		notWant []string
	}{
		{file: []string{"minimal", "minimal-elm33.ttl"}, want: []string{"completeness 100%", "Result: PASS"}},
		{file: []string{"minimal", "minimal-elm33.jsonld"}, want: []string{"(jsonld)", "completeness 100%", "Result: PASS"}},
		{file: []string{"quality-link", "AT0002.ttl"}, fail: true, want: []string{
			"The course has no identifier. [course-identifier]", "field adms:identifier",
			"The course has no EQF level. [course-eqf]", "field elm:EQFLevel",
			"The offering's homepage is not a web page", `value "https://quality-link.eu/"`,
			"The offering's course is not a course described in the data", "Result: FAIL"}},
		{file: []string{"quality-link", "SI0001.ttl"}, fail: true,
			want:    []string{"The learning outcome has no title. [outcome-title]"},
			notWant: []string{"EQF", "identifier", "language"}},
	}
	for _, tc := range cases {
		path := sharedtest.Require(t, append([]string{"samples", "elm"}, tc.file...)...)
		stdout, _, err := runConvert(t, "validate", path)
		if tc.fail != errors.Is(err, errValidateFailed) || (!tc.fail && err != nil) {
			t.Errorf("%s: err %v, want failure %v", path, err, tc.fail)
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%s: output lacks %q:\n%s", path, w, stdout)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(stdout, "violation The course has no "+w) || strings.Contains(stdout, "course-"+strings.ToLower(w)) {
				t.Errorf("%s: output reports %q, which the file gets right:\n%s", path, w, stdout)
			}
		}
	}
}

func TestValidateJSONReport(t *testing.T) {
	path := sharedtest.Require(t, "samples", "elm", "quality-link", "AT0002.ttl")
	stdout, _, err := runConvert(t, "validate", "--json", path)
	if !errors.Is(err, errValidateFailed) {
		t.Fatalf("err %v, want a validation failure", err)
	}
	var rep validation
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("output is not the JSON report: %v\n%s", err, stdout)
	}
	if rep.Format != "ttl" || len(rep.Records) != 3 || rep.Summary.Courses != 2 || rep.Summary.Rules[0].Records != 2 {
		t.Errorf("report %+v", rep)
	}
}

// An OOAPI page goes through the OOAPI adapter and is checked through its
// ELM form; the report names the OOAPI fields.
func TestValidateOOAPI(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "page.json")
	os.WriteFile(page, []byte(`{"items":[
		{"courseId":"c1","primaryCode":{"code":"DS-1"},"name":[{"language":"en","value":"Data science"}],
		 "teachingLanguage":"eng","fieldsOfStudy":"0688","level":"bachelor",
		 "learningOutcomes":[[{"language":"en","value":"Can clean data."}]]},
		{"courseId":"c2","primaryCode":{"code":"DS-2"},"name":[{"language":"en","value":"Statistics"}],"teachingLanguage":"eng"}]}`), 0o600)
	stdout, _, err := runConvert(t, "validate", "--format", "ooapi", "--schac", "uni.test", page)
	if !errors.Is(err, errValidateFailed) {
		t.Fatalf("err %v, want a validation failure\n%s", err, stdout)
	}
	for _, w := range []string{
		"course urn:schac:uniqueCourseId:uni.test:DS-2",
		"The course has no EQF level. [course-eqf]", "field level (elm:EQFLevel)",
		"field fieldsOfStudy (elm:ISCEDFCode)", "field learningOutcomes (elm:learningOutcome)",
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, stdout)
		}
	}
	if !strings.Contains(stdout, "uni.test:DS-1 — completeness 71% (missing: ECTS credits, enrolment link)\n  no rule broken") {
		t.Errorf("DS-1 has what the profile requires, yet is reported:\n%s", stdout)
	}
}

func TestValidateRefusals(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "page.json")
	os.WriteFile(page, []byte(`{"items":[]}`), 0o600)
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"validate", "--format", "csv", page}, `--format "csv": choose one of`},
		{[]string{"validate", page}, "cannot tell the format; give --format"},
		{[]string{"validate", "--format", "ttl", filepath.Join(dir, "missing.ttl")}, "no such file"},
		{[]string{"validate", "http://127.0.0.1:1/courses.ttl"}, "not public"},
	} {
		runCase(t, tc.args, tc.wantErr)
	}
}

// RDF/XML in the ELM 3.0–3.2 namespace is read, normalised and checked.
func TestValidateOldNamespaceRDFXML(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "catalogue.rdf")
	os.WriteFile(doc, []byte(`<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:elm="http://data.europa.eu/snb/model/elm/"
    xmlns:dcterms="http://purl.org/dc/terms/" xmlns:ql="http://data.quality-link.eu/ontology/v1#">
  <ql:LearningOpportunitySpecification rdf:about="https://uni.test/c/1">
    <elm:EQFLevel rdf:resource="http://data.europa.eu/snb/eqf/7"/>
    <elm:ISCEDFCode rdf:resource="http://data.europa.eu/snb/isced-f/0612"/>
    <dcterms:language rdf:resource="http://publications.europa.eu/resource/authority/language/FRA"/>
  </ql:LearningOpportunitySpecification>
</rdf:RDF>`), 0o600)
	stdout, _, err := runConvert(t, "validate", doc)
	if !errors.Is(err, errValidateFailed) {
		t.Fatalf("err %v, want a validation failure\n%s", err, stdout)
	}
	for _, w := range []string{"(rdfxml)", "The course has no title. [course-title]",
		"The course has no learning outcome. [course-learning-outcome]", "The course has no identifier."} {
		if !strings.Contains(stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, stdout)
		}
	}
	// The EQF level, ISCED-F field and language are EU concepts in the
	// old-namespace file too: no finding about them.
	for _, w := range []string{"course-eqf", "course-isced-f", "course-language"} {
		if strings.Contains(stdout, w) {
			t.Errorf("output reports %s:\n%s", w, stdout)
		}
	}
}
