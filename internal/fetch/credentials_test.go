package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// fakeAuth sends a bearer token and a secret header, and renews the
// token on Refresh.
type fakeAuth struct {
	mu        sync.Mutex
	token     string
	calls     int
	refreshes int
	fail      error
}

func (a *fakeAuth) Authorize(_ context.Context, r *http.Request) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls++
	if a.fail != nil {
		return a.fail
	}
	r.Header.Set("Authorization", "Bearer "+a.token)
	r.Header.Set("X-Qualitylink-Auth", "s3cret")
	return nil
}

func (a *fakeAuth) Refresh(_ context.Context, refused http.Header) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refreshes++
	if refused.Get("Authorization") == "Bearer "+a.token {
		a.token += "+"
	}
	return nil
}

func (a *fakeAuth) counts() (calls, refreshes int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls, a.refreshes
}

// recorder remembers the headers of every request a server saw.
type recorder struct {
	mu   sync.Mutex
	seen []http.Header
}

func (rec *recorder) record(r *http.Request) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.seen = append(rec.seen, r.Header.Clone())
}

func (rec *recorder) all() []http.Header {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.seen
}

func TestCredentialsStayOnTheirOrigin(t *testing.T) {
	var elsewhere recorder
	other, _ := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.record(r)
		w.Write([]byte("other host"))
	}))
	var home recorder
	mux := http.NewServeMux()
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		home.record(r)
		http.Redirect(w, r, other.URL+"/landing", http.StatusFound)
	})
	mux.HandleFunc("/here", func(w http.ResponseWriter, r *http.Request) {
		home.record(r)
		http.Redirect(w, r, "/final", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/final", func(w http.ResponseWriter, r *http.Request) { home.record(r) })
	srv, pool := tlsServer(t, mux)
	c := testClient(t, Options{AllowNets: loopbackOnly, RootCAs: pool})
	// A publisher may also put an Authorization header in the manifest's
	// plain headers; it must not travel to another host either.
	header := http.Header{"Authorization": {"Basic cHVibGlzaGVy"}, "Accept-Language": {"nl"}}

	auth := &fakeAuth{token: "t1"}
	if _, err := c.Get(context.Background(), Request{URL: srv.URL + "/away", Header: header, Auth: auth}); err != nil {
		t.Fatal(err)
	}
	seen := elsewhere.all()
	if len(seen) != 1 {
		t.Fatalf("the other host saw %d requests", len(seen))
	}
	for _, k := range []string{"Authorization", "X-Qualitylink-Auth", "Signature", "Signature-Input"} {
		if v := seen[0].Get(k); v != "" {
			t.Errorf("%s followed the redirect to another host: %q", k, v)
		}
	}
	if seen[0].Get("Accept-Language") != "nl" {
		t.Errorf("plain manifest headers should still be sent: %v", seen[0])
	}

	if _, err := c.Get(context.Background(), Request{URL: srv.URL + "/here", Header: header, Auth: auth}); err != nil {
		t.Fatal(err)
	}
	for i, h := range home.all() {
		if h.Get("X-Qualitylink-Auth") != "s3cret" || h.Get("Authorization") != "Bearer t1" {
			t.Errorf("request %d on the source's own origin lacks credentials: %v", i, h)
		}
	}
	if calls, _ := auth.counts(); calls != 3 {
		t.Errorf("Authorize called %d times, want once per same-origin hop (3)", calls)
	}
}

func TestCredentialRules(t *testing.T) {
	var hits atomic.Int32
	plain := serverOn(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	c := testClient(t, Options{AllowNets: loopbackOnly})

	// Credentials never travel unencrypted: the request is not even sent.
	_, err := c.Get(context.Background(), Request{URL: plain.URL, Auth: &fakeAuth{token: "t"}})
	if KindOf(err) != KindAuth || !strings.Contains(err.Error(), "https") || hits.Load() != 0 {
		t.Errorf("plain http with credentials: %v (%d hits)", err, hits.Load())
	}

	srv, pool := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	c = testClient(t, Options{AllowNets: loopbackOnly, RootCAs: pool})
	cause := errors.New("auth.value does not decrypt")
	_, err = c.Get(context.Background(), Request{URL: srv.URL, Auth: &fakeAuth{fail: cause}})
	if KindOf(err) != KindAuth || !errors.Is(err, cause) {
		t.Errorf("failing Authorize: %v", err)
	}
}

func TestRefusedCredentialsAreRenewedOnce(t *testing.T) {
	cases := []struct {
		name      string
		accept    string // the only token the server takes
		kind      Kind
		hits      int32
		refreshes int
	}{
		{"token revoked mid-harvest", "Bearer t1+", "", 2, 1},
		{"credentials refused for good", "Bearer never", KindStatus, 2, 1},
		{"credentials accepted", "Bearer t1", "", 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv, pool := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if r.Header.Get("Authorization") != tc.accept {
					http.Error(w, "invalid token", http.StatusUnauthorized)
				}
			}))
			c := testClient(t, Options{AllowNets: loopbackOnly, RootCAs: pool})
			auth := &fakeAuth{token: "t1"}
			resp, err := c.Get(context.Background(), Request{URL: srv.URL, Auth: auth})
			if KindOf(err) != tc.kind {
				t.Fatalf("got %v, want kind %q", err, tc.kind)
			}
			if tc.kind == KindStatus && resp.Status != http.StatusUnauthorized {
				t.Errorf("status %d", resp.Status)
			}
			if _, n := auth.counts(); n != tc.refreshes || hits.Load() != tc.hits {
				t.Errorf("%d refreshes and %d requests, want %d and %d", n, hits.Load(), tc.refreshes, tc.hits)
			}
		})
	}
}

func TestRetriesAreAuthorizedAfresh(t *testing.T) {
	var hits atomic.Int32
	srv, pool := tlsServer(t, scripted(&hits, status(503, "1"), status(200, "")))
	c := testClient(t, Options{AllowNets: loopbackOnly, RootCAs: pool, Retry: RetryPolicy{Attempts: 2}})
	useFakeClock(c, epoch)
	auth := &fakeAuth{token: "t"}
	if _, err := c.Get(context.Background(), Request{URL: srv.URL, Auth: auth}); err != nil {
		t.Fatal(err)
	}
	if calls, _ := auth.counts(); calls != 2 {
		t.Errorf("Authorize called %d times for 2 attempts", calls)
	}
}

func TestSameOrigin(t *testing.T) {
	cases := []struct {
		from, to string
		same     bool
	}{
		{"https://uni.example/a", "https://uni.example/b", true},
		{"https://uni.example/a", "https://UNI.example:443/b", true},
		{"https://uni.example/a", "https://uni.example:8443/b", false},
		{"https://uni.example/a", "https://evil.example/b", false},
		{"https://uni.example/a", "https://api.uni.example/b", false},
		{"https://uni.example/a", "http://uni.example/b", false},
		{"http://uni.example/a", "https://uni.example/b", true},
		{"http://uni.example:8080/a", "https://uni.example:8080/b", true},
		{"http://uni.example:8080/a", "https://uni.example/b", false},
	}
	for _, tc := range cases {
		from, _ := url.Parse(tc.from)
		to, _ := url.Parse(tc.to)
		if got := sameOrigin(from, to); got != tc.same {
			t.Errorf("sameOrigin(%s, %s) = %v", tc.from, tc.to, got)
		}
	}
}
