// Package pgcopy moves an embedded instance's records from its SQLite
// file into a PostgreSQL database (qlink copy), history and all.
//
// The copy is generic: every table the SQLite migrations create (but the
// job queue's) is read row by row and written with COPY into the
// PostgreSQL table of the same name, column by column by name, with the
// types converted (TIMESTAMP text to timestamptz, INTEGER flags to
// boolean). Going through store.Store instead would not be faithful: the
// contract writes as a harvest does, so it would renumber runs (which
// course history, sources and refreshes refer to by ID), stamp new times
// on history and audit entries, and leave out what no method writes
// back as it was (discovery probes, page validators, sessions,
// challenges). Copying the rows keeps every ID, time and document byte
// for byte; the schema parity check (schema.go) guarantees that both
// engines have the same tables and columns, and the copy refuses to run
// when they differ.
package pgcopy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"qlink/internal/store"
	"qlink/internal/store/postgres"
	"qlink/internal/store/sqlite"
)

// ErrTargetNotEmpty reports a PostgreSQL database that already holds
// records: the copy never merges nor overwrites.
var ErrTargetNotEmpty = errors.New("the PostgreSQL database already holds data")

// ErrSourceBehind reports a SQLite database with migrations pending.
var ErrSourceBehind = errors.New("the SQLite database is not at the latest schema")

// Table is how many rows of one table were copied.
type Table struct {
	Name string
	Rows int64
}

// Report says what a copy did.
type Report struct {
	// Tables in the order they were copied.
	Tables []Table
	// Took is the time from reading the schemas to the commit.
	Took time.Duration
}

// Rows is the number of rows copied in all tables.
func (r Report) Rows() int64 {
	var n int64
	for _, t := range r.Tables {
		n += t.Rows
	}
	return n
}

// resetOnCopy gives columns whose value describes something outside the
// database that the copy does not bring along, and the value they take in
// the copy: courses.indexed_hash is what the embedded search index holds
// of each course; the PostgreSQL database's index starts empty, so every
// course is left to be indexed (the harvest's index sync then fills it).
var resetOnCopy = map[string]map[string]any{
	"courses": {"indexed_hash": ""},
}

// CheckSource refuses a SQLite database that is not at the latest schema
// (or that a newer qlink migrated).
func CheckSource(ctx context.Context, path string) error {
	st, err := sqlite.Open(path)
	if err != nil {
		return err
	}
	defer st.Close()
	pending, err := st.Pending(ctx)
	if err != nil {
		return err
	}
	if pending > 0 {
		return fmt.Errorf("%s needs %d migration(s): %w", path, pending, ErrSourceBehind)
	}
	return nil
}

// Copy copies the records of the SQLite database at path into dst, which
// must be migrated and hold no records, in one PostgreSQL transaction: on
// any error nothing is left in dst. The SQLite file is read in one read
// transaction, a consistent state of it, and never written.
func Copy(ctx context.Context, path string, dst *postgres.Store) (Report, error) {
	start := time.Now()
	if err := CheckSource(ctx, path); err != nil {
		return Report{}, err
	}
	src, err := openReadOnly(path)
	if err != nil {
		return Report{}, err
	}
	defer src.Close()
	read, err := src.BeginTx(ctx, nil)
	if err != nil {
		return Report{}, fmt.Errorf("sqlite: %w", err)
	}
	defer read.Rollback()

	var rep Report
	err = pgx.BeginFunc(ctx, dst.Pool(), func(tx pgx.Tx) error {
		tables, order, err := plan(ctx, read, tx)
		if err != nil {
			return err
		}
		if err := lockEmpty(ctx, tx, order); err != nil {
			return err
		}
		for _, name := range order {
			n, err := copyTable(ctx, read, tx, name, tables[name])
			if err != nil {
				return err
			}
			rep.Tables = append(rep.Tables, Table{Name: name, Rows: n})
			if err := resetSequences(ctx, tx, name, tables[name]); err != nil {
				return err
			}
		}
		return nil
	})
	rep.Took = time.Since(start)
	return rep, err
}

