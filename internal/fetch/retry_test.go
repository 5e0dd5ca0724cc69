package fetch

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// answer is one scripted response.
type answer func(w http.ResponseWriter, r *http.Request)

func status(code int, retryAfter string) answer {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
		w.Write([]byte(http.StatusText(code)))
	}
}

// drop closes the connection without answering.
func drop(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

// scripted serves the answers in turn, repeating the last one.
func scripted(hits *atomic.Int32, script ...answer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := int(hits.Add(1))
		script[min(n, len(script))-1](w, r)
	}
}

func TestRetries(t *testing.T) {
	ok := status(http.StatusOK, "")
	inSeven := epoch.Add(7 * time.Second).Format(http.TimeFormat)
	cases := []struct {
		name       string
		script     []answer
		policy     RetryPolicy
		kind       Kind
		hits       int32
		waits      []time.Duration // exact waits, or nil to check bounds
		bounds     [][2]time.Duration
		retryAfter time.Duration
	}{
		{name: "503 with Retry-After seconds", script: []answer{status(503, "2"), ok}, kind: "", hits: 2, waits: []time.Duration{2 * time.Second}},
		{name: "429 with Retry-After date", script: []answer{status(429, inSeven), ok}, kind: "", hits: 2, waits: []time.Duration{7 * time.Second}},
		{name: "429 until attempts run out", script: []answer{status(429, "1")}, kind: KindStatus, hits: 3,
			waits: []time.Duration{time.Second, time.Second}, retryAfter: time.Second},
		{name: "Retry-After beyond MaxWait is left to the scheduler", script: []answer{status(503, "3600"), ok}, kind: KindStatus, hits: 1,
			waits: []time.Duration{}, retryAfter: time.Hour},
		{name: "MaxElapsed stops the next try", script: []answer{status(503, "20")}, policy: RetryPolicy{Attempts: 5, MaxElapsed: 30 * time.Second},
			kind: KindStatus, hits: 2, waits: []time.Duration{20 * time.Second}, retryAfter: 20 * time.Second},
		{name: "503 without Retry-After backs off", script: []answer{status(503, ""), status(502, ""), ok}, kind: "", hits: 3,
			bounds: [][2]time.Duration{{500 * time.Millisecond, 1500 * time.Millisecond}, {time.Second, 3 * time.Second}}},
		{name: "dropped connection is retried", script: []answer{drop, ok}, kind: "", hits: 2,
			bounds: [][2]time.Duration{{500 * time.Millisecond, 1500 * time.Millisecond}}},
		{name: "404 is final", script: []answer{status(404, ""), ok}, kind: KindStatus, hits: 1, waits: []time.Duration{}},
		{name: "Attempts 1 turns retries off", script: []answer{status(503, "1"), ok}, policy: RetryPolicy{Attempts: 1}, kind: KindStatus, hits: 1,
			waits: []time.Duration{}, retryAfter: time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := serverOn(t, "127.0.0.1:0", scripted(&hits, tc.script...))
			policy := tc.policy
			if policy.Attempts == 0 {
				policy.Attempts = 3
			}
			c := testClient(t, Options{AllowNets: loopbackOnly, Retry: policy})
			clock := useFakeClock(c, epoch)
			resp, err := c.Get(context.Background(), Request{URL: srv.URL})
			if KindOf(err) != tc.kind {
				t.Fatalf("got %v, want kind %q", err, tc.kind)
			}
			if err == nil && resp.Status != 200 {
				t.Errorf("status %d", resp.Status)
			}
			if fe, _ := err.(*Error); fe != nil && fe.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", fe.RetryAfter, tc.retryAfter)
			}
			if n := hits.Load(); n != tc.hits {
				t.Errorf("server hit %d times, want %d", n, tc.hits)
			}
			checkWaits(t, clock.recorded(), tc.waits, tc.bounds)
		})
	}
}

func checkWaits(t *testing.T, got, exact []time.Duration, bounds [][2]time.Duration) {
	t.Helper()
	if exact != nil {
		if len(got) != len(exact) {
			t.Fatalf("waits %v, want %v", got, exact)
		}
		for i := range exact {
			if got[i] != exact[i] {
				t.Errorf("waits %v, want %v", got, exact)
			}
		}
		return
	}
	if len(got) != len(bounds) {
		t.Fatalf("waits %v, want %d within %v", got, len(bounds), bounds)
	}
	for i, b := range bounds {
		if got[i] < b[0] || got[i] > b[1] {
			t.Errorf("wait %d = %v, want within %v", i, got[i], b)
		}
	}
}

func TestTimeoutsAreNotRetried(t *testing.T) {
	var hits atomic.Int32
	srv := serverOn(t, "127.0.0.1:0", scripted(&hits, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	c := testClient(t, Options{AllowNets: loopbackOnly, Timeout: 200 * time.Millisecond, Retry: RetryPolicy{Attempts: 3}})
	useFakeClock(c, epoch)
	if _, err := c.Get(context.Background(), Request{URL: srv.URL}); KindOf(err) != KindTimeout {
		t.Fatalf("got %v, want timeout", err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("a hanging server was asked %d times", n)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	cases := map[string]time.Duration{
		"":            0,
		"120":         2 * time.Minute,
		"0":           time.Millisecond,
		"-5":          0,
		"soon":        0,
		"99999999999": 0,
		epoch.Add(90 * time.Second).Format(http.TimeFormat):  90 * time.Second,
		epoch.Add(-90 * time.Second).Format(http.TimeFormat): time.Millisecond,
		"Sunday, 01-Mar-26 12:00:30 GMT":                     30 * time.Second, // RFC 850, still accepted
	}
	for in, want := range cases {
		if got := retryAfter(in, epoch); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestHostRateLimit(t *testing.T) {
	srv := serverOn(t, "127.0.0.1:0", http.HandlerFunc(status(http.StatusOK, "")))
	// One request per hour, burst one: the second request to the same host
	// cannot get a turn before its deadline, while another host can.
	c := testClient(t, Options{AllowPrivate: true, HostRate: 1.0 / 3600, HostBurst: 1})
	if _, err := c.Get(context.Background(), Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.Get(ctx, Request{URL: srv.URL}); KindOf(err) != KindTimeout {
		t.Errorf("second request to the host: %v, want timeout (rate limit)", err)
	}
	other := "http://localhost:" + srv.URL[len("http://127.0.0.1:"):]
	if _, err := c.Get(ctx, Request{URL: other}); err != nil {
		t.Errorf("another host name shares the limit: %v", err)
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "0", "-1", "Sun, 01 Mar 2026 12:00:30 GMT", "soon", "1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if d := retryAfter(v, epoch); d < 0 {
			t.Fatalf("retryAfter(%q) = %v", v, d)
		}
	})
}
