package refresh

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"qlink/internal/fetch"
	"qlink/internal/vocab"
)

// fakeEndpoint answers SPARQL SELECTs for the FROM graph in the query with
// the given bindings, like the Publications Office endpoint does.
func fakeEndpoint(t *testing.T, bindings map[string][]map[string]any) *httptest.Server {
	from := regexp.MustCompile(`FROM <([^>]+)>`)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "application/sparql-results+json" {
			http.Error(w, "bad accept", http.StatusNotAcceptable)
			return
		}
		m := from.FindStringSubmatch(r.URL.Query().Get("query"))
		if m == nil {
			http.Error(w, "no FROM", 400)
			return
		}
		w.Header().Set("Content-Type", "application/sparql-results+json")
		json.NewEncoder(w).Encode(map[string]any{"head": map[string]any{"vars": []string{"c", "l"}},
			"results": map[string]any{"bindings": bindings[m[1]]}})
	}))
}

// viaFetch is the Getter cmd/qlink makes of its fetcher.
func viaFetch(c *fetch.Client) Getter {
	return func(ctx context.Context, rawURL, accept string) ([]byte, error) {
		resp, err := c.Get(ctx, fetch.Request{URL: rawURL, Header: http.Header{"Accept": {accept}}})
		if err != nil {
			return nil, err
		}
		return resp.Body, nil
	}
}

func binding(c, lang, label string) map[string]any {
	l := map[string]any{"type": "literal", "value": label}
	if lang != "" {
		l["xml:lang"] = lang
	}
	return map[string]any{"c": map[string]any{"type": "uri", "value": c}, "l": l}
}

func TestRunAgainstAFakeEndpoint(t *testing.T) {
	all := map[string][]map[string]any{}
	for _, s := range vocab.Schemes {
		first := s.Scheme.All()[0]
		all[s.SchemeIRI] = []map[string]any{
			binding(first.URI, "de", "Deutsch "+first.Code), binding(first.URI, "fr", "Français "+first.Code),
			binding("http://evil.test/x", "de", "not ours"), binding(first.URI, "", "no language"),
			binding(first.URI, "de", strings.Repeat("x", 400)),
		}
	}
	srv := fakeEndpoint(t, all)
	defer srv.Close()
	client := viaFetch(fetch.New(fetch.Options{Timeout: 2 * time.Second, AllowPrivate: true}))
	res, err := Run(context.Background(), client, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts["isced-f"] != 2 || res.Ignored != 3*len(vocab.Schemes) {
		t.Errorf("counts %v ignored %d", res.Counts, res.Ignored)
	}
	course, _ := vocab.LearningOpportunityTypes.Lookup("course")
	if got := res.Labels.Label(course, "fr"); got != "Français 05053c1cbe" {
		t.Errorf("overlay label: %q", got)
	}
	if got := res.Labels.Label(course, "sv"); got != "Course" {
		t.Errorf("fallback to the snapshot's English: %q", got)
	}
	path := filepath.Join(t.TempDir(), "labels.json")
	if err := res.Labels.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := vocab.LoadLabels(path)
	if err != nil || back.Count() != res.Labels.Count() {
		t.Fatalf("round trip: %v %d", err, back.Count())
	}
}

func TestRunFailsWhole(t *testing.T) {
	srv := fakeEndpoint(t, map[string][]map[string]any{}) // every scheme empty
	defer srv.Close()
	client := viaFetch(fetch.New(fetch.Options{Timeout: 2 * time.Second, AllowPrivate: true}))
	if _, err := Run(context.Background(), client, srv.URL); err == nil || !strings.Contains(err.Error(), "no labels") {
		t.Fatalf("got %v", err)
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	if _, err := Run(context.Background(), client, down.URL); fetch.KindOf(err) != fetch.KindStatus {
		t.Fatalf("got %v", err)
	}
}
