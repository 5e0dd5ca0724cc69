package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/export"
	"qlink/internal/model"
	"qlink/internal/search/bleve"
	"qlink/internal/store"
	"qlink/internal/web"
)

func newServeCmd() *cobra.Command {
	var noHarvest bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the catalogue and the JSON API from the data directory",
		Long: `serve opens the data directory (database, search index, snapshots) and serves the public
catalogue at / and the JSON API at /api/v1/courses. Create the data directory with
"qlink init" (or give --init); serve then fills it on its schedule (below), or try
everything at once with "qlink demo". A directory that holds no instance is refused.

SIGINT or SIGTERM stops it: requests under way get up to 10 seconds to finish.

At start-up it repairs what a killed process left behind: runs still marked running
become interrupted, and the search index is brought in line with the database. Once
it listens it deletes, beside its harvests, the snapshots such a run wrote but never
recorded.

serve also keeps the catalogue fresh by itself, with --harvest-workers jobs at a time
(--no-harvest makes a node that serves only). The schedule is kept in the
database, so it survives restarts:
  * the registry is imported every --schedule-registry (when --registry-url is set);
  * each provider's manifest is discovered again every --schedule-discovery, and at
    once when one of its sources answers 404/410; sources new or changed in the
    manifest are harvested at once;
  * each source is harvested at the "refresh" interval of its manifest entry (hours,
    default 24), kept between --schedule-floor and --schedule-ceiling, with a little
    jitter; after failures it is retried sooner, then less and less often (up to the
    ceiling), and its courses stay as they were.
"qlink harvest" and "qlink refresh" beside a running serve hand their work to it.
On the web, anyone may press "Refresh now" on an institution's page: it queues the
same work as "qlink refresh", at most once per --refresh-min-interval per institution.
It regenerates the open dataset (<data-dir>/dataset, served at /dataset with its DCAT-AP
description) 30 seconds after the last harvest that changed courses, and at start when
the files were made by a qlink that writes them differently, before the latest harvest
that changed courses or from other provider records (<data-dir>/dataset/generation.stamp records what
the last complete generation was made from); --dataset-publisher names the publisher there.
On SIGTERM, harvests under way get 20 seconds to finish; then they are cancelled
(changing nothing) and run again at the next start.

With --database-url the instance lives in PostgreSQL: records, search index and job
queue, shared by any number of serve and "qlink worker" processes on several machines
(docs/scale-out.md). The data directory then keeps only the dataset files, the keys
(unless --keys-dir points every process at a shared directory) and, without
--snapshot-url, the snapshots. A web node behind a load balancer runs with --no-harvest:
it harvests nothing, but still queues "Refresh now" and the operators' retries for the
workers, and renews its dataset files when it sees that other processes' harvests
changed courses.`,
		Example: `  qlink serve --data-dir /var/lib/qlink --addr 0.0.0.0:8080 --base-url https://courses.example.org
  qlink serve --init --data-dir /var/lib/qlink   # in a container: create the instance on first start
  # a web node of an instance on PostgreSQL (several machines):
  QLINK_DATABASE_PASSWORD_FILE=/etc/qlink/db-password qlink serve --init --no-harvest \
    --database-url postgres://qlink@db.example.org/qlink --keys-dir /mnt/qlink-keys \
    --secret-key-file /etc/qlink/secret --snapshot-url s3://qlink-snapshots/eu --addr 0.0.0.0:8080`,
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
			// On PostgreSQL a node that harvests nothing still queues
			// work (Refresh now, retries) for the workers.
			if !noHarvest || a.shared() {
				if err := a.offerRefreshes(cmd.Context()); err != nil {
					return err
				}
			}
			srv, err := a.webServer("")
			if err != nil {
				return err
			}
			return withMetricsListener(cmd.Context(), a, func(ctx context.Context) error {
				return serveNode(ctx, a, ln, srv.Handler(), !noHarvest, 0)
			})
		},
	}
	cmd.Flags().Bool("init", false, "create the instance when the data directory is new or empty (as qlink init does); an existing instance is used as it is")
	cmd.Flags().BoolVar(&noHarvest, "no-harvest", false, "serve only, harvesting nothing (a read-only node)")
	config.Bind(cmd.Flags(), append([]string{"data-dir", "database-url", "secret-key", "addr", "base-url", "dataset-publisher", "log-level", "log-format", "auto-migrate", "refresh-min-interval"},
		append(append(harvestSettings, accountSettings...), webSettings...)...)...)
	return cmd
}

