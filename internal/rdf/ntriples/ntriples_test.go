package ntriples_test

import (
	"errors"
	"strings"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/rdf/internal/rdftest"
	"qlink/internal/rdf/ntriples"
)

func TestParse(t *testing.T) {
	in := "# comment\n<http://x/s> <http://x/p> \"v\\u00E9\"@fr-CA . # trailing\n" +
		"_:b1 <http://x/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> <http://x/g> .\r\n"
	qs, err := rdftest.Collect(ntriples.ParseQuads, []byte(in), rdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []rdf.Quad{
		{S: rdf.IRI("http://x/s"), P: rdf.IRI("http://x/p"), O: rdf.LangLiteral("vé", "fr-CA")},
		{S: rdf.Blank("b1"), P: rdf.IRI("http://x/p"), O: rdf.Literal("1", rdf.XSDInteger), G: rdf.IRI("http://x/g")},
	}
	if len(qs) != 2 || qs[0] != want[0] || qs[1] != want[1] {
		t.Errorf("got %v", qs)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name      string
		p         rdftest.Parser
		in        string
		line, col int
		msg       string
	}{
		{"graph in N-Triples", ntriples.Parse, "<http://x/s> <http://x/p> <http://x/o> <http://x/g> .", 1, 40, "expected '.'"},
		{"relative IRI", ntriples.Parse, "<s> <http://x/p> <http://x/o> .", 1, 4, "relative IRI"},
		{"two statements on a line", ntriples.Parse, "<http://x/s> <http://x/p> <http://x/o> . <http://x/s> <http://x/p> <http://x/o> .", 1, 42, "end of line"},
		{"literal subject", ntriples.ParseQuads, "\n\"a\" <http://x/p> <http://x/o> .", 2, 1, "expected subject"},
		{"bad language tag", ntriples.Parse, "<http://x/s> <http://x/p> \"a\"@ .", 1, 31, "language tag"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := rdftest.Collect(c.p, []byte(c.in), rdf.Options{})
			rdftest.WantParseError(t, err, c.line, c.col, c.msg)
		})
	}
}

func TestLimits(t *testing.T) {
	long := `<http://x/s> <http://x/p> "` + strings.Repeat("x", 5000) + `" .`
	if _, err := rdftest.Collect(ntriples.Parse, []byte(long), rdf.Options{Limits: rdf.Limits{MaxTermBytes: 1000}}); !errors.Is(err, rdf.ErrLimit) {
		t.Errorf("term size: want ErrLimit, got %v", err)
	}
	many := strings.Repeat("<http://x/s> <http://x/p> <http://x/o> .\n", 6)
	if _, err := rdftest.Collect(ntriples.Parse, []byte(many), rdf.Options{Limits: rdf.Limits{MaxStatements: 5}}); !errors.Is(err, rdf.ErrLimit) {
		t.Errorf("statements: want ErrLimit, got %v", err)
	}
}

func FuzzNTriples(f *testing.F) {
	rdftest.SeedFromSuite(f, "rdf-n-triples", "*.nt")
	f.Add([]byte("<http://x/s> <http://x/p> \"o\"@en .\n_:b <http://x/p> _:c .\n"))
	f.Fuzz(rdftest.FuzzBody(ntriples.Parse, rdf.Options{Limits: rdftest.FuzzLimits}))
}

func FuzzNQuads(f *testing.F) {
	rdftest.SeedFromSuite(f, "rdf-n-quads", "*.nq")
	f.Add([]byte("<http://x/s> <http://x/p> \"o\"^^<http://x/d> <http://x/g> .\n"))
	f.Fuzz(rdftest.FuzzBody(ntriples.ParseQuads, rdf.Options{Limits: rdftest.FuzzLimits}))
}
