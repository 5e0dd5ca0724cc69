package fetch

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestIsPublic(t *testing.T) {
	cases := map[string]bool{
		"8.8.8.8": true, "193.1.2.3": true, "2a00:1450:4001::1": true,
		"127.0.0.1": false, "10.1.2.3": false, "172.20.0.1": false, "192.168.1.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "0.0.0.0": false, "::1": false, "fe80::1": false, "fd00::1": false, "::ffff:127.0.0.1": false,
		"::ffff:10.0.0.1": false, "224.0.0.1": false, "64:ff9b::a00:1": false,
	}
	for s, want := range cases {
		if got := IsPublic(netip.MustParseAddr(s)); got != want {
			t.Errorf("IsPublic(%s) = %v, want %v", s, got, want)
		}
	}
}

func newClient(t *testing.T, allowPrivate bool) *Client {
	return testClient(t, Options{Timeout: time.Second, PerHost: 2, AllowPrivate: allowPrivate})
}

func TestLoopbackRefusedUnlessAllowed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) }))
	defer srv.Close()
	_, err := newClient(t, false).Get(context.Background(), Request{URL: srv.URL})
	if KindOf(err) != KindBlocked {
		t.Fatalf("loopback reached: %v", err)
	}
	resp, err := newClient(t, true).Get(context.Background(), Request{URL: srv.URL})
	if err != nil || string(resp.Body) != "secret" {
		t.Fatalf("allowed fetch: %v", err)
	}
}

func TestRequestRules(t *testing.T) {
	var hits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write(bytes.Repeat([]byte("x"), 1<<17)) })
	mux.HandleFunc("/bomb", encoded("gzip", compress(t, 1<<20, "gzip")))
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no such course", http.StatusGone) })
	mux.HandleFunc("/cond", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` || r.Header.Get("If-Modified-Since") == "Sun, 01 Mar 2026 12:00:00 GMT" {
			w.WriteHeader(http.StatusNotModified) // without repeating the validators
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Sun, 01 Mar 2026 12:00:00 GMT")
		w.Write([]byte("fresh"))
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Header.Get("User-Agent") + "|" + r.Header.Get("X-Api-Key") + "|" + r.URL.RawQuery + "|" + r.Host))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := newClient(t, true)
	ctx := context.Background()

	cases := []struct {
		path string
		kind Kind
	}{
		{"/loop", KindRedirects}, {"/to-file", KindBlocked}, {"/big", KindTooLarge}, {"/bomb", KindTooLarge},
		{"/slow", KindTimeout}, {"/gone", KindStatus},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := c.Get(ctx, Request{URL: srv.URL + tc.path})
			if KindOf(err) != tc.kind {
				t.Fatalf("got %v, want kind %s", err, tc.kind)
			}
			if !strings.Contains(err.Error(), srv.URL) {
				t.Errorf("error does not name the URL: %v", err)
			}
			if tc.kind == KindStatus && (resp == nil || resp.Status != 410 || !strings.Contains(string(resp.Body), "no such course")) {
				t.Errorf("status error must carry the response: %+v", resp)
			}
		})
	}
	if n := hits.Load(); n != maxRedirects+1 {
		t.Errorf("redirect loop followed %d times", n)
	}
	for _, bad := range []string{"ftp://example.org/x", "http:///nohost", "http://user:pw@example.org/"} {
		if _, err := c.Get(ctx, Request{URL: bad}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}

	resp, err := c.Get(ctx, Request{URL: srv.URL + "/cond"})
	if err != nil || resp.ETag != `"v1"` || resp.LastModified != "Sun, 01 Mar 2026 12:00:00 GMT" || resp.NotModified {
		t.Fatalf("validators not exposed: %+v %v", resp, err)
	}
	for _, req := range []Request{{ETag: `"v1"`}, {LastModified: resp.LastModified}} {
		req.URL = srv.URL + "/cond"
		got, err := c.Get(ctx, req)
		if err != nil || !got.NotModified || got.ETag != req.ETag || got.LastModified != req.LastModified || len(got.Body) != 0 {
			t.Fatalf("conditional request %+v: %+v %v", req, got, err)
		}
	}
	// Manifest headers and query parameters go out; headers the client
	// manages cannot be overridden.
	resp, err = c.Get(ctx, Request{URL: srv.URL + "/echo?a=1", Query: map[string][]string{"b": {"2"}},
		Header: http.Header{"X-Api-Key": {"k"}, "User-Agent": {"spoof"}, "Host": {"victim.example"}}})
	if want := "qlink-test|k|a=1&b=2|" + strings.TrimPrefix(srv.URL, "http://"); err != nil || string(resp.Body) != want {
		t.Fatalf("echo = %q, %v; want %q", resp.Body, err, want)
	}
}

func TestPerHostConcurrency(t *testing.T) {
	var cur, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		cur.Add(-1)
	}))
	defer srv.Close()
	c := newClient(t, true)
	done := make(chan struct{})
	for range 8 {
		go func() { c.Get(context.Background(), Request{URL: srv.URL}); done <- struct{}{} }()
	}
	for range 8 {
		<-done
	}
	if p := peak.Load(); p > 2 {
		t.Errorf("peak concurrency %d > 2", p)
	}
}
