// Package sqlite implements store.Store on an embedded SQLite database
// (modernc.org/sqlite, no cgo), the default for a single-machine qlink.
// Migrations are embedded and applied with goose.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"qlink/internal/migration"
	"qlink/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store backed by one SQLite file.
type Store struct {
	// db reads; w writes, on one connection. SQLite runs one write
	// transaction at a time anyway; with one connection the writers queue
	// here, in order, instead of polling the file lock, and the writer's
	// page cache stays warm: SQLite empties a connection's cache whenever
	// another connection has written, which with writes spread over the
	// pool was every transaction (a harvest read back most pages it
	// touched with a system call).
	db, w *sql.DB
	// rows keeps the rows of recent search pages (rowcache.go).
	rows *rowCache
}

var (
	_ store.Store     = (*Store)(nil)
	_ store.Versioned = (*Store)(nil)
)

// writerCacheKiB is the writer's page cache: the interior pages of the
// tables and indexes a harvest writes at a million courses.
const writerCacheKiB = 64 << 10

// walCheckpointPages is how many pages the WAL gathers before the commit
// that passes it copies them into the database (SQLite's default is
// 1,000). A first harvest rewrites the same index pages many times over;
// with 8,192 pages (32 MiB) each is copied less often. At 100,000
// courses a harvest's checkpoints took a thirtieth of its CPU; with this
// setting it ran 2-4 % faster in two pairs of runs (BENCHMARKS.md).
const walCheckpointPages = 8192

// Open opens (creating if needed) the database at path. WAL mode lets the
// web server read while a harvest writes; write transactions start
// IMMEDIATE, so that a transaction that reads first does not fail
// when it goes on to write while another process writes. The reading
// connections are query_only: a write sent to them is an error, not a
// second writer.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	w, err := openPool(path, 1, "immediate", "journal_mode(WAL)", "synchronous(NORMAL)",
		fmt.Sprintf("cache_size(-%d)", writerCacheKiB), fmt.Sprintf("wal_autocheckpoint(%d)", walCheckpointPages))
	if err != nil {
		return nil, err
	}
	db, err := openPool(path, 8, "deferred", "query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	watch, err := openPool(path, 1, "deferred", "query_only(1)")
	if err != nil {
		w.Close()
		db.Close()
		return nil, err
	}
	return &Store{db: db, w: w, rows: newRowCache(watch)}, nil
}

// openPool opens a pool of at most conns connections to path with the
// pragmas every connection needs and the given ones.
func openPool(path string, conns int, txlock string, pragmas ...string) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range append([]string{"busy_timeout(10000)", "foreign_keys(1)"}, pragmas...) {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", txlock)
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database.
func (s *Store) Close() error { return errors.Join(s.rows.close(), s.db.Close(), s.w.Close()) }

func (s *Store) migrator() (*goose.Provider, error) {
	return goose.NewProvider(goose.DialectSQLite3, s.w, mustSub(migrations, "migrations"))
}

// Migrate applies all pending migrations.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.migrator()
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	if err := migration.Up(ctx, p); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// Pending reports how many migrations have not been applied.
func (s *Store) Pending(ctx context.Context) (int, error) {
	p, err := s.migrator()
	if err != nil {
		return 0, fmt.Errorf("sqlite: migrations: %w", err)
	}
	n, err := migration.Pending(ctx, p)
	if err != nil {
		return 0, fmt.Errorf("sqlite: %w", err)
	}
	return n, nil
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}
