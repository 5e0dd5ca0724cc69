package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"qlink/internal/store"
	"qlink/internal/web/password"
)

// AccountOptions are the settings of sign-in, sessions and provider
// claims; zero values take the defaults named.
type AccountOptions struct {
	// CSRFKey signs CSRF tokens; nil: a random key per process.
	CSRFKey []byte
	// SessionTTL bounds a session's life (12 h); SessionIdle ends one
	// unused for that long (1 h).
	SessionTTL  time.Duration
	SessionIdle time.Duration
	// MaxFailures failed sign-ins in a row lock an account for Lockout
	// (5, 15 min); MaxFailuresPerIP failed sign-ins from one address
	// within Lockout refuse that address for the rest of it (20); a
	// sign-in counts from before its check until it turns out right.
	MaxFailures      int
	Lockout          time.Duration
	MaxFailuresPerIP int
	// Verifier checks a provider's domain proof (nil: claims are off).
	Verifier DomainVerifier
	// Refresher queues a provider's extra refresh (nil: not offered).
	Refresher ProviderRefresher
	// Snapshots is the blob store raw snapshots are served from (nil:
	// downloads are off).
	Snapshots store.Blobs
	// HashParams are the argon2id parameters accounts are hashed with
	// (zero: password.Default); a refused sign-in costs one verification
	// at these, as a wrong password does. At most concurrentHashes
	// verifications run at once (workgate.go).
	HashParams password.Params
}

// DomainVerifier checks that a domain publishes a claim token, as a DNS
// TXT record or a well-known file, through the secure fetcher; it returns
// the method that proved it.
type DomainVerifier interface {
	VerifyDomain(ctx context.Context, domain, token string) (method string, err error)
}

// ProviderRefresher queues discovery and a refresh of all of a provider's
// sources (the job queue's RefreshProvider).
type ProviderRefresher interface {
	RefreshProvider(ctx context.Context, providerID string) error
}

const (
	defaultMaxFailures      = 5
	defaultLockout          = 15 * time.Minute
	defaultMaxFailuresPerIP = 20
	// maxCredentialBytes bounds the name and password read from a form.
	maxCredentialBytes = 1024
)

func (s *Server) initAccounts() {
	s.csrfKey = s.opts.Accounts.CSRFKey
	if len(s.csrfKey) == 0 {
		s.csrfKey = newCSRFKey()
	}
	o := &s.opts.Accounts
	if o.MaxFailures <= 0 {
		o.MaxFailures = defaultMaxFailures
	}
	if o.MaxFailuresPerIP <= 0 {
		o.MaxFailuresPerIP = defaultMaxFailuresPerIP
	}
	o.Lockout = orDefault(o.Lockout, defaultLockout)
	if o.HashParams == (password.Params{}) {
		o.HashParams = password.Default
	}
	// dummyHash is verified against when the account is unknown or
	// locked, so that every refusal costs the time a wrong password does.
	// It is made at the first sign-in, not at start-up.
	s.dummyHash = sync.OnceValue(func() string {
		h, _ := password.Hash(randomToken(), o.HashParams)
		return h
	})
	s.hashes = newWorkGate(concurrentHashes, hashQueue, hashWait)
	s.verify = password.Verify
	s.logins = newAttemptLimiter(o.MaxFailuresPerIP, o.Lockout, s.now)
	s.devices = newAttemptLimiter(o.MaxFailures, o.Lockout, s.now)
	s.claims = newAttemptLimiter(maxClaimChecks, time.Hour, s.now)
	s.claimIssues = newAttemptLimiter(maxClaimIssues, time.Hour, s.now)
	s.ownRefreshes = newAttemptLimiter(maxExtraRefreshes, time.Hour, s.now)
}

// accountRoutes are signing in and out, and what providers do for their
// own institution.
func (s *Server) accountRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/login", s.loginPage)
	mux.HandleFunc("POST /admin/login", s.login)
	mux.HandleFunc("POST /admin/logout", s.logout)
	s.providerRoutes(mux)
}

