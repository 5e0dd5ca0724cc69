package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"qlink/internal/migration"
	"qlink/internal/search/bleve"
	"qlink/internal/store"
	"qlink/internal/store/sqlite"
)

// newLimitedServer serves the test data with a rate limit whose bucket
// refills so slowly that only the burst counts during a test.
func newLimitedServer(t *testing.T, burst int) *httptest.Server {
	t.Helper()
	ts := newTestServer(t, func(o *Options) { o.RateLimit = RateLimit{PerSecond: 0.001, Burst: burst} })
	return ts
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	ts := newLimitedServer(t, 3)
	for i := range 3 {
		resp, body := get(t, ts.URL+"/api/v1/courses")
		if resp.StatusCode != 200 {
			t.Fatalf("request %d within the burst: %d %s", i+1, resp.StatusCode, body)
		}
		if resp.Header.Get("RateLimit-Limit") != "3" || resp.Header.Get("RateLimit-Remaining") != strconv.Itoa(2-i) {
			t.Errorf("request %d: RateLimit-Limit %q, -Remaining %q", i+1, resp.Header.Get("RateLimit-Limit"), resp.Header.Get("RateLimit-Remaining"))
		}
	}
	resp, body := get(t, ts.URL+"/api/v1/courses")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after the burst: %d, want 429", resp.StatusCode)
	}
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 1000 {
		t.Errorf("Retry-After %q: want the seconds until the next token (≤ 1000)", resp.Header.Get("Retry-After"))
	}
	if !strings.Contains(body, `"error":"too many requests`) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("429 body: %s", body)
	}
	// Pages have a budget of their own, twice the API's.
	for i := range 3 * pageFactor {
		if resp, _ := get(t, ts.URL+"/about"); resp.StatusCode != 200 {
			t.Fatalf("page %d: %d", i+1, resp.StatusCode)
		}
	}
	if resp, body := get(t, ts.URL+"/about"); resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many requests") {
		t.Errorf("page after its burst: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// The operator's routes and static assets are never counted.
	if resp, _ := get(t, ts.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz limited: %d", resp.StatusCode)
	}
}

func TestRateLimitOff(t *testing.T) {
	ts := newTestServer(t) // RateLimit zero: off
	for i := range 300 {
		if resp, _ := get(t, ts.URL+"/api/v1/providers"); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
	}
}

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32"), netip.MustParsePrefix("192.168.0.0/16")}
	rl := newRateLimiter(RateLimit{PerSecond: 1, Burst: 1, TrustedProxies: trusted}, nil)
	for _, tc := range []struct{ remote, xff, want string }{
		{"203.0.113.5:1234", "", "203.0.113.5"},
		{"203.0.113.5:1234", "198.51.100.1", "203.0.113.5"}, // untrusted peer: header ignored
		{"10.0.0.1:80", "198.51.100.1", "198.51.100.1"},
		{"10.0.0.1:80", "6.6.6.6, 198.51.100.1, 192.168.1.1", "198.51.100.1"}, // forged left part skipped
		{"10.0.0.1:80", "garbage", "10.0.0.1"},
		{"[2001:db8:1:2:3:4:5:6]:443", "", "2001:db8:1:2::"}, // IPv6 keyed by /64
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := rl.clientIP(r); got != netip.MustParseAddr(tc.want) {
			t.Errorf("%s + %q: %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}

func TestLimiterMemoryIsBounded(t *testing.T) {
	l := newLimiter(1, 1, func() time.Time { return time.Unix(0, 0) })
	addr := netip.MustParseAddr("10.0.0.0")
	for range maxClients + 500 {
		l.take(addr)
		addr = addr.Next()
	}
	if len(l.clients) > maxClients {
		t.Errorf("%d clients held, cap %d", len(l.clients), maxClients)
	}
}

func TestCORS(t *testing.T) {
	ts := newTestServer(t)
	resp, _ := get(t, ts.URL+"/api/v1/public-key/pem")
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET: no CORS header")
	}
	if resp, _ := get(t, ts.URL+"/about"); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("pages must not be opened to other origins")
	}
	req, _ := http.NewRequest("OPTIONS", ts.URL+"/api/v1/courses", nil)
	req.Header.Set("Origin", "https://elsewhere.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "if-none-match")
	pre, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pre.Body.Close()
	if pre.StatusCode != 204 || pre.Header.Get("Access-Control-Allow-Origin") != "*" || pre.Header.Get("Access-Control-Allow-Methods") != "GET, HEAD" ||
		!strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "If-None-Match") || pre.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight: %d %v", pre.StatusCode, pre.Header)
	}
	// A plain OPTIONS, no preflight, keeps the API's JSON 405.
	req, _ = http.NewRequest("OPTIONS", ts.URL+"/api/v1/courses", nil)
	plain, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	plain.Body.Close()
	if plain.StatusCode != 405 {
		t.Errorf("plain OPTIONS: %d", plain.StatusCode)
	}
}

