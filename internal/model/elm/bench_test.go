package elm_test

import (
	"io"
	"runtime"
	"testing"
	"time"

	"qlink/internal/model"
	modelelm "qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/source"
	"qlink/internal/source/elm"
	"qlink/internal/testfed"
)

type specSink struct{ specs []model.Specification }

func (s *specSink) Spec(x model.Specification) { s.specs = append(s.specs, x) }
func (s *specSink) Warn(source.Warning)        {}

// benchSpecs are realistic specifications: the courses and programmes of
// eight generated institutions (one or two languages each, three to six
// learning outcomes, one to three offerings), read through the ELM adapter.
func benchSpecs(b *testing.B) ([]model.Specification, []model.Provider) {
	b.Helper()
	var specs []model.Specification
	var providers []model.Provider
	for _, in := range testfed.Generate(testfed.Options{Institutions: 8, Now: time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)}) {
		p := model.Provider{ID: in.DEQARID, DEQAR: in.DEQARID, SCHAC: in.SCHAC, ETER: in.ETERID, Country: in.Country.Alpha2,
			Name: model.Text{in.HomeLanguage: in.Name}, Website: in.Website}
		providers = append(providers, p)
		for _, src := range in.Sources {
			body, ct := testfed.RenderELM(in, src, "turtle")
			sink := &specSink{}
			if err := (elm.Adapter{}).Convert(body, source.Config{URL: "https://" + in.SCHAC + "/elm.ttl", ContentType: ct, Provider: p}, sink); err != nil {
				b.Fatal(err)
			}
			specs = append(specs, sink.specs...)
		}
	}
	return specs, providers
}

// reportPerCourse adds courses/s and allocations and bytes per course.
func reportPerCourse(b *testing.B, courses int, before *runtime.MemStats) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	n := float64(courses) * float64(b.N)
	b.ReportMetric(n/b.Elapsed().Seconds(), "courses/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/course")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/course")
}

// BenchmarkWriteELM measures model → ELM 3.3 per output syntax, and
// "quads" the mapping alone (statements built, none serialised). Run with
// -cpu 1 for per-core figures:
//
//	go test -run '^$' -bench WriteELM -cpu 1 ./internal/model/elm
func BenchmarkWriteELM(b *testing.B) {
	specs, providers := benchSpecs(b)
	b.Run("quads", func(b *testing.B) {
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		b.ResetTimer()
		n := 0
		for b.Loop() {
			modelelm.Emit(specs, providers, modelelm.WriteOptions{NamedGraphs: true}, func(rdf.Quad) { n++ })
		}
		reportPerCourse(b, len(specs), &before)
		b.ReportMetric(float64(n)/float64(b.N*len(specs)), "quads/course")
	})
	for _, f := range []rdf.Format{rdf.FormatNQuads, rdf.FormatTurtle, rdf.FormatJSONLD} {
		b.Run(f.String(), func(b *testing.B) {
			list := specs
			if f == rdf.FormatJSONLD {
				list = specs[:100] // json-gold is slow; a sample keeps the run short
			}
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for b.Loop() {
				if err := modelelm.Write(io.Discard, f, list, providers); err != nil {
					b.Fatal(err)
				}
			}
			reportPerCourse(b, len(list), &before)
		})
	}
}
