package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// compress returns n zero bytes compressed with each writer in turn.
func compress(t testing.TB, n int, enc ...string) []byte {
	t.Helper()
	data := bytes.Repeat([]byte{0}, n)
	for _, e := range enc {
		var buf bytes.Buffer
		var w io.WriteCloser
		switch e {
		case "gzip":
			w, _ = gzip.NewWriterLevel(&buf, gzip.BestCompression)
		case "zlib":
			w, _ = zlib.NewWriterLevel(&buf, zlib.BestCompression)
		case "flate":
			w, _ = flate.NewWriter(&buf, flate.BestCompression)
		}
		w.Write(data)
		w.Close()
		data = buf.Bytes()
	}
	return data
}

func encoded(encoding string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", encoding)
		w.Write(body)
	}
}

func TestHostileResponses(t *testing.T) {
	const limit = 1 << 16
	small := []byte(`{"courses":[]}`)
	mux := http.NewServeMux()
	mux.HandleFunc("/gzip-bomb", encoded("gzip", compress(t, 1<<20, "gzip")))
	mux.HandleFunc("/deflate-bomb", encoded("deflate", compress(t, 1<<20, "zlib")))
	mux.HandleFunc("/raw-deflate-bomb", encoded("deflate", compress(t, 1<<20, "flate")))
	mux.HandleFunc("/nested-bomb", encoded("gzip, gzip", compress(t, 1<<20, "gzip", "gzip")))
	mux.HandleFunc("/gzip", encoded("gzip", compress(t, 0, "gzip")))
	mux.HandleFunc("/deflate", encoded("deflate", compress(t, 100, "zlib")))
	mux.HandleFunc("/raw-deflate", encoded("deflate", compress(t, 100, "flate")))
	mux.HandleFunc("/corrupt-gzip", encoded("gzip", []byte("this is not gzip at all")))
	mux.HandleFunc("/corrupt-deflate", encoded("deflate", []byte{0x78, 0x9c, 0xff, 0xff, 0xff, 0xff}))
	mux.HandleFunc("/brotli", encoded("br", small))
	mux.HandleFunc("/triple", encoded("gzip, gzip, gzip", small))
	mux.HandleFunc("/declared-huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(limit*4))
		w.Write(bytes.Repeat([]byte("x"), 10)) // the rest never comes
	})
	chunk := bytes.Repeat([]byte("x"), 4096)
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		forever(w, r, func() error { _, err := w.Write(chunk); return err })
	})
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		forever(w, r, func() error {
			time.Sleep(10 * time.Millisecond)
			_, err := w.Write([]byte("x"))
			return err
		})
	})
	mux.HandleFunc("/no-headers", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := serverOn(t, "127.0.0.1:0", mux)
	c := testClient(t, Options{AllowNets: loopbackOnly, MaxBodyBytes: limit, Timeout: time.Second})

	cases := []struct {
		path string
		kind Kind
		size int
	}{
		{"/gzip-bomb", KindTooLarge, 0}, {"/deflate-bomb", KindTooLarge, 0}, {"/raw-deflate-bomb", KindTooLarge, 0},
		{"/nested-bomb", KindTooLarge, 0}, {"/declared-huge", KindTooLarge, 0}, {"/endless", KindTooLarge, 0},
		{"/corrupt-gzip", KindEncoding, 0}, {"/corrupt-deflate", KindEncoding, 0}, {"/brotli", KindEncoding, 0},
		{"/triple", KindEncoding, 0},
		{"/trickle", KindTimeout, 0}, {"/no-headers", KindTimeout, 0},
		{"/gzip", "", 0}, {"/deflate", "", 100}, {"/raw-deflate", "", 100},
	}
	for _, tc := range cases {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			resp, err := c.Get(context.Background(), Request{URL: srv.URL + tc.path})
			if KindOf(err) != tc.kind {
				t.Fatalf("got %v, want kind %q", err, tc.kind)
			}
			if err != nil && !strings.Contains(err.Error(), srv.URL+tc.path) {
				t.Errorf("error does not name the URL: %v", err)
			}
			if err == nil && len(resp.Body) != tc.size {
				t.Errorf("decoded %d bytes, want %d", len(resp.Body), tc.size)
			}
		})
	}
}

