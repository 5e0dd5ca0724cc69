package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/discovery"
	"qlink/internal/fetch"
	"qlink/internal/fetch/auth"
	"qlink/internal/harvest"
	"qlink/internal/keys"
	"qlink/internal/redact"
	"qlink/internal/registry"
	"qlink/internal/schedule"
	"qlink/internal/search"
	"qlink/internal/search/bleve"
	pgsearch "qlink/internal/search/postgres"
	"qlink/internal/source"
	"qlink/internal/source/eduapi"
	"qlink/internal/source/elm"
	"qlink/internal/source/occapi"
	"qlink/internal/source/ooapi"
	"qlink/internal/store"
	"qlink/internal/store/blob"
	"qlink/internal/store/postgres"
	"qlink/internal/store/sqlite"
	"qlink/internal/vocab"
	"qlink/internal/web"
)

// app is one wired qlink: storage, index, fetcher and harvester.
type app struct {
	cfg       config.Config
	log       *slog.Logger
	store     store.Store
	blobs     store.Blobs
	index     search.Index
	fetcher   *fetch.Client
	harvester *harvest.Harvester
	keys      *keys.Ring
	// checker runs the web's "check my institution" (checkHarvester).
	checker *harvest.Harvester
	// queue is the job queue the web queues refreshes in (nil: none).
	queue *schedule.Queue
	// discoverer also checks providers' domain claims.
	discoverer *discovery.Discoverer
	// testDatasetQuiet and testHarvestWatch, when set, replace
	// datasetQuiet and harvestWatch (tests).
	testDatasetQuiet, testHarvestWatch time.Duration
	// metrics count what this process does, for serve's /metrics.
	metrics *web.Metrics
}

// network adjusts outbound behaviour; only the demo and tests change it.
type network struct {
	resolver  *net.Resolver
	discovery discovery.Options
	// allowNets opens these non-public ranges to the fetcher: the demo's
	// loopback federation (fetch.LoopbackNets), nothing else.
	allowNets []netip.Prefix
}

// openApp opens everything in cfg.DataDir, creating the parts that are
// missing: callers check first that the directory is meant to hold an
// instance (openCmdApp, the demo's claimDemoDir).
func openApp(ctx context.Context, cfg config.Config, log *slog.Logger, nw network) (*app, error) {
	a := &app{cfg: cfg, log: log}
	var err error
	if a.store, err = openStore(ctx, cfg); err != nil {
		return nil, err
	}
	if a.blobs, err = openBlobs(ctx, cfg, log); err != nil {
		a.Close()
		return nil, err
	}
	if a.index, err = a.openIndex(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if a.keys, err = openKeys(ctx, cfg); err != nil {
		a.Close()
		return nil, err
	}
	a.metrics = web.NewMetrics(a.store, log)
	fo := fetcherOptions(cfg, nw, log)
	fo.Observe = a.metrics.FetchRequest
	a.fetcher = fetch.New(fo)
	a.discoverer = newDiscoverer(cfg, a.fetcher, nw)
	a.harvester = harvest.New(harvest.Options{
		Store: a.store, Blobs: a.blobs, Index: a.index, Fetcher: a.fetcher,
		Discoverer: a.discoverer, Adapters: adapters(), Shared: queueBackend(cfg, a.store).Shared(),
		Auth: auth.Deps{Keys: a.keys, HTTPClient: a.fetcher.HTTPClient(),
			Credentials: harvest.StoredCredentials{Store: a.store, Keys: a.keys}},
		MaxPages: cfg.Harvest.MaxPages, Limits: harvestLimits(cfg), PublishFor: publishFor(cfg), Logger: log,
		RunFinished: func(s store.RunStatus) { a.metrics.HarvestRun(string(s)) },
		Busy:        paceCollector,
	})
	a.checker = checkHarvester(cfg, a.fetcher, nw, nil, log)
	return a, nil
}

// openBlobs opens the snapshot store: the bucket of snapshot-url, signed
// in with the AWS_* variables of the environment, or the data directory's
// blob directory.
func openBlobs(ctx context.Context, cfg config.Config, log *slog.Logger) (store.Blobs, error) {
	if cfg.SnapshotURL == "" {
		return blob.NewDir(cfg.BlobPath())
	}
	bucket, prefix, err := cfg.SnapshotBucket()
	if err != nil {
		return nil, err
	}
	sc := blob.S3Env(os.Getenv)
	sc.Bucket, sc.Prefix = bucket, prefix
	s, err := blob.OpenS3(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("snapshot-url: %w", err)
	}
	log.Info("snapshots in object storage", "store", s.String())
	return s, nil
}

// openCmdApp loads a command's configuration and opens the whole app on
// it, search index included, with production networking. It is for the
// commands that write the index (serve, harvest, runs confirm); the data
// directory must hold an instance, or, when the command has --init and
// it is set, is made one.
func openCmdApp(cmd *cobra.Command) (*app, error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return nil, err
	}
	if initFlag, _ := cmd.Flags().GetBool("init"); initFlag {
		err = ensureInstance(cmd.Context(), cfg, cmd.OutOrStdout())
	} else {
		err = checkInstance(cfg)
	}
	if err != nil {
		return nil, err
	}
	log := newLogger(cfg)
	warnKeySecretPlacement(log, cfg)
	return openApp(cmd.Context(), cfg, log, cmdNetwork)
}

