package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/rdf/jsonld"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/store"
)

func TestNegotiate(t *testing.T) {
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
	cases := []struct {
		accept, format string
		want           string // the format chosen; "" for 406
	}{
		{"", "", "html"},
		{browser, "", "html"},
		{"*/*", "", "html"},
		{"text/turtle", "", "ttl"},
		{"application/ld+json", "", "jsonld"},
		{"application/json", "", "json"},
		{"application/n-triples", "", "nt"},
		{"application/*", "", "json"},
		{"text/*;q=0.5, application/n-triples;q=0.9", "", "nt"},
		{"text/turtle;q=0.4, application/ld+json;q=0.8", "", "jsonld"},
		{"Text/Turtle; charset=utf-8; q=1", "", "ttl"},
		{"*/*;q=0.1, text/html;q=0", "", "json"},                             // html refused, the rest accepted a little
		{"text/turtle;q=0, text/*", "", "html"},                              // the specific range wins over text/*
		{"application/ld+json;profile=\"x\";q=0.7, */*;q=0.1", "", "jsonld"}, // parameters do not stop a match
		{"image/png", "", ""},
		{"text/html;q=0", "", ""},
		{"garbage, ;;, /", "", "html"},  // no valid range: no preference
		{"text/turtle;q=2", "", "html"}, // an invalid q drops its range
		{browser, "ttl", "ttl"},         // the parameter overrides Accept
		{"text/turtle", "html", "html"},
		{"", "pdf", ""},
		{"", "TTL", ""},
		// Only the first maxAcceptRanges ranges count.
		{strings.Repeat("image/png, ", maxAcceptRanges) + "text/turtle", "", ""},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", "/id/course/x?format="+url.QueryEscape(tc.format), nil)
		if tc.accept != "" {
			r.Header.Set("Accept", tc.accept)
		}
		rep, ok := negotiate(r)
		if got := rep.Format; ok != (tc.want != "") || got != tc.want {
			t.Errorf("Accept %q, format %q: got %q (ok %v), want %q", tc.accept, tc.format, got, ok, tc.want)
		}
	}
}

const resolverBase = "https://catalogue.test"

// resolverFixture is a store with an active course carrying source
// identifiers, an inactive one, and two courses sharing a code.
type resolverFixture struct {
	srv       *httptest.Server
	st        store.Store
	active    string
	inactive  string
	sourceIRI string
}

