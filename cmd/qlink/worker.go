package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"qlink/internal/config"
)

func newWorkerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Harvest from a shared PostgreSQL job queue, with no web server",
		Long: `worker harvests for an instance kept in PostgreSQL (--database-url), beside any number
of other workers and "qlink serve" processes on the same database (see docs/scale-out.md).
It works the shared job queue with --harvest-workers jobs at a time: the scheduled
refreshes, discovery and registry imports, and the work people queue on the web (Refresh
now, an operator's retry) or with qlink harvest and qlink refresh. A source is never
harvested by two processes at once. One process of those sharing the queue, elected
among them, plans the schedule; if it stops, another takes over.

A worker serves no pages. With --metrics-listen it serves /healthz and /metrics (Prometheus)
on that address, for a liveness probe and monitoring.

Every process of the instance needs the same keys: --keys-dir names a directory on a
shared file system holding them ("qlink init --database-url --keys-dir" puts them there),
or the data directory holds copies of keys.json and csrf.key; seal them under the same
--secret-key-file everywhere. The data directory must exist. Snapshots go to
--snapshot-url, shared by all machines; without it they stay in this worker's data
directory, which only works on one machine.

At start-up it closes the runs of processes that stopped without saying so (their
heartbeat is silent) and brings the search index in line with the database.
On SIGINT or SIGTERM, harvests under way get 20 seconds to finish; then they are
cancelled (changing nothing) and their jobs run again, here or on another worker. A
worker that dies without stopping (SIGKILL, a lost machine) has its jobs run again by
another once they have been running longer than --harvest-provider-timeout and
a margin of 5 minutes.

Without --database-url there is nothing to share: the embedded instance (SQLite) is
harvested by its one "qlink serve" process.`,
		Example: `  qlink worker --database-url postgres://qlink@db.example/qlink --data-dir /var/lib/qlink \
    --keys-dir /mnt/qlink-keys --secret-key-file /etc/qlink/secret --snapshot-url s3://qlink-snapshots/eu
  QLINK_DATABASE_URL=postgres://qlink@db.example/qlink QLINK_DATABASE_PASSWORD_FILE=/run/credentials/db \
    qlink worker --harvest-workers 8 --metrics-listen 127.0.0.1:9100`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			if cfg.DatabaseURL == "" {
				return errors.New("qlink worker needs --database-url (QLINK_DATABASE_URL): workers share a PostgreSQL database; " +
					"an embedded instance (SQLite in the data directory) is harvested by its one qlink serve process")
			}
			a, err := openCmdApp(cmd)
			if err != nil {
				return err
			}
			defer a.Close()
			if err := a.repair(cmd.Context()); err != nil {
				return err
			}
			return withMetricsListener(cmd.Context(), a, func(ctx context.Context) error { return work(ctx, a) })
		},
	}
	config.Bind(cmd.Flags(), append([]string{"data-dir", "database-url", "secret-key", "log-level", "log-format", "auto-migrate", "metrics-listen"},
		harvestSettings...)...)
	return cmd
}

// work runs the harvest schedule until ctx ends.
func work(ctx context.Context, a *app) error {
	sch, err := a.openScheduler(ctx, 0, nil)
	if sch == nil || err != nil {
		return err // nil: told to stop while starting
	}
	defer sch.Close()
	var sweep sync.WaitGroup
	defer sweep.Wait() // the sweep stops before the store closes
	sweep.Go(func() { a.sweepOrphans(ctx) })
	a.log.Info("working", "harvest_workers", a.cfg.Harvest.Workers, "owner", a.harvester.Owner)
	if err := sch.Run(ctx); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	return nil
}

// healthz answers a liveness probe: the process runs.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}

// rescueAfter is how long a job on a shared queue may run before another
// process takes its own for dead and runs it again; zero: the scheduler's
// default. Only the test binary changes it (see scaleout_test.go), since
// production's is bound by the longest harvest.
var rescueAfter time.Duration
