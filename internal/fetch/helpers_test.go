package fetch

import (
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testClient builds a client for loopback test servers: short limits as
// inputs, one attempt unless a test asks for retries.
func testClient(t *testing.T, o Options) *Client {
	t.Helper()
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1 << 16
	}
	if o.Retry.Attempts == 0 {
		o.Retry.Attempts = 1
	}
	if o.UserAgent == "" {
		o.UserAgent = "qlink-test"
	}
	c := New(o)
	t.Cleanup(c.Close)
	return c
}

// loopbackOnly opens exactly 127.0.0.1, so tests can reach their servers
// while every other private address, 127.0.0.2 included, stays refused.
var loopbackOnly = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

// fakeClock replaces the client's clock: waits are recorded, not slept,
// and advance the clock.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func useFakeClock(c *Client, start time.Time) *fakeClock {
	f := &fakeClock{now: start}
	c.now = func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
	c.sleep = func(_ context.Context, d time.Duration) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.waits = append(f.waits, d)
		f.now = f.now.Add(d)
		return nil
	}
	return f
}

func (f *fakeClock) recorded() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// serverOn starts a test server listening on addr (e.g. 127.0.0.2:0).
func serverOn(t *testing.T, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// tlsServer starts an https test server and returns the pool that
// trusts it.
func tlsServer(t *testing.T, h http.Handler) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, pool
}

// forever calls write until the client goes away.
func forever(w http.ResponseWriter, r *http.Request, write func() error) {
	flusher, _ := w.(http.Flusher)
	for r.Context().Err() == nil {
		if write() != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
}
