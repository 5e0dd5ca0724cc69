package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"qlink/internal/config"
	"qlink/internal/discovery"
	"qlink/internal/harvest"
	"qlink/internal/store"
	"qlink/internal/store/blob/blobtest"
	"qlink/internal/testfed"
)

// BenchmarkDemoHarvest measures a full first harvest of the default demo
// federation (25 institutions): registry import, discovery, every source,
// storage and indexing, into a fresh data directory each time.
//
//	go test -run '^$' -bench DemoHarvest -benchtime 3x ./cmd/qlink
func BenchmarkDemoHarvest(b *testing.B) {
	ctx := context.Background()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: 25, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer fed.Close()
	courses := 0
	for b.Loop() {
		cfg := config.Default()
		cfg.DataDir, cfg.RegistryURL, cfg.Fetch.AllowPrivateNetworks = b.TempDir(), fed.RegistryURL(), true
		a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), network{resolver: fed.Resolver(),
			discovery: discovery.Options{Scheme: "http", Port: strconv.Itoa(fed.Port())}})
		if err != nil {
			b.Fatal(err)
		}
		sum, err := runHarvest(ctx, a, io.Discard, "bench", nil)
		a.Close()
		if err != nil {
			b.Fatal(err)
		}
		courses = sum.Courses
	}
	b.ReportMetric(float64(courses), "courses")
	b.ReportMetric(float64(courses)*float64(b.N)/b.Elapsed().Seconds(), "courses/s")
}

// BenchmarkDemoRefresh measures a second harvest of the demo federation
// as `qlink demo` starts it (25 institutions, all four formats) when
// nothing changed since the first: the goal is at most a tenth of the
// first harvest, which runs once outside the timer and is reported as
// first-ms (see BENCHMARKS.md).
//
//	go test -run '^$' -bench DemoRefresh -benchtime 3x -benchmem ./cmd/qlink
func BenchmarkDemoRefresh(b *testing.B) {
	ctx := context.Background()
	a := openDemoBench(b)
	start := time.Now()
	if _, err := runHarvest(ctx, a, io.Discard, "bench", nil); err != nil {
		b.Fatal(err)
	}
	first := time.Since(start)
	var sum harvest.Summary
	var err error
	for b.Loop() {
		if sum, err = runHarvest(ctx, a, io.Discard, "bench", nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(first.Milliseconds()), "first-ms")
	b.ReportMetric(float64(sum.Courses), "courses")
	b.ReportMetric(float64(sum.Sources), "sources")
	b.ReportMetric(float64(sum.Runs[store.RunNotModified]), "not-modified")
}

// openDemoBench starts the demo federation (25 institutions, all four
// formats) and an instance in a fresh data directory to harvest it, both
// closed when the benchmark ends.
func openDemoBench(b *testing.B) *app {
	b.Helper()
	ctx := context.Background()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: 25, Seed: 1,
		Formats: []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { fed.Close() })
	cfg := config.Default()
	cfg.DataDir, cfg.RegistryURL, cfg.Fetch.AllowPrivateNetworks = b.TempDir(), fed.RegistryURL(), true
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), network{resolver: fed.Resolver(),
		discovery: discovery.Options{Scheme: "http", Port: strconv.Itoa(fed.Port())}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.Close)
	return a
}

// BenchmarkDemoSnapshots harvests the demo federation (25 institutions,
// all four formats) into a fresh instance and refreshes it once, with
// snapshots in the data directory and in an S3 bucket. The bucket is the
// in-process fake on loopback, so its time is the floor: a real object
// store adds its round trip to every request, and the requests counted
// are what a real one would be sent.
//
//	go test -run '^$' -bench DemoSnapshots -benchtime 3x ./cmd/qlink
func BenchmarkDemoSnapshots(b *testing.B) {
	ctx := context.Background()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: 25, Seed: 1,
		Formats: []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM}})
	if err != nil {
		b.Fatal(err)
	}
	defer fed.Close()
	var requests atomic.Int64
	count := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests.Add(1); next.ServeHTTP(w, r) })
	}
	s3 := blobtest.StartFakeS3(b, count, "snapshots")
	b.Setenv("AWS_ENDPOINT_URL", s3.URL)
	b.Setenv("AWS_ACCESS_KEY_ID", blobtest.FakeAccessKeyID)
	b.Setenv("AWS_SECRET_ACCESS_KEY", blobtest.FakeSecretAccessKey)
	b.Setenv("AWS_REGION", "us-east-1")
	for _, where := range []string{"dir", "s3"} {
		b.Run(where, func(b *testing.B) {
			var firstTime, refreshTime time.Duration
			var firstRequests, refreshRequests int64
			i := 0
			for b.Loop() {
				i++
				cfg := config.Default()
				cfg.DataDir, cfg.RegistryURL, cfg.Fetch.AllowPrivateNetworks = b.TempDir(), fed.RegistryURL(), true
				if where == "s3" {
					cfg.SnapshotURL = fmt.Sprintf("s3://snapshots/run-%d", i) // each loop starts empty
				}
				requests.Store(0)
				start := time.Now()
				a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), demoNetwork(fed))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := runHarvest(ctx, a, io.Discard, "bench", nil); err != nil {
					b.Fatal(err)
				}
				firstTime += time.Since(start)
				firstRequests += requests.Swap(0)
				start = time.Now()
				if _, err := runHarvest(ctx, a, io.Discard, "bench", nil); err != nil {
					b.Fatal(err)
				}
				refreshTime += time.Since(start)
				refreshRequests += requests.Swap(0)
				a.Close()
			}
			n := float64(i)
			b.ReportMetric(float64(firstTime.Milliseconds())/n, "first-ms")
			b.ReportMetric(float64(refreshTime.Milliseconds())/n, "refresh-ms")
			b.ReportMetric(float64(firstRequests)/n, "first-s3-requests")
			b.ReportMetric(float64(refreshRequests)/n, "refresh-s3-requests")
		})
	}
}
