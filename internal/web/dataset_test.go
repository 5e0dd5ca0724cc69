package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"qlink/internal/export"
	"qlink/internal/model"
	"qlink/internal/rdf"
	"qlink/internal/rdf/turtle"
	"qlink/internal/store"
)

// datasetFixture stores n courses of two institutions, generates the
// dataset and serves it.
type datasetFixture struct {
	st   store.Store
	dir  string
	srv  *Server
	http *httptest.Server
}

func newDatasetFixture(t *testing.T, n int) *datasetFixture {
	t.Helper()
	ctx := context.Background()
	st := openTestStore(t)
	must(t, st.UpsertProviders(ctx, []model.Provider{
		{ID: "P1", SCHAC: "uni-a.test", Name: model.Text{"en": "University A"}, Country: "NL"},
		{ID: "P2", SCHAC: "uni-b.test", Name: model.Text{"de": "Universität B"}, Country: "DE"},
	}))
	f := &datasetFixture{st: st, dir: t.TempDir()}
	f.apply(t, "P1", n, "v1")
	f.apply(t, "P2", 1, "v1")
	f.generate(t)
	srv, err := New(Options{Store: st, Index: openTestIndex(t), BaseURL: "https://catalogue.test", DatasetDir: f.dir,
		DatasetPublisher: "Catalogue Operator", Contact: "mailto:data@catalogue.test"})
	must(t, err)
	f.srv = srv
	f.http = httptest.NewServer(srv.Handler())
	t.Cleanup(f.http.Close)
	return f
}

func (f *datasetFixture) apply(t *testing.T, provider string, n int, version string) {
	t.Helper()
	ctx := context.Background()
	srcs, err := f.st.SyncManifest(ctx, store.Manifest{ProviderID: provider, URL: "x", FetchedAt: time.Now(), Body: []byte(provider)},
		[]store.Source{{Key: "k", Type: "ooapi", URL: "https://x/"}})
	must(t, err)
	var specs []model.Specification
	for i := range n {
		id := fmt.Sprintf("urn:schac:uniqueCourseId:%s.test:C%05d", provider, i)
		specs = append(specs, model.Specification{ID: id, Title: model.Text{"en": fmt.Sprintf("Course %d (%s)", i, version)},
			Description: model.Text{"en": fmt.Sprintf("Course %d of %s, %s, with some words to describe it.", i, provider, version)},
			Active:      true, PublisherID: provider, EQFLevel: 6, Languages: []string{"en"},
			Instances: []model.Instance{{ID: id + "-1", Start: time.Date(2099, 9, 1, 0, 0, 0, 0, time.UTC)}}})
	}
	_, err = f.st.ApplyCourses(ctx, srcs[0].ID, 0, specs, true, time.Now(), nil)
	must(t, err)
}

func (f *datasetFixture) generate(t *testing.T) []export.Manifest {
	t.Helper()
	ms, err := export.Generate(context.Background(), f.st, f.dir)
	must(t, err)
	return ms
}