func TestETag(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{"/api/v1/courses?q=data", "/about"} {
		// A page's first answer sets the visitor's CSRF cookie and is not
		// tagged; the visitor's later answers are.
		first, _ := get(t, ts.URL+path)
		var cookie []string
		if c := first.Cookies(); len(c) > 0 {
			if first.Header.Get("ETag") != "" {
				t.Errorf("%s: an answer setting a cookie is tagged", path)
			}
			cookie = []string{"Cookie", c[0].Name + "=" + c[0].Value}
		}
		get := func(t *testing.T, u string, header ...string) (*http.Response, string) {
			t.Helper()
			return get(t, u, append(header, cookie...)...)
		}
		resp, body := get(t, ts.URL+path)
		tag := resp.Header.Get("ETag")
		if resp.StatusCode != 200 || !strings.HasPrefix(tag, `"`) || body == "" {
			t.Fatalf("%s: %d ETag %q", path, resp.StatusCode, tag)
		}
		if resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) || len(resp.TransferEncoding) > 0 {
			t.Errorf("%s: Content-Length %q, Transfer-Encoding %q, for %d bytes", path, resp.Header.Get("Content-Length"), resp.TransferEncoding, len(body))
		}
		again, _ := get(t, ts.URL+path)
		if again.Header.Get("ETag") != tag {
			t.Errorf("%s: the same content has two tags", path)
		}
		resp, body = get(t, ts.URL+path, "If-None-Match", `"other", `+tag)
		if resp.StatusCode != 304 || body != "" {
			t.Errorf("%s: If-None-Match %s: %d %q", path, tag, resp.StatusCode, body)
		}
		if resp, _ := get(t, ts.URL+path, "If-None-Match", `"other"`); resp.StatusCode != 200 {
			t.Errorf("%s: a stale tag must get the content: %d", path, resp.StatusCode)
		}
		req, _ := http.NewRequest("HEAD", ts.URL+path, nil)
		req.Header.Set("If-None-Match", tag)
		if cookie != nil {
			req.Header.Set(cookie[0], cookie[1])
		}
		head, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		head.Body.Close()
		if head.StatusCode != 304 {
			t.Errorf("%s: HEAD with the tag: %d", path, head.StatusCode)
		}
	}
	if resp, _ := get(t, ts.URL+"/api/v1/courses/urn:nope"); resp.Header.Get("ETag") != "" {
		t.Errorf("errors are not tagged")
	}
}

// The buffers answers are held in are reused: each answer is its own
// bytes alone, whatever came before it, long or short.
func TestETagAnswersHeldApart(t *testing.T) {
	long := strings.Repeat("a", 300<<10)
	h := etags(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.URL.Query().Get("say")))
		if r.URL.Query().Has("long") {
			w.Write([]byte(long))
		}
	}))
	for i, say := range []string{"first", "second", "third"} {
		target := "/?say=" + say
		want := say
		if i%2 == 0 {
			target, want = target+"&long", say+long
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		if w.Body.String() != want || w.Header().Get("Content-Length") != strconv.Itoa(len(want)) {
			t.Errorf("answer %d: %d bytes, Content-Length %s; want %d", i, w.Body.Len(), w.Header().Get("Content-Length"), len(want))
		}
	}
}

