package bleve

import (
	"context"
	"path/filepath"
	"testing"

	"qlink/internal/search"
)

const benchDocs = 2000

func BenchmarkIndex(b *testing.B) {
	docs := genDocs(benchDocs)
	for _, disk := range []bool{false, true} {
		name := "memory"
		if disk {
			name = "disk"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				var ix *Index
				var err error
				if disk {
					ix, err = Open(filepath.Join(b.TempDir(), "index"))
				} else {
					ix, err = OpenMemory()
				}
				if err != nil {
					b.Fatal(err)
				}
				if err := ix.Index(context.Background(), docs); err != nil {
					b.Fatal(err)
				}
				if err := ix.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*benchDocs), "µs/doc")
		})
	}
}

func BenchmarkSearchWithFacets(b *testing.B) {
	ix := openCorpus(b, genDocs(benchDocs))
	filters := map[search.Facet][]string{search.FacetCountry: {"DE", "FR"}, search.FacetMode: {"online"}}
	for _, bc := range []struct {
		name string
		q    search.Query
	}{
		{"all", search.Query{}},
		{"filters", search.Query{Filters: filters, ECTSMin: ptr(5.0)}},
		{"one word", search.Query{Text: "introduction"}},
		{"three words", search.Query{Text: "data analysis methods"}},
		{"typo", search.Query{Text: "programing"}},
		{"words and filters", search.Query{Text: "économie développement", Filters: filters, Page: 2}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := ix.Search(context.Background(), bc.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
