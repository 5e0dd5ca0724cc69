package pgcopy

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The two engines' migrations are written apart, so nothing but a check
// keeps their schemas alike. Differences allowed on purpose (see the
// comment atop internal/store/postgres/migrations/00001_initial.sql):
//
//   - tables of one engine only: goose's version table (each engine has
//     its own), River's job queue (river_*, created by River itself and
//     not copied: the schedule is planned again), and on PostgreSQL the
//     search index (search_*, derived from the courses and rebuilt);
//     on SQLite the content's version (content_version, moved by
//     triggers at every write, so never copied: store.Versioned);
//   - column types: SQLite's TIMESTAMP is timestamptz, its INTEGER flags
//     are boolean and its INTEGER numbers integer or bigint, BLOB is
//     bytea;
//   - a SQLite key column may omit NOT NULL (SQLite accepts NULL in a
//     non-integer primary key, qlink never writes one); PostgreSQL's
//     primary keys are NOT NULL.
//
// Everything else — every table, every column, its type family and
// whether it may be NULL — must be the same on both.

// engineOwn reports whether a table belongs to one engine by design and is
// neither compared nor copied.
func engineOwn(name string) bool {
	for _, prefix := range []string{"goose_db_version", "search_", "river_", "sqlite_", "content_version"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// sameFamily lists, per SQLite declared type, the PostgreSQL types that
// hold the same values.
var sameFamily = map[string][]string{
	"TEXT":      {"text"},
	"TIMESTAMP": {"timestamp with time zone"},
	"INTEGER":   {"integer", "bigint", "boolean"},
	"BLOB":      {"bytea"},
}

// column is a column as each engine declares it.
type column struct {
	name    string
	typ     string // SQLite's declared type, or PostgreSQL's data_type
	notNull bool
	// identity is set on PostgreSQL for a column an identity sequence
	// numbers (its sequence must be moved past the copied values).
	identity bool
}

// schema is an engine's tables by name, each with its columns in order.
type schema map[string][]column

// sqliteQuerier is a SQLite database or transaction.
type sqliteQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// pgQuerier is a PostgreSQL pool, connection or transaction.
type pgQuerier interface {
	Query(ctx context.Context, query string, args ...any) (pgx.Rows, error)
}

// readSQLite reads the tables and columns of a SQLite database.
func readSQLite(ctx context.Context, db sqliteQuerier) (schema, error) {
	rows, err := db.QueryContext(ctx, `SELECT m.name, p.name, upper(p.type), p."notnull" OR p.pk > 0
		FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid`)
	if err != nil {
		return nil, fmt.Errorf("sqlite schema: %w", err)
	}
	defer rows.Close()
	s := schema{}
	for rows.Next() {
		var table string
		var c column
		if err := rows.Scan(&table, &c.name, &c.typ, &c.notNull); err != nil {
			return nil, fmt.Errorf("sqlite schema: %w", err)
		}
		if !engineOwn(table) {
			s[table] = append(s[table], c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite schema: %w", err)
	}
	return s, nil
}

// readPostgres reads the tables and columns of the current schema.
func readPostgres(ctx context.Context, db pgQuerier) (schema, error) {
	rows, err := db.Query(ctx, `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable = 'NO',
			c.is_identity = 'YES' OR coalesce(c.column_default, '') LIKE 'nextval(%'
		FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("postgres schema: %w", err)
	}
	s := schema{}
	var table string
	var c column
	_, err = pgx.ForEachRow(rows, []any{&table, &c.name, &c.typ, &c.notNull, &c.identity}, func() error {
		if !engineOwn(table) {
			s[table] = append(s[table], c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres schema: %w", err)
	}
	return s, nil
}

// differences lists, in words, where the SQLite schema lite and the
// PostgreSQL schema pg differ beyond the differences allowed on purpose.
func differences(lite, pg schema) []string {
	var out []string
	for _, table := range slices.Sorted(maps.Keys(lite)) {
		if _, ok := pg[table]; !ok {
			out = append(out, fmt.Sprintf("table %s exists on SQLite only", table))
		}
	}
	for _, table := range slices.Sorted(maps.Keys(pg)) {
		liteCols, ok := lite[table]
		if !ok {
			out = append(out, fmt.Sprintf("table %s exists on PostgreSQL only", table))
			continue
		}
		out = append(out, columnDifferences(table, liteCols, pg[table])...)
	}
	return out
}

func columnDifferences(table string, lite, pg []column) []string {
	var out []string
	pgByName := map[string]column{}
	for _, c := range pg {
		pgByName[c.name] = c
	}
	for _, l := range lite {
		p, ok := pgByName[l.name]
		delete(pgByName, l.name)
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("column %s.%s exists on SQLite only", table, l.name))
		case !slices.Contains(sameFamily[l.typ], p.typ):
			out = append(out, fmt.Sprintf("column %s.%s is %s on SQLite but %s on PostgreSQL", table, l.name, l.typ, p.typ))
		case l.notNull != p.notNull:
			out = append(out, fmt.Sprintf("column %s.%s is %s on SQLite but %s on PostgreSQL", table, l.name, nullability(l), nullability(p)))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(pgByName)) {
		out = append(out, fmt.Sprintf("column %s.%s exists on PostgreSQL only", table, name))
	}
	return out
}

func nullability(c column) string {
	if c.notNull {
		return "NOT NULL"
	}
	return "nullable"
}

// foreignKeys returns, per table of the current PostgreSQL schema, the
// tables its foreign keys refer to.
func foreignKeys(ctx context.Context, db pgQuerier) (map[string][]string, error) {
	rows, err := db.Query(ctx, `SELECT cl.relname::text, rf.relname::text FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class rf ON rf.oid = c.confrelid
		WHERE c.contype = 'f' AND cl.relnamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, fmt.Errorf("postgres foreign keys: %w", err)
	}
	refs := map[string][]string{}
	var from, to string
	_, err = pgx.ForEachRow(rows, []any{&from, &to}, func() error {
		if from != to {
			refs[from] = append(refs[from], to)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres foreign keys: %w", err)
	}
	return refs, nil
}

// copyOrder orders tables so that each comes after the tables its
// foreign keys refer to (PostgreSQL checks them row by row as they
// arrive), by name where the keys leave a choice.
func copyOrder(tables []string, refs map[string][]string) ([]string, error) {
	placed := map[string]bool{}
	var order []string
	remaining := slices.Sorted(slices.Values(tables))
	for len(remaining) > 0 {
		var next []string
		for _, t := range remaining {
			ready := true
			for _, r := range refs[t] {
				ready = ready && (placed[r] || !slices.Contains(tables, r))
			}
			if ready {
				order = append(order, t)
			} else {
				next = append(next, t)
			}
		}
		if len(next) == len(remaining) {
			return nil, fmt.Errorf("foreign keys form a cycle among %s", strings.Join(next, ", "))
		}
		for _, t := range order {
			placed[t] = true
		}
		remaining = next
	}
	return order, nil
}