func TestDatasetPage(t *testing.T) {
	f := newDatasetFixture(t, 3)
	resp, body := get(t, f.http.URL+"/dataset")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	m, err := export.ReadManifest(f.dir, "qlink-dataset.nq.gz")
	must(t, err)
	for _, want := range []string{
		`href="https://creativecommons.org/licenses/by-nc/4.0/" rel="license"`, "Data policy", "Withdrawal",
		"aggregated by Catalogue Operator (https://catalogue.test/dataset), CC BY-NC 4.0",
		`href="/dataset/qlink-dataset.nq.gz"`, `href="/dataset/qlink-dataset.offerings.csv.gz"`, m.SHA256,
		`href="/dataset/provider-P1.ttl.gz"`, "Universität B", "Netherlands", `href="/dataset/country-de.courses.csv.gz"`,
		`href="/dataset/dcat.ttl"`, "<code>ects</code>", "mailto:data@catalogue.test",
		`<a href="/dataset">Open data</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the dataset page lacks %s", want)
		}
	}
}

func TestDatasetPageBeforeTheFirstGeneration(t *testing.T) {
	srv, err := New(Options{Store: openTestStore(t), Index: openTestIndex(t), DatasetDir: t.TempDir()})
	must(t, err)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	resp, body := get(t, ts.URL+"/dataset")
	if resp.StatusCode != 200 || !strings.Contains(body, "being prepared") {
		t.Errorf("status %d: %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, ts.URL+"/dataset/qlink-dataset.nq.gz"); resp.StatusCode != 404 {
		t.Errorf("a file not generated yet: status %d", resp.StatusCode)
	}
}

func TestDatasetDownload(t *testing.T) {
	f := newDatasetFixture(t, 3)
	m, err := export.ReadManifest(f.dir, "qlink-dataset.nq.gz")
	must(t, err)
	resp, body := get(t, f.http.URL+"/dataset/qlink-dataset.nq.gz")
	sum := sha256.Sum256([]byte(body))
	if resp.StatusCode != 200 || hex.EncodeToString(sum[:]) != m.SHA256 {
		t.Fatalf("status %d, body of %d bytes with another checksum than the manifest's", resp.StatusCode, len(body))
	}
	h := resp.Header
	if h.Get("Content-Type") != "application/gzip" || h.Get("ETag") != `"`+m.SHA256+`"` || h.Get("Last-Modified") != m.Generated.Format(http.TimeFormat) ||
		!strings.Contains(h.Get("Content-Disposition"), "qlink-dataset.nq.gz") {
		t.Errorf("headers %v", h)
	}
	if resp, _ := get(t, f.http.URL+"/dataset/qlink-dataset.nq.gz", "If-None-Match", `"`+m.SHA256+`"`); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d", resp.StatusCode)
	}
	resp, part := get(t, f.http.URL+"/dataset/qlink-dataset.nq.gz", "Range", "bytes=10-19")
	if resp.StatusCode != http.StatusPartialContent || part != body[10:20] {
		t.Errorf("Range: status %d, %q", resp.StatusCode, part)
	}
	resp, parts := get(t, f.http.URL+"/dataset/qlink-dataset.nq.gz", "Range", "bytes=0-1,10-19")
	if resp.StatusCode != http.StatusPartialContent || !strings.Contains(parts, body[10:20]) {
		t.Errorf("two ranges: status %d", resp.StatusCode)
	}
	many := "bytes=0-0" + strings.Repeat(",0-0", 2000)
	if resp, whole := get(t, f.http.URL+"/dataset/qlink-dataset.nq.gz", "Range", many); resp.StatusCode != http.StatusOK || whole != body {
		t.Errorf("2,001 ranges: status %d and %d bytes, want the whole file (%d bytes)", resp.StatusCode, len(whole), len(body))
	}
	for _, bad := range []string{"index.json", "qlink-dataset.nq.gz.json", ".hidden.gz", "..%2Fdb", "nothing.gz"} {
		if resp, _ := get(t, f.http.URL+"/dataset/"+bad); resp.StatusCode != 404 {
			t.Errorf("/dataset/%s: status %d, want 404", bad, resp.StatusCode)
		}
	}
}

// triggerWriter runs fn at the first write of the body: the handler has
// the file open and has sent its first chunk.
type triggerWriter struct {
	*httptest.ResponseRecorder
	fn   func()
	done bool
}

func (w *triggerWriter) Write(p []byte) (int, error) {
	if !w.done {
		w.done = true
		w.fn()
	}
	return w.ResponseRecorder.Write(p)
}

// A regeneration that swaps the file during a download leaves the download
// whole: the old content, matching the ETag it was sent with.
func TestDownloadSurvivesRegeneration(t *testing.T) {
	f := newDatasetFixture(t, 600)
	old, err := export.ReadManifest(f.dir, "qlink-dataset.nq.gz")
	must(t, err)
	if old.Bytes <= 32<<10 {
		t.Fatalf("the dump is %d bytes: too small to be sent in several writes", old.Bytes)
	}
	w := &triggerWriter{ResponseRecorder: httptest.NewRecorder()}
	w.fn = func() {
		f.apply(t, "P1", 650, "v2")
		if m := f.generate(t); m[0].SHA256 == old.SHA256 {
			t.Error("the regeneration did not change the file")
		}
	}
	f.srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/dataset/qlink-dataset.nq.gz", nil))
	sum := sha256.Sum256(w.Body.Bytes())
	if got := hex.EncodeToString(sum[:]); got != old.SHA256 || w.Header().Get("ETag") != `"`+old.SHA256+`"` {
		t.Errorf("the download got %d bytes with sha256 %s and ETag %s, want the old file's %s", w.Body.Len(), got, w.Header().Get("ETag"), old.SHA256)
	}
	now, err := export.ReadManifest(f.dir, "qlink-dataset.nq.gz")
	must(t, err)
	if now.Records != 651 {
		t.Errorf("after the regeneration the dump holds %d courses", now.Records)
	}
}

func TestDCATEndpoints(t *testing.T) {
	f := newDatasetFixture(t, 2)
	resp, body := get(t, f.http.URL+"/dataset/dcat.ttl")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/turtle") {
		t.Fatalf("status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	g := rdf.NewGraph()
	must(t, turtle.Parse(strings.NewReader(body), rdf.Options{}, g.AddQuadFunc()))
	dist := rdf.IRI("https://catalogue.test/dataset/qlink-dataset.nq.gz")
	if !g.Has(rdf.Triple{S: dist, P: rdf.IRI("http://www.w3.org/ns/dcat#downloadURL"), O: dist}) {
		t.Error("the N-Quads dump is not described with its download URL")
	}
	resp, body = get(t, f.http.URL+"/dataset/dcat.jsonld")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/ld+json; charset=utf-8" || !strings.Contains(body, "dcat:Distribution") {
		t.Errorf("JSON-LD: status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
