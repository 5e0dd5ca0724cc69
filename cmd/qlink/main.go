// Command qlink is the QualityLink course-data aggregator: it discovers
// institutions' manifests, harvests their course data, and serves a
// searchable European catalogue with a public API. Run `qlink --help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	// SIGINT and SIGTERM cancel ctx, which every command passes down to
	// its fetches, harvest and server; each returns within its bound
	// (serve: shutdownGrace). A second signal is not caught, so it kills
	// the process at once should anything still hang.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	stopProfile := cpuProfile(os.Getenv("QLINK_CPU_PROFILE"))
	err := newRootCmd().ExecuteContext(ctx)
	stopProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "qlink:", err)
		os.Exit(1)
	}
}

// harvestGCPercent is how far the heap may grow past what is live before
// the garbage collector runs again while a harvest runs (Go's GOGC, whose
// default is 100). A harvest allocates fast around a live heap of a few
// hundred MB: at 100 the collector ran about twice a second and took
// about a sixth of a first harvest's CPU; at 200 a harvest of 200,000
// courses ran 17 % more courses per second, for a heap that peaked a
// third higher (BENCHMARKS.md). Serving alone keeps Go's default: at 200
// a busy server's RSS grew by about 440 MB for no clear gain in speed.
const harvestGCPercent = 200

// paceCollector is the harvester's Busy hook. GOGC set in the environment
// wins: operators who size memory themselves keep GOGC and GOMEMLIMIT.
func paceCollector(busy bool) {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	if busy {
		debug.SetGCPercent(harvestGCPercent)
	} else {
		debug.SetGCPercent(100)
	}
}

// cpuProfile writes a CPU profile of the whole run to path, for go tool
// pprof, when path is set (QLINK_CPU_PROFILE; bench/refresh-kept.sh sets
// it with PROFILE=1): the figures at a million courses are measured on a
// qlink process, not on a benchmark. It returns what ends the profile.
func cpuProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "qlink: QLINK_CPU_PROFILE:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		fmt.Fprintln(os.Stderr, "qlink: QLINK_CPU_PROFILE:", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
