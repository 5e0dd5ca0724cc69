// Package postgres implements store.Store on PostgreSQL (15 and later) for
// scale-out: several qlink processes on several machines share one
// database. It talks to the server through a pgx connection pool
// (pgxpool, which River's pgx driver works on too), sends the writes of a
// harvested batch in one round trip, and takes row locks where workers
// may meet. Its goose
// migrations are its own, embedded; the SQL of each engine stays in its
// package, and what the engines decide alike lives in package store.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"qlink/internal/migration"
	"qlink/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store backed by a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
	// db is the pool seen through database/sql, for goose alone.
	db *sql.DB
	// watch names the content's version once asked (version.go).
	watchOnce sync.Once
	watch     versionWatch
}

var (
	_ store.Store     = (*Store)(nil)
	_ store.Versioned = (*Store)(nil)
)

// DefaultMaxConns is the size of the pool when the database URL does not
// set pool_max_conns. One pool serves the store, the search index and the
// job queue (River keeps one connection listening and more to fetch,
// complete and elect); pgx's own default, four connections on a small
// machine, leaves a harvest worker or a busy web node waiting for one.
const DefaultMaxConns = 16

// Open connects to the database at url (postgres://…; pool settings such
// as pool_max_conns may be given in it) and checks that it answers.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password and all.
		return nil, errors.New("postgres: the database URL cannot be read; want postgres://user@host:port/database")
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		// Times come back in UTC, as SQLite gives them, not in the
		// process's local zone.
		c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connecting to %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return &Store{pool: pool, db: stdlib.OpenDBFromPool(pool)}, nil
}

// Close stops listening for changes and closes the pool.
func (s *Store) Close() error {
	s.stopWatch()
	err := s.db.Close()
	s.pool.Close()
	return err
}

// migrator reads the embedded migrations. The one that applies them takes
// an advisory lock, so that processes starting together on one database
// migrate it once; the one that only reports does not wait for it.
func (s *Store) migrator(locked bool) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	if locked {
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(goose.DialectPostgres, s.db, sub, opts...)
}

// Migrate applies all pending migrations.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.migrator(true)
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	if err := migration.Up(ctx, p); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// Pending reports how many migrations have not been applied.
func (s *Store) Pending(ctx context.Context) (int, error) {
	p, err := s.migrator(false)
	if err != nil {
		return 0, fmt.Errorf("postgres: migrations: %w", err)
	}
	n, err := migration.Pending(ctx, p)
	if err != nil {
		return 0, fmt.Errorf("postgres: %w", err)
	}
	return n, nil
}

// errRaced says that a transaction met a concurrent one in a way that
// running it again resolves (another source inserted the same course).
var errRaced = errors.New("postgres: raced with a concurrent transaction")

// maxAttempts bounds how often inTx runs a transaction that keeps racing.
const maxAttempts = 5

// inTx runs fn in a transaction, committing when it returns nil. A
// transaction that deadlocked, failed to serialize or raced (errRaced) is
// run again from the start, so fn must not keep state across calls.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := pgx.BeginFunc(ctx, s.pool, fn)
		if err == nil || attempt == maxAttempts || !retryable(err) {
			return err
		}
	}
}

func retryable(err error) bool {
	if errors.Is(err, errRaced) {
		return true
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001") // deadlock, serialization failure
}

// isUniqueViolation reports whether err is a duplicate key.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// notFound turns pgx.ErrNoRows into store.ErrNotFound, naming what was
// looked for; other errors get the engine's prefix.
func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// orZero reads a nullable time: NULL is the zero time.
func orZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// exec runs a statement that must touch a row, store.ErrNotFound
// (naming what) when it touched none.
func (s *Store) exec(ctx context.Context, what, query string, args ...any) error {
	tag, err := s.pool.Exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

// collect reads every row with fn; no rows is a nil slice, as on SQLite.
func collect[T any](rows pgx.Rows, fn pgx.RowToFunc[T]) ([]T, error) {
	return pgx.AppendRows([]T(nil), rows, fn)
}

// Pool is the store's connection pool, for River's pgx driver: the job
// queue lives in the same database and shares the connections.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }
