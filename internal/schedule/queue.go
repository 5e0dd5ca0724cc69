// Package schedule keeps an instance fresh by itself: durable River jobs
// import the provider registry, run discovery per provider and refresh
// each source at its manifest's interval. The jobs live in the instance's
// database (Backend): its SQLite file, where the serve process alone works
// them (Scheduler) and every other command on the data directory only
// inserts jobs (Queue), since one process owns the search index; or a
// PostgreSQL database that several processes share and work together.
//
// The schedule itself lives in the store, not in memory: each source's
// next_run_at, each provider's latest discovery. A planner loop turns
// whatever is due into jobs, so after a restart, sources whose time passed
// while no server ran are refreshed at once.
package schedule

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Job priorities: River works priority 1 first, so work an operator asked
// for jumps ahead of the periodic refreshes.
const (
	priorityNow      = 1
	priorityPeriodic = 2
)

// liveStates are the job states in which a job counts as queued or under
// way: a second job with the same unique arguments is not inserted while
// one is in any of them. Finished jobs do not count, so the next refresh
// of a source can be queued once the last one ended.
var liveStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}

// refreshArgs asks for one harvest of a source.
type refreshArgs struct {
	SourceID string `json:"source_id" river:"unique"`
	// Trigger is recorded with the run: schedule, manual, manifest-changed.
	Trigger string `json:"trigger" river:"unique"`
}

func (refreshArgs) Kind() string { return "qlink_refresh_source" }

// discoverArgs asks for discovery of one provider; with Refresh, every
// active source it finds is then refreshed at once.
type discoverArgs struct {
	ProviderID string `json:"provider_id" river:"unique"`
	Refresh    bool   `json:"refresh" river:"unique"`
}

func (discoverArgs) Kind() string { return "qlink_discover_provider" }

// importArgs asks for an import of the provider registry; with Refresh,
// the imported providers (those in Only, when given) are then discovered
// and refreshed at once.
type importArgs struct {
	Refresh bool     `json:"refresh" river:"unique"`
	Only    []string `json:"only,omitempty" river:"unique"`
}

func (importArgs) Kind() string { return "qlink_import_registry" }

// syncArgs asks the index owner to index whatever the store holds that
// the index lags behind on: courses of providers whose alliances changed.
type syncArgs struct{}

func (syncArgs) Kind() string { return "qlink_sync_index" }

// Queue inserts jobs into an instance's job queue without working them.
type Queue struct {
	client riverClient
	// db is the queue's own SQLite pool; nil on PostgreSQL, where pool is
	// the caller's.
	db   *sql.DB
	pool *pgxpool.Pool
}

// OpenQueue opens the job queue in the backend for inserting only.
func OpenQueue(ctx context.Context, b Backend) (*Queue, error) {
	return b.open(ctx, &river.Config{})
}

// Close closes the queue's own database pool (not a PostgreSQL pool it
// was given).
func (q *Queue) Close() error {
	if q.db != nil {
		return q.db.Close()
	}
	return nil
}

// Batch names a group of jobs an operator asked for, so that a command
// can follow them (Wait) and everything they lead to.
type Batch struct {
	Tag  string
	Jobs int
}

func newBatch() Batch {
	b := make([]byte, 6)
	rand.Read(b)
	return Batch{Tag: "batch-" + hex.EncodeToString(b)}
}

// insert inserts one job. Periodic work (no tags) is unique: a job
// already queued with the same arguments is kept and counts as this one.
// Work an operator asked for (tagged with its batch) is always inserted,
// so that the batch can be followed to its end; the scheduler still runs
// one harvest of a source at a time.
func (q *Queue) insert(ctx context.Context, args river.JobArgs, priority int, tags []string) error {
	opts := &river.InsertOpts{Priority: priority, Tags: tags, MaxAttempts: 5}
	if len(tags) == 0 {
		opts.UniqueOpts = river.UniqueOpts{ByArgs: true, ByState: liveStates}
	}
	_, err := q.client.Insert(ctx, args, opts)
	if err != nil {
		return fmt.Errorf("job queue: insert %s: %w", args.Kind(), err)
	}
	return nil
}

// HarvestAll queues a full harvest: the server imports its registry (if
// it has one), then discovers every provider (those in only, when given)
// and refreshes every source it finds.
func (q *Queue) HarvestAll(ctx context.Context, only []string) (Batch, error) {
	b := newBatch()
	b.Jobs = 1
	return b, q.insert(ctx, importArgs{Refresh: true, Only: only}, priorityNow, []string{b.Tag})
}

// RefreshProvider queues discovery of a provider followed by a refresh of
// each of its active sources, ahead of periodic work.
func (q *Queue) RefreshProvider(ctx context.Context, providerID string) (Batch, error) {
	b := newBatch()
	b.Jobs = 1
	return b, q.insert(ctx, discoverArgs{ProviderID: providerID, Refresh: true}, priorityNow, []string{b.Tag})
}

// RefreshSource queues one refresh of a source, ahead of periodic work.
func (q *Queue) RefreshSource(ctx context.Context, sourceID string) (Batch, error) {
	b := newBatch()
	b.Jobs = 1
	return b, q.insert(ctx, refreshArgs{SourceID: sourceID, Trigger: "manual"}, priorityNow, []string{b.Tag})
}

// SyncIndex asks the server to bring its search index in line with the
// store, e.g. after another process changed alliance membership.
func (q *Queue) SyncIndex(ctx context.Context) (Batch, error) {
	b := newBatch()
	b.Jobs = 1
	return b, q.insert(ctx, syncArgs{}, priorityNow, []string{b.Tag})
}

// Pending counts the jobs of a batch not finished yet, including those
// its jobs queued in turn.
func (q *Queue) Pending(ctx context.Context, b Batch) (int, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().TagsAny(b.Tag).States(liveStates...).First(1000))
	if err != nil {
		return 0, fmt.Errorf("job queue: %w", err)
	}
	return len(res.Jobs), nil
}

// Depth counts the jobs waiting or under way, by River job state, for the
// operator's metrics; finished jobs are not counted.
func (q *Queue) Depth(ctx context.Context) (map[string]int, error) {
	depth := make(map[string]int, len(liveStates))
	for _, st := range liveStates {
		depth[string(st)] = 0
	}
	count := func(state string, n int) { depth[state] = n }
	query := `SELECT state, COUNT(*) FROM river_job WHERE state IN (` + liveStatesSQL() + `) GROUP BY state`
	if err := q.eachRow(ctx, query, count); err != nil {
		return nil, fmt.Errorf("job queue: depth: %w", err)
	}
	return depth, nil
}

// eachRow runs a query returning (text, count) rows on whichever
// database the queue is in.
func (q *Queue) eachRow(ctx context.Context, query string, fn func(string, int)) error {
	var k string
	var n int
	if q.pool != nil {
		rows, err := q.pool.Query(ctx, query)
		if err != nil {
			return err
		}
		_, err = pgx.ForEachRow(rows, []any{&k, &n}, func() error { fn(k, n); return nil })
		return err
	}
	rows, err := q.db.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		fn(k, n)
	}
	return rows.Err()
}
