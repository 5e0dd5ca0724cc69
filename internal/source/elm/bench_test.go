package elm

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"qlink/internal/model"
	modelelm "qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/source"
	"qlink/internal/testfed"
)

// BenchmarkConvert measures ELM → model through the adapter (format
// choice, parse into a graph, namespace normalisation, mapping) on the
// ELM that testfed renders for eight institutions, per syntax, and on
// qlink's own Turtle output of the same specifications. Per core:
//
//	go test -run '^$' -bench Convert -cpu 1 ./internal/source/elm
func BenchmarkConvert(b *testing.B) {
	insts := testfed.Generate(testfed.Options{Institutions: 8, Now: time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)})
	for _, format := range []string{"turtle", "rdfxml", "jsonld", "qlink-turtle"} {
		b.Run(format, func(b *testing.B) {
			type doc struct {
				body []byte
				cfg  source.Config
			}
			var docs []doc
			courses := 0
			for _, in := range insts {
				p := model.Provider{ID: in.DEQARID, SCHAC: in.SCHAC}
				for _, src := range in.Sources {
					renderAs := format
					if format == "qlink-turtle" {
						renderAs = "turtle"
					}
					body, ct := testfed.RenderELM(in, src, renderAs)
					cfg := source.Config{URL: "https://" + in.SCHAC + "/elm", ContentType: ct, Provider: p}
					if format == "qlink-turtle" {
						body, cfg.ContentType = ownTurtle(b, body, cfg), "text/turtle"
					}
					docs = append(docs, doc{body, cfg})
					courses += len(src.Courses) + len(src.Programs)
				}
			}
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for b.Loop() {
				c := &collect{}
				for _, d := range docs {
					if err := (Adapter{}).Convert(d.body, d.cfg, c); err != nil {
						b.Fatal(err)
					}
				}
				if len(c.specs) != courses {
					b.Fatalf("%d specifications, want %d", len(c.specs), courses)
				}
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			n := float64(courses) * float64(b.N)
			b.ReportMetric(n/b.Elapsed().Seconds(), "courses/s")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/course")
			var size int
			for _, d := range docs {
				size += len(d.body)
			}
			b.ReportMetric(float64(size)/float64(courses), "bytes-in/course")
		})
	}
}

// ownTurtle re-renders a testfed document through the model as qlink's
// own ELM 3.3 Turtle.
func ownTurtle(b *testing.B, body []byte, cfg source.Config) []byte {
	sink := &collect{}
	if err := (Adapter{}).Convert(body, cfg, sink); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := modelelm.Write(&buf, rdf.FormatTurtle, sink.specs, []model.Provider{cfg.Provider}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
