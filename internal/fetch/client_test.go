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
	public := []string{
		"8.8.8.8", "193.1.2.3", "2a00:1450:4001::1", "2001:67c:2e8:22::c100:68b", // ordinary hosts
		"::ffff:193.1.2.3",  // IPv4-mapped, judged as the IPv4 address
		"64:ff9b::c101:203", // NAT64 of 193.1.2.3: how an IPv6-only host reaches IPv4
		"2002:c101:203::1",  // 6to4 of 193.1.2.3
	}
	blocked := []string{
		"127.0.0.1", "127.9.9.9", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
		"0.0.0.0", "255.255.255.255", "224.0.0.1", "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1",
		"::", "::1", "fe80::1", "fe80::1%eth0", "fd00::1", "fc00::1", "ff02::1", "ff0e::1", "100::1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
		"::127.0.0.1", "::10.0.0.1", "::a9fe:a9fe", // IPv4-compatible ::/96
		"::ffff:0:127.0.0.1", "::ffff:0:a00:1", // IPv4-translated ::ffff:0:0:0/96
		"fec0::1", "feff::1", // site-local, deprecated but routed by some stacks
		"64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", // NAT64 of private IPv4
		"64:ff9b:1::c101:203",                                 // local-use NAT64
		"2002:7f00:1::1", "2002:a00:1::", "2002:a9fe:a9fe::1", // 6to4 of private IPv4
		"2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
		"2001:db8::1", "3fff::1", "2001:2::1", "2001:10::1", "5f00::1", // documentation, benchmarking, ORCHID, SRv6
		"4000::1", "e000::1", // outside global unicast
	}
	for _, s := range public {
		if !IsPublic(netip.MustParseAddr(s)) {
			t.Errorf("IsPublic(%s) = false, want true", s)
		}
	}
	for _, s := range blocked {
		if IsPublic(netip.MustParseAddr(s)) {
			t.Errorf("IsPublic(%s) = true, want false", s)
		}
	}
}

// TestEmbeddedLoopbackRefused dials real URLs whose literal IPv6 address
// hides 127.0.0.1: the guard must refuse them before any connection, and
// opening loopback for the demo must not open them either.
func TestEmbeddedLoopbackRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("internal")) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	for _, host := range []string{"[::ffff:0:127.0.0.1]", "[::127.0.0.1]", "[fec0::1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::1]"} {
		for _, opts := range []Options{{Timeout: time.Second}, {Timeout: time.Second, AllowNets: LoopbackNets}} {
			_, err := testClient(t, opts).Get(context.Background(), Request{URL: "http://" + host + ":" + port + "/"})
			if KindOf(err) != KindBlocked {
				t.Errorf("%s (AllowNets %v): got %v, want blocked", host, opts.AllowNets, err)
			}
		}
	}
}

// TestLoopbackNetsOpensLoopbackOnly: the demo's mode reaches 127.0.0.1 but
// not the private networks around the machine.
func TestLoopbackNetsOpensLoopbackOnly(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("demo")) }))
	defer srv.Close()
	c := testClient(t, Options{Timeout: time.Second, AllowNets: LoopbackNets})
	if resp, err := c.Get(context.Background(), Request{URL: srv.URL}); err != nil || string(resp.Body) != "demo" {
		t.Fatalf("loopback: %v", err)
	}
	guard := dialGuard(false, LoopbackNets)
	for _, addr := range []string{"10.0.0.1:80", "192.168.1.1:80", "169.254.169.254:80", "[fd00::1]:80", "[fe80::1]:80"} {
		if err := guard("tcp", addr, nil); KindOf(err) != KindBlocked {
			t.Errorf("%s: got %v, want blocked", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:80", "127.0.0.5:80", "[::1]:80"} {
		if err := guard("tcp", addr, nil); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

// TestPrivateNetsKeepMetadataClosed: check --allow-private reaches a
// staging server on a private network, never cloud metadata.
func TestPrivateNetsKeepMetadataClosed(t *testing.T) {
	guard := dialGuard(false, PrivateNets)
	for _, addr := range []string{"10.0.0.1:443", "172.16.5.4:443", "192.168.1.1:443", "[fd12::1]:443", "127.0.0.1:8080", "[::1]:8080"} {
		if err := guard("tcp", addr, nil); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
	for _, addr := range []string{"169.254.169.254:80", "[fe80::1]:80", "[fd00:ec2::254]:80", "0.0.0.0:80", "[::ffff:0:a00:1]:80"} {
		if err := guard("tcp", addr, nil); KindOf(err) != KindBlocked {
			t.Errorf("%s: got %v, want blocked", addr, err)
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
