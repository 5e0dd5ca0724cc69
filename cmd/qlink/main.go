// Command qlink is the QualityLink course-data aggregator: it discovers
// institutions' manifests, harvests their course data, and serves a
// searchable European catalogue with a public API. Run `qlink --help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
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
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "qlink:", err)
		os.Exit(1)
	}
}
