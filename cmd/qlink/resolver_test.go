package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"

	"qlink/internal/model"
	"qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/rdf/jsonld"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/store"
	"qlink/internal/testfed"
)

// TestResolverServesEachSourceFormat: for a course harvested from each
// source format of the demo federation, every RDF form the resolver
// negotiates parses back (Turtle and N-Triples with their parsers, JSON-LD
// with json-gold and the offline loader) to the statements the ELM writer
// produces for the stored course; and an identifier the source gave the
// course answers 303 to its canonical ID.
func TestResolverServesEachSourceFormat(t *testing.T) {
	d := startDemo(t)
	ctx := context.Background()
	srcs, err := d.app.store.ListSources(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}
	for _, src := range srcs {
		if done[src.Type] {
			continue
		}
		ids, err := d.app.store.CourseIDs(ctx, src.ID, store.StatusActive)
		if err != nil || len(ids) == 0 {
			continue
		}
		done[src.Type] = true
		t.Run(src.Type, func(t *testing.T) { checkResolvedCourse(t, d, ids[0]) })
	}
	for _, f := range []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM} {
		if !done[f] {
			t.Errorf("no course of a %s source to resolve", f)
		}
	}
}

func checkResolvedCourse(t *testing.T, d *demo, id string) {
	ctx := context.Background()
	c, err := d.app.store.Course(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := canonicalLangs(writerStatements(t, d.app.store, c))
	base := d.app.cfg.PublicURL()
	for _, f := range []struct {
		accept string
		format rdf.Format
	}{{"text/turtle", rdf.FormatTurtle}, {"application/n-triples", rdf.FormatNTriples}, {"application/ld+json", rdf.FormatJSONLD}} {
		body := getBody(t, d.srv.URL+"/id/course/"+url.PathEscape(id), f.accept)
		var got []rdf.Quad
		collect := func(q rdf.Quad) error { got = append(got, q); return nil }
		if f.format == rdf.FormatJSONLD {
			o := jsonld.Options{Loader: jsonld.PublishedLoader(base)}
			doc, err := jsonld.Decode(bytes.NewReader(body), o)
			if err == nil {
				err = jsonld.ToRDF(doc, o, collect)
			}
			if err != nil {
				t.Fatalf("%s: %v", f.accept, err)
			}
		} else if err := rdfio.Parse(bytes.NewReader(body), f.format, rdf.Options{}, collect); err != nil {
			t.Fatalf("%s: %v", f.accept, err)
		}
		if !rdf.Isomorphic(canonicalLangs(got), want) {
			t.Errorf("%s of %s: %d statements, not isomorphic to the writer's %d\n%s", f.accept, id, len(got), len(want), body)
		}
	}
	// A source identifier only this course carries redirects to it.
	for _, other := range c.Spec.Identifiers {
		if ids, err := d.app.store.CoursesByIdentifier(ctx, other.Value, 2); err != nil || len(ids) != 1 {
			continue
		}
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(d.srv.URL + "/id/course/" + url.PathEscape(other.Value) + "?format=nt")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := "/id/course/" + url.PathEscape(id) + "?format=nt"; resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("%s identifier %q: %d to %q, want 303 to %s", other.Scheme, other.Value, resp.StatusCode, resp.Header.Get("Location"), want)
		}
		return
	}
	t.Errorf("%s has no identifier of its own besides its ID: %+v", id, c.Spec.Identifiers)
}

// writerStatements is what the ELM writer produces for a stored course and
// the institutions it names.
func writerStatements(t *testing.T, st store.Store, c store.Course) []rdf.Quad {
	t.Helper()
	var providers []model.Provider
	names := []string{c.Spec.PublisherID}
	for _, in := range c.Spec.Instances {
		names = append(names, in.ProviderIDs...)
	}
	seen := map[string]bool{}
	for _, id := range names {
		if p, err := st.Provider(context.Background(), id); err == nil && !seen[id] {
			seen[id] = true
			providers = append(providers, p)
		}
	}
	spec := c.Spec
	spec.Active = spec.Active && !c.Inactive
	return elm.Quads([]model.Specification{spec}, providers, elm.WriteOptions{})
}

// canonicalLangs undoes json-gold's lower-casing of language tags.
func canonicalLangs(qs []rdf.Quad) []rdf.Quad {
	out := make([]rdf.Quad, len(qs))
	for i, q := range qs {
		if q.O.Lang != "" {
			q.O.Lang = rdf.CanonicalLang(q.O.Lang)
		}
		out[i] = q
	}
	return out
}

func getBody(t *testing.T, u, accept string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != accept+"; charset=utf-8" {
		t.Fatalf("GET %s (%s): %d %s\n%s", u, accept, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	return body
}