// cmdNetwork is the networking of the commands that open an instance:
// production's. Only the test binary changes it, for child processes that
// must reach the test's servers on loopback (see schedule_test.go).
var cmdNetwork network

// openCmdStore opens only the database of the command's instance, for
// commands that never touch the search index: they run beside a serve
// process that holds it.
func openCmdStore(cmd *cobra.Command) (store.Store, config.Config, error) {
	cfg, err := loadInstanceConfig(cmd)
	if err != nil {
		return nil, cfg, err
	}
	st, err := openStore(cmd.Context(), cfg)
	return st, cfg, err
}

func newFetcher(cfg config.Config, nw network, log *slog.Logger) *fetch.Client {
	return fetch.New(fetcherOptions(cfg, nw, log))
}

func fetcherOptions(cfg config.Config, nw network, log *slog.Logger) fetch.Options {
	hostRate := float64(cfg.Fetch.HostRate)
	if nw.resolver != nil {
		hostRate = 0 // the simulated federation runs on this machine: nobody to be polite to
	}
	return fetch.Options{
		Timeout: cfg.Fetch.Timeout, MaxBodyBytes: cfg.Fetch.MaxBodyBytes, PerHost: cfg.Fetch.PerHostConcurrency,
		HostRate: hostRate, Retry: fetch.RetryPolicy{Attempts: cfg.Fetch.Attempts},
		UserAgent: fetch.UserAgent(version, cfg.ContactURL), AllowPrivate: cfg.Fetch.AllowPrivateNetworks,
		AllowNets: nw.allowNets, Resolver: nw.resolver, Logger: log.With("component", "fetch"),
	}
}

func newDiscoverer(cfg config.Config, f *fetch.Client, nw network) *discovery.Discoverer {
	var txt discovery.TXTResolver = net.DefaultResolver
	if nw.resolver != nil {
		txt = nw.resolver
	}
	opts := nw.discovery
	opts.MaxSources = cfg.Harvest.MaxSources
	return discovery.New(txt, f, opts)
}

// harvestLimits are the harvest's budgets and safety thresholds.
func harvestLimits(cfg config.Config) harvest.Limits {
	h := cfg.Harvest
	return harvest.Limits{MaxRemovalPercent: h.MaxRemovalPercent, MaxRunBytes: h.MaxRunBytes, MaxRunPages: h.MaxRunPages,
		MaxRecords: h.MaxRecords, ProviderTimeout: h.ProviderTimeout, KeepSnapshots: h.KeepSnapshots, MaxSources: h.MaxSources}
}

// publishFor is the operator's harvest-publish-for, already validated with
// the configuration.
func publishFor(cfg config.Config) map[string][]string {
	m, _ := cfg.Harvest.PublishForMap()
	return m
}

// adapters lists the source adapters by manifest type.
func adapters() map[string]source.Adapter {
	return map[string]source.Adapter{"ooapi": ooapi.Adapter{}, "edu-api": eduapi.Adapter{}, "occapi": occapi.Adapter{}, "elm": elm.Adapter{}}
}

