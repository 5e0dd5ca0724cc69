package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"qlink/internal/store"
	"qlink/internal/web"
)

// TestQualityCommand harvests an OOAPI source with an untitled course
// twice, then prints the provider's report from the database, as text
// and as JSON.
func TestQualityCommand(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/courses"):
			fmt.Fprint(w, `{"pageNumber":1,"hasNextPage":false,"items":[{"courseId":"c1","name":[{"language":"en","value":"One"}]},
				{"courseId":"c2"}]}`)
		case strings.HasSuffix(r.URL.Path, "/offerings"):
			fmt.Fprint(w, `{"pageNumber":1,"hasNextPage":false,"items":[]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	cfg, a, src := appWithOOAPISource(t, srv.URL)
	for range 2 {
		// The second run finds the source unchanged: not-modified, with
		// the first run's quality carried on.
		if r, err := a.harvester.Source(ctx, src, "test"); err != nil || (r.Status != store.RunOK && r.Status != store.RunNotModified) {
			t.Fatalf("harvest: %+v, %v", r, err)
		}
	}
	a.Close()

	out, err := run(t, "", "quality", "P1", "--data-dir", cfg.DataDir)
	if err != nil {
		t.Fatalf("quality: %v\n%s", err, out)
	}
	for _, want := range []string{"Data quality of P1 (Uni)", "2 records", "The course has no title. [course-title, violation]",
		"ooapi: name", "1 record, e.g.", "Trend (newest first):"} {
		if !strings.Contains(out, want) {
			t.Errorf("quality output lacks %q:\n%s", want, out)
		}
	}
	out, err = run(t, "", "quality", "P1", "--json", "--data-dir", cfg.DataDir)
	if err != nil {
		t.Fatalf("quality --json: %v\n%s", err, out)
	}
	var rep web.ProviderQuality
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("quality --json: %v\n%s", err, out)
	}
	if rep.Summary.Records != 2 || len(rep.Trend) != 2 || len(rep.Sources) != 1 {
		t.Errorf("quality --json: %+v", rep)
	}
	if _, err := run(t, "", "quality", "nobody", "--data-dir", cfg.DataDir); err == nil ||
		!strings.Contains(err.Error(), `no provider with id "nobody"`) {
		t.Errorf("unknown provider: %v", err)
	}
}
