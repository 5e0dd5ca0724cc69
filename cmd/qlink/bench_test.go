package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
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

// BenchmarkHarvestAtScale harvests a federation of QLINK_BENCH_INSTITUTIONS
// institutions of QLINK_BENCH_COURSES courses each (default 100 × 100), in
// the four formats the demo serves, into a fresh data directory, as the
// demo does, with the federation in the same process (pprof tells their
// functions apart: testfed is the federation). With QLINK_BENCH_PEAK_HEAP
// set to a file name it also writes the heap profile taken when the live
// heap was largest (looked at every second). QLINK_BENCH_WORKERS sets
// --harvest-workers (default qlink's). bench/harvest-profile.sh runs it
// with a CPU profile and prints both.
//
//	QLINK_BENCH_INSTITUTIONS=1000 go test -run '^$' -bench HarvestAtScale -benchtime 1x -cpuprofile cpu.out ./cmd/qlink
func BenchmarkHarvestAtScale(b *testing.B) {
	ctx := context.Background()
	fed := startScaleFederation(b)
	stop := watchPeakHeap(b, os.Getenv("QLINK_BENCH_PEAK_HEAP"))
	defer stop()
	var sum harvest.Summary
	for b.Loop() {
		a := openScaleApp(b, fed)
		var err error
		sum, err = runHarvest(ctx, a, io.Discard, "bench", nil)
		a.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(sum.Courses), "courses")
	b.ReportMetric(float64(sum.Courses)*float64(b.N)/b.Elapsed().Seconds(), "courses/s")
}

