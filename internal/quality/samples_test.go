package quality

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/sharedtest"
)

func loadShared(t *testing.T, elem ...string) *rdf.Graph {
	t.Helper()
	body := sharedtest.ReadFile(t, elem...)
	g, err := rdfio.LoadGraph(bytes.NewReader(body), rdf.FormatTurtle, rdf.Options{})
	if err != nil {
		t.Fatalf("%v: %v", elem, err)
	}
	return g
}

// findings lists a report's violations as "record | rule/component |
// node-or-value", sorted, so a test states every finding it expects and
// fails on any other.
func findings(rep Report) []string {
	var out []string
	for _, c := range rep.Records {
		for _, v := range c.Violations {
			where := v.Value
			if where == "" {
				where = v.Node
			}
			if strings.HasPrefix(where, "_:") {
				where = "_:" // blank node labels are the parser's choice
			}
			out = append(out, c.Record+" | "+v.Rule+"/"+v.Component+" | "+where)
		}
	}
	slices.Sort(out)
	return out
}

func TestMinimalSampleConforms(t *testing.T) {
	// Without vocab-stub.ttl: the EU concepts come from internal/vocab.
	rep := CheckGraph(loadShared(t, "samples", "elm", "minimal", "minimal-elm33.ttl"))
	if got := findings(rep); len(got) > 0 || !rep.Conforms() {
		t.Fatalf("minimal-elm33.ttl: want no findings, got %q", got)
	}
	if len(rep.Records) != 1 || rep.Records[0].Completeness.Score != 100 {
		t.Errorf("minimal-elm33.ttl: want one course scoring 100, got %+v", rep.Records)
	}
}

// The defects ../shared/samples/README.md lists for the QualityLink
// examples, and nothing else.
func TestQualityLinkSamples(t *testing.T) {
	const (
		loi   = "http://data.quality-link.eu/examples/learning-opportunity/4711/sose2025"
		si    = "urn:schac:courseId:uni-lj.si:123"
		cool  = "http://course.are.cool/123"
		undef = "http://data.quality-link.eu/examples/learning-opportunity/4711"
	)
	atDefects := []string{
		// No adms:identifier and no EQFLevel on either course.
		cool + " | course-eqf/minCount | " + cool,
		cool + " | course-identifier/minCount | " + cool,
		// foaf:homepage is a plain literal; the LOI points at an undefined LOS.
		loi + " | offering-course/class | " + undef,
		loi + " | offering-homepage/class | https://quality-link.eu/",
		si + " | course-eqf/minCount | " + si,
		si + " | course-identifier/minCount | " + si,
	}
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"AT0002.ttl", atDefects},
		{"notebook-20251030_112437.ttl", atDefects},
		// One learning outcome has no title. EQF 7, which the file leaves
		// untyped, is a concept from internal/vocab, so it is no defect.
		{"SI0001.ttl", []string{si + " | outcome-title/minCount | _:"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			rep := CheckGraph(loadShared(t, "samples", "elm", "quality-link", tc.file))
			if got := findings(rep); !slices.Equal(got, tc.want) {
				t.Errorf("findings:\n got  %q\n want %q", got, tc.want)
			}
			if rep.Conforms() {
				t.Error("report conforms; want violations")
			}
		})
	}
}