// newChecker wires a harvester that can discover and preview but stores
// nothing. It uses the aggregator's keys when the data directory holds an
// instance (an operator checking on the aggregator), and never creates keys.
func newChecker(ctx context.Context, cfg config.Config, nw network, log *slog.Logger) (*harvest.Harvester, error) {
	var ring *keys.Ring
	if checkInstance(cfg) == nil {
		var err error
		if ring, err = openKeys(ctx, cfg); err != nil {
			return nil, err
		}
	}
	return checkHarvester(cfg, newFetcher(cfg, nw, log), nw, ring, log), nil
}

// checkHarvester is the dry run behind qlink check and the web's "check my
// institution", decrypting with ring when it is not nil. The web's gets
// none: a public form must never make the aggregator decrypt a secret and
// send it wherever a stranger's manifest points.
func checkHarvester(cfg config.Config, f *fetch.Client, nw network, ring *keys.Ring, log *slog.Logger) *harvest.Harvester {
	return harvest.New(harvest.Options{Fetcher: f, Discoverer: newDiscoverer(cfg, f, nw), Adapters: adapters(),
		Auth: auth.Deps{Keys: ring, HTTPClient: f.HTTPClient()}, MaxPages: cfg.Harvest.MaxPages, Limits: harvestLimits(cfg),
		PublishFor: publishFor(cfg), Logger: log})
}

// queueBackend is where the job queue lives: in the PostgreSQL database
// when the store is there (sharing its pool), else in the data
// directory's SQLite file. st may be nil when the store is not open.
func queueBackend(cfg config.Config, st store.Store) schedule.Backend {
	if pg, ok := st.(*postgres.Store); ok {
		return schedule.Postgres(pg.Pool())
	}
	return schedule.SQLite(cfg.DatabasePath())
}

// openStore opens the instance's database: the PostgreSQL database of
// database-url when that is set, else the data directory's SQLite file.
// Pending migrations are applied with auto-migrate, refused without.
func openStore(ctx context.Context, cfg config.Config) (store.Store, error) {
	st, where, err := openEngine(ctx, cfg)
	if err != nil {
		return nil, err
	}
	pending, err := st.Pending(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if pending > 0 {
		if !cfg.AutoMigrate {
			st.Close()
			return nil, fmt.Errorf("the database at %s needs %d migration(s): run `qlink migrate` first (or set auto-migrate)", where, pending)
		}
		if err := st.Migrate(ctx); err != nil {
			st.Close()
			return nil, err
		}
	}
	return st, nil
}

// engineStore is a store that knows its schema's migrations.
type engineStore interface {
	store.Store
	migrator
}

// openEngine opens the database as it is, migrations pending or not, and
// names it for messages (a PostgreSQL URL without its password).
func openEngine(ctx context.Context, cfg config.Config) (engineStore, string, error) {
	if cfg.DatabaseURL == "" {
		st, err := sqlite.Open(cfg.DatabasePath())
		if err != nil {
			return nil, "", err
		}
		return st, cfg.DatabasePath(), nil
	}
	dsn, err := cfg.DatabaseDSN()
	if err != nil {
		return nil, "", err
	}
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, "", err
	}
	return st, redact.URL(cfg.DatabaseURL), nil
}

// shared tells whether other qlink processes may share this instance's
// database, its job queue and (on PostgreSQL) its search index.
func (a *app) shared() bool { return queueBackend(a.cfg, a.store).Shared() }

