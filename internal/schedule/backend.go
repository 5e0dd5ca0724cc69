package schedule

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Backend says where an instance's job queue lives, chosen once when the
// process starts: beside the data in the instance's SQLite file (one
// process works the jobs), or in a PostgreSQL database that several
// processes share (each works jobs; River's leader election picks the one
// that plans and rescues).
type Backend struct {
	sqlitePath string
	pool       *pgxpool.Pool
}

// SQLite is the job queue in the instance's SQLite file at path.
func SQLite(path string) Backend { return Backend{sqlitePath: path} }

// Postgres is the job queue in the PostgreSQL database pool connects to,
// the one the store keeps its records in. The pool stays the caller's:
// closing a Queue or Scheduler leaves it open.
func Postgres(pool *pgxpool.Pool) Backend { return Backend{pool: pool} }

// Shared tells whether several processes may work this queue at once.
func (b Backend) Shared() bool { return b.pool != nil }

func (b Backend) String() string {
	if b.Shared() {
		return "postgres"
	}
	return b.sqlitePath
}

// riverClient is what qlink uses of a River client, whatever its driver
// (River's clients differ only in their transaction type).
type riverClient interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	JobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobDelete(ctx context.Context, id int64) (*rivertype.JobRow, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
}

// open migrates River's tables in the backend and returns a queue with a
// client made with cfg.
func (b Backend) open(ctx context.Context, cfg *river.Config) (*Queue, error) {
	if b.Shared() {
		driver := riverpgxv5.New(b.pool)
		if err := migrate(ctx, driver, "postgres"); err != nil {
			return nil, err
		}
		client, err := river.NewClient(driver, cfg)
		if err != nil {
			return nil, fmt.Errorf("job queue: %w", err)
		}
		return &Queue{client: client, pool: b.pool}, nil
	}
	db, err := openSQLite(b.sqlitePath)
	if err != nil {
		return nil, err
	}
	driver := riversqlite.New(db)
	if err := migrate(ctx, driver, b.sqlitePath); err != nil {
		db.Close()
		return nil, err
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return &Queue{client: client, db: db}, nil
}

// migrate brings River's tables up to date. On PostgreSQL River takes an
// advisory lock of its own, so processes starting together migrate once.
func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], where string) error {
	migrator, err := rivermigrate.New(driver, nil)
	if err == nil {
		_, err = migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	}
	if err != nil {
		return fmt.Errorf("job queue: migrate %s: %w", where, err)
	}
	return nil
}

// openSQLite opens the instance's SQLite file for River on a pool of its
// own: one connection, so River's writes never contend with each other,
// WAL so the store's readers carry on, and a busy timeout so the store's
// writers (and another process's queue) are waited for instead of
// failing. Write transactions start IMMEDIATE, as the store's do: a read
// transaction that later writes could not wait for the lock, only fail.
func openSQLite(path string) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("job queue: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// liveStatesSQL lists liveStates as SQL string literals (they are River's
// constants, nothing from outside).
func liveStatesSQL() string {
	quoted := make([]string, len(liveStates))
	for i, st := range liveStates {
		quoted[i] = "'" + string(st) + "'"
	}
	return strings.Join(quoted, ",")
}

// sourceLocks keep one source from being harvested twice at once, however
// many jobs ask for it (a scheduled refresh and one an operator asked
// for have different arguments, so River's unique jobs cannot).
type sourceLocks interface {
	// tryLock takes the source's lock, or reports false when another
	// harvest holds it. unlock gives it back.
	tryLock(ctx context.Context, sourceID string) (unlock func(), ok bool, err error)
}

// memLocks are the locks of the process that alone works an embedded
// instance's queue.
type memLocks struct {
	mu   sync.Mutex
	busy map[string]bool
}

func (l *memLocks) tryLock(_ context.Context, sourceID string) (func(), bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.busy[sourceID] {
		return nil, false, nil
	}
	l.busy[sourceID] = true
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.busy, sourceID)
	}, true, nil
}

// pgLocks are PostgreSQL advisory locks, one per source, each held on a
// connection of its own for as long as the harvest runs. Not a connection
// of the pool: a worker harvesting as many sources as the pool has
// connections would hold them all, and River and the harvests themselves
// would wait for one forever. They need no timeout: a process that dies
// loses its connections, and the server releases their locks with them
// (at once when the process is killed; after the server's TCP keepalive
// notices, when its machine vanished).
type pgLocks struct{ pool *pgxpool.Pool }

func (l pgLocks) tryLock(ctx context.Context, sourceID string) (func(), bool, error) {
	conn, err := pgx.ConnectConfig(ctx, l.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, false, fmt.Errorf("job queue: lock source %s: %w", sourceID, err)
	}
	// Closing the connection is what releases the lock, whatever state
	// the harvest left the context in.
	release := func() { conn.Close(context.WithoutCancel(ctx)) }
	var ok bool
	err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended('qlink source ' || $1, 0))`, sourceID).Scan(&ok)
	if err != nil || !ok {
		release()
		if err != nil {
			return nil, false, fmt.Errorf("job queue: lock source %s: %w", sourceID, err)
		}
		return nil, false, nil
	}
	return release, true, nil
}

// locks returns the backend's source locks.
func (b Backend) locks() sourceLocks {
	if b.Shared() {
		return pgLocks{b.pool}
	}
	return &memLocks{busy: map[string]bool{}}
}
