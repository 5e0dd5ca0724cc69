package fetch

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// rebinder is a DNS server that answers the first A query for a name with
// a public address and every later one with 127.0.0.1: the classic
// rebinding attack on a client that checks a name and then connects.
type rebinder struct {
	public  netip.Addr
	queries atomic.Int32
}

func (rb *rebinder) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	if q := req.Question[0]; q.Qtype == dns.TypeA {
		addr := netip.MustParseAddr("127.0.0.1")
		if rb.queries.Add(1) == 1 {
			addr = rb.public
		}
		m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 0},
			A: net.IP(addr.AsSlice())})
	}
	w.WriteMsg(m)
}

// startDNS serves h on a loopback UDP port and returns a resolver that
// asks only it.
func startDNS(t *testing.T, h dns.Handler) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: h, NotifyStartedFunc: func() { close(started) }}
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	addr := pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}

func TestDNSRebindingIsCaughtAtDial(t *testing.T) {
	var hits atomic.Int32
	srv := serverOn(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("internal"))
	}))
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	rb := &rebinder{public: netip.MustParseAddr("193.0.6.139")}
	res := startDNS(t, rb)

	// A naive client validates the name first; it sees a public address.
	// (This lookup only reads the answer; nothing connects to it.)
	addrs, err := res.LookupNetIP(context.Background(), "ip4", "rebind.test")
	if err != nil || len(addrs) != 1 || !IsPublic(addrs[0]) {
		t.Fatalf("first answer = %v, %v; want one public address", addrs, err)
	}
	// The fetch resolves again when it dials, now getting 127.0.0.1.
	c := testClient(t, Options{Resolver: res})
	_, err = c.Get(context.Background(), Request{URL: "http://rebind.test:" + port + "/"})
	if KindOf(err) != KindBlocked {
		t.Fatalf("got %v, want blocked", err)
	}
	if rb.queries.Load() < 2 {
		t.Errorf("the fetch did not resolve the name itself (%d A queries)", rb.queries.Load())
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server was reached %d times", n)
	}
	// With loopback opened the same URL reaches the server: the guard,
	// not the name, stopped the fetch above.
	open := testClient(t, Options{Resolver: res, AllowNets: loopbackOnly})
	if _, err := open.Get(context.Background(), Request{URL: "http://rebind.test:" + port + "/"}); err != nil || hits.Load() != 1 {
		t.Errorf("allowed fetch: %v, %d hits", err, hits.Load())
	}
}
