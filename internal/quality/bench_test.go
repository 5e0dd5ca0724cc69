package quality

import (
	"fmt"
	"testing"

	"qlink/internal/model"
	modelelm "qlink/internal/model/elm"
	"qlink/internal/rdf"
)

// benchSpecs generates n complete courses; every tenth lacks its EQF
// level, so the reports have findings to build.
func benchSpecs(n int) []model.Specification {
	specs := make([]model.Specification, n)
	for i := range specs {
		s := fullSpec()
		s.ID = model.CourseID("uni.example", "uni", fmt.Sprint("C", i))
		s.Identifiers = []model.Identifier{{Value: fmt.Sprint("C", i)}}
		s.Instances[0].ID, s.Instances[0].SpecificationID = s.ID+":2026", s.ID
		if i%10 == 0 {
			s.EQFLevel = 0
		}
		specs[i] = s
	}
	return specs
}

// BenchmarkCheck measures courses per second through the whole check:
// a record converted from a JSON format (CheckSpec: write as ELM, add
// concepts, validate, report), a source's 1,000 such records as the harvest
// checks them (CheckSpecs, in batches), and a native ELM file of 1,000 courses
// (CheckGraph).
func BenchmarkCheck(b *testing.B) {
	specs := benchSpecs(1000)
	b.Run("spec", func(b *testing.B) {
		b.ReportAllocs()
		found := 0
		for i := 0; b.Loop(); i++ {
			found += len(CheckSpec(specs[i%len(specs)], uni).Violations)
		}
		if found == 0 {
			b.Fatal("no findings: the benchmark checks nothing")
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "courses/s")
	})
	b.Run("specs", func(b *testing.B) {
		b.ReportAllocs()
		found := 0
		for b.Loop() {
			for _, r := range CheckSpecs(specs, uni) {
				found += len(r.Violations)
			}
		}
		if found == 0 {
			b.Fatal("no findings: the benchmark checks nothing")
		}
		b.ReportMetric(float64(b.N*len(specs))/b.Elapsed().Seconds(), "courses/s")
	})
	b.Run("graph", func(b *testing.B) {
		g := rdf.NewGraph()
		modelelm.Emit(specs, []model.Provider{uni, {ID: "partner"}}, modelelm.WriteOptions{}, func(q rdf.Quad) { g.Add(q.Triple()) })
		b.ReportAllocs()
		for b.Loop() {
			if rep := CheckGraph(g); rep.Conforms() {
				b.Fatal("no findings: the benchmark checks nothing")
			}
		}
		b.ReportMetric(float64(b.N*len(specs))/b.Elapsed().Seconds(), "courses/s")
	})
}
