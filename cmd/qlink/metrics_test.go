package main

import (
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"qlink/internal/config"
	"qlink/internal/search"
	"qlink/internal/search/bleve"
)

// TestServeMetricsApart starts serve with --metrics-listen: /metrics
// answers on that address, with qlink's series (web.TestMetricsApart shows
// the catalogue's listener then leaves it out).
func TestServeMetricsApart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "qlink-data")
	p := startQlink(t, "serve", "--init", "--no-harvest", "--data-dir", dir, "--addr", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
		"--cache-memory", "8")
	addr := regexp.MustCompile(`msg="serving metrics" addr=(\S+)`)
	var metricsAddr string
	deadline := time.After(3 * hangDetector)
	for metricsAddr == "" {
		select {
		case line := <-p.lines:
			if m := addr.FindStringSubmatch(line); m != nil {
				metricsAddr = m[1]
			}
		case err := <-p.done:
			t.Fatalf("serve ended (%v) before serving metrics", err)
		case <-deadline:
			t.Fatal("serve never said where the metrics are")
		}
	}
	// The listener is open before serve says so: no need to retry.
	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `qlink_courses{status="active"} 0`) {
		t.Errorf("metrics apart lack the course gauge:\n%.500s", body)
	}
	if code := p.terminate(t); code != 0 {
		t.Errorf("serve ended with exit code %d", code)
	}
}

// TestCacheMemoryDefault keeps cache-memory's default equal to the sum of
// the budgets it shares out.
func TestCacheMemoryDefault(t *testing.T) {
	if got := int64(config.Default().API.CacheMemory) << 20; got != defaultCacheBytes {
		t.Errorf("cache-memory defaults to %d bytes, the budgets add up to %d", got, defaultCacheBytes)
	}
}

// Searches in the embedded index are serve's own CPU work: web's default
// (one per core, and a reserve for new texts); PostgreSQL's mostly wait
// for the database: two per core. A value set is taken as it is.
func TestSearchConcurrencyFollowsTheIndex(t *testing.T) {
	embedded, err := bleve.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer embedded.Close()
	cores := runtime.GOMAXPROCS(0)
	for _, tc := range []struct {
		name  string
		index search.Index
		set   int
		want  int
	}{
		{"embedded", embedded, 0, 0},
		{"elsewhere", elsewhereIndex{}, 0, 2 * cores},
		{"set", embedded, 7, 7},
	} {
		a := &app{cfg: config.Default(), index: tc.index}
		a.cfg.API.SearchConcurrency = tc.set
		if got := a.searchConcurrency(); got != tc.want {
			t.Errorf("%s: %d searches at once, want %d", tc.name, got, tc.want)
		}
	}
}

// elsewhereIndex stands for an index that is not the embedded one. (The
// alias names the embedded field apart from the method Index.)
type elsewhereIndex struct{ anyIndex }

type anyIndex = search.Index
