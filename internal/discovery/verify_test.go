package discovery

import (
	"context"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"qlink/internal/fetch"
)

func TestVerifyDomain(t *testing.T) {
	const token = "qlink-verify-abc123"
	router := hostRouter{
		"file.test" + VerifyWellKnownPath:  serve("other-token\n"+token+"\n", "text/plain"),
		"wrong.test" + VerifyWellKnownPath: serve("qlink-verify-someone-else", "text/plain"),
	}
	srv := httptest.NewServer(router)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	res := startDNS(t, map[string][]string{"_qlink-verify.dns.test": {"v=spf1 -all", token}})
	newDiscoverer := func(guarded bool) *Discoverer {
		client := fetch.New(fetch.Options{Timeout: 2 * time.Second, AllowPrivate: !guarded, Resolver: res})
		return New(res, client, Options{Scheme: "http", Port: port})
	}
	ctx := context.Background()
	d := newDiscoverer(false)
	if m, err := d.VerifyDomain(ctx, "dns.test", token); err != nil || m != MethodTXT {
		t.Errorf("token in TXT: method %q, err %v", m, err)
	}
	if m, err := d.VerifyDomain(ctx, "file.test", token); err != nil || m != MethodWellKnown {
		t.Errorf("token in the well-known file: method %q, err %v", m, err)
	}
	_, err := d.VerifyDomain(ctx, "wrong.test", token)
	if err == nil || !strings.Contains(err.Error(), "_qlink-verify.wrong.test") || !strings.Contains(err.Error(), "does not hold the token") {
		t.Errorf("no token anywhere: err %v, want both methods' reasons", err)
	}
	// The fetcher's guard applies: a domain on a private address proves nothing.
	if _, err := newDiscoverer(true).VerifyDomain(ctx, "file.test", token); err == nil {
		t.Error("a well-known file on loopback was accepted by the production fetcher")
	}
}
