package jsonld

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/rdf/internal/rdftest"
	"qlink/internal/sharedtest"
)

func samplesDir() string { return filepath.Join(rdftest.SharedDir(), "samples", "elm") }

func toQuads(t *testing.T, doc any, o Options) []rdf.Quad {
	t.Helper()
	var qs []rdf.Quad
	if err := ToRDF(doc, o, func(q rdf.Quad) error { qs = append(qs, q); return nil }); err != nil {
		t.Fatal(err)
	}
	return qs
}

func decode(t *testing.T, s string) any {
	t.Helper()
	doc, err := Decode(strings.NewReader(s), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestEDCAPContextMatchesReal expands the EC credential sample once with
// the real EDC-AP context (read from ../shared) and once with qlink's
// embedded equivalent: the two graphs must be the same.
func TestEDCAPContextMatchesReal(t *testing.T) {
	realCtx := sharedtest.ReadFile(t, "samples", "elm", "ec-elm-v3", "edc-ap-context.jsonld")
	sample := sharedtest.ReadFile(t, "samples", "elm", "ec-elm-v3", "credential-sample.jsonld")
	ours := toQuads(t, decode(t, string(sample)), Options{})
	theirs := toQuads(t, decode(t, string(sample)), Options{Loader: NewLoader(map[string]any{
		EDCAPContextURL: decode(t, string(realCtx)),
	})})
	if len(ours) < 40 {
		t.Fatalf("only %d quads from the sample", len(ours))
	}
	if !rdf.Isomorphic(ours, theirs) {
		t.Errorf("embedded EDC-AP context expands the sample differently:\nours %d quads, real %d quads", len(ours), len(theirs))
		diff(t, ours, theirs)
	}
}

func diff(t *testing.T, a, b []rdf.Quad) {
	in := func(q rdf.Quad, qs []rdf.Quad) bool {
		for _, x := range qs {
			if x.P == q.P && x.O.Kind == q.O.Kind && (x.O.IsBlank() || x.O == q.O) {
				return true
			}
		}
		return false
	}
	for _, q := range a {
		if !in(q, b) {
			t.Logf("only ours: %s", q)
		}
	}
	for _, q := range b {
		if !in(q, a) {
			t.Logf("only real: %s", q)
		}
	}
}

func TestLoaderRefusesRemote(t *testing.T) {
	doc := decode(t, `{"@context": "https://example.org/ctx.jsonld", "@id": "http://x/a", "name": "x"}`)
	err := ToRDF(doc, Options{}, func(rdf.Quad) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "remote document refused") {
		t.Fatalf("want a refused remote load, got %v", err)
	}
	for _, u := range []string{EDCAPContextURL, "https://data.europa.eu/snb/model/context/edc-ap/", VCv1ContextURL, QLinkContextURL, QLinkFrameURL} {
		if _, err := NewLoader(nil).LoadDocument(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

const qlinkDoc = `{
  "@context": "urn:qlink:context:elm-3.3",
  "@graph": [{
    "id": "urn:schac:uniqueCourseId:example.ac.at:CS101",
    "type": "LearningOpportunitySpecification",
    "title": {"en": "Linked Open Data", "de-AT": "Verknüpfte offene Daten"},
    "EQFLevel": "http://data.europa.eu/snb/eqf/6",
    "creditPoint": {"type": "CreditPoint", "point": "6", "framework": "http://data.europa.eu/snb/education-credit/6fcec5c5af"},
    "modified": "2026-03-01T00:00:00Z"
  }, {
    "id": "https://data.example.ac.at/loi/CS101-2026S",
    "type": "LearningOpportunityInstance",
    "learningAchievementSpecification": "urn:schac:uniqueCourseId:example.ac.at:CS101",
    "enrolmentCapacity": 120
  }]
}`

func TestQLinkContextRoundTrip(t *testing.T) {
	qs := toQuads(t, decode(t, qlinkDoc), Options{})
	want := map[string]bool{
		`<urn:schac:uniqueCourseId:example.ac.at:CS101> <http://data.europa.eu/snb/model/ontology/EQFLevel> <http://data.europa.eu/snb/eqf/6> .`:                                  false,
		`<urn:schac:uniqueCourseId:example.ac.at:CS101> <http://purl.org/dc/terms/title> "Verknüpfte offene Daten"@de-at .`:                                                       false,
		`<https://data.example.ac.at/loi/CS101-2026S> <http://data.quality-link.eu/ontology/v1#enrolmentCapacity> "120"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .`: false,
	}
	for _, q := range qs {
		if _, ok := want[q.String()]; ok {
			want[q.String()] = true
		}
	}
	for s, seen := range want {
		if !seen {
			t.Errorf("missing %s", s)
		}
	}
	if got := rdf.CanonicalLang("de-at"); got != "de-AT" {
		t.Errorf("CanonicalLang = %q", got)
	}
	expanded, err := FromRDF(qs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	framed, err := Frame(expanded, QLinkFrameURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	los := framed // one match: json-gold leaves out @graph
	if graph, ok := framed["@graph"].([]any); ok {
		if len(graph) != 1 {
			t.Fatalf("frame: want one specification, got %v", framed)
		}
		los = graph[0].(map[string]any)
	}
	if los["instances"] == nil || los["EQFLevel"] != "http://data.europa.eu/snb/eqf/6" {
		t.Errorf("frame did not embed instances or keep EQFLevel as a reference: %v", los)
	}
	compacted, err := Compact(expanded, QLinkContextURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	back := toQuads(t, compacted, Options{})
	if !rdf.Isomorphic(qs, back) {
		t.Errorf("compact → toRDF changed the graph")
	}
}

func TestDecodeLimits(t *testing.T) {
	deep := strings.Repeat("[", 300) + strings.Repeat("]", 300)
	if _, err := Decode(strings.NewReader(deep), Options{}); !errors.Is(err, rdf.ErrLimit) {
		t.Errorf("deep nesting: want ErrLimit, got %v", err)
	}
	if _, err := Decode(strings.NewReader(`{"a": 1}`), Options{MaxDocumentBytes: 4}); !errors.Is(err, rdf.ErrLimit) {
		t.Errorf("size: want ErrLimit, got %v", err)
	}
	_, err := Decode(strings.NewReader("{\n  \"a\": ,\n}"), Options{})
	var pe *rdf.ParseError
	if !errors.As(err, &pe) || pe.Line != 2 {
		t.Errorf("syntax error: want line 2, got %v", err)
	}
}

func FuzzJSONLD(f *testing.F) {
	f.Add([]byte(qlinkDoc))
	f.Add([]byte(`{"@context": {"@vocab": "http://x/"}, "@id": "http://x/a", "p": [{"@list": [1, 2.5, true]}], "q": {"@value": "v", "@language": "en"}}`))
	f.Add([]byte(`[{"@id": "_:b", "http://x/p": {"@id": "_:b"}, "@graph": [{"@id": "http://x/g", "http://x/q": "x"}]}]`))
	if data, err := os.ReadFile(filepath.Join(samplesDir(), "minimal", "minimal-elm33.jsonld")); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o := Options{Base: "http://base/", MaxDepth: 32, MaxDocumentBytes: 1 << 16}
		doc, err := Decode(bytes.NewReader(data), o)
		if err != nil {
			return
		}
		_ = ToRDF(doc, o, func(rdf.Quad) error { return nil })
		_, _ = Expand(doc, o)
	})
}

// TestPublishedContext: the context a server publishes is the one the
// loader serves, and the published loader resolves it by its URL offline.
func TestPublishedContext(t *testing.T) {
	var published any
	if err := json.Unmarshal(QLinkContextJSON(), &published); err != nil {
		t.Fatal(err)
	}
	const base = "https://catalogue.test/"
	u := PublishedContextURL(base)
	if u != "https://catalogue.test/ns/qlink-elm-3.3.jsonld" {
		t.Errorf("PublishedContextURL = %s", u)
	}
	doc, err := PublishedLoader(base).LoadDocument(u)
	if err != nil {
		t.Fatal(err)
	}
	internal, err := NewLoader(nil).LoadDocument(QLinkContextURL)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(published, doc.Document) || !reflect.DeepEqual(doc.Document, internal.Document) {
		t.Error("the published context differs from the one the loader serves")
	}
	if _, err := NewLoader(nil).LoadDocument(u); err == nil {
		t.Error("the plain loader resolved another server's URL")
	}
}

func TestFromRDFKeepsOddLiterals(t *testing.T) {
	var quads []rdf.Quad
	for _, v := range []string{"@SUM(A1)", `"quoted"@en`, "line\nbreak", "@id"} {
		quads = append(quads, rdf.Quad{S: rdf.IRI("urn:x"), P: rdf.IRI("http://purl.org/dc/terms/title"), O: rdf.LangLiteral(v, "en")},
			rdf.Quad{S: rdf.Blank("b1"), P: rdf.IRI("http://purl.org/dc/terms/description"), O: rdf.String(v), G: rdf.IRI("urn:g")})
	}
	doc, err := FromRDF(quads, Options{})
	if err != nil {
		t.Fatal(err)
	}
	back := toQuads(t, doc, Options{})
	if !rdf.Isomorphic(quads, back) {
		t.Errorf("FromRDF then ToRDF changed the statements:\n%v\n%v", quads, back)
	}
}
