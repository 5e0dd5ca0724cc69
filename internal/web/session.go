package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"qlink/internal/store"
)

// Sessions. A session is a random 256-bit token in a cookie; the store
// keeps only its SHA-256, so a copy of the database signs nobody in. The
// cookie is HttpOnly, SameSite=Lax and Secure. Served over TLS (or with an
// https base URL behind a proxy) its name carries the __Host- prefix,
// which pins it to this host and path /. Over plain HTTP the prefix is
// left out: browsers accept Secure cookies from http://localhost and
// http://127.0.0.1 (secure contexts), which is how a local instance is
// used; any other plain-HTTP address cannot sign anyone in.
const (
	sessionCookie = "qlink_session"
	// defaultSessionTTL bounds a session's life; defaultSessionIdle ends
	// one nobody used for that long.
	defaultSessionTTL  = 12 * time.Hour
	defaultSessionIdle = time.Hour
	// touchEvery keeps last-seen writes rare: idle time is measured to
	// within this.
	touchEvery = time.Minute
)

// authState is what the auth middleware learned about a request.
type authState struct {
	session *store.Session
	// anon is the value of the anonymous CSRF cookie ("" until set).
	anon string
	w    http.ResponseWriter
	r    *http.Request
	s    *Server
}

type authKey struct{}

func authOf(r *http.Request) *authState {
	a, _ := r.Context().Value(authKey{}).(*authState)
	return a
}

// session returns the request's valid session, or nil when nobody is
// signed in.
func (s *Server) session(r *http.Request) *store.Session {
	if a := authOf(r); a != nil {
		return a.session
	}
	return nil
}

// now is the server's clock (tests set Options.Now).
func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// secureSite reports whether the site is served over TLS, directly or
// behind a proxy that the base URL names.
func (s *Server) secureSite(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.opts.BaseURL, "https://")
}

// cookieName adds the __Host- prefix where browsers honour it.
func (s *Server) cookieName(r *http.Request, name string) string {
	if s.secureSite(r) {
		return "__Host-" + name
	}
	return name
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: s.cookieName(r, name), Value: value, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge.Seconds())}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

func (s *Server) sessionTTL() time.Duration {
	return orDefault(s.opts.Accounts.SessionTTL, defaultSessionTTL)
}
func (s *Server) sessionIdle() time.Duration {
	return orDefault(s.opts.Accounts.SessionIdle, defaultSessionIdle)
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// startSession signs a subject in: any session the request carried ends
// (rotation, so a token planted before sign-in is worth nothing after),
// and a new token goes into the cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, kind store.SessionKind, subject, providerID string) error {
	s.endSession(w, r)
	token := randomToken()
	now := s.now()
	// Sign-ins are rare enough to sweep expired sessions on.
	if _, err := s.opts.Store.DeleteExpiredSessions(r.Context(), now); err != nil {
		s.log.Error("deleting expired sessions", "error", err)
	}
	sess := store.Session{TokenHash: hashToken(token), Kind: kind, Subject: subject, ProviderID: providerID,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.sessionTTL())}
	if err := s.opts.Store.CreateSession(r.Context(), sess); err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, token, s.sessionTTL())
	if a := authOf(r); a != nil {
		a.session = &sess
	}
	return nil
}

// endSession deletes the request's session, if any, and clears the cookie.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(s.cookieName(r, sessionCookie)); err == nil {
		if err := s.opts.Store.DeleteSession(r.Context(), hashToken(c.Value)); err != nil {
			s.log.Error("ending session", "error", err)
		}
		s.setCookie(w, r, sessionCookie, "", -1)
	}
	if a := authOf(r); a != nil {
		a.session = nil
	}
}

// loadSession finds the valid session of the request's cookie. An expired
// or idle one is deleted.
func (s *Server) loadSession(r *http.Request) *store.Session {
	c, err := r.Cookie(s.cookieName(r, sessionCookie))
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil
	}
	ctx := r.Context()
	sess, err := s.opts.Store.Session(ctx, hashToken(c.Value))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("loading session", "error", err)
		}
		return nil
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.sessionIdle() {
		if err := s.opts.Store.DeleteSession(ctx, sess.TokenHash); err != nil {
			s.log.Error("deleting expired session", "error", err)
		}
		return nil
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.opts.Store.TouchSession(ctx, sess.TokenHash, now); err != nil {
			s.log.Error("touching session", "error", err)
		}
		sess.LastSeenAt = now
	}
	return &sess
}

// withAuth finds the request's session and checks the CSRF token of every
// state-changing request outside the API before its handler runs. The API
// and static files need no session; a request that no route takes goes on
// to the mux's own 404 or 405.
func (s *Server) withAuth(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := http.Handler(mux)
		if _, pattern := mux.Handler(r); pattern == "" || isAPI(r) || strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		a := &authState{w: w, s: s}
		if c, err := r.Cookie(s.cookieName(r, csrfCookie)); err == nil && len(c.Value) <= 100 {
			a.anon = c.Value
		}
		r = r.WithContext(context.WithValue(r.Context(), authKey{}, a))
		a.r = r
		a.session = s.loadSession(r)
		if changesState(r.Method) && r.Header.Get(csrfHeader) == "" {
			// Reading the token reads the form: a body over its limit is
			// refused for its size, as the handler would have.
			var tooBig *http.MaxBytesError
			if err := parseForm(r); errors.As(err, &tooBig) {
				s.errorPage(w, r, http.StatusRequestEntityTooLarge, s.tr(r, "The form is too large: at most %d bytes.", tooBig.Limit))
				return
			}
		}
		if changesState(r.Method) && !s.validCSRF(r, a) {
			s.errorPage(w, r, http.StatusForbidden, s.tr(r, "This form has expired or did not come from this site, so nothing was changed. Reload the page and try again."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// parseForm reads a form body, URL-encoded or multipart. A multipart
// form is read all into memory: limitRequests caps the body, and files Go
// would spill to disk outlive the request, since the server removes only
// those of the request it made, not of the copies middleware makes.
func parseForm(r *http.Request) error {
	// ParseForm first: ParseMultipartForm drops its error when the body
	// turns out not to be multipart.
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := r.ParseMultipartForm(bodyLimit(r) + 1); !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	return nil
}

func changesState(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// requireAdmin lets only signed-in operators through. A person who is not
// signed in is sent to the sign-in page (GET) or refused (other methods).
func (s *Server) requireAdmin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := s.session(r)
		if sess != nil && sess.Kind == store.SessionAdmin {
			h(w, r)
			return
		}
		s.refuseUnsigned(w, r, sess)
	}
}

// requireProvider lets through a provider session whose provider is the
// path's {provider}, and operators. Any other provider is refused: a
// provider's session touches its own institution only.
func (s *Server) requireProvider(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := s.session(r)
		switch {
		case sess == nil:
			s.refuseUnsigned(w, r, nil)
		case sess.Kind == store.SessionAdmin,
			sess.Kind == store.SessionProvider && sess.ProviderID == r.PathValue("provider"):
			h(w, r)
		default:
			s.errorPage(w, r, http.StatusForbidden, s.tr(r, "You are signed in for another institution; this page belongs to a different one."))
		}
	}
}

func (s *Server) refuseUnsigned(w http.ResponseWriter, r *http.Request, sess *store.Session) {
	if sess == nil && r.Method == http.MethodGet {
		http.Redirect(w, r, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.errorPage(w, r, http.StatusForbidden, s.tr(r, "You need to sign in with the right account to do this."))
}

// clientIP is the address the request came from, for rate limits only
// (it is never stored). Behind a proxy every client shares its address,
// which makes the limit stricter, never looser.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
