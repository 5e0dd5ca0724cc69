package bleve

import (
	"testing"

	"qlink/internal/search"
	"qlink/internal/search/searchtest"
)

// TestContract runs the search contract every index passes.
func TestContract(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Index { return openCorpus(t, nil) })
}