// BenchmarkRefreshAtScale harvests the federation of
// BenchmarkHarvestAtScale once, then times harvests of it with nothing
// changed. With QLINK_BENCH_CPU_PROFILE set to a file name it writes a CPU
// profile of those alone (-cpuprofile would include the first harvest).
//
//	QLINK_BENCH_INSTITUTIONS=1000 go test -run '^$' -bench RefreshAtScale -benchtime 1x ./cmd/qlink
func BenchmarkRefreshAtScale(b *testing.B) {
	ctx := context.Background()
	a := openScaleApp(b, startScaleFederation(b))
	defer a.Close()
	if _, err := runHarvest(ctx, a, io.Discard, "bench", nil); err != nil {
		b.Fatal(err)
	}
	if file := os.Getenv("QLINK_BENCH_CPU_PROFILE"); file != "" {
		f, err := os.Create(file)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	var sum harvest.Summary
	for b.Loop() {
		var err error
		if sum, err = runHarvest(ctx, a, io.Discard, "bench", nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(sum.Courses), "courses")
	b.ReportMetric(float64(sum.Runs[store.RunNotModified]), "not-modified")
}

// startScaleFederation starts the federation of the *AtScale benchmarks,
// closed when the benchmark ends.
func startScaleFederation(b *testing.B) *testfed.Federation {
	institutions, courses := envInt(b, "QLINK_BENCH_INSTITUTIONS", 100), envInt(b, "QLINK_BENCH_COURSES", 100)
	fed, err := testfed.Start(context.Background(), testfed.Options{Institutions: institutions, CoursesPerInstitution: courses, Seed: 1,
		Formats: []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { fed.Close() })
	return fed
}

// openScaleApp opens an instance in a fresh data directory to harvest fed
// as the demo does; the caller closes it.
func openScaleApp(b *testing.B, fed *testfed.Federation) *app {
	cfg := config.Default()
	cfg.DataDir, cfg.RegistryURL, cfg.AlliancesURL = b.TempDir(), fed.RegistryURL(), fed.AlliancesURL()
	cfg.Harvest.Workers = envInt(b, "QLINK_BENCH_WORKERS", cfg.Harvest.Workers)
	a, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler), demoNetwork(fed))
	if err != nil {
		b.Fatal(err)
	}
	return a
}

func envInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

// watchPeakHeap keeps the heap profile of the moment the live heap was
// largest, checked every second, and writes it to file when stopped
// (nothing when file is "").
func watchPeakHeap(b *testing.B, file string) (stop func()) {
	if file == "" {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var peak uint64
	var profile bytes.Buffer
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak {
				peak = ms.HeapAlloc
				profile.Reset()
				if err := pprof.Lookup("heap").WriteTo(&profile, 0); err != nil {
					b.Error(err)
				}
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		if err := os.WriteFile(file, profile.Bytes(), 0o644); err != nil {
			b.Error(err)
		}
	}
}

// BenchmarkServeStartup opens an existing data directory as qlink serve
// does until it could answer: the app (database, snapshots, search index,
// keys), start-up repair and the web server. QLINK_BENCH_DATA_DIR names
// the directory (skipped without it; no server may have it open).
// bench/search-load.sh PROFILE=1 runs it once with a CPU profile.
//
//	QLINK_BENCH_DATA_DIR=/tmp/data go test -run '^$' -bench ServeStartup -benchtime 1x -cpuprofile cpu.out ./cmd/qlink
func BenchmarkServeStartup(b *testing.B) {
	dir := os.Getenv("QLINK_BENCH_DATA_DIR")
	if dir == "" {
		b.Skip("QLINK_BENCH_DATA_DIR names the data directory to open")
	}
	for b.Loop() {
		a := openBenchDataDir(b, dir)
		if err := a.repair(context.Background()); err != nil {
			b.Fatal(err)
		}
		if _, err := a.webServer(""); err != nil {
			b.Fatal(err)
		}
		a.Close()
	}
}

// openBenchDataDir opens the app on an existing data directory, with the
// API's rate limits off (a benchmark is one client); the caller closes it.
func openBenchDataDir(b *testing.B, dir string) *app {
	cfg := config.Default()
	cfg.DataDir, cfg.API.Rate = dir, 0
	a, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler), network{})
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkServeRequests replays recorded requests against the web server
// of an existing data directory, in process and from as many goroutines
// as GOMAXPROCS (-test.cpu): where the time of serving goes, for pprof.
// QLINK_BENCH_DATA_DIR names the data directory (the benchmark is skipped
// without it; no server may have it open), QLINK_BENCH_REQUESTS a file of
// request targets (path and query), one a line, replayed in turn: bench/search-load.sh
// PROFILE=1 records the ones its load sent and runs this with a CPU profile.
//
//	QLINK_BENCH_DATA_DIR=/tmp/data QLINK_BENCH_REQUESTS=/tmp/requests go test -run '^$' -bench ServeRequests -benchtime 2000x -cpuprofile cpu.out ./cmd/qlink
func BenchmarkServeRequests(b *testing.B) {
	dir, file := os.Getenv("QLINK_BENCH_DATA_DIR"), os.Getenv("QLINK_BENCH_REQUESTS")
	if dir == "" || file == "" {
		b.Skip("QLINK_BENCH_DATA_DIR and QLINK_BENCH_REQUESTS name the data directory and the requests to replay")
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	targets := strings.Fields(string(raw))
	if len(targets) == 0 {
		b.Fatalf("%s holds no requests", file)
	}
	a := openBenchDataDir(b, dir)
	defer a.Close()
	srv, err := a.webServer("")
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	if os.Getenv("QLINK_BENCH_WARM") != "" {
		// Once through first, as round 2 of bench/search-load.sh meets
		// the texts of round 1 in the text cache.
		for _, target := range targets {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, target, nil))
		}
	}
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		// The label sets the timed requests apart in the profile from
		// the warm-up and the start-up (pprof -tagfocus replay=timed).
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("replay", "timed")))
		for pb.Next() {
			target := targets[int(next.Add(1)-1)%len(targets)]
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
			if rec.Code != http.StatusOK {
				b.Errorf("%s: %d %s", target, rec.Code, rec.Body.String())
				return
			}
		}
	})
}
