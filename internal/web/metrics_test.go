package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"qlink/internal/model"
)

func TestMetrics(t *testing.T) {
	var m *Metrics
	ts := newTestServer(t, func(o *Options) {
		m = NewMetrics(o.Store, nil)
		o.Metrics = m
		o.RateLimit = RateLimit{PerSecond: 0.001, Burst: 2}
	})
	course := "/api/v1/courses/" + url.PathEscape("urn:schac:uniqueCourseId:uni-a.test:DS%201")
	for _, path := range []string{"/api/v1/courses?q=data", course, "/?q=data"} {
		if resp, _ := get(t, ts.URL+path); resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	if resp, _ := get(t, ts.URL+"/api/v1/courses/urn:nope"); resp.StatusCode != 429 {
		t.Fatalf("third API request: %d, want 429", resp.StatusCode)
	}
	// Methods of the client's own invention count as one.
	for i := range 3 {
		req, err := http.NewRequest(fmt.Sprintf("INVENTED%d", i), ts.URL+"/nowhere", nil)
		must(t, err)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
	}
	m.HarvestRun("ok")
	m.HarvestRun("failed")
	m.FetchRequest(200, "public")
	m.FetchRequest(0, "refused")
	m.ReadQueueDepth(func(context.Context) (map[string]int, error) {
		return map[string]int{"available": 3, "running": 1}, nil
	})

	resp, body := get(t, ts.URL+"/metrics")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if strings.Contains(body, "INVENTED") {
		t.Error("a method of the client's invention is a label value")
	}
	for _, want := range []string{
		`qlink_http_requests_total{code="200",method="GET",route="GET /api/v1/courses"} 1`,
		`qlink_http_requests_total{code="200",method="GET",route="GET /api/v1/courses/{id}"} 1`,
		`qlink_http_requests_total{code="200",method="GET",route="GET /{$}"} 1`,
		`qlink_http_requests_total{code="429",method="GET",route="GET /api/v1/courses/{id}"} 1`,
		`method="other",route="unmatched"} 3`,
		`qlink_http_request_duration_seconds_count{route="GET /api/v1/courses"} 1`,
		`qlink_http_request_duration_seconds_bucket{route="GET /api/v1/courses",le="+Inf"} 1`,
		`qlink_search_duration_seconds_count 2`,
		`qlink_search_wait_seconds_count 2`,
		`qlink_harvest_runs_total{outcome="failed"} 1`,
		`qlink_fetch_requests_total{host_class="public",status="200"} 1`,
		`qlink_fetch_requests_total{host_class="refused",status="error"} 1`,
		`qlink_courses{status="active"} 2`,
		`qlink_courses{status="inactive"} 0`,
		`qlink_job_queue_depth{state="available"} 3`,
		// The list's course, then its own page: one item made, then kept.
		`qlink_kept_lookups_total{form="item",result="hit"} 1`,
		`qlink_kept_lookups_total{form="item",result="miss"} 1`,
		`qlink_kept_lookups_total{form="card",result="miss"} 1`,
		// The same text twice: its matches found once, then kept.
		`qlink_search_cache_lookups_total{kind="text",result="hit"} 1`,
		`qlink_search_cache_lookups_total{kind="text",result="miss"} 1`,
		// No write came after the text's search: nothing searched again.
		`qlink_search_cache_warmed_total{kind="text"} 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s", want)
		}
	}
	// What is kept takes memory, and says so.
	for _, kept := range []string{`qlink_kept_bytes\{form="item"\} [1-9]`, `qlink_search_cache_bytes\{kind="text"\} [1-9]`} {
		if !regexp.MustCompile(kept).MatchString(body) {
			t.Errorf("no series matches %s", kept)
		}
	}
	// Routes are patterns, never raw paths, and no series names a client.
	if strings.Contains(body, "urn:") || strings.Contains(body, "127.0.0.1") {
		t.Error("a raw path or a client address leaked into the metrics")
	}
	label := regexp.MustCompile(`[{,](\w+)="`)
	for line := range strings.Lines(body) {
		if !strings.HasPrefix(line, "qlink_") {
			continue
		}
		for _, l := range label.FindAllStringSubmatch(line, -1) {
			switch l[1] {
			case "route", "method", "code", "le", "outcome", "status", "host_class", "state", "form", "result", "kind":
			default:
				t.Errorf("unexpected label %q in %s", l[1], line)
			}
		}
	}
}

func TestMetricsApart(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.Metrics, o.MetricsApart = NewMetrics(o.Store, nil), true })
	if resp, _ := get(t, ts.URL+"/metrics"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics served beside the catalogue although apart: %d", resp.StatusCode)
	}
}

// TestCourseCountsKeptPerVersion checks that the courses gauge counts
// again only once the content changed.
func TestCourseCountsKeptPerVersion(t *testing.T) {
	var o Options
	newTestServer(t, func(opts *Options) { o = *opts })
	reads := 0
	count := keptPerVersion(o.Store, func(ctx context.Context) (map[string]int, error) {
		reads++
		counts, err := o.Store.CountCoursesByStatus(ctx)
		return map[string]int{"active": counts["active"]}, err
	})
	scrape := func() int {
		t.Helper()
		counts, err := count(context.Background())
		must(t, err)
		return counts["active"]
	}
	if n, m := scrape(), scrape(); n != 2 || m != 2 || reads != 1 {
		t.Errorf("two scrapes: %d and %d active courses in %d reads, want 2 and 2 in one", n, m, reads)
	}
	p := model.Provider{ID: "P5", SCHAC: "uni-e.test", Name: model.Text{"en": "University E"}, Country: "FR"}
	addCourses(t, &o, p, []model.Specification{{ID: "urn:schac:uniqueCourseId:uni-e.test:N1", Title: model.Text{"en": "New"},
		Active: true, PublisherID: p.ID}})
	if n := scrape(); n != 3 || reads != 2 {
		t.Errorf("after a course was added: %d active courses in %d reads, want 3 in 2", n, reads)
	}
}