// openIndex opens the search index: on PostgreSQL the tables beside the
// store's, on the store's own pool, so that every process answers every
// query; else the bleve index in the data directory, rebuilt from the
// store when it is new or was built by another version of the mapping:
// the index is derived data and never the only copy of anything. Start-up
// repair fills an index that lacks courses, on either engine.
func (a *app) openIndex(ctx context.Context) (search.Index, error) {
	if pg, ok := a.store.(*postgres.Store); ok {
		idx := pgsearch.New(pg.Pool())
		// Derived data: its schema follows the code without asking, as a
		// bleve index with a changed mapping is rebuilt.
		if err := idx.Migrate(ctx); err != nil {
			return nil, err
		}
		return borrowedPool{idx}, nil
	}
	path := a.cfg.IndexPath()
	idx, err := bleve.Open(path)
	if errors.Is(err, bleve.ErrMappingChanged) {
		a.log.Info("search index mapping changed; rebuilding", "path", path)
		if err := os.RemoveAll(path); err != nil {
			return nil, err
		}
		idx, err = bleve.Open(path)
	}
	if errors.Is(err, bleve.ErrBusy) {
		return nil, fmt.Errorf("the search index in %s is open in another qlink process (serve, demo or harvest): "+
			"one process at a time owns a data directory; stop the other one and try again: %w", a.cfg.DataDir, err)
	}
	if err != nil {
		return nil, err
	}
	return idx, nil
}

// borrowedPool is a PostgreSQL search index on the store's pool: closing
// it leaves the pool to the store, which closes it last.
type borrowedPool struct{ *pgIndex }

// pgIndex names the type for embedding: a field named Index would hide
// the method of that name.
type pgIndex = pgsearch.Index

func (borrowedPool) Close() error { return nil }

// repair is start-up recovery for the commands that own the data
// directory (serve, worker, harvest, refresh, demo): runs a killed
// process left running are closed as interrupted, and the search index
// is brought in line with the store (a new or rebuilt index is filled).
// Orphaned snapshots are sweepOrphans' work.
func (a *app) repair(ctx context.Context) error {
	rep, err := a.harvester.Repair(ctx)
	if err != nil {
		return fmt.Errorf("start-up repair: %w", err)
	}
	if rep != (harvest.RepairReport{}) {
		a.log.Info("start-up repair", "interrupted_runs", rep.Interrupted, "indexed", rep.Indexed, "unindexed", rep.Unindexed)
	}
	return nil
}

// sweepOrphans deletes the snapshots a crashed run wrote but never
// recorded. The long-running commands call it once they serve or work,
// beside their harvests; a failure is logged, as the next start sweeps
// again.
func (a *app) sweepOrphans(ctx context.Context) {
	start := time.Now()
	n, err := a.harvester.SweepOrphans(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		a.log.Warn("sweeping orphaned snapshots", "error", err)
	case n > 0:
		a.log.Info("orphaned snapshots deleted", "count", n, "took", time.Since(start).Round(time.Millisecond))
	}
}

// importRegistry imports the providers of the configured registry into
// the store; problems are records it skipped.
func (a *app) importRegistry(ctx context.Context) (imported int, problems []string, err error) {
	ps, problems, err := registry.Load(ctx, a.fetcher, a.cfg.RegistryURL, a.cfg.Harvest.MaxPages)
	if err != nil {
		return 0, problems, err
	}
	return len(ps), problems, a.store.UpsertProviders(ctx, ps)
}

// directoryImport is what an import of the registry and the alliance
// data brought.
type directoryImport struct {
	Providers int
	Alliances allianceImport
	// Problems are records skipped, each naming its source.
	Problems []string
}

// importDirectory imports the configured registry and alliance data.
func (a *app) importDirectory(ctx context.Context) (directoryImport, error) {
	var rep directoryImport
	if a.cfg.RegistryURL != "" {
		n, problems, err := a.importRegistry(ctx)
		rep.Providers, rep.Problems = n, append(rep.Problems, problems...)
		if err != nil {
			return rep, err
		}
	}
	if a.cfg.AlliancesURL != "" {
		var err error
		rep.Alliances, err = importAlliances(ctx, a.store, a.fetcher, a.cfg.AlliancesURL)
		rep.Problems = append(rep.Problems, rep.Alliances.Problems...)
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// openScheduler opens the job queue of the instance, ready to work its
// harvests, with its depth in the metrics; override, when set, replaces
// every source's refresh interval. It returns nil and no error when ctx
// ended while it opened: the process was told to stop.
func (a *app) openScheduler(ctx context.Context, override time.Duration, coursesChanged func()) (*schedule.Scheduler, error) {
	var importRegistry func(context.Context) error
	if a.cfg.RegistryURL != "" || a.cfg.AlliancesURL != "" {
		importRegistry = func(ctx context.Context) error {
			rep, err := a.importDirectory(ctx)
			for _, p := range rep.Problems {
				a.log.Warn("import", "problem", p)
			}
			if err == nil {
				a.log.Info("registry imported", "providers", rep.Providers, "alliances", rep.Alliances.Alliances,
					"registry", redact.URL(a.cfg.RegistryURL), "alliance data", redact.URL(a.cfg.AlliancesURL))
			}
			return err
		}
	}
	sc := a.cfg.Schedule
	sch, err := schedule.Open(ctx, schedule.Options{Backend: queueBackend(a.cfg, a.store), Store: a.store, Harvester: a.harvester,
		ImportRegistry: importRegistry, Workers: a.cfg.Harvest.Workers, Floor: sc.Floor, Ceiling: sc.Ceiling,
		Discovery: sc.Discovery, Registry: sc.Registry, Override: override, RescueAfter: rescueAfter, Logger: a.log, CoursesChanged: coursesChanged})
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil
		}
		return nil, err
	}
	a.metrics.ReadQueueDepth(sch.Depth)
	return sch, nil
}

