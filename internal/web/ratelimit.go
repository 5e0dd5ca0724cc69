package web

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit is the per-client request budget: a token bucket per client
// address that refills at PerSecond tokens a second up to Burst. Pages get
// pageFactor times the API's budget, since one page view is one request
// where an API client may loop; static assets and the operator's routes
// are not counted. PerSecond 0 turns rate limiting off.
type RateLimit struct {
	PerSecond float64
	Burst     int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed. A request from anywhere else is keyed by its own address,
	// so a client cannot pick another's bucket by sending the header.
	TrustedProxies []netip.Prefix
}

const (
	// pageFactor is how much larger the pages' budget is than the API's.
	pageFactor = 2
	// maxClients caps the buckets held in memory; past it, idle clients
	// are forgotten first, then any.
	maxClients = 10_000
)

// limiter keeps one token bucket per client for one class of routes.
type limiter struct {
	limit   rate.Limit
	burst   int
	now     func() time.Time
	mu      sync.Mutex
	clients map[netip.Addr]*bucket
}

type bucket struct {
	tokens *rate.Limiter
	seen   time.Time
}

func newLimiter(perSecond float64, burst int, now func() time.Time) *limiter {
	return &limiter{limit: rate.Limit(perSecond), burst: max(burst, 1), now: now, clients: map[netip.Addr]*bucket{}}
}

// take spends one token of client's bucket; when none is left it returns
// how long the client must wait for the next one.
func (l *limiter) take(client netip.Addr) (wait time.Duration, ok bool) {
	wait, _, ok = l.takeCounting(client)
	return wait, ok
}

// takeCounting is take that also says how many whole tokens are left.
func (l *limiter) takeCounting(client netip.Addr) (wait time.Duration, left int, ok bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[client]
	if b == nil {
		l.makeRoom(now)
		b = &bucket{tokens: rate.NewLimiter(l.limit, l.burst)}
		l.clients[client] = b
	}
	b.seen = now
	r := b.tokens.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now) // the request is refused, so it spends nothing
		return d, 0, false
	}
	return 0, int(b.tokens.TokensAt(now)), true
}

// makeRoom forgets clients when the map is full: first those idle long
// enough for their bucket to be full again (forgetting them changes
// nothing), else one at random (Go's map order), so memory stays bounded
// under a flood of addresses.
func (l *limiter) makeRoom(now time.Time) {
	if len(l.clients) < maxClients {
		return
	}
	refill := time.Duration(float64(l.burst) / float64(l.limit) * float64(time.Second))
	for ip, b := range l.clients {
		if now.Sub(b.seen) > refill {
			delete(l.clients, ip)
		}
	}
	for ip := range l.clients {
		if len(l.clients) < maxClients {
			break
		}
		delete(l.clients, ip)
	}
}

// rateLimiter holds the buckets of the API and of the pages.
type rateLimiter struct {
	api, pages *limiter
	trusted    []netip.Prefix
}

func newRateLimiter(o RateLimit, now func() time.Time) *rateLimiter {
	if o.PerSecond <= 0 {
		return nil
	}
	return &rateLimiter{api: newLimiter(o.PerSecond, o.Burst, now),
		pages:   newLimiter(o.PerSecond*pageFactor, o.Burst*pageFactor, now),
		trusted: o.TrustedProxies}
}

// limitRate answers 429 with Retry-After to a client that spent its
// budget. Without limits (rate 0) it is next itself.
func (s *Server) limitRate(next http.Handler) http.Handler {
	if s.rates == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := s.rates.forPath(r.URL.Path)
		if l == nil {
			next.ServeHTTP(w, r)
			return
		}
		wait, left, ok := l.takeCounting(s.rates.clientIP(r))
		// The budget, as the IETF draft's RateLimit-Limit and
		// RateLimit-Remaining headers state it, so a client can pace itself.
		w.Header().Set("RateLimit-Limit", strconv.Itoa(l.burst))
		w.Header().Set("RateLimit-Remaining", strconv.Itoa(left))
		if ok {
			next.ServeHTTP(w, r)
			return
		}
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		if isAPI(r) {
			writeJSON(w, http.StatusTooManyRequests, map[string]any{
				"error":      "too many requests from your address: try again in " + strconv.Itoa(secs) + " s",
				"retryAfter": secs})
			return
		}
		s.errorPage(w, r, http.StatusTooManyRequests, s.tr(r, "Too many requests from your address. Please try again in %d seconds.", secs))
	})
}

// forPath picks the bucket class of a path; nil for what is not counted.
func (rl *rateLimiter) forPath(path string) *limiter {
	switch {
	case isAPIPath(path):
		return rl.api
	case strings.HasPrefix(path, "/static/"), path == "/favicon.ico", isOperationPath(path):
		return nil
	}
	return rl.pages
}

// clientIP is the address a request is counted against: the peer's, or,
// when the peer is a trusted proxy, the nearest address in
// X-Forwarded-For that is not one (proxies append, so the entries left
// of the last untrusted one may be forged by the client). IPv6 clients
// are keyed by their /64, which one host usually holds whole.
func (rl *rateLimiter) clientIP(r *http.Request) netip.Addr {
	ip := peerIP(r.RemoteAddr)
	if rl.isTrusted(ip) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			ip = hop.Unmap()
			if !rl.isTrusted(ip) {
				break
			}
		}
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.Addr()
	}
	return ip
}

func (rl *rateLimiter) isTrusted(ip netip.Addr) bool {
	for _, p := range rl.trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// peerIP reads the address of RemoteAddr ("host:port"); an unparsable one
// (never from net/http) counts as the zero address.
func peerIP(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, _ := netip.ParseAddr(host)
	return ip.Unmap()
}
