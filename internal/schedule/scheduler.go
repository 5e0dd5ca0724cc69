package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"qlink/internal/harvest"
	"qlink/internal/store"
)

// Options configure a Scheduler.
type Options struct {
	// Backend is where the jobs live: beside the data, in the store's
	// database.
	Backend   Backend
	Store     store.Store
	Harvester *harvest.Harvester
	// ImportRegistry imports the provider registry into the store; nil
	// when the instance has no registry.
	ImportRegistry func(ctx context.Context) error
	// Workers is how many jobs run at the same time.
	Workers int
	// Floor and Ceiling clamp each source's refresh interval; failing
	// sources back off up to Ceiling.
	Floor, Ceiling time.Duration
	// Discovery and Registry are how often each provider is discovered
	// again and the registry imported again.
	Discovery, Registry time.Duration
	// Override, when set, replaces every source's interval (floor and
	// ceiling included): the demo uses it so refreshes can be watched.
	Override time.Duration
	// RetryBase is the wait after a source's first failure, doubled after
	// each further one (never more than the source's interval at first).
	RetryBase time.Duration
	// Tick is how often the planner looks for due work.
	Tick time.Duration
	// RescueAfter is, on a shared backend, how long a job may be running
	// before River takes its process for dead and lets another run it
	// again (River's rescuer, on the leader, looks every 30 seconds). It
	// is also the jobs' timeout there, so a live job is cancelled by its
	// own process before it could be taken for dead. It must exceed the
	// longest harvest (the harvest's provider timeout). Default: the
	// provider timeout plus StopGrace plus five minutes.
	RescueAfter time.Duration
	// StopGrace is how long jobs under way may take to finish once the
	// scheduler is told to stop; they are cancelled after it.
	StopGrace time.Duration
	Logger    *slog.Logger
	// Now returns the current time; tests move it.
	Now func() time.Time
	// CoursesChanged, when set, is called after each run that added,
	// changed or removed courses (serve regenerates the open dataset).
	// It must not block.
	CoursesChanged func()
}

const defaultRefresh = 24 * time.Hour

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Floor, time.Hour)
	def(&o.Ceiling, 7*24*time.Hour)
	def(&o.Discovery, 24*time.Hour)
	def(&o.Registry, 24*time.Hour)
	def(&o.RetryBase, 15*time.Minute)
	def(&o.Tick, time.Minute)
	if o.Override > 0 {
		// Look often enough for an overridden interval to be kept.
		o.Tick = min(o.Tick, max(o.Override/4, 100*time.Millisecond))
	}
	def(&o.StopGrace, 20*time.Second)
	if o.Harvester != nil {
		def(&o.RescueAfter, o.Harvester.Limits.ProviderTimeout+o.StopGrace+5*time.Minute)
	}
	o.Workers = max(o.Workers, 1)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Scheduler works the job queue of an instance and plans its periodic
// work. On SQLite only the process that owns the instance's search index
// runs one; on PostgreSQL every process that harvests does.
type Scheduler struct {
	*Queue
	opts Options
	log  *slog.Logger
	// locks allow one run per source at a time, whatever asked for it
	// and whichever process works the job.
	locks sourceLocks
}

// planQueue is the River queue of the planner's jobs, worked one at a
// time beside the harvests so that planning never waits for a slot.
const planQueue = "qlink_plan"

// Open opens the job queue in the backend, ready to Run.
func Open(ctx context.Context, o Options) (*Scheduler, error) {
	o = o.withDefaults()
	s := &Scheduler{opts: o, log: o.Logger.With("component", "schedule"), locks: o.Backend.locks()}
	workers := river.NewWorkers()
	river.AddWorker(workers, &refreshWorker{s: s})
	river.AddWorker(workers, &discoverWorker{s: s})
	river.AddWorker(workers, &importWorker{s: s})
	river.AddWorker(workers, &syncWorker{s: s})
	river.AddWorker(workers, &planWorker{s: s})
	cfg := &river.Config{
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}, planQueue: {MaxWorkers: 1}},
		Workers: workers, Logger: slog.New(warnAndAbove{o.Logger.With("component", "river").Handler()}),
		// A worker is stopped by its own budgets (harvest limits), not by
		// a job timeout.
		JobTimeout: -1,
		// River inserts periodic jobs on the elected leader alone, so
		// however many processes share the queue, one plans.
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(o.Tick),
			func() (river.JobArgs, *river.InsertOpts) { return planArgs{}, planOpts() },
			&river.PeriodicJobOpts{RunOnStart: true})},
	}
	if o.Backend.Shared() {
		// River rescues only jobs that have outlived their timeout, so a
		// shared queue gives them one: RescueAfter, which no harvest
		// reaches (its own budget stops it first). A job still running
		// after it belongs to a process that died.
		cfg.JobTimeout, cfg.RescueStuckJobsAfter = o.RescueAfter, o.RescueAfter
	}
	q, err := o.Backend.open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s.Queue = q
	return s, nil
}

