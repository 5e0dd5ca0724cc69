package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"qlink/internal/check"
)

// Checker runs the publisher's pre-flight check, `qlink check`, for a
// domain (a SCHAC code is one) or a manifest URL: discovery, manifest
// validation and a first page of every source, storing nothing. The web
// never fetches by itself; cmd/qlink hands it the harvest's checker, whose
// requests go through internal/fetch and its private-address guard.
type Checker interface {
	Check(ctx context.Context, target string) check.Report
}

// The institution check makes anonymous visitors' requests cost outbound
// traffic to third parties, so it is bounded three ways.
const (
	// checkInterval is how long a client address waits between checks.
	checkInterval = 10 * time.Second
	// maxConcurrentChecks is how many checks run at once in all.
	maxConcurrentChecks = 2
	// checkTimeout bounds one check, within the server's write timeout.
	checkTimeout = 45 * time.Second
	// busyRetry is what a client is told to wait when all slots are taken.
	busyRetry = 15 * time.Second
	// maxTargetBytes caps the domain or URL to check.
	maxTargetBytes = 2048
)

// institutionCheck serves POST /manifest/check.
type institutionCheck struct {
	s     *Server
	limit *checkLimiter
}

func newInstitutionCheck(s *Server) *institutionCheck {
	return &institutionCheck{s: s, limit: newCheckLimiter(checkInterval, maxConcurrentChecks)}
}

func (h *institutionCheck) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := h.s
	p := s.newManifestPage(r)
	if !s.parseManifestForm(w, r, &p) {
		return
	}
	p.Target = field(r.PostForm, "target")
	switch {
	case s.opts.Checker == nil:
		p.CheckError = s.tr(r, "This instance does not run checks; run qlink check on your own machine.")
		s.render(w, r, http.StatusServiceUnavailable, "manifest", p)
		return
	case len(p.Target) > maxTargetBytes || !check.ValidTarget(p.Target):
		p.CheckError = s.tr(r, "Give a domain name (such as uni-example.eu) or the manifest's https URL.")
		s.render(w, r, http.StatusBadRequest, "manifest", p)
		return
	}
	release, wait := h.limit.acquire(clientKey(r), time.Now())
	if release == nil {
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		p.CheckError = s.tr(r, "Too many checks: please wait %d seconds and try again.", secs)
		s.render(w, r, http.StatusTooManyRequests, "manifest", p)
		return
	}
	defer release()
	ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
	defer cancel()
	report := s.opts.Checker.Check(ctx, p.Target)
	p.Report = &report
	s.render(w, r, http.StatusOK, "manifest", p)
}

// clientKey names the client a request came from for rate limiting: its
// IPv4 address, or the /64 of an IPv6 address (one subscriber's network).
// The direct peer is used: qlink trusts no forwarding header.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// checkLimiter allows one check per client per interval and at most max
// at a time.
type checkLimiter struct {
	mu       sync.Mutex
	interval time.Duration
	max      int
	running  int
	last     map[string]time.Time
}

func newCheckLimiter(interval time.Duration, max int) *checkLimiter {
	return &checkLimiter{interval: interval, max: max, last: map[string]time.Time{}}
}

// acquire takes a slot for client at now, returning the function that
// gives it back; or nil and how long to wait.
func (l *checkLimiter) acquire(client string, now time.Time) (release func(), wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if last, ok := l.last[client]; ok && now.Sub(last) < l.interval {
		return nil, l.interval - now.Sub(last)
	}
	if l.running >= l.max {
		return nil, busyRetry
	}
	l.forgetBefore(now.Add(-l.interval))
	l.last[client] = now
	l.running++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			l.running--
			l.mu.Unlock()
		})
	}, 0
}

// forgetBefore drops clients whose last check is older than t, so the map
// holds only the clients of the last interval.
func (l *checkLimiter) forgetBefore(t time.Time) {
	for c, at := range l.last {
		if at.Before(t) {
			delete(l.last, c)
		}
	}
}
