package elm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/fetch"
	"qlink/internal/model"
	"qlink/internal/rdf"
	"qlink/internal/sharedtest"
	"qlink/internal/source"
)

// collect is an Emitter that keeps everything.
type collect struct {
	specs    []model.Specification
	warnings []source.Warning
}

func (c *collect) Spec(s model.Specification) { c.specs = append(c.specs, s) }
func (c *collect) Warn(w source.Warning)      { c.warnings = append(c.warnings, w) }

// wantError reports whether the case expects an error, and checks it.
func wantError(t *testing.T, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err %v, want %q", err, want)
	}
	return true
}

func (c *collect) warningText() string {
	var b strings.Builder
	for _, w := range c.warnings {
		b.WriteString(w.String() + "\n")
	}
	return b.String()
}

// getter serves one response, or fails.
type getter struct {
	resp *fetch.Response
	err  error
	got  []string
}

func (g *getter) Get(_ context.Context, url string) (*fetch.Response, error) {
	g.got = append(g.got, url)
	return g.resp, g.err
}

const course33 = `@prefix ql: <http://data.quality-link.eu/ontology/v1#> .
@prefix elm: <http://data.europa.eu/snb/model/ontology/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://uni.test/c/C1> a ql:LearningOpportunitySpecification ; dcterms:title "Course"@en .
`

const course32RDFXML = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:elm="http://data.europa.eu/snb/model/elm/"
         xmlns:dcterms="http://purl.org/dc/terms/">
  <elm:LearningAchievementSpecification rdf:about="https://uni.test/c/C2">
    <dcterms:title xml:lang="en">Course two</dcterms:title>
  </elm:LearningAchievementSpecification>
