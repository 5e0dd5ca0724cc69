package rdfxml

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/rdf"
	"qlink/internal/rdf/internal/rdftest"
	"qlink/internal/sharedtest"
)

const head = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">`

func TestParse(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string
	}{
		{"typed node nested without white space",
			head + `<rdf:Description rdf:about="http://x/s"><ex:p><ex:Thing rdf:about="http://x/t"/></ex:p></rdf:Description></rdf:RDF>`,
			[]string{
				`<http://x/t> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/Thing> .`,
				`<http://x/s> <http://example.org/p> <http://x/t> .`}},
		{"xml:lang and xml:base",
			head + `<ex:C rdf:about="s" xml:base="http://b/dir/" xml:lang="en-GB"><ex:p>hi</ex:p><ex:q xml:lang="">x</ex:q></ex:C></rdf:RDF>`,
			[]string{
				`<http://b/dir/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/C> .`,
				`<http://b/dir/s> <http://example.org/p> "hi"@en-GB .`,
				`<http://b/dir/s> <http://example.org/q> "x" .`}},
		{"internal entity in attribute",
			`<!DOCTYPE rdf:RDF [<!ENTITY ex "http://example.org/">]>` + head + `<rdf:Description rdf:about="&ex;s"><ex:p rdf:resource="&ex;o"/></rdf:Description></rdf:RDF>`,
			[]string{`<http://example.org/s> <http://example.org/p> <http://example.org/o> .`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			qs, err := rdftest.Collect(Parse, []byte(c.in), rdf.Options{Base: "http://base/doc"})
			if err != nil {
				t.Fatal(err)
			}
			if got := rdftest.Lines(qs); got != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", got, strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestHostile(t *testing.T) {
	laughs := `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>` + head + `<ex:C ex:p="&lol2;"/></rdf:RDF>`
	xxe := `<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + head + `<ex:C ex:p="&xxe;"/></rdf:RDF>`
	deep := head + `<ex:C>` + strings.Repeat(`<ex:p rdf:parseType="Resource">`, 300) + strings.Repeat(`</ex:p>`, 300) + `</ex:C></rdf:RDF>`
	big := head + `<ex:C><ex:p>` + strings.Repeat("x", 5000) + `</ex:p></ex:C></rdf:RDF>`
	many := head + strings.Repeat(`<ex:C/>`, 20) + `</rdf:RDF>`
	cases := []struct {
		name, in string
		lim      rdf.Limits
		limit    bool // want ErrLimit; otherwise any *rdf.ParseError
	}{
		{"billion laughs", laughs, rdf.Limits{}, false},
		{"external entity", xxe, rdf.Limits{}, false},
		{"undeclared entity", head + `<ex:C ex:p="&nope;"/></rdf:RDF>`, rdf.Limits{}, false},
		{"deep nesting", deep, rdf.Limits{}, true},
		{"big literal", big, rdf.Limits{MaxTermBytes: 1000}, true},
		{"statements", many, rdf.Limits{MaxStatements: 10}, true},
		{"non-UTF-8 encoding", `<?xml version="1.0" encoding="ISO-8859-1"?>` + head + `</rdf:RDF>`, rdf.Limits{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := rdftest.Collect(Parse, []byte(c.in), rdf.Options{Base: "http://base/", Limits: c.lim})
			var pe *rdf.ParseError
			if !errors.As(err, &pe) || c.limit != errors.Is(err, rdf.ErrLimit) {
				t.Errorf("got %v, want a ParseError (limit: %v)", err, c.limit)
			}
		})
	}
}

func TestErrorPosition(t *testing.T) {
	in := head + "\n<ex:C>\n  <ex:p>x</ex:q>\n</ex:C></rdf:RDF>"
	_, err := rdftest.Collect(Parse, []byte(in), rdf.Options{Base: "http://b/"})
	rdftest.WantParseError(t, err, 3, 16, "expected </ex:p>, found </ex:q>")
}

// TestDifferential parses every W3C RDF/XML file and the EC's ELM XML
// sample with both tokenizers: the fast one and encoding/xml must agree.
func TestDifferential(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(rdftest.SuiteDir("rdf-xml"), "*", "*.rdf"))
	files = append(files, filepath.Join(rdftest.SharedDir(), "samples", "elm", "ec-elm-v3", "qdr-loq-generated.xml"))
	n := 0
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		compareTokenizers(t, data, "http://base/"+filepath.Base(name))
		n++
	}
	if n < 2 {
		sharedtest.Absent(t, "found %d of the RDF/XML suite files and the ELM XML sample", n)
	}
}

func compareTokenizers(t *testing.T, data []byte, base string) {
	t.Helper()
	opts := rdf.Options{Base: base, Limits: rdftest.FuzzLimits}
	fast, errFast := rdftest.Collect(Parse, data, opts)
	std, errStd := rdftest.Collect(parseStd, data, opts)
	switch {
	case errFast == nil && errStd == nil:
		if !rdf.Isomorphic(fast, std) {
			t.Fatalf("%s: tokenizers disagree on the graph", base)
		}
	case errFast == nil && errStd != nil && !errors.Is(errStd, rdf.ErrLimit):
		t.Fatalf("%s: fast tokenizer accepted what encoding/xml rejects: %v", base, errStd)
	}
}

var roundTrip = rdftest.FuzzBody(Parse, rdf.Options{Base: "http://base/doc", Limits: rdftest.FuzzLimits})

func FuzzRDFXML(f *testing.F) {
	rdftest.SeedFromSuite(f, "rdf-xml", "*.rdf")
	f.Add([]byte(head + `<ex:C rdf:about="s" ex:a="1"><ex:p rdf:parseType="Literal"><b>x</b></ex:p></ex:C></rdf:RDF>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		compareTokenizers(t, data, "http://base/doc")
		roundTrip(t, data)
	})
}

// TestOddNodeIDs: NCNames such as "a." are valid rdf:nodeID values but
// not Turtle labels; the writers must still produce parseable output.
func TestOddNodeIDs(t *testing.T) {
	roundTrip(t, []byte(head+`<rdf:Description rdf:nodeID="a."><ex:p rdf:nodeID="z_1"/><ex:q rdf:nodeID="é-x"/></rdf:Description></rdf:RDF>`))
}
