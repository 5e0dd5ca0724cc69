// Package exporttest measures the open dataset's dumps for benchmarks:
// the export package's own over a generated store, and cmd/qlink's over
// the demo federation.
package exporttest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"qlink/internal/export"
	"qlink/internal/store"
)

// MeasureDump writes the whole N-Quads dump of st, gzip-compressed into a
// file as the dataset's generation does (export.WriteCompressed), once per
// iteration, and reports courses, courses per second (wall
// and CPU time: the machine is shared), the peak heap in use and process
// RSS sampled during the writes, and bytes allocated per dump.
func MeasureDump(b *testing.B, st store.Store) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "dump.nq.gz")
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := sample()
	cpu := cpuTime()
	courses, size := 0, int64(0)
	for b.Loop() {
		n, written, err := dump(ctx, st, path)
		if err != nil {
			b.Fatal(err)
		}
		courses, size = n, written
	}
	cpu = cpuTime() - cpu
	heap, rss := peak()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(courses), "courses")
	b.ReportMetric(float64(size)/float64(max(courses, 1)), "gz-bytes/course")
	b.ReportMetric(float64(courses)*float64(b.N)/b.Elapsed().Seconds(), "courses/s")
	b.ReportMetric(float64(courses)*float64(b.N)/cpu.Seconds(), "courses/cpu-s")
	b.ReportMetric(float64(heap)/(1<<20), "MB-heap-peak")
	b.ReportMetric(float64(before.HeapInuse)/(1<<20), "MB-heap-before")
	b.ReportMetric(float64(rss)/(1<<20), "MB-rss-peak")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "MB-alloc/op")
}

func dump(ctx context.Context, st store.Store, path string) (int, int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	n, err := export.WriteCompressed(ctx, st, f, export.All, export.NQuads)
	if err != nil {
		return 0, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	return n, fi.Size(), nil
}

// sample polls the heap in use and the process RSS until the returned
// function is called, which gives their peaks.
func sample() func() (heap, rss uint64) {
	var mu sync.Mutex
	var heap, rss uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			r := residentBytes()
			mu.Lock()
			heap, rss = max(heap, ms.HeapInuse), max(rss, r)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() (uint64, uint64) {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return heap, rss
	}
}

// residentBytes reads the process RSS from /proc (0 where there is none).
func residentBytes() uint64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	if len(fields) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(fields[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
