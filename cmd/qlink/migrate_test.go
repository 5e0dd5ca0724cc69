package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/pgtest"
)

// TestMigratePostgres: migrate with --database-url brings a PostgreSQL
// database up to date once, needs no data directory, and never prints
// the password it was given in a file.
func TestMigratePostgres(t *testing.T) {
	url := pgtest.NewDatabase(t)
	password := filepath.Join(t.TempDir(), "db-password")
	if err := os.WriteFile(password, []byte("never-shown\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	args := []string{"migrate", "--database-url", url, "--database-password-file", password,
		"--data-dir", filepath.Join(t.TempDir(), "none")}
	out, err := run(t, "", args...)
	if err != nil || !strings.Contains(out, "migration(s) applied; schema is up to date") || strings.Contains(out, " 0 migration(s)") || strings.Contains(out, "never-shown") {
		t.Fatalf("first migrate: %v\n%s", err, out)
	}
	if out, err := run(t, "", args...); err != nil || !strings.Contains(out, "0 migration(s) applied") {
		t.Errorf("second migrate: %v\n%s", err, out)
	}
	if _, err := run(t, "", "migrate", "--database-url", "postgres://qlink:inline-secret@127.0.0.1:1/qlink"); err == nil ||
		strings.Contains(err.Error(), "inline-secret") {
		t.Errorf("an unreachable database: %v; want an error without the password", err)
	}
}