// openReadOnly opens the SQLite file for reading only, so that the copy
// cannot change the instance it copies.
func openReadOnly(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// plan reads both schemas, refuses them when they differ, and orders the
// tables for their foreign keys. The columns are PostgreSQL's.
func plan(ctx context.Context, src sqliteQuerier, dst pgQuerier) (schema, []string, error) {
	lite, err := readSQLite(ctx, src)
	if err != nil {
		return nil, nil, err
	}
	pg, err := readPostgres(ctx, dst)
	if err != nil {
		return nil, nil, err
	}
	if diffs := differences(lite, pg); len(diffs) > 0 {
		return nil, nil, fmt.Errorf("the SQLite and PostgreSQL schemas differ, so this qlink cannot copy between them: %s", strings.Join(diffs, "; "))
	}
	refs, err := foreignKeys(ctx, dst)
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, 0, len(pg))
	for name := range pg {
		names = append(names, name)
	}
	order, err := copyOrder(names, refs)
	return pg, order, err
}

// CheckTarget refuses a PostgreSQL database whose store tables hold a
// row, before anything is written anywhere; Copy checks again under lock.
func CheckTarget(ctx context.Context, dst *postgres.Store) error {
	pg, err := readPostgres(ctx, dst.Pool())
	if err != nil {
		return err
	}
	names := make([]string, 0, len(pg))
	for name := range pg {
		names = append(names, name)
	}
	slices.Sort(names)
	return refuseFilled(ctx, dst.Pool(), names)
}

// lockEmpty takes the tables for the rest of the transaction (a second
// copy started at the same time waits, then finds them filled) and
// refuses them when any holds a row.
func lockEmpty(ctx context.Context, tx pgx.Tx, tables []string) error {
	idents := make([]string, len(tables))
	for i, t := range tables {
		idents[i] = pgx.Identifier{t}.Sanitize()
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE `+strings.Join(idents, ", ")+` IN EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("postgres: lock: %w", err)
	}
	return refuseFilled(ctx, tx, tables)
}

// refuseFilled returns ErrTargetNotEmpty, naming the tables, when any of
// tables holds a row.
func refuseFilled(ctx context.Context, db interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, tables []string) error {
	var filled []string
	for _, t := range tables {
		var holds bool
		if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+pgx.Identifier{t}.Sanitize()+`)`).Scan(&holds); err != nil {
			return fmt.Errorf("postgres: %s: %w", t, err)
		}
		if holds {
			filled = append(filled, t)
		}
	}
	if len(filled) > 0 {
		return fmt.Errorf("%w (rows in %s)", ErrTargetNotEmpty, strings.Join(filled, ", "))
	}
	return nil
}

// copyTable streams one table from SQLite into PostgreSQL with COPY.
func copyTable(ctx context.Context, src *sql.Tx, dst pgx.Tx, name string, cols []column) (int64, error) {
	names := make([]string, len(cols))
	quoted := make([]string, len(cols))
	for i, c := range cols {
		names[i], quoted[i] = c.name, `"`+c.name+`"`
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM "`+name+`"`)
	if err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", name, err)
	}
	defer rows.Close()
	in := newRowSource(name, rows, cols)
	n, err := dst.CopyFrom(ctx, pgx.Identifier{name}, names, in)
	if err != nil {
		return n, fmt.Errorf("copy %s: %w", name, err)
	}
	return n, nil
}

// resetSequences moves each identity sequence of a table past the
// highest copied value, so that the next row PostgreSQL numbers does not
// collide with a copied one.
func resetSequences(ctx context.Context, tx pgx.Tx, table string, cols []column) error {
	for _, c := range cols {
		if !c.identity {
			continue
		}
		_, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(`+
			pgx.Identifier{c.name}.Sanitize()+`) FROM `+pgx.Identifier{table}.Sanitize()+`), 0) + 1, false)`,
			pgx.Identifier{table}.Sanitize(), c.name)
		if err != nil {
			return fmt.Errorf("postgres: sequence of %s.%s: %w", table, c.name, err)
		}
	}
	return nil
}

// rowSource is a SQLite result read as pgx's CopyFromSource, each value
// converted to what its PostgreSQL column takes.
type rowSource struct {
	table string
	rows  *sql.Rows
	cols  []column
	conv  []func(any) (any, error)
	raw   []any
	ptrs  []any
	out   []any
	err   error
}