func newResolverFixture(t *testing.T) resolverFixture {
	t.Helper()
	ctx := context.Background()
	st := openTestStore(t)
	p := model.Provider{ID: "P1", SCHAC: "uni-a.test", DEQAR: "DEQARINST0042", Name: model.Text{"en": "University A", "de-AT": "Universität A"}, Country: "AT"}
	if err := st.UpsertProviders(ctx, []model.Provider{p}); err != nil {
		t.Fatal(err)
	}
	srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: "P1", URL: "x", FetchedAt: time.Now(), Body: []byte("m")},
		[]store.Source{{Key: "k", Type: "ooapi", URL: "https://x/"}})
	if err != nil {
		t.Fatal(err)
	}
	cap20 := 20
	f := resolverFixture{active: "urn:schac:uniqueCourseId:uni-a.test:LOD%201", inactive: "urn:schac:uniqueCourseId:uni-a.test:OLD",
		sourceIRI: "https://data.uni-a.test/los/LOD 1?v=1"}
	active := model.Specification{ID: f.active, Title: model.Text{"en-GB": "Linked open data", "de-AT": "Verknüpfte offene Daten"},
		Description: model.Text{"en-GB": "<p>Triples &amp; graphs.</p>"}, LearningOutcomes: []model.Text{{"en-GB": "Write Turtle"}},
		Identifiers: []model.Identifier{{Scheme: "ooapi:courseId", Value: "0b1c-uuid"}, {Scheme: "code", Value: "CS101"},
			{Scheme: elm.SchemeIRI, Value: f.sourceIRI}, {Scheme: elm.SchemeIRI, Value: "https://data.uni-a.test/los/LOD1"}},
		Languages: []string{"en"}, ISCEDF: []string{"0612"}, EQFLevel: 6, Credits: []model.Credit{{System: model.CreditECTS, Value: 5}},
		Active: true, PublisherID: "P1", Homepage: "https://uni-a.test/lod",
		Instances: []model.Instance{{ID: f.active + ":offering:2026", SpecificationID: f.active, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
			Capacity: &cap20, ProviderIDs: []string{"P1"}, AcademicTerm: model.Text{"en": "Summer 2026"}}}}
	old := model.Specification{ID: f.inactive, Title: model.Text{"en": "Old course"}, Identifiers: []model.Identifier{{Scheme: "code", Value: "CS101"}},
		Active: true, PublisherID: "P1"}
	t0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	if _, err := st.ApplyCourses(ctx, srcs[0].ID, 0, []model.Specification{active, old}, true, t0, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyCourses(ctx, srcs[0].ID, 0, []model.Specification{active}, true, t0.Add(24*time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Store: st, Index: openTestIndex(t), BaseURL: resolverBase})
	if err != nil {
		t.Fatal(err)
	}
	f.srv, f.st = httptest.NewServer(srv.Handler()), st
	t.Cleanup(f.srv.Close)
	return f
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func fetchAs(t *testing.T, client *http.Client, u, accept string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp, buf.Bytes()
}

// expectedStatements is what the ELM writer produces for a stored course
// and its institution, with ql:isActive false when the course is inactive.
func expectedStatements(t *testing.T, st store.Store, id string) []rdf.Quad {
	t.Helper()
	ctx := context.Background()
	c, err := st.Course(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Provider(ctx, c.Spec.PublisherID)
	if err != nil {
		t.Fatal(err)
	}
	spec := c.Spec
	spec.Active = spec.Active && !c.Inactive
	return elm.Quads([]model.Specification{spec}, []model.Provider{p}, elm.WriteOptions{})
}

// parseBack reads a served representation with internal/rdf: Turtle and
// N-Triples with their parsers, JSON-LD with json-gold's toRDF and the
// offline loader, which resolves the context by its published URL.
func parseBack(t *testing.T, body []byte, rep representation, base string) []rdf.Quad {
	t.Helper()
	var qs []rdf.Quad
	collect := func(q rdf.Quad) error { qs = append(qs, canonicalLang(q)); return nil }
	if rep.RDF == rdf.FormatJSONLD {
		o := jsonld.Options{Loader: jsonld.PublishedLoader(base)}
		doc, err := jsonld.Decode(bytes.NewReader(body), o)
		if err != nil {
			t.Fatal(err)
		}
		if err := jsonld.ToRDF(doc, o, collect); err != nil {
			t.Fatalf("%s: %v", rep.Format, err)
		}
		return qs
	}
	if err := rdfio.Parse(bytes.NewReader(body), rep.RDF, rdf.Options{}, collect); err != nil {
		t.Fatalf("%s: %v\n%s", rep.Format, err, body)
	}
	return qs
}

// canonicalLang undoes json-gold's lower-casing of language tags.
func canonicalLang(q rdf.Quad) rdf.Quad {
	if q.O.Lang != "" {
		q.O.Lang = rdf.CanonicalLang(q.O.Lang)
	}
	return q
}

func canonicalLangs(qs []rdf.Quad) []rdf.Quad {
	out := make([]rdf.Quad, len(qs))
	for i, q := range qs {
		out[i] = canonicalLang(q)
	}
	return out
}

// TestResolverFormats: the canonical identifier answers in every form,
// by Accept and by the format parameter, on /id/course and /courses; each
// RDF form parses back to the statements the ELM writer produces.
func TestResolverFormats(t *testing.T) {
	f := newResolverFixture(t)
	want := canonicalLangs(expectedStatements(t, f.st, f.active))
	for _, path := range []string{resolverPath(f.active), courseURL(f.active)} {
		for _, rep := range representations {
			for _, byParam := range []bool{false, true} {
				u, accept := f.srv.URL+path, rep.MediaType
				if byParam {
					u, accept = u+"?format="+rep.Format, "text/html"
				}
				resp, body := fetchAs(t, http.DefaultClient, u, accept)
				label := path + " " + rep.Format
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != rep.MediaType+"; charset=utf-8" {
					t.Fatalf("%s: %d %s\n%s", label, resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
				if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept") {
					t.Errorf("%s: Vary = %v", label, resp.Header.Values("Vary"))
				}
				link := resp.Header.Get("Link")
				if strings.Count(link, `rel="alternate"`) != len(representations)-1 || strings.Contains(link, "format="+rep.Format+">") {
					t.Errorf("%s: Link = %s", label, link)
				}
				switch {
				case rep.isHTML():
					for _, alt := range []string{"?format=jsonld", "?format=ttl", "?format=nt", "?format=json"} {
						if !strings.Contains(string(body), `/id/course/`+url.PathEscape(f.active)+alt) {
							t.Errorf("%s: the page does not link %s", label, alt)
						}
					}
				case rep.RDF == rdf.FormatUnknown:
					var c apiCourse
					if err := json.Unmarshal(body, &c); err != nil || c.ID != f.active || c.Status != store.StatusActive {
						t.Errorf("%s: %+v, %v", label, c, err)
					}
				default:
					if got := parseBack(t, body, rep, resolverBase); !rdf.Isomorphic(got, want) {
						t.Errorf("%s: %d statements, not isomorphic to the writer's %d\n%s", label, len(got), len(want), body)
					}
				}
				if rep.RDF == rdf.FormatJSONLD && !bytes.Contains(body, []byte(`"@context": "`+resolverBase+jsonld.QLinkContextPath+`"`)) {
					t.Errorf("%s: the document does not name the published context:\n%.300s", label, body)
				}
			}
		}
	}
}

// TestResolverRedirects: another identifier of a course answers 303 to the
// canonical one and keeps the format; IRIs resolve however their slashes
// are written; a code two courses share lists both.
func TestResolverRedirects(t *testing.T) {
	f := newResolverFixture(t)
	canonical := resolverPath(f.active)
	for _, id := range []string{"0b1c-uuid", f.active + ":offering:2026"} {
		resp, _ := fetchAs(t, noRedirects, f.srv.URL+resolverPath(id)+"?format=ttl", "")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != canonical+"?format=ttl" {
			t.Errorf("%s: %d Location %q, want 303 to %s?format=ttl", id, resp.StatusCode, resp.Header.Get("Location"), canonical)
		}
	}
	// An ELM node's IRI, percent-encoded, ends at the course; so does one
	// written with its slashes as they are (the server first redirects to
	// the path with // cleaned to /).
	for _, path := range []string{resolverPath(f.sourceIRI), "/id/course/https://data.uni-a.test/los/LOD1"} {
		resp, body := fetchAs(t, http.DefaultClient, f.srv.URL+path, "text/turtle")
		if resp.StatusCode != 200 || resp.Request.URL.Path != "/id/course/"+f.active || !bytes.Contains(body, []byte(f.active)) {
			t.Errorf("%s: %d at %s\n%s", path, resp.StatusCode, resp.Request.URL, body)
		}
	}
	resp, body := fetchAs(t, http.DefaultClient, f.srv.URL+"/id/course/CS101", "application/json")
	var answer resolverAnswer
	if err := json.Unmarshal(body, &answer); err != nil || resp.StatusCode != http.StatusMultipleChoices || len(answer.Candidates) != 2 ||
		answer.Candidates[0] != resolverBase+canonical {
		t.Errorf("shared code: %d %+v %v", resp.StatusCode, answer, err)
	}
	resp, body = fetchAs(t, http.DefaultClient, f.srv.URL+"/id/course/CS101", "text/html")
	if resp.StatusCode != http.StatusMultipleChoices || !bytes.Contains(body, []byte(`href="`+canonical+`"`)) {
		t.Errorf("shared code, page: %d\n%s", resp.StatusCode, body)
	}
}

// TestResolverInactive: an inactive course resolves with its last known
// data and says it is no longer offered, in every form.
func TestResolverInactive(t *testing.T) {
	f := newResolverFixture(t)
	u := f.srv.URL + resolverPath(f.inactive)
	isActive := rdf.Quad{S: rdf.IRI(f.inactive), P: rdf.IRI(elm.QL + "isActive"), O: rdf.Literal("false", elm.XSD+"boolean")}
	for _, rep := range representations {
		resp, body := fetchAs(t, http.DefaultClient, u+"?format="+rep.Format, "")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", rep.Format, resp.StatusCode)
		}
		switch {
		case rep.isHTML():
			if !bytes.Contains(body, []byte("No longer offered since")) || !bytes.Contains(body, []byte("Old course")) {
				t.Errorf("page of an inactive course:\n%s", body)
			}
		case rep.RDF == rdf.FormatUnknown:
			var c apiCourse
			if err := json.Unmarshal(body, &c); err != nil || c.Status != store.StatusInactive || c.Title["en"] != "Old course" {
				t.Errorf("JSON of an inactive course: %+v, %v", c, err)
			}
		default:
			got := parseBack(t, body, rep, resolverBase)
			if !rdf.Isomorphic(got, canonicalLangs(expectedStatements(t, f.st, f.inactive))) || !containsQuad(got, isActive) {
				t.Errorf("%s of an inactive course lacks ql:isActive false or differs from the writer:\n%s", rep.Format, body)
			}
		}
	}
}

func containsQuad(qs []rdf.Quad, want rdf.Quad) bool {
	for _, q := range qs {
		if q == want {
			return true
		}
	}
	return false
}

// TestResolverRefusals: unknown identifiers answer 404 in the negotiated
// form, unknown forms 406 with the list on offer, hostile input a clear
// refusal.
func TestResolverRefusals(t *testing.T) {
	f := newResolverFixture(t)
	cases := []struct {
		path, accept string
		status       int
		contentType  string
		body         string
	}{
		{"/id/course/nope", "application/json", 404, "application/json; charset=utf-8", `{"error":"No course has this identifier."}`},
		{"/id/course/nope", "text/turtle", 404, "text/turtle; charset=utf-8", "# No course has this identifier.\n"},
		{"/id/course/nope?format=nt", "", 404, "application/n-triples; charset=utf-8", "# No course has this identifier.\n"},
		{"/id/course/nope", "", 404, "text/html; charset=utf-8", "No course has this identifier."},
		{"/courses/nope", "application/ld+json", 404, "application/ld+json; charset=utf-8", `{"error":"No course has this identifier."}`},
		{"/id/course/%0A%0D%3Cscript%3E", "text/turtle", 404, "text/turtle; charset=utf-8", "# No course has this identifier.\n"},
		{"/id/course/", "text/turtle", 404, "text/turtle; charset=utf-8", "# No course has this identifier.\n"},
		{"/id/course/x?format=pdf", "", 406, "text/plain; charset=utf-8", "application/n-triples (format=nt)"},
		{"/id/course/x", "application/pdf, image/*", 406, "text/plain; charset=utf-8", "text/turtle (format=ttl)"},
		{"/courses/x", "text/html;q=0, application/xml", 406, "text/plain; charset=utf-8", "text/html (format=html)"},
		{"/id/course/" + strings.Repeat("x", maxCourseIDBytes+1), "application/json", 414, "application/json; charset=utf-8", "the limit is 2,048 bytes"},
		{"/id/course/x", strings.Repeat("application/x-"+strings.Repeat("a", 40)+";q=0.5, ", 1000), 406, "text/plain; charset=utf-8", "format=html"},
	}
	for _, tc := range cases {
		resp, body := fetchAs(t, http.DefaultClient, f.srv.URL+tc.path, tc.accept)
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != tc.contentType || !bytes.Contains(body, []byte(tc.body)) {
			t.Errorf("%.60s (Accept %.40s): %d %s\n%.500s", tc.path, tc.accept, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept") {
			t.Errorf("%.60s: Vary = %v", tc.path, resp.Header.Values("Vary"))
		}
		if tc.contentType == "text/turtle; charset=utf-8" {
			if qs := parseBack(t, body, representation{Format: "ttl", RDF: rdf.FormatTurtle}, resolverBase); len(qs) != 0 {
				t.Errorf("%s: the 404 is not an empty graph: %v", tc.path, qs)
			}
		}
	}
}

// TestPublishedContext: the context is served at its stable URL as
// JSON-LD, cacheable, and is the document the loader resolves offline.
func TestPublishedContextIsServed(t *testing.T) {
	f := newResolverFixture(t)
	resp, body := fetchAs(t, http.DefaultClient, f.srv.URL+jsonld.QLinkContextPath, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/ld+json; charset=utf-8" ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "max-age=604800") || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	if !bytes.Equal(body, jsonld.QLinkContextJSON()) {
		t.Error("served context differs from jsonld.QLinkContextJSON")
	}
	req, _ := http.NewRequest("GET", f.srv.URL+jsonld.QLinkContextPath, nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	again, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", again.StatusCode)
	}
}

// TestAboutExplainsTheResolver: the about page says where identifiers
// resolve and which forms there are.
func TestAboutExplainsTheResolver(t *testing.T) {
	f := newResolverFixture(t)
	resp, body := fetchAs(t, http.DefaultClient, f.srv.URL+"/about", "")
	for _, want := range []string{"/id/course/{id}", jsonld.QLinkContextPath, "303 See Other", "?format=html, json, jsonld, ttl or nt"} {
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(want)) {
			t.Errorf("/about (%d) does not say %q", resp.StatusCode, want)
		}
	}
}
