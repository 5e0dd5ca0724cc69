package elm

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"qlink/internal/model"
	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
)

// FuzzRead maps arbitrary Turtle: Read never panics, every specification
// has a distinct ID, every instance points at its specification, and
// qlink's own output for the result reads back to as many specifications.
// Seeds are the ELM samples (when present) and the sloppy documents of
// TestReadSloppy.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"minimal/minimal-elm33.ttl", "quality-link/AT0002.ttl", "quality-link/SI0001.ttl",
		"quality-link/alliance.ttl", "ec-elm-v3/credential-sample-turtle.ttl"} {
		if data, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "shared", "samples", "elm", name)); err == nil {
			f.Add(data)
		}
	}
	for _, doc := range []string{
		`<https://uni.test/c/1> a ql:LearningOpportunitySpecification ; dcterms:title "A"@en ; elm:learningOpportunity [ elm:mode mode:x ] .`,
		`[ a elm32:LearningAchievementSpecification ; adms:identifier [ skos:notation "" ] ; elm32:hasPart [ a ql:LearningOpportunitySpecificationReference ] ] .`,
		`<https://uni.test/o/1> a ql:LearningOpportunityInstance ; elm:learningAchievementSpecification <https://uni.test/o/1> .`,
	} {
		f.Add([]byte(turtlePrefixes + doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := rdfio.LoadGraph(bytes.NewReader(data), rdf.FormatTurtle,
			rdf.Options{Base: "https://fuzz.test/", Limits: rdf.Limits{MaxStatements: 10_000, MaxDepth: 32}})
		if err != nil {
			return
		}
		res := Read(g, ReadOptions{Provider: testProvider})
		ids := map[string]bool{}
		for _, s := range res.Specs {
			if s.ID == "" || ids[s.ID] {
				t.Fatalf("empty or repeated specification ID %q", s.ID)
			}
			ids[s.ID] = true
			for _, in := range s.Instances {
				if in.SpecificationID != s.ID {
					t.Fatalf("instance %s of %s points at %s", in.ID, s.ID, in.SpecificationID)
				}
			}
		}
		var buf bytes.Buffer
		if err := Write(&buf, rdf.FormatNQuads, res.Specs, []model.Provider{testProvider}); err != nil {
			t.Fatal(err)
		}
		back, err := rdfio.LoadGraph(&buf, rdf.FormatNQuads, rdf.Options{})
		if err != nil {
			t.Fatalf("own output does not parse: %v", err)
		}
		if n := len(Read(back, ReadOptions{Provider: testProvider}).Specs); n != len(res.Specs) {
			t.Fatalf("%d specifications written, %d read back", len(res.Specs), n)
		}
	})
}