func (a *app) webServer(notice string) (*web.Server, error) {
	labels, err := vocab.LoadLabels(a.cfg.LabelsPath())
	if err != nil {
		return nil, err
	}
	accounts, err := a.accountOptions()
	if err != nil {
		return nil, err
	}
	proxies, err := a.cfg.API.TrustedProxyPrefixes()
	if err != nil {
		return nil, err
	}
	return web.New(web.Options{Store: a.store, Index: a.index, Logger: a.log, BaseURL: a.cfg.PublicURL(), Notice: notice, Labels: labels, Keys: a.keys,
		Checker: a.checker, Refresher: a.refresher(), RefreshMinInterval: a.cfg.RefreshMinInterval, Accounts: accounts,
		Admin: a.adminOptions(), DatasetDir: a.cfg.DatasetPath(), DatasetPublisher: a.cfg.Publisher(), Contact: a.cfg.ContactURL,

		RateLimit:   web.RateLimit{PerSecond: float64(a.cfg.API.Rate), Burst: a.cfg.API.Burst, TrustedProxies: proxies},
		SearchLimit: web.SearchLimit{Concurrency: a.searchConcurrency(), Costly: a.cfg.API.SearchNewTexts, Queue: a.cfg.API.SearchQueue},
		KeptBytes:   a.shareCacheMemory(),
		Metrics:     a.metrics, MetricsApart: a.cfg.API.MetricsListen != ""})
}

// searchConcurrency is search-concurrency, or its default for the index:
// web's (0) for the embedded index, whose searches are the process's own
// CPU work, two per core for PostgreSQL's, which spend much of their time
// waiting for the database.
func (a *app) searchConcurrency() int {
	if n := a.cfg.API.SearchConcurrency; n > 0 {
		return n
	}
	if _, embedded := a.index.(*bleve.Index); embedded {
		return 0
	}
	return 2 * runtime.GOMAXPROCS(0)
}

// defaultCacheBytes is what serve keeps of recent answers' parts by
// default: the search index's, the store's and the web layer's budgets
// (cache-memory's default).
const defaultCacheBytes = bleve.CacheBytes + sqlite.RowCacheBytes + web.KeptBytes

// shareCacheMemory shares cache-memory among the search index, the store
// and the web layer as between their defaults, and returns the web
// layer's share.
func (a *app) shareCacheMemory() int {
	total := int64(a.cfg.API.CacheMemory) << 20
	share := func(def int) int { return max(1, int(total*int64(def)/defaultCacheBytes)) } // 0 would mean the default
	if ix, ok := a.index.(*bleve.Index); ok {
		ix.SetCacheBudget(share(bleve.CacheBytes))
	}
	if st, ok := a.store.(*sqlite.Store); ok {
		st.SetRowCacheBudget(share(sqlite.RowCacheBytes))
	}
	return share(web.KeptBytes)
}

func (a *app) Close() {
	if a.queue != nil {
		a.queue.Close()
	}
	if a.index != nil {
		a.index.Close()
	}
	if a.store != nil {
		a.store.Close()
	}
}
