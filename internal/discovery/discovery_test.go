package discovery

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"qlink/internal/fetch"
)

func TestCandidates(t *testing.T) {
	cases := []struct {
		schac, website string
		want           []string
	}{
		{"uva.nl", "https://www.uva.nl/", []string{"uva.nl", "www.uva.nl"}},
		{"", "https://www.cs.uva.nl:8443/en", []string{"www.cs.uva.nl", "cs.uva.nl", "uva.nl"}},
		{"tuwien.ac.at", "www.tuwien.at", []string{"tuwien.ac.at", "www.tuwien.at", "tuwien.at"}},
		{"Uni-X.TEST.", "http://wwwfoo.uni-x.test", []string{"uni-x.test", "wwwfoo.uni-x.test"}},
		{"not a domain", "", nil},
		{"", "", nil},
	}
	for _, tc := range cases {
		if got := Candidates(tc.schac, tc.website); !slices.Equal(got, tc.want) {
			t.Errorf("Candidates(%q, %q) = %v, want %v", tc.schac, tc.website, got, tc.want)
		}
	}
}

func TestManifestURLs(t *testing.T) {
	cases := []struct {
		name     string
		records  []string
		urls     []string
		problems int
	}{
		{"plain", []string{"v=qldiscover1; m=https://a.test/m.json"}, []string{"https://a.test/m.json"}, 0},
		{"no spaces", []string{"v=qldiscover1;m=https://a.test/m.json"}, []string{"https://a.test/m.json"}, 0},
		{"url with m=", []string{"v=qldiscover1; m=https://a.test/x?m=1&platform=2"}, []string{"https://a.test/x?m=1&platform=2"}, 0},
		{"unrelated records", []string{"v=spf1 include:_spf.a.test ~all", "google-site-verification=abc", "platform=m=https://evil.test"}, nil, 0},
		{"version not first", []string{"m=https://a.test/m.json; v=qldiscover1"}, nil, 0},
		{"wrong version", []string{"v=qldiscover2; m=https://a.test/m.json"}, nil, 0},
		{"missing m", []string{"v=qldiscover1"}, nil, 1},
		{"bad url", []string{"v=qldiscover1; m=ftp://a.test/m"}, nil, 1},
		{"relative url", []string{"v=qldiscover1; m=/m.json"}, nil, 1},
		{"two records", []string{"v=qldiscover1; m=https://a.test/1", "v=qldiscover1; m=https://a.test/2"}, []string{"https://a.test/1", "https://a.test/2"}, 0},
	}
	for _, tc := range cases {
		urls, problems := ManifestURLs(tc.records)
		if !slices.Equal(urls, tc.urls) || len(problems) != tc.problems {
			t.Errorf("%s: urls %v problems %v", tc.name, urls, problems)
		}
	}
}

// hostRouter serves several fake domains from one test server, picking the
// handler by host name and path.
type hostRouter map[string]http.HandlerFunc

func (h hostRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.Host)
	if f, ok := h[host+r.URL.Path]; ok {
		f(w, r)
		return
	}
	http.NotFound(w, r)
}

func serve(body, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write([]byte(body))
	}
}

const goodManifest = `{"sources":[{"type":"ooapi","path":"https://api.a.test/ooapi/v5/"}]}`

// startDNS runs a real DNS server on loopback that answers A 127.0.0.1 for
// every name under .test, the given TXT records, and NXDOMAIN otherwise.
func startDNS(t *testing.T, txt map[string][]string) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Authoritative, m.RecursionAvailable = true, true
		qn := q.Question[0]
		name := strings.TrimSuffix(strings.ToLower(qn.Name), ".")
		hdr := dns.RR_Header{Name: qn.Name, Rrtype: qn.Qtype, Class: dns.ClassINET, Ttl: 60}
		switch {
		case !strings.HasSuffix(name, ".test"):
			m.Rcode = dns.RcodeNameError
		case qn.Qtype == dns.TypeA:
			m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: net.IPv4(127, 0, 0, 1)})
		case qn.Qtype == dns.TypeTXT:
			for _, rec := range txt[name] {
				// Split records into several character-strings, as long
				// records are published; the resolver must join them.
				var chunks []string
				for len(rec) > 40 {
					chunks, rec = append(chunks, rec[:40]), rec[40:]
				}
				m.Answer = append(m.Answer, &dns.TXT{Hdr: hdr, Txt: append(chunks, rec)})
			}
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	addr := pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}