// TestBombDoesNotInflate checks that a bomb is stopped while streaming:
// a 64 MiB gzip bomb (small enough on the wire to pass the wire cap; 64
// gzip members of 1 MiB each, which readers must accept) must fail
// without the client allocating anything near its size.
func TestBombDoesNotInflate(t *testing.T) {
	bomb := bytes.Repeat(compress(t, 1<<20, "gzip"), 64)
	srv := serverOn(t, "127.0.0.1:0", encoded("gzip", bomb))
	c := testClient(t, Options{AllowNets: loopbackOnly, MaxBodyBytes: 256 << 10})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.Get(context.Background(), Request{URL: srv.URL})
	runtime.ReadMemStats(&after)
	if KindOf(err) != KindTooLarge {
		t.Fatalf("got %v, want too-large", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("allocated %d MiB while refusing a bomb capped at 256 KiB", grew>>20)
	}
}

func TestRedirectsIntoPrivateNetworksAreRefused(t *testing.T) {
	var inside atomic.Int32
	internal := serverOn(t, "127.0.0.2:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inside.Add(1)
		w.Write([]byte("internal secrets"))
	}))
	targets := map[string]string{
		"other-loopback": internal.URL + "/admin",
		"ipv6-loopback":  "http://[::1]:" + internal.URL[strings.LastIndex(internal.URL, ":")+1:] + "/",
		"file":           "file:///etc/passwd",
		"gopher":         "gopher://127.0.0.1:70/",
	}
	public := serverOn(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, targets[r.URL.Query().Get("to")], http.StatusFound)
	}))
	c := testClient(t, Options{AllowNets: loopbackOnly})
	for name := range targets {
		t.Run(name, func(t *testing.T) {
			_, err := c.Get(context.Background(), Request{URL: public.URL + "/?to=" + name})
			if KindOf(err) != KindBlocked {
				t.Fatalf("got %v, want blocked", err)
			}
		})
	}
	if n := inside.Load(); n != 0 {
		t.Errorf("the internal server was reached %d times", n)
	}
}

// TestDialGuard checks the guard the dialler runs on every address it is
// about to connect to; addresses outside loopback are judged here rather
// than dialled, so no test ever sends a packet to them.
func TestDialGuard(t *testing.T) {
	cases := []struct {
		addr         string
		allowPrivate bool
		allow        []netip.Prefix
		ok           bool
	}{
		{"169.254.169.254:80", false, nil, false}, {"10.0.0.1:443", false, nil, false},
		{"[fd00:ec2::254]:80", false, nil, false}, {"[::ffff:127.0.0.1]:80", false, nil, false},
		{"100.100.100.200:80", false, nil, false}, {"127.0.0.2:80", false, loopbackOnly, false},
		{"127.0.0.1:80", false, loopbackOnly, true}, {"[::ffff:127.0.0.1]:80", false, loopbackOnly, true},
		{"10.0.0.1:443", true, nil, true}, {"193.0.6.139:443", false, nil, true}, {"not-an-address", false, nil, false},
	}
	for _, tc := range cases {
		err := dialGuard(tc.allowPrivate, tc.allow)("tcp", tc.addr, nil)
		if (err == nil) != tc.ok || (err != nil && KindOf(err) != KindBlocked) {
			t.Errorf("%s (allowPrivate %v, allow %v): %v", tc.addr, tc.allowPrivate, tc.allow, err)
		}
	}
}

// FuzzReadBody feeds arbitrary bodies and encodings to the decoder: it
// must never panic, never return more than the cap, and fail only with a
// kind.
func FuzzReadBody(f *testing.F) {
	f.Add([]byte("plain"), "")
	f.Add(compress(f, 1000, "gzip"), "gzip")
	f.Add(compress(f, 1000, "zlib"), "deflate")
	f.Add(compress(f, 1000, "flate"), "deflate")
	f.Add(compress(f, 100, "gzip", "gzip"), "gzip, gzip")
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0}, "x-gzip")
	f.Fuzz(func(t *testing.T, body []byte, encoding string) {
		const limit = 512
		h := http.Header{}
		if encoding != "" {
			h.Set("Content-Encoding", encoding)
		}
		got, err := readBody(&http.Response{Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: -1}, limit)
		if len(got) > limit {
			t.Fatalf("%d bytes past the cap", len(got))
		}
		if err != nil && KindOf(err) == "" && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("unclassified error %T: %v", err, err)
		}
	})
}
