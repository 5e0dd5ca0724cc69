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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "qlink:", err)
		os.Exit(1)
	}
}