// harvestSettings are the settings of the commands that harvest.
var harvestSettings = []string{"registry-url", "alliances-url", "contact-url", "fetch-timeout", "fetch-max-body", "fetch-per-host", "fetch-host-rate",
	"fetch-attempts", "harvest-workers", "harvest-max-pages", "harvest-max-removal", "harvest-max-sources",
	"harvest-max-run-bytes", "harvest-max-run-pages", "harvest-max-records", "harvest-provider-timeout",
	"harvest-keep-snapshots", "snapshot-url", "harvest-publish-for", "schedule-floor", "schedule-ceiling", "schedule-discovery", "schedule-registry"}

// webSettings are the settings of the commands that serve the catalogue.
var webSettings = []string{"api-rate", "api-burst", "trusted-proxies", "search-concurrency", "search-new-texts", "search-queue", "cache-memory", "metrics-listen"}

// warmer is a search index that can make ready ahead of the visitors,
// after a start, the texts they are likely to search (bleve's: those the
// process before was asked, then the catalogue's commonest words).
type warmer interface {
	WarmUp(commonWords int) <-chan bleve.WarmUpReport
}

// commonWords is how many of them serve has searched ahead: at a million
// courses a few seconds of one core after the start, and tens of
// megabytes of the texts' share of cache-memory.
const commonWords = 32

// serveNode serves h until ctx ends, keeping the open dataset in line
// with the store, and, with harvests set, works the harvest schedule in
// the same process; override, when set, replaces every source's refresh
// interval. It stops when either the server or the schedule stops with
// an error.
func serveNode(ctx context.Context, a *app, ln net.Listener, h http.Handler, harvests bool, override time.Duration) error {
	ctx, cancel := context.WithCancel(ctx)
	regen := export.NewRegenerator(a.store, a.cfg.DatasetPath(), a.regenerateAfter(), a.datasetStamp, a.log)
	var background sync.WaitGroup
	defer func() {
		cancel()
		background.Wait() // a generation under way stops before the store closes
	}()
	// The search index's warm-up before readiness has every core; the
	// work that can wait starts after it: at a million courses the sweep
	// of orphaned snapshots alone took 1.4 s of CPU, half of a core for
	// the warm-up's 3 s.
	warmedUp := make(chan struct{})
	if w, ok := a.index.(warmer); ok {
		report := w.WarmUp(commonWords)
		background.Go(func() {
			defer close(warmedUp)
			logWarmUp(ctx, report, a.log)
		})
	} else {
		close(warmedUp)
	}
	background.Go(func() {
		<-warmedUp
		regen.PokeIfStale(ctx) // the files may predate this version or the last harvests
		regen.Run(ctx)
	})
	background.Go(func() {
		<-warmedUp
		a.sweepOrphans(ctx)
	})
	if a.shared() {
		// Other processes harvest too: their runs renew this node's files.
		background.Go(func() { watchHarvests(ctx, a.store, a.harvestWatch(), regen.Poke, a.log) })
	}
	if !harvests {
		a.log.Info("serving", "url", a.cfg.PublicURL(), "addr", ln.Addr().String(), "harvest", false)
		return serveHTTP(ctx, ln, h)
	}
	sch, err := a.openScheduler(ctx, override, regen.Poke)
	if sch == nil || err != nil {
		return err // nil: told to stop while starting
	}
	defer sch.Close()
	a.log.Info("serving", "url", a.cfg.PublicURL(), "addr", ln.Addr().String(), "harvest_workers", a.cfg.Harvest.Workers)
	schedDone := make(chan error, 1)
	go func() {
		err := sch.Run(ctx)
		cancel()
		schedDone <- err
	}()
	httpErr := serveHTTP(ctx, ln, h)
	cancel()
	return errors.Join(httpErr, <-schedDone)
}