func TestETagStepsAsideForStreams(t *testing.T) {
	h := etags(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("data: one\n\n"))
		http.NewResponseController(w).Flush()
		w.Write([]byte("data: two\n\n"))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/events", nil))
	if rec.Header().Get("ETag") != "" || !rec.Flushed || rec.Body.String() != "data: one\n\ndata: two\n\n" {
		t.Errorf("stream: ETag %q flushed %v body %q", rec.Header().Get("ETag"), rec.Flushed, rec.Body.String())
	}
	own := etags(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"mine"`)
		w.Write([]byte("x"))
	}))
	rec = httptest.NewRecorder()
	own.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Header().Get("ETag") != `"mine"` || rec.Body.String() != "x" {
		t.Errorf("own ETag: %q %q", rec.Header().Get("ETag"), rec.Body.String())
	}
}

func TestHealthAndReadiness(t *testing.T) {
	// An index of its own, as the test closes it (bleve panics on a
	// second Close).
	idx, err := bleve.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, func(o *Options) { o.Index = idx })
	if resp, body := get(t, ts.URL+"/healthz"); resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("healthz: %d %q", resp.StatusCode, body)
	}
	if resp, body := get(t, ts.URL+"/readyz"); resp.StatusCode != 200 || body != "ready\n" {
		t.Errorf("readyz: %d %q", resp.StatusCode, body)
	}
	idx.Close()
	if resp, body := get(t, ts.URL+"/readyz"); resp.StatusCode != 503 || !strings.Contains(body, "search index unavailable") {
		t.Errorf("readyz with the index closed: %d %q", resp.StatusCode, body)
	}
	// Alive all the same: a closed index is no reason to restart.
	if resp, _ := get(t, ts.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz with the index closed: %d", resp.StatusCode)
	}
}

// warmingIndex is an index still warming up after its start until done.
type warmingIndex struct {
	searchIndex
	done atomic.Bool
}

func (w *warmingIndex) WarmingUp() bool { return !w.done.Load() }

// A process whose search index is warming up is alive but not ready, and
// says why; it is ready once the index is. The index may be timed for the
// metrics or not.
func TestReadinessWaitsForTheWarmUp(t *testing.T) {
	for _, timed := range []bool{false, true} {
		idx := &warmingIndex{searchIndex: openTestIndex(t)}
		ts := newTestServer(t, func(o *Options) {
			o.Index = idx
			if timed {
				o.Metrics = NewMetrics(o.Store, nil)
			}
		})
		if resp, body := get(t, ts.URL+"/readyz"); resp.StatusCode != 503 || !strings.Contains(body, "warming up") {
			t.Errorf("timed %v: readyz while warming up: %d %q", timed, resp.StatusCode, body)
		}
		if resp, _ := get(t, ts.URL+"/healthz"); resp.StatusCode != 200 {
			t.Errorf("timed %v: healthz while warming up: %d", timed, resp.StatusCode)
		}
		idx.done.Store(true)
		if resp, body := get(t, ts.URL+"/readyz"); resp.StatusCode != 200 || body != "ready\n" {
			t.Errorf("timed %v: readyz once warmed up: %d %q", timed, resp.StatusCode, body)
		}
	}
}

func TestReadinessWantsTheSchemaCurrent(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "db")) // never migrated
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := New(Options{Store: st, Index: openTestIndex(t)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	if resp, body := get(t, ts.URL+"/readyz"); resp.StatusCode != 503 || !strings.Contains(body, "migrations pending") {
		t.Errorf("readyz before migrating: %d %q", resp.StatusCode, body)
	}
}

// aheadStore is a database a newer qlink migrated.
type aheadStore struct{ store.Store }

func (aheadStore) Pending(context.Context) (int, error) {
	return 0, fmt.Errorf("sqlite: database at migration 99: %w", migration.ErrSchemaAhead)
}

func TestReadinessRefusesANewerSchema(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := New(Options{Store: aheadStore{st}, Index: openTestIndex(t)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	if resp, body := get(t, ts.URL+"/readyz"); resp.StatusCode != 503 || !strings.Contains(body, "newer than this qlink") {
		t.Errorf("readyz on a newer schema: %d %q", resp.StatusCode, body)
	}
}

// TestRetryAfterIsHonest waits, on a clock the test moves, exactly as long
// as a refusal says, and is then served.
func TestRetryAfterIsHonest(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	l := newLimiter(0.5, 2, func() time.Time { return now })
	client := netip.MustParseAddr("198.51.100.7")
	for i := range 2 {
		if _, ok := l.take(client); !ok {
			t.Fatalf("request %d within the burst refused", i+1)
		}
	}
	wait, ok := l.take(client)
	if ok || wait != 2*time.Second {
		t.Fatalf("past the burst: ok %v, wait %s; want a refusal for 2s (one token at 0.5/s)", ok, wait)
	}
	now = now.Add(wait - time.Millisecond)
	if _, ok := l.take(client); ok {
		t.Error("served before the wait was over")
	}
	now = now.Add(time.Millisecond)
	if _, ok := l.take(client); !ok {
		t.Error("refused after waiting as told")
	}
	// Another client has its own bucket.
	if _, ok := l.take(netip.MustParseAddr("198.51.100.8")); !ok {
		t.Error("a second client shares the first one's bucket")
	}
}
