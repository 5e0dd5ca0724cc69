package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qlink/internal/fetch"
)

// idp is a token endpoint for the client credentials grant that checks
// HTTP Basic client authentication as RFC 6749 §2.3.1 encodes it.
type idp struct {
	*httptest.Server
	id, secret string
	expiresIn  int

	mu      sync.Mutex
	issued  []string
	revoked map[string]bool
	scopes  []string
}

func tokenServer(t *testing.T, configure func(*idp)) *idp {
	t.Helper()
	p := &idp{id: "qlink", secret: "s3cret", expiresIn: 3600, revoked: map[string]bool{}}
	if configure != nil {
		configure(p)
	}
	p.Server, _ = tlsServer(t, http.HandlerFunc(p.serve))
	return p
}

func (p *idp) serve(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	id, _ := url.QueryUnescape(user)
	secret, _ := url.QueryUnescape(pass)
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost || r.PostFormValue("grant_type") != "client_credentials" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"unsupported_grant_type"}`)
		return
	}
	if !ok || id != p.id || secret != p.secret || r.PostForm.Has("client_secret") {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"invalid_client","error_description":"unknown client"}`)
		return
	}
	p.mu.Lock()
	tok := fmt.Sprintf("tok-%d", len(p.issued)+1)
	p.issued = append(p.issued, tok)
	p.scopes = append(p.scopes, r.PostFormValue("scope"))
	p.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": p.expiresIn})
}

func (p *idp) valid(auth string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	return ok && len(p.issued) > 0 && strings.HasPrefix(tok, "tok-") && !p.revoked[tok] && containsStr(p.issued, tok)
}

func (p *idp) revokeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, tok := range p.issued {
		p.revoked[tok] = true
	}
}

func (p *idp) requests() (int, []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.issued), append([]string(nil), p.scopes...)
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// api is a data source that takes the idp's live tokens.
func api(t *testing.T, p *idp) *httptest.Server {
	srv, _ := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.valid(r.Header.Get("Authorization")) {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			http.Error(w, "invalid token", http.StatusUnauthorized)
		}
	}))
	return srv
}

// testClock is a clock tests move by hand; servers read it concurrently.
type testClock struct{ ns atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}

func (c *testClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *testClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func TestOAuthClientCredentials(t *testing.T) {
	const scope = "courses.read offerings.read"
	cases := []struct {
		name string
		// run makes requests and may change the world between them.
		run    func(get func() error, p *idp, clock *testClock) error
		tokens int
	}{
		{"token cached across requests", func(get func() error, _ *idp, _ *testClock) error {
			return errors.Join(get(), get(), get())
		}, 1},
		{"expired token renewed", func(get func() error, _ *idp, clock *testClock) error {
			err := get()
			clock.advance(2 * time.Hour)
			return errors.Join(err, get())
		}, 2},
		{"token revoked mid-harvest", func(get func() error, p *idp, _ *testClock) error {
			err := get()
			p.revokeAll()
			return errors.Join(err, get(), get())
		}, 2},
	}
	for _, tc := range cases {
		for _, inline := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/inline=%v", tc.name, inline), func(t *testing.T) {
				p := tokenServer(t, func(p *idp) { p.id, p.secret = "qlink:client", "s3cr:t/+&" })
				data := api(t, p)
				clock := newTestClock()
				block := map[string]any{"type": "oauth2.0", "token_endpoint": p.URL + "/token", "scope": scope}
				creds := &MemoryCredentials{}
				if inline {
					block["client_id"], block["client_secret"] = "qlink:client", encrypt(t, "s3cr:t/+&")
				} else {
					creds.Set("DEQARINST0001", p.URL+"/token", "qlink:client", "s3cr:t/+&")
				}
				c := fetcherTrusting(t, p)
				a, err := New(context.Background(), "DEQARINST0001", config(block),
					Deps{Keys: testRing(t), Credentials: creds, HTTPClient: c.HTTPClient(), Now: clock.now})
				if err != nil {
					t.Fatal(err)
				}
				get := func() error {
					_, err := c.Get(context.Background(), fetch.Request{URL: data.URL + "/courses", Auth: a})
					return err
				}
				if err := tc.run(get, p, clock); err != nil {
					t.Fatal(err)
				}
				n, scopes := p.requests()
				if n != tc.tokens {
					t.Errorf("%d token requests, want %d", n, tc.tokens)
				}
				for _, s := range scopes {
					if s != scope {
						t.Errorf("scope %q, want %q", s, scope)
					}
				}
			})
		}
	}
}

// fetcherTrusting returns a client trusting the token server's certificate.
func fetcherTrusting(t *testing.T, srv *idp) *fetch.Client {
	return fetcher(t, srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs)
}

func TestTokenFailures(t *testing.T) {
	p := tokenServer(t, nil)
	data := api(t, p)
	c := fetcherTrusting(t, p)
	guarded := "https://127.0.0.2:" + p.URL[strings.LastIndex(p.URL, ":")+1:] + "/token"
	cases := []struct {
		name     string
		endpoint string
		secret   string
		want     string
	}{
		{"client refused", p.URL + "/token", "wrong", "HTTP 401 invalid_client (unknown client)"},
		{"token endpoint on a private address", guarded, "s3cret", "not public"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			block := map[string]any{"type": "oauth2.0", "token_endpoint": tc.endpoint, "client_id": "qlink", "client_secret": encrypt(t, tc.secret)}
			a, err := New(context.Background(), "P", config(block), Deps{Keys: testRing(t), HTTPClient: c.HTTPClient()})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Get(context.Background(), fetch.Request{URL: data.URL, Auth: a})
			var ae *Error
			if fetch.KindOf(err) != fetch.KindAuth || !errors.As(err, &ae) || ae.Field != "auth.token_endpoint" || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an auth error saying %q", err, tc.want)
			}
		})
	}
}

// TestOutOfBandCredentialsAreBound: an operator registered a client for
// provider A at A's token endpoint. Neither another provider's manifest
// nor A's manifest pointing elsewhere may obtain it.
func TestOutOfBandCredentialsAreBound(t *testing.T) {
	good := tokenServer(t, nil)
	evil := tokenServer(t, func(p *idp) { p.id, p.secret = "", "" })
	creds := &MemoryCredentials{}
	creds.Set("A", good.URL+"/token", "qlink", "s3cret")
	c := fetcherTrusting(t, good)
	cases := []struct {
		name, provider, endpoint string
		ok                       bool
	}{
		{"registered pair", "A", good.URL + "/token", true},
		{"same endpoint written differently", "A", strings.Replace(good.URL, "https://", "HTTPS://", 1) + "/token", true},
		{"another provider", "B", good.URL + "/token", false},
		{"another endpoint", "A", evil.URL + "/token", false},
		{"another path", "A", good.URL + "/token?x=1", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			block := map[string]any{"type": "oauth2.0", "token_endpoint": tc.endpoint}
			_, err := New(context.Background(), tc.provider, config(block),
				Deps{Keys: testRing(t), Credentials: creds, HTTPClient: c.HTTPClient()})
			if (err == nil) != tc.ok {
				t.Errorf("New: %v", err)
			}
		})
	}
}
