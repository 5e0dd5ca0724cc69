package main

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"

	"qlink/internal/config"
	"qlink/internal/discovery"
	"qlink/internal/export/exporttest"
	"qlink/internal/testfed"
)

// BenchmarkDemoNQuadsDump writes the whole N-Quads dump of the demo
// federation (25 institutions, all four formats), harvested once.
//
//	go test -run '^$' -bench DemoNQuadsDump -benchtime 5x ./cmd/qlink
func BenchmarkDemoNQuadsDump(b *testing.B) {
	ctx := context.Background()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: 25, Seed: 1,
		Formats: []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM}})
	if err != nil {
		b.Fatal(err)
	}
	defer fed.Close()
	cfg := config.Default()
	cfg.DataDir, cfg.RegistryURL, cfg.Fetch.AllowPrivateNetworks = b.TempDir(), fed.RegistryURL(), true
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), network{resolver: fed.Resolver(),
		discovery: discovery.Options{Scheme: "http", Port: strconv.Itoa(fed.Port())}})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	if _, err := runHarvest(ctx, a, io.Discard, "bench", nil); err != nil {
		b.Fatal(err)
	}
	exporttest.MeasureDump(b, a.store)
}