// Run works jobs and plans periodic work until ctx ends, then stops: jobs
// under way get StopGrace to finish, and are cancelled after it (a
// cancelled harvest changes nothing and is retried at the next start).
func (s *Scheduler) Run(ctx context.Context) error {
	// On a shared queue a running job may be another process's, alive:
	// River's rescuer (on the leader) retries those left RescueAfter.
	if !s.opts.Backend.Shared() {
		if err := s.requeueOrphans(ctx); err != nil {
			if ctx.Err() != nil {
				return nil // told to stop before it started
			}
			return err
		}
	}
	// The client's own context must outlive ctx: cancelling it would
	// cancel the jobs at once, with no grace.
	if err := s.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("job queue: start: %w", err)
	}
	<-ctx.Done()
	return s.stop()
}

func (s *Scheduler) stop() error {
	s.log.Debug("stopping: jobs under way may finish", "grace", s.opts.StopGrace)
	soft, cancel := context.WithTimeout(context.Background(), s.opts.StopGrace)
	defer cancel()
	if err := s.client.Stop(soft); err == nil {
		s.log.Debug("stopped")
		return nil
	}
	s.log.Warn("jobs still under way after the grace period; cancelling them", "grace", s.opts.StopGrace)
	hard, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.client.StopAndCancel(hard); err != nil {
		return fmt.Errorf("job queue: stop: %w", err)
	}
	return nil
}

// requeueOrphans makes jobs a killed process left running available
// again. Only the process that owns the instance runs jobs, so a job
// marked running at its start belongs to no one; River would rescue it
// only after an hour.
func (s *Scheduler) requeueOrphans(ctx context.Context) error {
	res, err := s.db.ExecContext(ctx, `UPDATE river_job SET state = 'available', scheduled_at = ? WHERE state = 'running'`,
		s.opts.Now().UTC())
	if err != nil {
		return fmt.Errorf("job queue: requeue interrupted jobs: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		s.log.Info("requeued jobs a stopped process left running", "jobs", n)
	}
	return nil
}

// planArgs asks for one round of planning: the periodic one (Round 0),
// or one asked for by a change, due at the second Round.
type planArgs struct {
	Round int64 `json:"round,omitempty"`
}

func (planArgs) Kind() string { return "qlink_plan" }

// planOpts keeps at most one round of planning queued or under way for
// the same args; a round that fails is not retried, the next tick plans
// again.
func planOpts() *river.InsertOpts {
	return &river.InsertOpts{Queue: planQueue, Priority: priorityNow, MaxAttempts: 1,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: liveStates}}
}

// planSoon plans before the next tick, once the change that asks for it
// is committed. Changes within one second share a round that starts when
// that second is over: a round already under way, which may have read the
// store before this change, never stands for it (River's unique jobs
// would merge the two), and a burst of changes, such as the discovery of
// every provider, makes one round a second at most.
func (s *Scheduler) planSoon(ctx context.Context) {
	at := time.Now().Truncate(time.Second).Add(time.Second)
	opts := planOpts()
	opts.ScheduledAt = at
	if _, err := s.client.Insert(ctx, planArgs{Round: at.Unix()}, opts); err != nil && ctx.Err() == nil {
		s.log.Error("queueing a round of planning", "error", err)
	}
}

// plan queues what is due: the registry import, discovery of providers
// not discovered for a while, and the sources whose next run has come.
// Unique jobs make planning twice harmless.
func (s *Scheduler) plan(ctx context.Context) error {
	now := s.opts.Now()
	// On a shared database no process starts to close a dead one's runs:
	// the planner, on the leader, closes them once their heartbeat is
	// stale (River's rescuer retries their jobs).
	if s.opts.Backend.Shared() {
		if n, err := s.opts.Harvester.InterruptStale(ctx); err != nil {
			return err
		} else if n > 0 {
			s.log.Info("closed runs of a process that stopped", "runs", n)
		}
	}
	if s.opts.ImportRegistry != nil {
		_, err := s.client.Insert(ctx, importArgs{}, &river.InsertOpts{Priority: priorityPeriodic,
			UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: s.opts.Registry}})
		if err != nil {
			return fmt.Errorf("job queue: insert registry import: %w", err)
		}
	}
	providers, err := s.opts.Store.ListProviders(ctx)
	if err != nil {
		return err
	}
	// Blocked providers are left alone until an operator allows them.
	blocks, err := s.opts.Store.ListBlocks(ctx)
	if err != nil {
		return err
	}
	for _, p := range providers {
		if _, blocked := blocks[p.ID]; blocked {
			continue
		}
		d, err := s.opts.Store.LatestDiscovery(ctx, p.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil && now.Sub(d.StartedAt) < s.opts.Discovery {
			continue
		}
		if err := s.insert(ctx, discoverArgs{ProviderID: p.ID}, priorityPeriodic, nil); err != nil {
			return err
		}
	}
	sources, err := s.opts.Store.ListSources(ctx, "")
	if err != nil {
		return err
	}
	for _, src := range sources {
		// A paused source waits for its provider or an operator to resume it.
		if _, blocked := blocks[src.ProviderID]; blocked || !src.Active || src.Paused || s.due(src).After(now) {
			continue
		}
		if err := s.insert(ctx, refreshArgs{SourceID: src.ID, Trigger: "schedule"}, priorityPeriodic, nil); err != nil {
			return err
		}
	}
	return nil
}

