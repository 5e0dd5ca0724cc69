package testfed

import (
	"net/http"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Claim tokens: what an institution publishes to prove to an aggregator
// that it controls its domain (a DNS TXT record at _qlink-verify.<domain>,
// or the file /.well-known/qlink-verification.txt). Tests publish them
// while the federation runs, as an institution's IT team would.

// Where a claim token is published.
const (
	ClaimTXT       = "dns-txt"
	ClaimWellKnown = "well-known"
)

const (
	claimTXTPrefix = "_qlink-verify."
	claimFilePath  = "/.well-known/qlink-verification.txt"
)

// claimTokens holds the published tokens; DNS and HTTP read them while
// tests write them.
type claimTokens struct {
	mu    sync.RWMutex
	txt   map[string]string // by lower-case domain
	files map[string]string // by lower-case host
}

func newClaimTokens() *claimTokens {
	return &claimTokens{txt: map[string]string{}, files: map[string]string{}}
}

// PublishClaimToken publishes token for domain as a DNS TXT record
// (ClaimTXT) or a well-known file (ClaimWellKnown). The domain must be one
// of the federation's hosts for the file to be reachable.
func (f *Federation) PublishClaimToken(domain, token, method string) {
	c := f.claims
	c.mu.Lock()
	defer c.mu.Unlock()
	domain = strings.ToLower(domain)
	if method == ClaimWellKnown {
		c.files[domain] = token
	} else {
		c.txt[domain] = token
	}
}

// answerTXT adds the claim record asked for by q, if one is published.
func (c *claimTokens) answerTXT(m *dns.Msg, q dns.Question) bool {
	name := strings.TrimSuffix(strings.ToLower(q.Name), ".")
	if q.Qtype != dns.TypeTXT || !strings.HasPrefix(name, claimTXTPrefix) {
		return false
	}
	c.mu.RLock()
	token, ok := c.txt[strings.TrimPrefix(name, claimTXTPrefix)]
	c.mu.RUnlock()
	if !ok {
		return false
	}
	hdr := dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: dnsTTL}
	m.Answer = append(m.Answer, &dns.TXT{Hdr: hdr, Txt: []string{token}})
	return true
}

// serveFile serves the claim file of host, if one is published.
func (c *claimTokens) serveFile(w http.ResponseWriter, r *http.Request, host string) bool {
	if r.URL.Path != claimFilePath {
		return false
	}
	c.mu.RLock()
	token, ok := c.files[host]
	c.mu.RUnlock()
	if !ok {
		return false
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(token + "\n"))
	return true
}
