package pgcopy

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"qlink/internal/pgtest"
	"qlink/internal/store/postgres"
	"qlink/internal/store/sqlite"
)

// migratedPair returns a SQLite file and a PostgreSQL database, each
// with all of its engine's migrations applied.
func migratedPair(t *testing.T) (*sql.DB, *postgres.Store) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "qlink.db")
	lite, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := lite.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	lite.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	pg, err := postgres.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	if err := pg.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db, pg
}

func schemas(t *testing.T, db *sql.DB, pg *postgres.Store) (schema, schema) {
	t.Helper()
	ctx := context.Background()
	lite, err := readSQLite(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	pgs, err := readPostgres(ctx, pg.Pool())
	if err != nil {
		t.Fatal(err)
	}
	return lite, pgs
}

// TestSchemaParity: every table and column the SQLite migrations create,
// the PostgreSQL migrations create too, of the same type family and
// nullability, and nothing more (the differences allowed on purpose are
// listed atop schema.go). qlink copy relies on it, and so does the store
// contract: a column added on one engine only fails here.
func TestSchemaParity(t *testing.T) {
	db, pg := migratedPair(t)
	lite, pgs := schemas(t, db, pg)
	for _, table := range []string{"providers", "courses", "course_history", "runs", "audit_log", "alliances", "course_identifiers"} {
		if len(lite[table]) == 0 {
			t.Fatalf("the SQLite schema read has no table %s: %v", table, lite)
		}
	}
	if diffs := differences(lite, pgs); len(diffs) > 0 {
		t.Errorf("the engines' schemas differ (add the migration to the other engine too):\n%v", diffs)
	}
}

// TestParityNoticesOneEngineChanges: a column or table added on one
// engine only, or a column of another type or nullability, is reported.
func TestParityNoticesOneEngineChanges(t *testing.T) {
	ctx := context.Background()
	db, pg := migratedPair(t)
	for _, stmt := range []string{
		`ALTER TABLE courses ADD COLUMN lite_only TEXT NOT NULL DEFAULT ''`,
		`CREATE TABLE lite_table (id TEXT PRIMARY KEY)`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	for _, stmt := range []string{
		`ALTER TABLE runs ADD COLUMN pg_only text`,
		`ALTER TABLE accounts ALTER COLUMN failed_attempts TYPE text`,
		`ALTER TABLE sessions ALTER COLUMN subject DROP NOT NULL`,
	} {
		if _, err := pg.Pool().Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	lite, pgs := schemas(t, db, pg)
	got := differences(lite, pgs)
	want := []string{
		"table lite_table exists on SQLite only",
		"column accounts.failed_attempts is INTEGER on SQLite but text on PostgreSQL",
		"column courses.lite_only exists on SQLite only",
		"column runs.pg_only exists on PostgreSQL only",
		"column sessions.subject is NOT NULL on SQLite but nullable on PostgreSQL",
	}
	if !slices.Equal(got, want) {
		t.Errorf("differences:\n got %q\nwant %q", got, want)
	}
}

// TestCopyOrderFollowsForeignKeys: on the real schema every table comes
// after the tables it refers to.
func TestCopyOrderFollowsForeignKeys(t *testing.T) {
	ctx := context.Background()
	_, pg := migratedPair(t)
	pgs, err := readPostgres(ctx, pg.Pool())
	if err != nil {
		t.Fatal(err)
	}
	refs, err := foreignKeys(ctx, pg.Pool())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(refs["runs"], "sources") {
		t.Fatalf("foreign keys read: %v; want runs → sources", refs)
	}
	var names []string
	for name := range pgs {
		names = append(names, name)
	}
	order, err := copyOrder(names, refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != len(names) {
		t.Fatalf("order %v lacks tables of %v", order, names)
	}
	for table, targets := range refs {
		for _, target := range targets {
			if slices.Index(order, target) > slices.Index(order, table) {
				t.Errorf("%s comes before %s, which it refers to: %v", table, target, order)
			}
		}
	}
	if _, err := copyOrder([]string{"a", "b"}, map[string][]string{"a": {"b"}, "b": {"a"}}); err == nil {
		t.Error("a cycle of foreign keys was ordered")
	}
}

// TestTimesReadInEveryForm: the forms a time takes in a SQLite file.
func TestTimesReadInEveryForm(t *testing.T) {
	want := time.Date(2026, 3, 4, 5, 6, 7, 891000000, time.UTC)
	for _, in := range []any{want, "2026-03-04 05:06:07.891 +0000 UTC", "2026-03-04 05:06:07.891 +0000 UTC m=+0.01",
		"2026-03-04 07:06:07.891+02:00", "2026-03-04T05:06:07.891Z"} {
		got, err := toTime(in)
		if err != nil || !got.(time.Time).Equal(want) {
			t.Errorf("toTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := toTime("yesterday"); err == nil {
		t.Error("toTime took text that is no time")
	}
}
