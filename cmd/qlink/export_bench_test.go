package main

import (
	"context"
	"io"
	"testing"

	"qlink/internal/export/exporttest"
)

// BenchmarkDemoNQuadsDump writes the whole N-Quads dump of the demo
// federation (25 institutions, all four formats), harvested once.
//
//	go test -run '^$' -bench DemoNQuadsDump -benchtime 5x ./cmd/qlink
func BenchmarkDemoNQuadsDump(b *testing.B) {
	a := openDemoBench(b)
	if _, err := runHarvest(context.Background(), a, io.Discard, "bench", nil); err != nil {
		b.Fatal(err)
	}
	exporttest.MeasureDump(b, a.store)
}
