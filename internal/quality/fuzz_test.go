package quality

import (
	"strings"
	"testing"

	modelelm "qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
)

// FuzzCheckGraph: whatever a provider's file parses to, checking it ends
// without panicking and every finding belongs to a record with a rule.
func FuzzCheckGraph(f *testing.F) {
	f.Add(course(modelelm.NS, "http://data.europa.eu/snb/eqf/6", ""))
	f.Add(course(modelelm.NS32, "http://data.europa.eu/snb/eqf/9", "; foaf:homepage \"x\""))
	f.Add(fixturePrefixes + "@prefix elm: <" + modelelm.NS + "> .\n_:a a elm:LearningOutcome ; elm:x _:b . _:b elm:y _:a .")
	f.Fuzz(func(t *testing.T, ttl string) {
		g, err := rdfio.LoadGraph(strings.NewReader(ttl), rdf.FormatTurtle,
			rdf.Options{Limits: rdf.Limits{MaxStatements: 2000, MaxDepth: 16, MaxTermBytes: 4096}})
		if err != nil {
			return
		}
		for _, c := range CheckGraph(g).Records {
			for _, v := range c.Violations {
				if c.Record == "" && c.Kind != KindOther || v.Rule == "" || v.Explanation == "" {
					t.Fatalf("finding without a record or rule: %+v in %+v", v, c)
				}
			}
		}
	})
}
