// Command gen writes a synthetic ELM-like dataset for the RDF parser
// benchmark, in three serialisations of the same graph: Turtle (prefixes,
// nested blank nodes, multilingual literals), N-Triples and RDF/XML (typed
// nodes nested in property elements, xml:lang, rdf:parseType="Resource"),
// plus the same triples as N-Quads, one named graph per hundred courses.
//
//	go run ./bench/rdf/gen -out bench/out -courses 20000
//
// Each course is a ql:LearningOpportunitySpecification with an identifier,
// titles and descriptions in several languages, learning outcomes, credit
// points, ISCED-F/EQF/language concepts, and one ql:LearningOpportunityInstance
// with a period of time: about 50 triples and 5 KB of Turtle per course.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	out := flag.String("out", "bench/out", "output directory")
	courses := flag.Int("courses", 20000, "number of courses")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	ds := build(*courses)
	for _, w := range []struct {
		name  string
		write func(*bufio.Writer, []course)
	}{
		{"elm.ttl", writeTurtle},
		{"elm.nt", writeNTriples},
		{"elm.nq", writeNQuads},
		{"elm.rdf", writeRDFXML},
	} {
		path := filepath.Join(*out, w.name)
		if err := writeFile(path, ds, w.write); err != nil {
			log.Fatal(err)
		}
		fi, _ := os.Stat(path)
		fmt.Printf("%s\t%.1f MB\n", path, float64(fi.Size())/1e6)
	}
	fmt.Printf("triples\t%d\n", countTriples(ds))
}

func writeFile(path string, ds []course, write func(*bufio.Writer, []course)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	write(w, ds)
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

var langs = []string{"en", "de", "fr", "nl", "sl", "pt-PT", "en-GB"}

var words = strings.Fields(`data learning model course module theory practice
analysis design systems society history language culture engineering methods
research project applied advanced introduction european digital sustainable
health economics law management mathematics physics biology chemistry art
ethics policy networks security software statistics communication teamwork
Ökonomie Gesellschaft société durabilité écologie Vermögen études wiskunde
onderzoek računalništvo podatki ciência educação ‘quoted’ “typographic”`)

type text struct{ lang, value string }

type course struct {
	id          int
	titles      []text
	descs       []text
	outcomes    [][]text // per outcome, titles
	isced, eqf  string
	language    string
	credits     string
	modified    string
	start, end  string
	provider    int
	onlineModes bool
}

func sentence(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = words[r.IntN(len(words))]
	}
	return strings.Join(ws, " ")
}

func build(n int) []course {
	r := rand.New(rand.NewPCG(42, 7))
	iscd := []string{"0611", "0612", "0613", "0231", "0311", "0413", "0521", "0712", "0912", "1014"}
	lng := []string{"ENG", "DEU", "FRA", "NLD", "SLV", "POR"}
	ds := make([]course, n)
	for i := range ds {
		c := course{id: i, isced: iscd[r.IntN(len(iscd))], eqf: fmt.Sprint(5 + r.IntN(4)),
			language: lng[r.IntN(len(lng))], credits: fmt.Sprint(3 + r.IntN(28)),
			modified: fmt.Sprintf("2026-%02d-%02dT10:00:00Z", 1+r.IntN(12), 1+r.IntN(28)),
			start:    fmt.Sprintf("2026-%02d-01", 1+r.IntN(12)), end: fmt.Sprintf("2027-%02d-28", 1+r.IntN(12)),
			provider: r.IntN(200), onlineModes: r.IntN(2) == 0}
		for _, l := range langs[:2+r.IntN(4)] {
			c.titles = append(c.titles, text{l, sentence(r, 3+r.IntN(5))})
			c.descs = append(c.descs, text{l, sentence(r, 32+r.IntN(32)) + ".\n" + sentence(r, 16+r.IntN(16)) + ` "quoted" part.`})
		}
		for range 4 + r.IntN(4) {
			var o []text
			for _, l := range langs[:1+r.IntN(3)] {
				o = append(o, text{l, "The learner can " + sentence(r, 6+r.IntN(10))})
			}
			c.outcomes = append(c.outcomes, o)
		}
		ds[i] = c
	}
	return ds
}