type loginPage struct {
	layoutData
	Name  string
	Next  string
	Error string
	// CookiesDropped: the page is served over plain HTTP to an address
	// that browsers keep no Secure cookie from, so signing in cannot work.
	CookiesDropped bool
}

func (s *Server) newLoginPage(r *http.Request, next string) loginPage {
	return loginPage{layoutData: layoutData{Title: s.tr(r, "Sign in"), Notice: s.opts.Notice},
		Next: localPath(next), CookiesDropped: !s.secureSite(r) && !loopbackHost(r.Host)}
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", s.newLoginPage(r, r.URL.Query().Get("next")))
}

// loopbackHost reports whether a Host header names this machine, where
// browsers treat plain HTTP as a secure context.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	pw := r.PostFormValue("password")
	page := s.newLoginPage(r, r.PostFormValue("next"))
	page.Name = name
	ip := clientIP(r)
	// The attempt counts against the address before the password is
	// checked, so that sign-ins sent at once cannot all pass the limit;
	// a right password, or a check never made, gives it back.
	undo, ok := s.logins.take(ip)
	if !ok {
		page.Error = s.tr(r, "Too many failed sign-ins from your address. Try again in %d minutes.", int(s.opts.Accounts.Lockout.Minutes()))
		s.render(w, r, http.StatusTooManyRequests, "login", page)
		return
	}
	if refusal := s.hashes.enter(r.Context()); refusal != "" {
		undo()
		if refusal == "gone" {
			return
		}
		w.Header().Set("Retry-After", strconv.Itoa(busyRetryAfter))
		page.Error = s.tr(r, "The server is busy checking other sign-ins. Please try again in a moment.")
		s.render(w, r, http.StatusServiceUnavailable, "login", page)
		return
	}
	var acct *store.Account
	func() {
		defer s.hashes.leave() // even if the check panics
		var known bool
		acct, known, ok = s.checkPassword(r.Context(), name, pw, s.deviceCookieOf(r))
		if !ok {
			// The failure is recorded before the slot is left, so that
			// a check in line reads the account's lockout as it now
			// stands.
			s.loginFailed(r, acct, known)
		}
	}()
	if !ok {
		page.Error = s.tr(r, "The name or password is wrong, or the account is locked after too many failed attempts.")
		// 200, not 401: the page is the form again, with the reason, and
		// browsers log an error status as a failed load.
		s.render(w, r, http.StatusOK, "login", page)
		return
	}
	undo()
	// A known device signing in through a lockout leaves it in place: it
	// holds the strangers off.
	if !acct.Locked(s.now()) {
		if err := s.opts.Store.Unlock(r.Context(), acct.Name); err != nil {
			s.log.Error("clearing sign-in failures", "account", acct.Name, "error", err)
		}
	}
	if err := s.startSession(w, r, store.SessionAdmin, acct.Name, ""); err != nil {
		s.log.Error("starting session", "account", acct.Name, "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "Signing in failed on the server; please try again."))
		return
	}
	s.setCookie(w, r, deviceCookie, s.deviceToken(*acct), deviceTTL)
	s.audit(r, "login", acct.Name, nil)
	next := page.Next
	if next == "" {
		next = "/admin"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// checkPassword verifies a sign-in. It returns the account whenever one
// has that name, and ok only for the right password of an unlocked one;
// known, when device (the request's device cookie) is one of the
// account's known devices that has failures left. A known device is let
// through the account's lockout; its failure counts against it from
// before the check, and a right password gives that back. Every path runs
// one argon2id verification; the caller holds a slot of s.hashes.
func (s *Server) checkPassword(ctx context.Context, name, pw, device string) (acct *store.Account, known, ok bool) {
	if len(name) > maxCredentialBytes || len(pw) > maxCredentialBytes {
		name, pw = "", ""
	}
	a, err := s.opts.Store.Account(ctx, name)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("reading account", "error", err)
		}
		s.verify(pw, s.dummyHash())
		return nil, false, false
	}
	undo := func() {}
	if nonce := s.knownDevice(device, a); nonce != "" {
		undo, known = s.devices.take(a.Name + "\x00" + nonce)
	}
	if !known && a.Locked(s.now()) {
		s.verify(pw, s.dummyHash())
		return &a, false, false
	}
	match, err := s.verify(pw, a.PasswordHash)
	if err != nil {
		s.log.Error("stored password hash unreadable", "account", a.Name, "error", err)
	}
	if match && known {
		undo()
	}
	return &a, known, match
}