func newRowSource(table string, rows *sql.Rows, cols []column) *rowSource {
	r := &rowSource{table: table, rows: rows, cols: cols, raw: make([]any, len(cols)), ptrs: make([]any, len(cols)), out: make([]any, len(cols))}
	for i, c := range cols {
		r.ptrs[i] = &r.raw[i]
		r.conv = append(r.conv, converter(c.typ))
		if v, ok := resetOnCopy[table][c.name]; ok {
			r.conv[i] = func(any) (any, error) { return v, nil }
		}
	}
	return r
}

func (r *rowSource) Next() bool { return r.err == nil && r.rows.Next() }

func (r *rowSource) Values() ([]any, error) {
	if err := r.rows.Scan(r.ptrs...); err != nil {
		r.err = fmt.Errorf("sqlite: %s: %w", r.table, err)
		return nil, r.err
	}
	for i, v := range r.raw {
		var err error
		if r.out[i], err = r.conv[i](v); err != nil {
			r.err = fmt.Errorf("%s.%s: %w", r.table, r.cols[i].name, err)
			return nil, r.err
		}
	}
	return r.out, nil
}

func (r *rowSource) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

// converter returns the conversion of a SQLite value into one of the
// PostgreSQL type pgType. NULL stays NULL.
func converter(pgType string) func(any) (any, error) {
	switch pgType {
	case "timestamp with time zone":
		return nullable(toTime)
	case "boolean":
		return nullable(toBool)
	case "integer", "bigint":
		return nullable(toInt)
	case "bytea":
		return nullable(toBytes)
	default: // text; a type without a family fails the schema check first
		return nullable(toText)
	}
}

func nullable(conv func(any) (any, error)) func(any) (any, error) {
	return func(v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		return conv(v)
	}
}

// timeLayouts are the forms a time takes in the SQLite file: the driver
// writes Go's time.Time.String() form, and reads it back as a time.Time
// for a TIMESTAMP column; text in the other forms is read too.
var timeLayouts = []string{"2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999-07:00",
	time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"}

func toTime(v any) (any, error) {
	switch v := v.(type) {
	case time.Time:
		return v, nil
	case string:
		// The driver writes Go's String() form, monotonic clock reading
		// dropped; a " m=+…" suffix would be ignored here too.
		s, _, _ := strings.Cut(v, " m=")
		for _, layout := range timeLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t, nil
			}
		}
		return nil, fmt.Errorf("%q is not a time", v)
	case int64:
		return time.Unix(v, 0).UTC(), nil
	}
	return nil, fmt.Errorf("a %T is not a time", v)
}

func toBool(v any) (any, error) {
	switch v := v.(type) {
	case int64:
		return v != 0, nil
	case bool:
		return v, nil
	}
	return nil, fmt.Errorf("a %T is not a flag", v)
}

func toInt(v any) (any, error) {
	switch v := v.(type) {
	case int64:
		return v, nil
	case float64:
		if v == float64(int64(v)) {
			return int64(v), nil
		}
	case string:
		return strconv.ParseInt(v, 10, 64)
	}
	return nil, fmt.Errorf("%v (%T) is not an integer", v, v)
}

func toBytes(v any) (any, error) {
	switch v := v.(type) {
	case []byte:
		return v, nil
	case string:
		return []byte(v), nil
	}
	return nil, fmt.Errorf("a %T is not bytes", v)
}

func toText(v any) (any, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	case int64, float64:
		return fmt.Sprint(v), nil
	}
	return nil, fmt.Errorf("a %T is not text", v)
}

// Blobs copies every snapshot of from into to, checking that each lands
// under the same key (both stores address blobs by their SHA-256). It
// returns how many blobs and bytes it copied.
func Blobs(ctx context.Context, from, to store.Blobs) (n int, size int64, err error) {
	err = from.Each(ctx, func(key string) error {
		data, err := from.Get(ctx, key)
		if err != nil {
			return fmt.Errorf("snapshot %s: %w", key, err)
		}
		got, err := to.Put(ctx, data)
		if err != nil {
			return fmt.Errorf("snapshot %s: %w", key, err)
		}
		if got != key {
			return fmt.Errorf("snapshot %s came back as %s: the stored file is damaged", key, got)
		}
		n++
		size += int64(len(data))
		return nil
	})
	return n, size, err
}
