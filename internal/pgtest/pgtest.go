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
	"sync"
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
	return newDatabase(t, "")
}

// newDatabase creates a database, a copy of template when that is not
// empty, dropped when the test ends, and returns its URL.
func newDatabase(t testing.TB, template string) string {
	t.Helper()
	server := serverURL(t)
	name := "qlink_test_" + randomSuffix()
	// FILE_COPY copies a small database faster than PostgreSQL 15's
	// default, which writes all of it to the WAL.
	stmt := "CREATE DATABASE " + name + " STRATEGY FILE_COPY"
	if template != "" {
		stmt += " TEMPLATE " + template
	}
	if err := admin(server, stmt); err != nil {
		absent(t, "%s: %v", URLEnv, err)
	}
	t.Cleanup(func() {
		if err := admin(server, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return databaseURL(t, server, name)
}

// Template is a database prepared once per test process (migrated, say)
// that tests get copies of: copying a database is faster than preparing
// each one again.
type Template struct {
	prepare func(ctx context.Context, url string) error
	once    sync.Once
	name    string
	err     error
}

// NewTemplate returns a template prepared by prepare on its first use.
// prepare must close its connections to the database before it returns
// (a database is copied only while no one is connected to it).
func NewTemplate(prepare func(ctx context.Context, url string) error) *Template {
	return &Template{prepare: prepare}
}

// NewDatabase creates a copy of the template for the test, dropped when
// the test ends, and returns its URL.
func (tp *Template) NewDatabase(t testing.TB) string {
	t.Helper()
	server := serverURL(t)
	tp.once.Do(func() {
		tp.name = "qlink_template_" + randomSuffix()
		if tp.err = admin(server, "CREATE DATABASE "+tp.name); tp.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		tp.err = tp.prepare(ctx, databaseURL(t, server, tp.name))
	})
	if tp.err != nil {
		t.Fatalf("pgtest: preparing the template database: %v", tp.err)
	}
	return newDatabase(t, tp.name)
}

// Drop removes the template database, if it was made. Call it from
// TestMain once the tests have run.
func (tp *Template) Drop() {
	if server := os.Getenv(URLEnv); server != "" && tp.name != "" {
		admin(server, "DROP DATABASE IF EXISTS "+tp.name+" WITH (FORCE)")
	}
}

// serverURL returns the server's URL, or ends the test for want of one.
func serverURL(t testing.TB) string {
	t.Helper()
	server := os.Getenv(URLEnv)
	if server == "" {
		absent(t, "%s is not set; run the test under .ci/pg-start (e.g. .ci/pg-start go test ./...)", URLEnv)
	}
	return server
}

// databaseURL is the server's URL naming another database.
func databaseURL(t testing.TB, server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("pgtest: %s is not a URL: %v", URLEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// admin runs one statement on the server's own database.
func admin(server, stmt string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
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

// WithParam returns the database URL rawURL with its query parameter key
// set to value (a pool setting such as pool_max_conns, say).
func WithParam(t testing.TB, rawURL, key, value string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