func TestDiscoverOrder(t *testing.T) {
	router := hostRouter{}
	srv := httptest.NewServer(router)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	manifestAt := func(host string) string { return "http://" + net.JoinHostPort(host, port) }
	discoverer := func(txt map[string][]string) *Discoverer {
		res := startDNS(t, txt)
		client := fetch.New(fetch.Options{Timeout: 2 * time.Second, AllowPrivate: true, Resolver: res})
		return New(res, client, Options{Scheme: "http", Port: port})
	}

	router["a.test/m.json"] = serve(goodManifest, "application/json")
	router["b.test/.well-known/quality-link-manifest"] = serve("<html>oops</html>", "text/html")
	router["b.test/.well-known/quality-link-manifest.yaml"] = serve("sources:\n  - type: elm\n    path: https://b.test/x.ttl\n", "text/plain")
	router["www.c.test/.well-known/quality-link-manifest.json"] = serve(goodManifest, "application/json")

	cases := []struct {
		name, schac, website string
		txt                  map[string][]string
		wantURL              string
		wantOutcomes         []string
	}{
		{"txt on schac, joined from several strings", "a.test", "",
			map[string][]string{"a.test": {"v=spf1 -all", "v=qldiscover1; m=" + manifestAt("a.test") + "/m.json"}},
			manifestAt("a.test") + "/m.json", []string{"found"}},
		{"broken well-known then yaml", "b.test", "", nil,
			manifestAt("b.test") + "/.well-known/quality-link-manifest.yaml", []string{"absent", "error", "absent", "found"}},
		{"txt pointing nowhere falls through", "www.c.test", "",
			map[string][]string{"www.c.test": {"v=qldiscover1; m=" + manifestAt("www.c.test") + "/gone"}},
			manifestAt("www.c.test") + "/.well-known/quality-link-manifest.json", []string{"absent", "absent", "found"}},
		{"website host only", "", "https://www.c.test/", nil,
			manifestAt("www.c.test") + "/.well-known/quality-link-manifest.json", []string{"absent", "absent", "found"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := discoverer(tc.txt).Discover(context.Background(), tc.schac, tc.website)
			if err != nil {
				t.Fatalf("Discover: %v; probes %+v", err, res.Probes)
			}
			if res.ManifestURL != tc.wantURL || res.Manifest == nil {
				t.Errorf("manifest URL %q, want %q", res.ManifestURL, tc.wantURL)
			}
			var outcomes []string
			for _, p := range res.Probes {
				outcomes = append(outcomes, p.Outcome)
			}
			if !slices.Equal(outcomes, tc.wantOutcomes) {
				t.Errorf("outcomes %v, want %v; probes %+v", outcomes, tc.wantOutcomes, res.Probes)
			}
		})
	}

	res, err := discoverer(nil).Discover(context.Background(), "nothing.test", "https://www.nothing.test")
	if err == nil || len(res.Probes) != 8 {
		t.Fatalf("no manifest anywhere: err %v, %d probes", err, len(res.Probes))
	}
	if !strings.Contains(err.Error(), "nothing.test, www.nothing.test") {
		t.Errorf("error should list the domains tried: %v", err)
	}
}

func TestDiscoverHostileAndBroken(t *testing.T) {
	router := hostRouter{"a.test/.well-known/quality-link-manifest": serve(goodManifest, "application/json")}
	srv := httptest.NewServer(router)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	t.Run("manifest on a private address is refused", func(t *testing.T) {
		res := startDNS(t, map[string][]string{"a.test": {"v=qldiscover1; m=http://a.test:" + port + "/.well-known/quality-link-manifest"}})
		client := fetch.New(fetch.Options{Timeout: 2 * time.Second, Resolver: res}) // the production guard
		d := New(res, client, Options{Scheme: "http", Port: port})
		r, err := d.Discover(context.Background(), "a.test", "")
		if err == nil {
			t.Fatal("a manifest on loopback was accepted")
		}
		if r.Probes[0].Outcome != OutcomeError || !strings.Contains(r.Probes[0].Reason, "not public") {
			t.Errorf("probe: %+v", r.Probes[0])
		}
	})
	t.Run("dead name server", func(t *testing.T) {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0") // never answers
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		res := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var dl net.Dialer
			return dl.DialContext(ctx, "udp", pc.LocalAddr().String())
		}}
		client := fetch.New(fetch.Options{Timeout: 500 * time.Millisecond, AllowPrivate: true, Resolver: res})
		d := New(res, client, Options{Scheme: "http", Port: port, LookupTimeout: 200 * time.Millisecond})
		r, err := d.Discover(context.Background(), "a.test", "")
		if err == nil || len(r.Probes) != 4 {
			t.Fatalf("err %v, probes %+v", err, r.Probes)
		}
		if !strings.Contains(r.Probes[0].Reason, "timeout") {
			t.Errorf("TXT probe reason: %q", r.Probes[0].Reason)
		}
	})
	t.Run("malformed TXT record is reported", func(t *testing.T) {
		res := startDNS(t, map[string][]string{"b.test": {"v=qldiscover1; m=ftp://b.test/m"}})
		client := fetch.New(fetch.Options{Timeout: time.Second, AllowPrivate: true, Resolver: res})
		r, _ := New(res, client, Options{Scheme: "http", Port: port}).Discover(context.Background(), "b.test", "")
		if r.Probes[0].Outcome != OutcomeError || !strings.Contains(r.Probes[0].Reason, "not an absolute http(s) URL") {
			t.Errorf("probe: %+v", r.Probes[0])
		}
	})
}