</rdf:RDF>
`

const course33JSONLD = `{"@context": {"ql": "http://data.quality-link.eu/ontology/v1#", "dcterms": "http://purl.org/dc/terms/"},
 "@id": "https://uni.test/c/C3", "@type": "ql:LearningOpportunitySpecification",
 "dcterms:title": {"@value": "Course three", "@language": "en"}}`

var provider = model.Provider{ID: "DEQARINST0042", SCHAC: "uni.test"}

func TestFormatChoice(t *testing.T) {
	cases := []struct {
		name, override, served, url, body string
		wantID                            string // the one specification expected
		wantErr, wantWarning              string
	}{
		{name: "turtle with charset", served: "text/turtle; charset=utf-8", url: "https://uni.test/elm", body: course33, wantID: "C1"},
		{name: "override beats a wrong type", override: "text/turtle", served: "application/rdf+xml", url: "https://uni.test/x.rdf", body: course33, wantID: "C1"},
		{name: "application/xml is RDF/XML", served: "application/xml", url: "https://uni.test/elm", body: course32RDFXML, wantID: "C2",
			wantWarning: "uses the ELM 3.0–3.2 namespace"},
		{name: "text/xml is RDF/XML", served: "text/xml", url: "https://uni.test/elm", body: course32RDFXML, wantID: "C2",
			wantWarning: "read as ELM 3.3"},
		{name: "application/json is JSON-LD", served: "application/json", url: "https://uni.test/elm", body: course33JSONLD, wantID: "C3"},
		{name: "extension when the type is generic", served: "text/plain", url: "https://uni.test/catalogue.ttl?v=2", body: course33, wantID: "C1",
			wantWarning: `served as "text/plain"; read as Turtle from the file extension`},
		{name: "extension without a type", url: "courses.jsonld", body: course33JSONLD, wantID: "C3"},
		{name: "web page", served: "text/html; charset=utf-8", url: "https://uni.test/elm.ttl", body: "<html></html>",
			wantErr: "a web page, not ELM data"},
		{name: "unknown type, no extension", served: "application/octet-stream", url: "https://uni.test/download?id=4", body: course33,
			wantErr: `is served as "application/octet-stream", which is not an RDF format, and its name has no RDF extension; set "contentType" in the manifest`},
		{name: "override not RDF", override: "application/pdf", url: "https://uni.test/x.ttl", body: course33,
			wantErr: `the manifest's contentType "application/pdf" is not an RDF format`},
		{name: "nothing to go by", url: "catalogue", body: course33, wantErr: "cannot tell the RDF syntax"},
		{name: "syntax error", served: "text/turtle", url: "https://uni.test/x", body: course33 + "<broken",
			wantErr: "https://uni.test/x: not valid Turtle: turtle: line 5"},
		{name: "served as another syntax than its name", served: "text/turtle", url: "https://uni.test/x.rdf", body: course32RDFXML,
			wantErr: `not valid Turtle: turtle: line 1, column 6: character ' ' not allowed in IRI; it was served as "text/turtle", but its name says RDF/XML: serve it as application/rdf+xml or set "contentType"`},
		{name: "Turtle served as JSON-LD", served: "application/ld+json", url: "https://uni.test/x.ttl", body: course33,
			wantErr: `so not JSON-LD; ELM JSON-LD needs an @context such as "http://data.europa.eu/snb/model/context/edc-ap"; it was served as "application/ld+json", but its name says Turtle`},
		{name: "plain JSON", served: "application/json", url: "https://uni.test/x", body: `{"courses": []}`,
			wantErr: "JSON without @context, @id or @type, so not JSON-LD"},
		{name: "LOQ XML", served: "application/xml", url: "https://uni.test/loq.xml",
			body:    `<?xml version="1.0"?><Courses xmlns="http://data.europa.eu/snb/model/ap/loq-constraints/" xsdVersion="3.1.0"/>`,
			wantErr: `is QDR "LOQ XML" (root element <Courses> in http://data.europa.eu/snb/model/ap/loq-constraints/)`},
		{name: "XML without namespace", served: "text/xml", url: "https://uni.test/x.xml", body: `<courses><course/></courses>`,
			wantErr: "the root element <courses> has no XML namespace, so this is not RDF/XML"},
		// A course of participation in the ELM 3.2 namespace, specified by
		// its activity: it used to end in "no learning opportunity
		// specification".
		{name: "activity specification", served: "text/turtle", url: "https://uni.test/x",
			body: `@prefix elm: <http://data.europa.eu/snb/model/elm/> .
<https://uni.test/las/A1> a elm:LearningActivitySpecification ; <http://purl.org/dc/terms/title> "Summer school"@en .`, wantID: "A1",
			wantWarning: "uses the ELM 3.0–3.2 namespace"},
		{name: "no specification", served: "text/turtle", url: "https://uni.test/x",
			body:    `<https://uni.test/p> a <http://data.quality-link.eu/ontology/v1#HigherEducationInstitution> .`,
			wantErr: "no learning opportunity specification (ql:LearningOpportunitySpecification, elm:Qualification, elm:LearningAchievementSpecification or elm:LearningActivitySpecification in http://data.europa.eu/snb/model/ontology/ or http://data.europa.eu/snb/model/elm/) among 1 statements; the classes used are http://data.quality-link.eu/ontology/v1#HigherEducationInstitution"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := &collect{}
			get := &getter{resp: &fetch.Response{URL: tc.url, ContentType: tc.served, Body: []byte(tc.body)}}
			err := Adapter{}.Harvest(context.Background(), source.Config{URL: tc.url, ContentType: tc.override, Provider: provider}, get, out)
			if wantError(t, err, tc.wantErr) {
				return
			}
			if len(get.got) != 1 || get.got[0] != tc.url {
				t.Errorf("requests %v", get.got)
			}
			if len(out.specs) != 1 || out.specs[0].ID != model.CourseID(provider.SCHAC, "", tc.wantID) {
				t.Fatalf("specs %+v", out.specs)
			}
			if w := out.warningText(); tc.wantWarning == "" && w != "" || !strings.Contains(w, tc.wantWarning) {
				t.Errorf("warnings %q, want %q", w, tc.wantWarning)
			}
		})
	}
}

