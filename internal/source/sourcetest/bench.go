package sourcetest

import (
	"context"
	"io"
	"net/url"
	"runtime"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/source"
	"qlink/internal/testfed"
)

// Recording is a harvest of every source of one format of a simulated
// federation, kept so it can be converted again without a network.
type Recording struct {
	Runs []Run
	// Specs is the number of specifications (courses and programmes) the
	// sources hold; Bytes the body bytes of every response.
	Specs, Bytes int
}

// Run is one recorded source.
type Run struct {
	Config source.Config
	Pages  Replay
}

// Record harvests, over HTTP, every source of a federation of n
// institutions that all publish in format, and records the responses.
func Record(tb testing.TB, a source.Adapter, format string, n int) *Recording {
	tb.Helper()
	fed, err := testfed.Start(context.Background(), testfed.Options{Institutions: n, Now: FederationNow, Formats: []string{format}})
	if err != nil {
		tb.Fatal(err)
	}
	defer fed.Close()
	client := newClient(fed)
	rec := &Recording{}
	for _, in := range fed.Institutions() {
		for _, src := range in.Sources {
			u, _ := url.Parse(src.Path)
			r := &Recorder{Getter: HTTPGetter{Client: client, Host: u.Host}}
			out := &Collector{}
			if err := a.Harvest(context.Background(), Config(in, src), r, out); err != nil {
				tb.Fatalf("%s: %v", src.Path, err)
			}
			pages, bytes := r.Replay()
			rec.Runs = append(rec.Runs, Run{Config: Config(in, src), Pages: pages})
			rec.Specs += len(out.Specs)
			rec.Bytes += bytes
		}
	}
	return rec
}

// collect is an Emitter that keeps the specifications, for the pipeline
// benchmark to write out.
type collect struct{ specs []model.Specification }

func (c *collect) Spec(s model.Specification) { c.specs = append(c.specs, s) }
func (c *collect) Warn(source.Warning)        {}

// discard is an Emitter that keeps nothing.
type discard struct{ specs int }

func (d *discard) Spec(model.Specification) { d.specs++ }
func (d *discard) Warn(source.Warning)      {}

// BenchmarkAdapter measures converting a recorded federation of format
// with adapter a, beside decoding the same bytes with plain encoding/json
// (decode gets each response's URL and body): the yardstick of the
// conversion's speed. Both report specifications per CPU second (the
// process's CPU time, so other work on a shared machine does not count),
// allocations and bytes per specification; run with -cpu 1 for the rate
// of one core.
//
// A third run alternates the two, source by source, and reports the
// adapter's rate as a percentage of the decoder's. A fourth does the same
// for the whole conversion: the adapter, then the source's specifications
// written out as ELM N-Quads.
func BenchmarkAdapter(b *testing.B, a source.Adapter, format string, decode func(url string, body []byte) error) {
	rec := Record(b, a, format, 8)
	convert := func(r Run) {
		if err := a.Harvest(context.Background(), r.Config, r.Pages, &discard{}); err != nil {
			b.Fatal(err)
		}
	}
	yardstick := func(r Run) {
		for u, resp := range r.Pages {
			if err := decode(u, resp.Body); err != nil {
				b.Fatalf("%s: %v", u, err)
			}
		}
	}
	each := func(f func(Run)) func() {
		return func() {
			for _, r := range rec.Runs {
				f(r)
			}
		}
	}
	b.Run("adapter", func(b *testing.B) { measure(b, rec, each(convert)) })
	b.Run("encoding-json", func(b *testing.B) { measure(b, rec, each(yardstick)) })
	b.Run("side-by-side", func(b *testing.B) {
		var adapter, plain time.Duration
		for b.Loop() {
			for _, r := range rec.Runs {
				t0 := cpuTime()
				convert(r)
				t1 := cpuTime()
				yardstick(r)
				adapter, plain = adapter+t1-t0, plain+cpuTime()-t1
			}
		}
		b.ReportMetric(100*plain.Seconds()/adapter.Seconds(), "%-of-decode-rate")
	})
	b.Run("to-nquads-side-by-side", func(b *testing.B) {
		var whole, plain time.Duration
		for b.Loop() {
			for _, r := range rec.Runs {
				t0 := cpuTime()
				out := &collect{}
				if err := a.Harvest(context.Background(), r.Config, r.Pages, out); err != nil {
					b.Fatal(err)
				}
				if err := elm.Write(io.Discard, rdf.FormatNQuads, out.specs, []model.Provider{r.Config.Provider}); err != nil {
					b.Fatal(err)
				}
				t1 := cpuTime()
				yardstick(r)
				whole, plain = whole+t1-t0, plain+cpuTime()-t1
			}
		}
		b.ReportMetric(float64(b.N*rec.Specs)/whole.Seconds(), "specs/cpu-s")
		b.ReportMetric(100*plain.Seconds()/whole.Seconds(), "%-of-decode-rate")
	})
}

func measure(b *testing.B, rec *Recording, convert func()) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.SetBytes(int64(rec.Bytes))
	start := cpuTime()
	for b.Loop() {
		convert()
	}
	used := cpuTime() - start
	runtime.ReadMemStats(&after)
	specs := float64(b.N * rec.Specs)
	b.ReportMetric(specs/used.Seconds(), "specs/cpu-s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/specs, "allocs/spec")
	b.ReportMetric(float64(rec.Bytes)/float64(rec.Specs), "B/spec")
}