// logWarmUp logs what the search index's warm-up before readiness did,
// once it is done: the seconds /readyz answered 503 for it. It returns at
// once when there is no report (the index was warmed up already).
func logWarmUp(ctx context.Context, report <-chan bleve.WarmUpReport, log *slog.Logger) {
	if report == nil {
		return
	}
	select {
	case r := <-report:
		log.Info("search index warmed up", "texts_read_back", r.ReadBack, "texts_listed", r.Listed,
			"texts_searched", r.Searched, "texts_left_to_background", r.Left, "took", r.Took.Round(time.Millisecond))
	case <-ctx.Done():
	}
}

// harvestWatch is how often a node on a shared database looks for runs
// other processes finished (watchHarvests).
const harvestWatch = 15 * time.Second

// harvestWatch is harvestWatch, shorter in tests.
func (a *app) harvestWatch() time.Duration {
	if a.testHarvestWatch > 0 {
		return a.testHarvestWatch
	}
	return harvestWatch
}

// watchHarvests calls changed whenever a run that added, changed or
// removed courses has finished since it last looked, whichever process
// ran it, looking every interval until ctx ends: a web node that
// harvests nothing keeps its dataset files in line with the workers'
// harvests. It looks at the newest runs only (changedRunsWindow), which a
// run finishing far behind that many later ones escapes until the next
// change.
func watchHarvests(ctx context.Context, st store.Store, every time.Duration, changed func(), log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	var seen time.Time
	for first := true; ; first = false {
		latest, err := lastCourseChange(ctx, st)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("looking for finished harvests", "error", err)
		case latest.After(seen):
			if !first { // the caller renews its files at start anyway
				changed()
			}
			seen = latest
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// changedRunsWindow is how many of the newest runs watchHarvests reads.
const changedRunsWindow = 200

// lastCourseChange is when the latest of the newest runs that changed
// courses finished (zero: none).
func lastCourseChange(ctx context.Context, st store.Store) (time.Time, error) {
	runs, err := st.FindRuns(ctx, store.RunFilter{Limit: changedRunsWindow})
	var latest time.Time
	for _, r := range runs {
		if r.Added+r.Updated+r.Removed > 0 && r.FinishedAt.After(latest) {
			latest = r.FinishedAt
		}
	}
	return latest, err
}

// datasetStamp says what the open dataset made now is made from: the
// version of its files' content, the providers and the latest harvest
// that changed courses. serve regenerates the files at start only when it
// differs from the stamp of their generation
// (export.Regenerator.PokeIfStale).
func (a *app) datasetStamp(ctx context.Context) (string, error) {
	providers, err := a.store.ListProviders(ctx)
	if err != nil {
		return "", err
	}
	slices.SortFunc(providers, func(x, y model.Provider) int { return strings.Compare(x.ID, y.ID) })
	listed, err := json.Marshal(providers)
	if err != nil {
		return "", err
	}
	changed, err := lastCourseChange(ctx, a.store)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("dataset version %s\nproviders %x\ncourses changed %s\n",
		export.Version, sha256.Sum256(listed), changed.UTC().Format(time.RFC3339Nano)), nil
}

// datasetQuiet is how long serve waits after the last harvest that changed
// courses before it regenerates the open dataset: a burst of harvests
// makes one generation.
const datasetQuiet = 30 * time.Second

// regenerateAfter is datasetQuiet, shorter in tests.
func (a *app) regenerateAfter() time.Duration {
	if a.testDatasetQuiet > 0 {
		return a.testDatasetQuiet
	}
	return datasetQuiet
}

// withMetricsListener runs run and, when metrics-listen is set, serves
// /metrics (and /healthz) on that address alone for as long: the operator can keep the
// metrics off the public listener (a firewall, a private interface).
func withMetricsListener(ctx context.Context, a *app, run func(context.Context) error) error {
	if a.cfg.API.MetricsListen == "" {
		return run(ctx)
	}
	ln, err := net.Listen("tcp", a.cfg.API.MetricsListen)
	if err != nil {
		return fmt.Errorf("listen on %s (metrics-listen): %w", a.cfg.API.MetricsListen, err)
	}
	a.log.Info("serving metrics", "addr", ln.Addr().String())
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metrics.Handler())
	mux.HandleFunc("GET /healthz", healthz)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	metricsDone := make(chan error, 1)
	go func() { metricsDone <- serveHTTP(ctx, ln, mux) }()
	err = run(ctx)
	cancel()
	return errors.Join(err, <-metricsDone)
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
