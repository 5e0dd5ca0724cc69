package testfed

import (
	"net/netip"
	"strings"
	"sync/atomic"

	"github.com/miekg/dns"
)

// dnsZone answers authoritatively for the federation's names under .test:
// A records for every host, TXT records where institutions publish them,
// NODATA (with the SOA) for other types and for empty non-terminals, and
// NXDOMAIN for any other name.
type dnsZone struct {
	names map[string]*dnsNode // by lower-case FQDN
	soa   *dns.SOA
	// claims answers TXT queries for published claim tokens.
	claims *claimTokens
}

type dnsNode struct {
	a netip.Addr // invalid for an empty non-terminal
	// rebind, when set, answers A queries instead of a (DNSRebinding).
	rebind *rebinding
	txt    [][]string // each record's character-strings
}

const dnsTTL = 300

func newZone() *dnsZone {
	return &dnsZone{
		names: map[string]*dnsNode{"test.": {}},
		soa: &dns.SOA{
			Hdr:     dns.RR_Header{Name: "test.", Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: dnsTTL},
			Ns:      "ns.testfed.test.",
			Mbox:    "hostmaster.testfed.test.",
			Serial:  1,
			Refresh: 3600,
			Retry:   600,
			Expire:  86400,
			Minttl:  dnsTTL,
		},
	}
}

// node returns the node of name, creating it and its ancestors.
func (z *dnsZone) node(name string) *dnsNode {
	fq := dns.Fqdn(strings.ToLower(name))
	n, ok := z.names[fq]
	if !ok {
		n = &dnsNode{}
		z.names[fq] = n
		for i, end := dns.NextLabel(fq, 0); !end; i, end = dns.NextLabel(fq, i) {
			if _, ok := z.names[fq[i:]]; !ok {
				z.names[fq[i:]] = &dnsNode{}
			}
		}
	}
	return n
}

func (z *dnsZone) addA(name string, a netip.Addr) { z.node(name).a = a }

func (z *dnsZone) addRebinding(name string, first netip.Addr, hostile *atomic.Bool) {
	n := z.node(name)
	n.a, n.rebind = first, &rebinding{first: first, hostile: hostile}
}

func (z *dnsZone) addTXT(name string, strs ...string) {
	n := z.node(name)
	n.txt = append(n.txt, strs)
}

func (z *dnsZone) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if req.IsEdns0() != nil {
		m.SetEdns0(dns.DefaultMsgSize, false)
	}
	if len(req.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	if z.claims != nil && z.claims.answerTXT(m, q) {
		w.WriteMsg(m)
		return
	}
	n, ok := z.names[strings.ToLower(q.Name)]
	hdr := dns.RR_Header{Name: q.Name, Rrtype: q.Qtype, Class: dns.ClassINET, Ttl: dnsTTL}
	switch {
	case !ok:
		m.Rcode = dns.RcodeNameError
	case q.Qtype == dns.TypeA && n.rebind != nil:
		hdr.Ttl = 0 // not to be cached: the next lookup rebinds
		m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: n.rebind.next().AsSlice()})
	case q.Qtype == dns.TypeA && n.a.IsValid():
		m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: n.a.AsSlice()})
	case q.Qtype == dns.TypeTXT && len(n.txt) > 0:
		for _, strs := range n.txt {
			m.Answer = append(m.Answer, &dns.TXT{Hdr: hdr, Txt: strs})
		}
	case q.Qtype == dns.TypeSOA && strings.EqualFold(q.Name, "test."):
		m.Answer = append(m.Answer, z.soa)
	}
	if len(m.Answer) == 0 {
		m.Ns = append(m.Ns, z.soa)
	}
	w.WriteMsg(m)
}
