package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"reflect"
	"time"
)

// CSRF tokens. Cross-origin protection (Sec-Fetch-Site, Origin) already
// stops what browsers mark as cross-site; the token covers browsers that
// send neither header. Every state-changing request outside /api/ must
// carry it in the form field "csrf" or the X-CSRF-Token header (htmx).
//
// A signed-in person's token is an HMAC of the session under the server's
// key, so it lives and dies with the session. An anonymous form's token is
// an HMAC of a random value kept in its own cookie (double submit): a
// forger can read neither the cookie nor the key.
const (
	csrfCookie     = "qlink_csrf"
	csrfField      = "csrf"
	csrfHeader     = "X-CSRF-Token"
	csrfCookieLife = 24 * time.Hour
)

// csrfToken is the token the forms of this response carry; for an
// anonymous visitor without the cookie yet, it sets one.
func (a *authState) csrfToken() string {
	if a.session != nil {
		return a.s.mac("session", a.session.TokenHash)
	}
	if a.anon == "" {
		a.anon = randomToken()
		a.s.setCookie(a.w, a.r, csrfCookie, a.anon, csrfCookieLife)
	}
	return a.s.mac("anon", a.anon)
}

// validCSRF checks the request's token against the one its session (or
// anonymous cookie) calls for.
func (s *Server) validCSRF(r *http.Request, a *authState) bool {
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField) // the form is parsed (parseForm)
	}
	var want string
	switch {
	case got == "":
		return false
	case a.session != nil:
		want = s.mac("session", a.session.TokenHash)
	case a.anon != "":
		want = s.mac("anon", a.anon)
	default:
		return false
	}
	return hmac.Equal([]byte(got), []byte(want))
}

func (s *Server) mac(kind, value string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(kind + "\x00" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// newCSRFKey is the key when Options gives none: forms rendered before a
// restart then need a reload.
func newCSRFKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

// csrfToken is the token for forms in the response to r ("" outside the
// auth middleware, e.g. API answers).
func (s *Server) csrfToken(r *http.Request) string {
	if a := authOf(r); a != nil {
		return a.csrfToken()
	}
	return ""
}

// withRequestLayout fills the layout fields that come from the request
// (the language switch, the CSRF token, who is signed in) into a page's
// data, so that no handler has to: data is any struct embedding
// layoutData, or layoutData. It returns a pointer to a filled copy;
// templates read it the same way.
func (s *Server) withRequestLayout(r *http.Request, data any) any {
	v := reflect.ValueOf(data)
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return data
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	if f := p.Elem().FieldByName("Languages"); f.IsValid() && f.CanSet() && f.Len() == 0 {
		f.Set(reflect.ValueOf(s.langLinks(r)))
	}
	set := func(name, value string) {
		if f := p.Elem().FieldByName(name); f.IsValid() && f.CanSet() && f.Kind() == reflect.String && f.String() == "" {
			f.SetString(value)
		}
	}
	if authOf(r) == nil { // outside the auth middleware: no form, nobody signed in
		return p.Interface()
	}
	set("CSRF", s.csrfToken(r))
	if sess := s.session(r); sess != nil {
		set("SignedIn", sess.Subject)
		set("SignedInKind", string(sess.Kind))
		set("SignedInProvider", sess.ProviderID)
	}
	return p.Interface()
}
