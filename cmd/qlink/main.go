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
	paceCollector()
	stopProfile := cpuProfile(os.Getenv("QLINK_CPU_PROFILE"))
	err := newRootCmd().ExecuteContext(ctx)
	stopProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "qlink:", err)
		os.Exit(1)
	}
}

// gcPercent is how far the heap grows past what is live before the
// garbage collector runs again (Go's GOGC; its default is 100). A harvest
// allocates fast around a live heap of a few hundred MB: at 100 the
// collector ran about twice a second and took about a sixth of a first
// harvest's CPU; at 200 a harvest of 200,000 courses was 17 % faster, for
// a heap that peaked a third higher (BENCHMARKS.md).
const gcPercent = 200

// paceCollector sets gcPercent unless GOGC is set: the environment
// variables GOGC and GOMEMLIMIT keep their meaning for operators who size
// memory themselves.
func paceCollector() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
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