// due is when a source should run next: as planned, or, for a source
// never planned, at once if it never ran and an interval after its last
// run otherwise (one harvested by qlink harvest before any server ran).
func (s *Scheduler) due(src store.Source) time.Time {
	switch {
	case !src.NextRunAt.IsZero():
		return src.NextRunAt
	case !src.LastRunAt.IsZero():
		return src.LastRunAt.Add(s.interval(src))
	}
	return time.Time{}
}

// interval is how long a source waits between two successful runs.
func (s *Scheduler) interval(src store.Source) time.Duration {
	if s.opts.Override > 0 {
		return s.opts.Override
	}
	d, err := harvest.RefreshInterval(src)
	if err != nil || d <= 0 {
		d = defaultRefresh
	}
	return min(max(d, s.opts.Floor), s.opts.Ceiling)
}

// nextRun is when a source runs again after a run that ended with status,
// the source's health already updated by it: its interval after a
// success; after failures a wait that starts short and doubles with each
// consecutive failure, up to the ceiling. A tenth either way of jitter
// keeps sources that started together from staying in step.
func (s *Scheduler) nextRun(src store.Source, status store.RunStatus, now time.Time) time.Time {
	interval := s.interval(src)
	delay := interval
	if status == store.RunFailed && src.ErrorCount > 0 {
		limit := max(s.opts.Ceiling, interval)
		delay = min(s.opts.RetryBase, interval)
		for i := 1; i < src.ErrorCount && delay < limit; i++ {
			delay *= 2
		}
		delay = min(delay, limit)
	}
	jitter := time.Duration((rand.Float64()*2 - 1) * float64(delay) / 10)
	return now.Add(delay + jitter)
}

// busyRetry is how long a refresh waits when its source is being
// harvested by another job.
const busyRetry = 2 * time.Second

// gone tells whether a run failed because its source's URL has gone (HTTP
// 404 or 410): the manifest may have moved it, so discovery runs at once.
func gone(run store.Run) bool {
	return run.Status == store.RunFailed && (strings.Contains(run.Error, "HTTP 404") || strings.Contains(run.Error, "HTTP 410"))
}

// refresh harvests one source and plans its next run.
func (s *Scheduler) refresh(ctx context.Context, args refreshArgs, tags []string) error {
	// The lock comes first, so that what is read below is what the last
	// run of the source left.
	unlock, ok, err := s.locks.tryLock(ctx, args.SourceID)
	if err != nil {
		return err
	}
	if !ok {
		return river.JobSnooze(busyRetry)
	}
	defer unlock()
	src, err := s.opts.Store.Source(ctx, args.SourceID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	// A job queued before the source was paused does not run it; a
	// refresh someone asked for (manual) does.
	if !src.Active || (src.Paused && args.Trigger != "manual") {
		return nil
	}
	// A job the planner queued for a slot another job has harvested since
	// (the planner read the source before that run planned the next)
	// has nothing left to do: one run per slot.
	if args.Trigger == "schedule" && s.due(src).After(s.opts.Now()) {
		return nil
	}
	h := s.opts.Harvester
	runCtx, cancel := context.WithTimeout(ctx, h.Limits.ProviderTimeout)
	defer cancel()
	run, err := h.Source(runCtx, src, args.Trigger)
	if errors.Is(err, harvest.ErrBlocked) {
		s.log.Info("source not refreshed", "source_id", src.ID, "reason", err)
		return nil
	}
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		// Stopped mid-run: the run changed nothing; do it again later.
		return ctx.Err()
	}
	if s.opts.CoursesChanged != nil && run.Added+run.Updated+run.Removed > 0 {
		s.opts.CoursesChanged()
	}
	if src, err = s.opts.Store.Source(ctx, src.ID); err != nil {
		return err
	}
	next := s.nextRun(src, run.Status, s.opts.Now())
	if err := s.opts.Store.SetNextRun(ctx, src.ID, next); err != nil {
		return err
	}
	s.log.Info("source refreshed", "source_id", src.ID, "run_id", run.ID, "status", run.Status, "next_run_at", next)
	if gone(run) {
		return s.insert(ctx, discoverArgs{ProviderID: src.ProviderID}, priorityNow, tags)
	}
	return nil
}

