package searchtest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"qlink/internal/search"
)

// BenchDocsEnv sets the size of Benchmark's catalogue; the default keeps
// `go test -bench` quick. The measure is 70,782 courses, those of
// a 1,000-institution demo:
//
//	QLINK_BENCH_SEARCH_DOCS=70782 go test -run '^$' -bench Catalogue -benchtime 100x ./internal/search/...
const BenchDocsEnv = "QLINK_BENCH_SEARCH_DOCS"

const benchDefaultDocs = 2000

// benchInstitutions is the demo federation's number of institutions.
const benchInstitutions = 1000

// BenchQueries are the searches Benchmark measures: the kinds the issue
// names (match-all, filtered, text, text with filters) and a few more.
var BenchQueries = []struct {
	Name string
	Q    search.Query
}{
	{"match all", search.Query{}},
	{"match all page 50", search.Query{Page: 50}},
	{"filtered", search.Query{Filters: map[search.Facet][]string{search.FacetCountry: {"DE", "FR"}, search.FacetMode: {"online"}}, ECTSMin: ptr(5.0)}},
	{"one institution", search.Query{Filters: map[search.Facet][]string{search.FacetInstitution: {"inst-042"}}}},
	{"text one word", search.Query{Text: "introduction"}},
	{"text three words", search.Query{Text: "data analysis methods"}},
	{"text typo", search.Query{Text: "programing"}},
	{"text and filters", search.Query{Text: "économie développement", Filters: map[search.Facet][]string{search.FacetCountry: {"FR", "BE"}, search.FacetEQF: {"6", "7"}}, Page: 2}},
}

// BenchCatalogue returns the benchmark's catalogue: GenCatalogue over
// 1,000 institutions, 3 % of the courses inactive and 5 % flagged.
func BenchCatalogue() []search.Document {
	n := benchDefaultDocs
	if v, err := strconv.Atoi(os.Getenv(BenchDocsEnv)); err == nil && v > 0 {
		n = v
	}
	docs := GenCatalogue(n, benchInstitutions)
	for i := range docs {
		docs[i].Inactive = i%33 == 0
		docs[i].Flagged = i%20 == 7
	}
	return docs
}

// Benchmark indexes BenchCatalogue into the empty index open returns and
// measures each of BenchQueries: besides the mean it reports the median
// and 95th percentile latency (p50-ms, p95-ms) and the hits, then the
// same queries from BenchClients clients at once. size reports the
// index's size in bytes once it holds the catalogue.
func Benchmark(b *testing.B, open func(b *testing.B) search.Index, size func() (int64, error)) {
	ctx := context.Background()
	ix := open(b)
	docs := BenchCatalogue()
	start := time.Now()
	if err := ix.Index(ctx, docs); err != nil {
		b.Fatal(err)
	}
	b.Logf("indexed %d documents in %s", len(docs), time.Since(start).Round(time.Millisecond))
	bytes, err := size()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("index size %.1f MB", float64(bytes)/1e6)
	for _, bq := range BenchQueries {
		b.Run(bq.Name, func(b *testing.B) {
			var took []time.Duration
			var res search.Result
			for b.Loop() {
				t0 := time.Now()
				if res, err = ix.Search(ctx, bq.Q); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
			b.ReportMetric(ms(took[(len(took)*95)/100]), "p95-ms")
			b.ReportMetric(float64(res.Total), "hits")
			b.ReportMetric(float64(bytes)/1e6, "index-MB")
		})
	}
	b.Run(fmt.Sprintf("%d clients", BenchClients), func(b *testing.B) { benchClients(b, ix) })
}

// BenchClients is how many clients query at once in Benchmark's last
// sub-benchmark, as a web node behind `wrk -c 50` would.
const BenchClients = 50

// benchClients lets BenchClients goroutines query ix at once, each running
// every one of BenchQueries per round in an order of its own; it reports
// queries per second and the latency over all queries (p50-ms, p95-ms) and
// over the text queries (text-p50-ms, text-p95-ms).
func benchClients(b *testing.B, ix search.Index) {
	ctx := context.Background()
	var mu sync.Mutex
	var all, text []time.Duration
	queries := 0
	for b.Loop() {
		var g errgroup.Group
		for c := range BenchClients {
			g.Go(func() error {
				for i := range BenchQueries {
					bq := BenchQueries[(c+i)%len(BenchQueries)]
					t0 := time.Now()
					if _, err := ix.Search(ctx, bq.Q); err != nil {
						return err
					}
					took := time.Since(t0)
					mu.Lock()
					all = append(all, took)
					if bq.Q.Text != "" {
						text = append(text, took)
					}
					mu.Unlock()
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
		queries += BenchClients * len(BenchQueries)
	}
	slices.Sort(all)
	slices.Sort(text)
	b.ReportMetric(float64(queries)/b.Elapsed().Seconds(), "queries/s")
	b.ReportMetric(ms(all[len(all)/2]), "p50-ms")
	b.ReportMetric(ms(all[(len(all)*95)/100]), "p95-ms")
	b.ReportMetric(ms(text[len(text)/2]), "text-p50-ms")
	b.ReportMetric(ms(text[(len(text)*95)/100]), "text-p95-ms")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
