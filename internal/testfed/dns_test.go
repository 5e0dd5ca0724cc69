package testfed

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestDNSAddresses(t *testing.T) {
	f := shared(t)
	r := f.Resolver()
	ctx := context.Background()
	hosts := map[string]bool{}
	for _, in := range f.Institutions() {
		for _, h := range in.hosts() {
			addrs, err := r.LookupHost(ctx, h)
			if err != nil || len(addrs) != 1 || !strings.HasPrefix(addrs[0], "127.0.") {
				t.Errorf("LookupHost(%s) = %v, %v", h, addrs, err)
			}
			hosts[addrs[0]] = true
		}
	}
	if len(hosts) != len(f.Institutions()) {
		t.Errorf("%d addresses for %d institutions", len(hosts), len(f.Institutions()))
	}
	if addrs, err := r.LookupHost(ctx, registryHost); err != nil || len(addrs) != 1 || hosts[addrs[0]] {
		t.Errorf("registry: %v, %v (must have an address of its own)", addrs, err)
	}
	for _, name := range []string{"nowhere.test", "www.nowhere.test", "example.com"} {
		_, err := r.LookupHost(ctx, name)
		var de *net.DNSError
		if !errors.As(err, &de) || !de.IsNotFound {
			t.Errorf("LookupHost(%s): %v, want not found", name, err)
		}
	}
}

func TestDNSTXT(t *testing.T) {
	f := shared(t)
	r := f.Resolver()
	for _, in := range f.Institutions() {
		d := in.Discovery
		for _, h := range in.hosts() {
			txts, err := r.LookupTXT(context.Background(), h)
			var de *net.DNSError
			if err != nil && !(errors.As(err, &de) && de.IsNotFound) {
				t.Errorf("LookupTXT(%s): %v", h, err)
			}
			var want []string
			if h == d.Domain {
				if d.Method == MethodDNSTXT {
					want = append(want, "v=qldiscover1; m="+d.ManifestURL)
				}
				want = append(want, d.OtherTXT...)
			}
			slices.Sort(txts)
			slices.Sort(want)
			if !slices.Equal(txts, want) {
				t.Errorf("%s (%s): TXT %q, want %q", h, d.Variant, txts, want)
			}
		}
	}
}

// TestDNSWire checks what goes over the wire, over UDP and TCP: character-
// strings as published, NODATA and NXDOMAIN with the SOA, the AA bit.
func TestDNSWire(t *testing.T) {
	f := shared(t)
	var split Institution
	for _, in := range f.Institutions() {
		if in.Discovery.Variant == VariantTXTSplit {
			split = in
		}
	}
	tests := []struct {
		name   string
		qtype  uint16
		rcode  int
		answer int
	}{
		{split.SCHAC, dns.TypeTXT, dns.RcodeSuccess, 2},
		{split.SCHAC, dns.TypeA, dns.RcodeSuccess, 1},
		{split.SCHAC, dns.TypeAAAA, dns.RcodeSuccess, 0},
		{"WWW." + strings.ToUpper(split.SCHAC), dns.TypeA, dns.RcodeSuccess, 1},
		{"api." + split.SCHAC, dns.TypeTXT, dns.RcodeSuccess, 0},
		{"nowhere.test", dns.TypeA, dns.RcodeNameError, 0},
		{"nowhere.test", dns.TypeAAAA, dns.RcodeNameError, 0},
		{"example.org", dns.TypeA, dns.RcodeNameError, 0},
		{"test", dns.TypeSOA, dns.RcodeSuccess, 1},
	}
	for _, network := range []string{"udp", "tcp"} {
		c := &dns.Client{Net: network}
		for _, tt := range tests {
			q := new(dns.Msg)
			q.SetQuestion(dns.Fqdn(tt.name), tt.qtype)
			resp, _, err := c.Exchange(q, f.DNSAddr())
			if err != nil {
				t.Fatalf("%s %s %s: %v", network, tt.name, dns.TypeToString[tt.qtype], err)
			}
			if resp.Rcode != tt.rcode || len(resp.Answer) != tt.answer || !resp.Authoritative {
				t.Errorf("%s %s %s: rcode %s, %d answers, aa %t; want %s, %d answers",
					network, tt.name, dns.TypeToString[tt.qtype], dns.RcodeToString[resp.Rcode], len(resp.Answer), resp.Authoritative,
					dns.RcodeToString[tt.rcode], tt.answer)
			}
			if len(resp.Answer) == 0 && (len(resp.Ns) != 1 || resp.Ns[0].Header().Rrtype != dns.TypeSOA) {
				t.Errorf("%s %s %s: negative answer without SOA: %v", network, tt.name, dns.TypeToString[tt.qtype], resp.Ns)
			}
			if tt.qtype != dns.TypeTXT || tt.answer == 0 {
				continue
			}
			var strs [][]string
			for _, rr := range resp.Answer {
				strs = append(strs, rr.(*dns.TXT).Txt)
			}
			if !slices.ContainsFunc(strs, func(s []string) bool { return slices.Equal(s, split.Discovery.TXT) }) || len(split.Discovery.TXT) < 2 {
				t.Errorf("%s: TXT strings %q, want %q among them", network, strs, split.Discovery.TXT)
			}
		}
	}
}