// deviceCookieOf returns the request's device cookie, "" without one.
func (s *Server) deviceCookieOf(r *http.Request) string {
	if c, err := r.Cookie(s.cookieName(r, deviceCookie)); err == nil {
		return c.Value
	}
	return ""
}

// loginFailed counts a failure against the account, unless it came from
// one of the account's known devices, which counted it against itself
// (the address's was counted before the check); and records it (with the
// account's name only when the account exists: a name typed by mistake
// may be a password).
func (s *Server) loginFailed(r *http.Request, acct *store.Account, known bool) {
	if acct == nil {
		s.audit(r, "login.failed", "", nil)
		return
	}
	if known {
		s.audit(r, "login.failed", acct.Name, map[string]any{"device": "known"})
		return
	}
	o := s.opts.Accounts
	now, err := s.opts.Store.LoginFailed(r.Context(), acct.Name, s.now(), o.MaxFailures, o.Lockout)
	if err != nil {
		s.log.Error("counting a failed sign-in", "account", acct.Name, "error", err)
	}
	details := map[string]any{}
	if now.Locked(s.now()) && !acct.Locked(s.now()) {
		details["locked_until"] = now.LockedUntil.UTC().Format(time.RFC3339)
	}
	s.audit(r, "login.failed", acct.Name, details)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if sess := s.session(r); sess != nil {
		s.audit(r, "logout", sess.Subject, nil)
	}
	s.endSession(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// localPath keeps only a path on this site, so that next= cannot send a
// person elsewhere after signing in.
func localPath(p string) string {
	// Browsers strip tabs and newlines from a Location and read a
	// backslash as a slash, so "/\t/evil.test" would arrive as
	// "//evil.test": a path with any of them is refused outright.
	if len(p) > 1000 || !strings.HasPrefix(p, "/") || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return ""
	}
	if u, err := url.Parse(p); err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(u.Path, "//") {
		return ""
	}
	return p
}

// attemptLimiter counts events per key in fixed windows and blocks a key
// that reached max within its window. It lives in memory: a restart
// forgets it, the per-account lockout in the store does not.
type attemptLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	counts map[string]attemptWindow
}

type attemptWindow struct {
	start time.Time
	n     int
}

// maxLimiterKeys bounds the limiter's memory; past it, expired windows
// are dropped, and if that is not enough, all of them.
const maxLimiterKeys = 10_000

func newAttemptLimiter(max int, window time.Duration, now func() time.Time) *attemptLimiter {
	return &attemptLimiter{max: max, window: window, now: now, counts: map[string]attemptWindow{}}
}

// take counts an attempt for key, unless key reached max within its
// window: then it reports false and counts nothing. Checking and counting
// are one step, so attempts made at once cannot all pass the limit. undo
// takes the attempt back, for one that turned out not to count (a right
// password); it does nothing once the window has moved on.
func (l *attemptLimiter) take(key string) (undo func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	c, found := l.counts[key]
	if found && now.Sub(c.start) < l.window && c.n >= l.max {
		return nil, false
	}
	if len(l.counts) >= maxLimiterKeys {
		for k, c := range l.counts {
			if now.Sub(c.start) >= l.window {
				delete(l.counts, k)
			}
		}
		if len(l.counts) >= maxLimiterKeys {
			clear(l.counts)
		}
	}
	c = l.counts[key]
	if now.Sub(c.start) >= l.window {
		c = attemptWindow{start: now}
	}
	c.n++
	l.counts[key] = c
	start := c.start
	return func() { l.untake(key, start) }, true
}

func (l *attemptLimiter) untake(key string, start time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.counts[key]; ok && c.start.Equal(start) && c.n > 0 {
		c.n--
		l.counts[key] = c
	}
}
