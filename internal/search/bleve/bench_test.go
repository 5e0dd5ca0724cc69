package bleve

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"

	"qlink/internal/search"
	"qlink/internal/search/searchtest"
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

// BenchmarkCatalogue measures the contract's benchmark queries on an
// on-disk index (see searchtest.BenchDocsEnv for the size); index-MB is
// the index directory.
func BenchmarkCatalogue(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "index")
	searchtest.Benchmark(b, func(b *testing.B) search.Index {
		ix, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = ix.Close() })
		return ix
	}, func() (int64, error) { return dirSize(dir) })
}

func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	return n, err
}