// discover runs discovery for a provider and queues refreshes for what
// changed: every active source when asked to (args.Refresh), otherwise
// the sources new or changed in the manifest, and lets the planner pick up
// the rest.
func (s *Scheduler) discover(ctx context.Context, args discoverArgs, tags []string) error {
	p, err := s.opts.Store.Provider(ctx, args.ProviderID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	before, err := s.opts.Store.ListSources(ctx, p.ID)
	if err != nil {
		return err
	}
	versions := map[string]int{}
	for _, src := range before {
		versions[src.ID] = src.ManifestVersion
	}
	sources, err := s.opts.Harvester.Discover(ctx, p)
	if errors.Is(err, harvest.ErrBlocked) {
		s.log.Info("provider not discovered", "provider_id", p.ID, "reason", err)
		return nil
	}
	if err != nil {
		// Recorded with its probes; the provider's sources stay as they
		// were and discovery is tried again at the next interval.
		s.log.Info("discovery failed", "provider_id", p.ID, "error", err)
		return nil
	}
	for _, src := range sources {
		// A paused source waits even when its whole provider is
		// refreshed; only a refresh of that source itself runs it.
		if !src.Active || src.Paused {
			continue
		}
		v, known := versions[src.ID]
		switch {
		case args.Refresh:
			err = s.insert(ctx, refreshArgs{SourceID: src.ID, Trigger: "manual"}, priorityNow, tags)
		case known && v != src.ManifestVersion:
			err = s.insert(ctx, refreshArgs{SourceID: src.ID, Trigger: "manifest-changed"}, priorityNow, tags)
		}
		if err != nil {
			return err
		}
	}
	s.planSoon(ctx)
	return nil
}

// importRegistry imports the registry (when the instance has one), then,
// when asked to refresh, queues discovery and refresh of the providers.
func (s *Scheduler) importRegistry(ctx context.Context, args importArgs, tags []string) error {
	if s.opts.ImportRegistry != nil {
		if err := s.opts.ImportRegistry(ctx); err != nil {
			return err
		}
		// Alliance data comes with the registry: courses of providers
		// whose membership changed are indexed again.
		if err := s.opts.Harvester.SyncIndex(ctx); err != nil {
			return err
		}
	}
	if args.Refresh {
		providers, err := s.opts.Store.ListProviders(ctx)
		if err != nil {
			return err
		}
		for _, p := range providers {
			if len(args.Only) > 0 && !slices.Contains(args.Only, p.ID) {
				continue
			}
			if err := s.insert(ctx, discoverArgs{ProviderID: p.ID, Refresh: true}, priorityNow, tags); err != nil {
				return err
			}
		}
	}
	s.planSoon(ctx)
	return nil
}

type refreshWorker struct {
	river.WorkerDefaults[refreshArgs]
	s *Scheduler
}

func (w *refreshWorker) Work(ctx context.Context, job *river.Job[refreshArgs]) error {
	return w.s.refresh(ctx, job.Args, job.Tags)
}

type discoverWorker struct {
	river.WorkerDefaults[discoverArgs]
	s *Scheduler
}

func (w *discoverWorker) Work(ctx context.Context, job *river.Job[discoverArgs]) error {
	return w.s.discover(ctx, job.Args, job.Tags)
}

type importWorker struct {
	river.WorkerDefaults[importArgs]
	s *Scheduler
}

func (w *importWorker) Work(ctx context.Context, job *river.Job[importArgs]) error {
	return w.s.importRegistry(ctx, job.Args, job.Tags)
}

type planWorker struct {
	river.WorkerDefaults[planArgs]
	s *Scheduler
}

func (w *planWorker) Work(ctx context.Context, _ *river.Job[planArgs]) error {
	if err := w.s.plan(ctx); err != nil && ctx.Err() == nil {
		w.s.log.Error("planning the schedule", "error", err)
	}
	return nil
}

type syncWorker struct {
	river.WorkerDefaults[syncArgs]
	s *Scheduler
}

func (w *syncWorker) Work(ctx context.Context, job *river.Job[syncArgs]) error {
	return w.s.opts.Harvester.SyncIndex(ctx)
}

// warnAndAbove passes on River's warnings and errors only: its info
// messages (job counts every few seconds) would drown the log.
type warnAndAbove struct{ slog.Handler }

func (h warnAndAbove) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}
