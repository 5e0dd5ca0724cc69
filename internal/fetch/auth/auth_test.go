package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"qlink/internal/fetch"
)

func TestNewRefusesBadAuthBlocks(t *testing.T) {
	ring := testRing(t)
	cases := []struct {
		name  string
		auth  map[string]any
		field string
		want  string
	}{
		{"unknown type", map[string]any{"type": "basic"}, "auth.type", "unknown auth type"},
		{"plaintext header value", map[string]any{"type": "httpheader", "field": "X-Api-Key", "value": "my-api-key"},
			"auth.value", "is not encrypted"},
		{"ciphertext for another key", map[string]any{"type": "httpheader", "value": strings.Repeat("QUFB", 128)},
			"auth.value", "does not decrypt"},
		{"header value missing", map[string]any{"type": "httpheader", "field": "X-Api-Key"}, "auth.value", "is missing"},
		{"invalid header name", map[string]any{"type": "httpheader", "field": "X Api Key", "value": encrypt(t, "k")},
			"auth.field", "not a valid header name"},
		{"reserved header", map[string]any{"type": "httpheader", "field": "host", "value": encrypt(t, "k")},
			"auth.field", "managed by the aggregator"},
		{"header value with a newline inside", map[string]any{"type": "httpheader", "value": encrypt(t, "a\nInjected: yes")},
			"auth.value", "cannot be sent in a header"},
		{"oauth without endpoint", map[string]any{"type": "oauth2.0"}, "auth.token_endpoint", "is required"},
		{"oauth over http", map[string]any{"type": "oauth2.0", "token_endpoint": "http://idp.uni.example/token"},
			"auth.token_endpoint", "must be an https URL"},
		{"oauth id without secret", map[string]any{"type": "oauth2.0", "token_endpoint": "https://idp.uni.example/token", "client_id": "qlink"},
			"auth.client_id", "go together"},
		{"oauth plaintext secret", map[string]any{"type": "oauth2.0", "token_endpoint": "https://idp.uni.example/token",
			"client_id": "qlink", "client_secret": "hunter2"}, "auth.client_secret", "is not encrypted"},
		{"oauth with no credentials anywhere", map[string]any{"type": "oauth2.0", "token_endpoint": "https://idp.uni.example/token"},
			"auth.token_endpoint", "no client credentials"},
		{"httpsig unknown alg", map[string]any{"type": "httpsig", "alg": "hmac-sha256"}, "auth.alg", "not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := New(context.Background(), "DEQARINST0001", config(tc.auth), Deps{Keys: ring, HTTPClient: http.DefaultClient})
			var ae *Error
			if !errors.As(err, &ae) || a != nil {
				t.Fatalf("got %v, %v; want an *Error", a, err)
			}
			if ae.Field != tc.field || ae.Source != "id:courses" || !strings.Contains(err.Error(), tc.want) ||
				!strings.HasPrefix(err.Error(), "source id:courses: "+tc.field) {
				t.Errorf("error %q (field %s), want field %s and %q", err, ae.Field, tc.field, tc.want)
			}
		})
	}
}

func TestNoneNeedsNothing(t *testing.T) {
	for _, typ := range []string{"none", ""} {
		a, err := New(context.Background(), "P", Config{Method: typ}, Deps{})
		if a != nil || err != nil {
			t.Errorf("type %q: %v, %v", typ, a, err)
		}
	}
}

func TestHeaderAuth(t *testing.T) {
	srv, pool := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(r.URL.Query().Get("expect")) != "k3y with spaces" {
			http.Error(w, "forbidden", http.StatusForbidden)
		}
	}))
	c := fetcher(t, pool)
	cases := []struct {
		name   string
		auth   map[string]any
		expect string
		status int
	}{
		{"encrypted value", map[string]any{"type": "httpheader", "field": "x-api-key", "value": encrypt(t, "k3y with spaces")}, "X-Api-Key", 200},
		{"wrong value", map[string]any{"type": "httpheader", "field": "X-Api-Key", "value": encrypt(t, "other")}, "X-Api-Key", 403},
		{"default field", map[string]any{"type": "httpheader", "value": encrypt(t, "k3y with spaces")}, "X-QualityLink-Auth", 200},
		{"Authorization as the field", map[string]any{"type": "httpheader", "field": "Authorization", "value": encrypt(t, "k3y with spaces")}, "Authorization", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := New(context.Background(), "P", config(tc.auth), Deps{Keys: testRing(t)})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Get(context.Background(), fetch.Request{URL: srv.URL + "/?expect=" + tc.expect, Auth: a})
			if resp == nil || resp.Status != tc.status {
				t.Fatalf("got %+v, %v; want status %d", resp, err, tc.status)
			}
		})
	}
}

// TestNoCredentialsAcrossHosts redirects each method's request to another
// host: none of its credentials may arrive there.
func TestNoCredentialsAcrossHosts(t *testing.T) {
	var mu sync.Mutex
	var leaked []string
	other, pool := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		for _, h := range []string{"Authorization", "X-Qualitylink-Auth", "Signature", "Signature-Input"} {
			if r.Header.Get(h) != "" {
				leaked = append(leaked, r.URL.Path+" "+h)
			}
		}
	}))
	tokens := tokenServer(t, nil)
	srv, _ := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	creds := &MemoryCredentials{}
	creds.Set("P", tokens.URL+"/token", "qlink", "s3cret")
	c := fetcher(t, pool)
	d := Deps{Keys: testRing(t), Credentials: creds, HTTPClient: c.HTTPClient()}
	blocks := map[string]map[string]any{
		"/httpheader": {"type": "httpheader", "value": encrypt(t, "secret")},
		"/oauth":      {"type": "oauth2.0", "token_endpoint": tokens.URL + "/token"},
		"/httpsig":    {"type": "httpsig"},
	}
	for path, block := range blocks {
		a, err := New(context.Background(), "P", config(block), d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Get(context.Background(), fetch.Request{URL: srv.URL + path, Auth: a}); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(leaked) > 0 {
		t.Errorf("credentials reached another host: %v", leaked)
	}
}
