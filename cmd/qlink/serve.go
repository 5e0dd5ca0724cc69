package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/web"
)

func newServeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the catalogue and the JSON API from the data directory",
		Long: `serve opens the data directory (database, search index, snapshots) and serves the public
catalogue at / and the JSON API at /api/v1/courses. Create the data directory with
"qlink init" (or give --init) and fill it with "qlink harvest", or try everything at once
with "qlink demo". A directory that holds no instance is refused.

SIGINT or SIGTERM stops it: requests under way get up to 10 seconds to finish.

At start-up it repairs what a killed process left behind: runs still marked running
become interrupted, and the search index is brought in line with the database.`,
		Example: `  qlink serve --data-dir /var/lib/qlink --addr 0.0.0.0:8080 --base-url https://courses.example.org
  qlink serve --init --data-dir /var/lib/qlink   # in a container: create the instance on first start`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openCmdApp(cmd)
			if err != nil {
				return err
			}
			defer a.Close()
			if err := a.repair(cmd.Context()); err != nil {
				return err
			}
			ln, err := net.Listen("tcp", a.cfg.Addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", a.cfg.Addr, err)
			}
			srv, err := a.webServer("")
			if err != nil {
				return err
			}
			a.log.Info("serving", "url", a.cfg.PublicURL())
			return serveHTTP(cmd.Context(), ln, srv.Handler())
		},
	}
	cmd.Flags().Bool("init", false, "create the instance when the data directory is new or empty (as qlink init does); an existing instance is used as it is")
	config.Bind(cmd.Flags(), "data-dir", "secret-key", "addr", "base-url", "log-level", "log-format", "auto-migrate")
	return cmd
}

// shutdownGrace is how long requests under way may take to finish once
// serve or demo is told to stop.
const shutdownGrace = 10 * time.Second

// serveHTTP serves until ctx ends, then shuts down gracefully.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, MaxHeaderBytes: web.MaxHeaderBytes, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
		return fmt.Errorf("stopping: requests still under way after %s were cut off: %w", shutdownGrace, err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
