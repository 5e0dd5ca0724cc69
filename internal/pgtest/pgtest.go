// Package pgtest gives each test a database of its own on the PostgreSQL
// named by QLINK_TEST_POSTGRES (.ci/pg-start starts a throwaway one), so
// that tests on PostgreSQL run in parallel and leave nothing behind.
//
// Without the variable the tests skip, saying how to run them; CI sets
// QLINK_REQUIRE_POSTGRES=1, and then a missing or unreachable server
// fails them instead: a suite that silently stopped running would look
// green.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables.
const (
	// URLEnv names the server: a postgres:// URL of a role that may
	// create databases.
	URLEnv = "QLINK_TEST_POSTGRES"
	// RequireEnv set to 1 turns skips into failures.
	RequireEnv = "QLINK_REQUIRE_POSTGRES"
)

// NewDatabase creates an empty database with a random name and returns
// its URL; the database is dropped when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	server := os.Getenv(URLEnv)
	if server == "" {
		absent(t, "%s is not set; run the test under .ci/pg-start (e.g. .ci/pg-start go test ./...)", URLEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		absent(t, "%s: %v", URLEnv, err)
	}
	defer admin.Close(ctx)
	name := "qlink_test_" + randomSuffix()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: creating database %s: %v", name, err)
	}
	t.Cleanup(func() { drop(t, server, name) })
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("pgtest: %s is not a URL: %v", URLEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// drop removes a test's database, closing whatever connections the test
// left open (WITH (FORCE)).
func drop(t testing.TB, server, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Errorf("pgtest: dropping database %s: %v", name, err)
		return
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Errorf("pgtest: dropping database %s: %v", name, err)
	}
}

func randomSuffix() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// absent ends the test for want of a server: a skip normally, a failure
// when RequireEnv is set.
func absent(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("PostgreSQL required (%s=1) but not available: %s", RequireEnv, fmt.Sprintf(format, args...))
	}
	t.Skipf("no PostgreSQL, skipping: "+format, args...)
}
