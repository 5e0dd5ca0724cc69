package occapi

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"qlink/internal/model"
	"qlink/internal/sharedtest"
	"qlink/internal/source"
	"qlink/internal/vocab"
)

// specExamples returns the example response of each GET path of the
// OCCAPI v2 OpenAPI document, by path template.
func specExamples(t *testing.T) map[string]any {
	t.Helper()
	raw := sharedtest.ReadFile(t, "samples", "occapi", "openapi", "occapi-v2.0.0-beta-bundled.yaml")
	var doc struct {
		Paths map[string]struct {
			Get struct {
				Responses map[string]struct {
					Content map[string]struct {
						Example any `yaml:"example"`
					} `yaml:"content"`
				} `yaml:"responses"`
			} `yaml:"get"`
		} `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for p, item := range doc.Paths {
		if ex := item.Get.Responses["200"].Content["application/vnd.api+json"].Example; ex != nil {
			out[p] = ex
		}
	}
	return out
}

// TestSpecificationExamples harvests a server that answers with the
// examples of the OCCAPI v2 specification (host example.com, institution
// domain.tld).
func TestSpecificationExamples(t *testing.T) {
	ex := specExamples(t)
	const base = "/occapi/v2/hei/domain.tld"
	srv := docs{
		base:                ex["/hei/{heiId}"],
		base + "/programme": ex["/hei/{heiId}/programme"],
		base + "/course":    ex["/hei/{heiId}/course"],
		base + "/ounit":     ex["/hei/{heiId}/ounit"],
		base + "/course/aabbccdd-eeff-1122-3344-556677889900/instance": ex["/hei/{heiId}/course/{id}/instance"],
	}
	for p, v := range srv {
		if v == nil {
			t.Fatalf("no example for %s", p)
		}
	}
	cfg := source.Config{URL: "http://example.com" + base, Version: "2", MaxPages: 10, Now: now,
		Provider: model.Provider{ID: "DEQARINST0001", SCHAC: "domain.tld"}}
	out, _, err := harvest(t, srv, cfg)
	if err != nil {
		t.Fatalf("Harvest: %v\n%s", err, out.WarningList())
	}
	if len(out.Specs) != 2 {
		t.Fatalf("%d specs\n%s", len(out.Specs), out.WarningList())
	}
	c, p := out.ByID("urn:schac:uniqueCourseId:domain.tld:COUR01"), out.ByID("urn:schac:uniqueCourseId:domain.tld:PROG01")
	if c == nil || p == nil {
		t.Fatalf("specs: %+v", out.Specs)
	}
	if c.Title["en"] != "Example Course" || !strings.HasPrefix(c.LearningOutcomes[0]["en"], "These are the learning outcomes") ||
		len(c.LearningOutcomes) != 1 || c.Homepage != "https://www.domain.tld/example/course" || !slices.Equal(c.PartOf, []string{p.ID}) ||
		!slices.Equal(c.Languages, []string{"en"}) || c.Type != vocab.LearningOpportunityTypes.URI("course") {
		t.Errorf("course: %+v", c)
	}
	if e, _ := c.ECTS(); e != 7.5 || len(c.Instances) != 1 {
		t.Errorf("course credits/instances: %v %+v", e, c.Instances)
	}
	in := c.Instances[0]
	if !slices.Equal(in.Modes, []string{vocab.Modes.URI("blended")}) || in.Start.Format("2006-01-02") != "2025-02-01" || in.DefaultLanguage != "en" {
		t.Errorf("instance: %+v", in)
	}
	if p.EQFLevel != 5 || p.Type != vocab.LearningOpportunityTypes.URI("short-programme") || !slices.Equal(p.HasPart, []string{c.ID}) || !p.Active {
		t.Errorf("programme: %+v", p)
	}
	// The examples' own placeholder ISCED code is not a real one.
	if !out.Warned("COUR01", "iscedCode", `"0000"`) || !out.Warned("PROG01", "iscedCode", `"0000"`) {
		t.Errorf("warnings:\n%s", out.WarningList())
	}
}

// TestVersion1DemoData harvests the OCCAPI v1 demo server's data tree.
func TestVersion1DemoData(t *testing.T) {
	dir := sharedtest.Require(t, "samples", "occapi", "v1-demo-data")
	// The tree mirrors the API's paths: …/occapi/v1/<path> is <path>/index.json.
	srv := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rel := strings.TrimPrefix(r.URL.Path, "/occapi/v1")
		body, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel), "index.json"))
		if err != nil || strings.Contains(rel, "..") {
			body, _ = os.ReadFile(filepath.Join(dir, "404", "resource.json"))
			w.WriteHeader(http.StatusNotFound)
		}
		w.Header().Set("Content-Type", "application/vnd.api+json")
		w.Write(body)
	})
	cfg := source.Config{URL: "https://occapi.uni-foundation.eu/occapi/v1/hei/domain.tld", Version: "1", MaxPages: 10, Now: now,
		Provider: model.Provider{ID: "DEQARINST0001", SCHAC: "domain.tld"}}
	out, get, err := harvest(t, srv, cfg)
	if err != nil {
		t.Fatalf("Harvest: %v\n%s", err, out.WarningList())
	}
	c, p := out.ByID("urn:schac:uniqueCourseId:domain.tld:COUR01"), out.ByID("urn:schac:uniqueCourseId:domain.tld:PROG01")
	if len(out.Specs) != 2 || c == nil || p == nil {
		t.Fatalf("specs: %+v\n%s", out.Specs, out.WarningList())
	}
	// v1: scalar language, EQF level in meta.global, programmes in meta.programme.
	if !slices.Equal(c.Languages, []string{"en"}) || c.EQFLevel != 6 || !slices.Equal(c.PartOf, []string{p.ID}) || p.EQFLevel != 5 {
		t.Errorf("course %+v\nprogramme %+v", c, p)
	}
	if e, _ := p.ECTS(); e != 120 {
		t.Errorf("programme ECTS %v", e)
	}
	for _, u := range get.Requested() {
		if strings.Contains(u, "instance") {
			t.Errorf("asked v1 for instances: %s", u)
		}
	}
	if !out.Warned("PROG01", "iscedCode", `"0"`) {
		t.Errorf("warnings:\n%s", out.WarningList())
	}
	raw, _ := json.Marshal(c)
	t.Logf("v1 course: %s", raw)
}