func TestHarvestPassesFetchErrors(t *testing.T) {
	want := &fetch.Error{Kind: fetch.KindStatus, Status: 404, URL: "https://uni.test/elm.ttl"}
	err := Adapter{}.Harvest(context.Background(), source.Config{URL: "https://uni.test/elm.ttl"}, &getter{err: want}, &collect{})
	if !errors.Is(err, want) {
		t.Errorf("err %v", err)
	}
}

// TestLimits: hostile documents end in a limit error, not in memory
// exhaustion or a crash.
func TestLimits(t *testing.T) {
	many := ""
	for i := range 200 {
		many += fmt.Sprintf("<https://uni.test/c/%d> <https://uni.test/p> \"v\" .\n", i)
	}
	cases := []struct {
		name string
		a    Adapter
		body string
	}{
		{"statements", Adapter{Limits: rdf.Limits{MaxStatements: 100}}, many},
		{"depth", Adapter{}, "<https://uni.test/s> <https://uni.test/p> " + strings.Repeat("[ <https://uni.test/p> ", 100) + strings.Repeat("]", 100) + " ."},
		{"term size", Adapter{Limits: rdf.Limits{MaxTermBytes: 1000}}, `<https://uni.test/s> <https://uni.test/p> "` + strings.Repeat("x", 2000) + `" .`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.a.Convert([]byte(tc.body), source.Config{URL: "x.ttl"}, &collect{})
			if !errors.Is(err, rdf.ErrLimit) {
				t.Errorf("err %v, want a limit error", err)
			}
		})
	}
}

// TestSamples converts every real ELM sample: the counts are those the
// report quotes, and files that are not course catalogues are refused
// with a reason.
func TestSamples(t *testing.T) {
	dir := sharedtest.Require(t, "samples", "elm")
	cases := []struct {
		file                       string
		provider                   model.Provider
		specs, instances, warnings int
		wantErr                    string
	}{
		{file: "minimal/minimal-elm33.ttl", provider: model.Provider{ID: "p", SCHAC: "example.ac.at"}, specs: 1, instances: 1},
		{file: "minimal/minimal-elm33.jsonld", provider: model.Provider{ID: "p", SCHAC: "example.ac.at"}, specs: 1, instances: 1},
		{file: "quality-link/AT0002.ttl", provider: model.Provider{ID: "p", ETER: "AT0001"}, specs: 2, warnings: 4},
		{file: "quality-link/notebook-20251030_112437.ttl", provider: model.Provider{ID: "p", ETER: "AT0005"}, specs: 2, warnings: 4},
		{file: "quality-link/SI0001.ttl", provider: model.Provider{ID: "p", ETER: "SI0001"}, specs: 2, instances: 1, warnings: 3},
		{file: "quality-link/alliance.ttl", wantErr: "the classes used are http://data.quality-link.eu/ontology/v1#EuropeanUniversityAlliance"},
		{file: "quality-link/alliance_epicur.ttl", wantErr: "no learning opportunity specification"},
		{file: "ec-elm-v3/credential-sample-turtle.ttl", wantErr: "the classes used are"},
		{file: "ec-elm-v3/credential-sample.jsonld", wantErr: "no learning opportunity specification"},
		{file: "ec-elm-v3/qdr-loq-generated.xml", wantErr: `QDR "LOQ XML"`},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			out := &collect{}
			err = Adapter{}.Convert(body, source.Config{URL: "https://samples.test/" + tc.file, Provider: tc.provider}, out)
			if wantError(t, err, tc.wantErr) {
				return
			}
			instances := 0
			for _, s := range out.specs {
				instances += len(s.Instances)
			}
			if len(out.specs) != tc.specs || instances != tc.instances || len(out.warnings) != tc.warnings {
				t.Errorf("%d specs, %d instances, %d warnings; want %d, %d, %d\n%s", len(out.specs), instances, len(out.warnings),
					tc.specs, tc.instances, tc.warnings, out.warningText())
			}
		})
	}
}
