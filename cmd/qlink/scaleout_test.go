package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"qlink/internal/pgtest"
)

// TestDemoOnPostgres runs the demo with --database-url: records, search
// and job queue in PostgreSQL, nothing of them in the data directory; the
// catalogue answers from there. A second demo on a new directory refuses
// the database the first one filled.
func TestDemoOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a federation")
	}
	dbURL := pgtest.NewDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := filepath.Join(t.TempDir(), "demo")
	var out lockedBuffer
	done := runDemo(ctx, &out, "--institutions", "3", "--courses-per-institution", "6", "--database-url", dbURL,
		"--data-dir", dir, "--addr", "127.0.0.1:0")
	ready := strings.Fields(waitForLine(t, &out, done, "Catalogue ready with "))
	if len(ready) < 3 || ready[0] == "0" {
		t.Fatalf("catalogue: %v\n%s", ready, out.String())
	}
	base := strings.TrimSuffix(ready[2], "/")
	var all apiResponse
	getJSON(t, base+"/api/v1/courses?limit=1", &all)
	if got := strings.TrimSpace(ready[0]); all.Total == 0 || got != strconv.Itoa(all.Total) {
		t.Errorf("the API has %d courses, the demo harvested %s", all.Total, got)
	}
	var some apiResponse
	getJSON(t, base+"/api/v1/courses?q=data&limit=100", &some)
	if some.Total == 0 || some.Total >= all.Total {
		t.Errorf("a text search found %d of %d courses", some.Total, all.Total)
	}
	for _, local := range []string{"qlink.db", "index.bleve"} {
		if _, err := os.Stat(filepath.Join(dir, local)); err == nil {
			t.Errorf("the demo on PostgreSQL made %s in its data directory", local)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var again lockedBuffer
	err := <-runDemo(context.Background(), &again, "--institutions", "3", "--database-url", dbURL,
		"--data-dir", filepath.Join(t.TempDir(), "other"), "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Errorf("a new demo directory on a filled database: %v, want a refusal", err)
	}
}
