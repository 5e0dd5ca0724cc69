package bleve

import (
	"context"
	"slices"
	"testing"

	"qlink/internal/search"
	"qlink/internal/search/searchtest"
)

// corpus is the contract suite's small corpus, d1…d8.
func corpus() []search.Document { return searchtest.Corpus() }

// openCorpus returns an in-memory index holding docs.
func openCorpus(t testing.TB, docs []search.Document) *Index {
	t.Helper()
	ix, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	if err := ix.Index(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	return ix
}

func hitIDs(r search.Result) []string {
	ids := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		ids[i] = h.ID
	}
	return ids
}

func sortedIDs(r search.Result) []string { return slices.Sorted(slices.Values(hitIDs(r))) }

// genDocs generates the contract suite's corpus for paging and benchmarks.
func genDocs(n int) []search.Document { return searchtest.GenDocs(n) }
