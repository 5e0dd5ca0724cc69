package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// Provider claims. An institution signs in by proving it controls one of
// the domains the registry gives it (its SCHAC code and its website's
// host; never a domain the visitor types): qlink issues a token, the
// institution publishes it as a DNS TXT record at
// _qlink-verify.<domain> or as the file
// https://<domain>/.well-known/qlink-verification.txt, and the check runs
// through the same fetcher and resolver as discovery. The token is public
// once published, so the challenge is also bound to the browser that asked
// for it (a secret in a cookie): only that browser gets the session.
const (
	claimCookie = "qlink_claim"
	// claimLife is how long a token may take to be published.
	claimLife = 7 * 24 * time.Hour
	// maxClaimChecks bounds the domain checks per provider per hour, so
	// that nobody makes qlink hammer an institution's servers.
	maxClaimChecks = 10
	// claimCheckTimeout bounds one check (DNS and the well-known file).
	claimCheckTimeout = 30 * time.Second
	// maxClaimIssues bounds the tokens one address may ask for per hour.
	maxClaimIssues = 10
)

func (s *Server) providerRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /institutions/{provider}/claim", s.claimStart)
	mux.HandleFunc("POST /institutions/{provider}/claim", s.claimIssue)
	mux.HandleFunc("GET /institutions/{provider}/claim/{challenge}", s.claimShow)
	mux.HandleFunc("POST /institutions/{provider}/claim/{challenge}/verify", s.claimVerify)
	mux.HandleFunc("GET /dashboard/{provider}", s.requireProvider(s.dashboard))
	mux.HandleFunc("POST /dashboard/{provider}/refresh", s.requireProvider(s.dashboardRefresh))
	mux.HandleFunc("POST /dashboard/{provider}/sources/{source}/pause", s.requireProvider(s.dashboardPause))
	mux.HandleFunc("POST /dashboard/{provider}/sources/{source}/resume", s.requireProvider(s.dashboardPause))
	mux.HandleFunc("GET /dashboard/{provider}/runs/{run}/pages/{seq}", s.requireProvider(s.dashboardSnapshot))
}

// ProviderDomains are the domains a provider may prove control of: its
// SCHAC code and its website's host, as the registry has them.
func ProviderDomains(p model.Provider) []string {
	var out []string
	add := func(d string) {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		if d != "" && strings.Contains(d, ".") && net.ParseIP(d) == nil && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	add(p.SCHAC)
	if u, err := url.Parse(p.Website); err == nil && u.Port() == "" {
		add(strings.TrimPrefix(u.Hostname(), "www."))
	}
	return out
}

type claimPage struct {
	layoutData
	Provider  model.Provider
	Domains   []string
	Challenge *store.Challenge
	// TXTName and WellKnownURL say where to publish the token.
	TXTName      string
	WellKnownURL string
	Error        string
	Enabled      bool
}

// claimProvider loads the path's provider, answering 404 itself when
// there is none.
func (s *Server) claimProvider(w http.ResponseWriter, r *http.Request) (model.Provider, bool) {
	p, err := s.opts.Store.Provider(r.Context(), r.PathValue("provider"))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("loading provider", "error", err)
		}
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "There is no institution with this ID."))
		return p, false
	}
	return p, true
}

func (s *Server) newClaimPage(r *http.Request, p model.Provider) claimPage {
	return claimPage{layoutData: layoutData{Title: s.tr(r, "Sign in for %s", p.Name.String()), Notice: s.opts.Notice},
		Provider: p, Domains: ProviderDomains(p), Enabled: s.opts.Accounts.Verifier != nil}
}

func (s *Server) claimStart(w http.ResponseWriter, r *http.Request) {
	p, ok := s.claimProvider(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "claim", s.newClaimPage(r, p))
}

// claimIssue issues a token for one of the provider's own domains.
func (s *Server) claimIssue(w http.ResponseWriter, r *http.Request) {
	p, ok := s.claimProvider(w, r)
	if !ok {
		return
	}
	page := s.newClaimPage(r, p)
	domain := r.PostFormValue("domain")
	if !page.Enabled || !slices.Contains(page.Domains, domain) {
		page.Error = s.tr(r, "Choose one of the domains listed for this institution.")
		s.render(w, r, http.StatusBadRequest, "claim", page)
		return
	}
	if _, ok := s.claimIssues.take(clientIP(r)); !ok {
		page.Error = s.tr(r, "Too many tokens were asked for from your address in the last hour. Try again later.")
		s.render(w, r, http.StatusTooManyRequests, "claim", page)
		return
	}
	secret := randomToken()
	c := store.Challenge{ProviderID: p.ID, Domain: domain, Token: "qlink-verify-" + randomToken(),
		RequesterHash: hashToken(secret), CreatedAt: s.now()}
	id, err := s.opts.Store.AddChallenge(r.Context(), c)
	if err != nil {
		s.log.Error("storing a claim", "provider", p.ID, "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "The token could not be issued; please try again."))
		return
	}
	s.setCookie(w, r, claimCookie, secret, claimLife)
	s.audit(r, "claim.issued", p.ID, map[string]any{"domain": domain, "challenge": id})
	http.Redirect(w, r, fmt.Sprintf("/institutions/%s/claim/%d", url.PathEscape(p.ID), id), http.StatusSeeOther)
}

// ownChallenge loads the path's challenge if this browser asked for it
// and it has not expired; otherwise it answers 404 itself.
func (s *Server) ownChallenge(w http.ResponseWriter, r *http.Request, p model.Provider) (store.Challenge, bool) {
	id, err := strconv.ParseInt(r.PathValue("challenge"), 10, 64)
	var c store.Challenge
	if err == nil {
		c, err = s.opts.Store.Challenge(r.Context(), p.ID, id)
	}
	cookie, cerr := r.Cookie(s.cookieName(r, claimCookie))
	if err != nil || cerr != nil || hashToken(cookie.Value) != c.RequesterHash || s.now().Sub(c.CreatedAt) > claimLife {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "This sign-in token does not exist, has expired, or was asked for in another browser. Ask for a new one."))
		return c, false
	}
	return c, true
}

func (s *Server) claimShow(w http.ResponseWriter, r *http.Request) {
	p, ok := s.claimProvider(w, r)
	if !ok {
		return
	}
	c, ok := s.ownChallenge(w, r, p)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "claim", s.challengePage(r, p, c, ""))
}

func (s *Server) challengePage(r *http.Request, p model.Provider, c store.Challenge, msg string) claimPage {
	page := s.newClaimPage(r, p)
	page.Challenge, page.Error = &c, msg
	page.TXTName = "_qlink-verify." + c.Domain
	page.WellKnownURL = "https://" + c.Domain + "/.well-known/qlink-verification.txt"
	return page
}

// claimVerify checks the published token and, when it is there, signs the
// browser in for the provider.
func (s *Server) claimVerify(w http.ResponseWriter, r *http.Request) {
	p, ok := s.claimProvider(w, r)
	if !ok {
		return
	}
	c, ok := s.ownChallenge(w, r, p)
	if !ok {
		return
	}
	if s.opts.Accounts.Verifier == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, s.tr(r, "This server does not check domains, so institutions cannot sign in here."))
		return
	}
	if _, ok := s.claims.take(p.ID); !ok { // every check counts
		s.render(w, r, http.StatusTooManyRequests, "claim", s.challengePage(r, p, c,
			s.tr(r, "This institution's domain was checked too often in the last hour. Try again later.")))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), claimCheckTimeout)
	defer cancel()
	method, err := s.opts.Accounts.Verifier.VerifyDomain(ctx, c.Domain, c.Token)
	if err != nil {
		s.audit(r, "claim.failed", p.ID, map[string]any{"domain": c.Domain, "challenge": c.ID, "reason": err.Error()})
		s.render(w, r, http.StatusOK, "claim", s.challengePage(r, p, c,
			s.tr(r, "The token was not found: %s", err.Error())))
		return
	}
	if err := s.opts.Store.ChallengeVerified(r.Context(), c.ID, method, s.now()); err != nil {
		s.log.Error("recording a claim", "provider", p.ID, "error", err)
	}
	if err := s.startSession(w, r, store.SessionProvider, c.Domain, p.ID); err != nil {
		s.log.Error("starting provider session", "provider", p.ID, "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "Signing in failed on the server; please try again."))
		return
	}
	s.setCookie(w, r, claimCookie, "", -1)
	s.audit(r, "claim.verified", p.ID, map[string]any{"domain": c.Domain, "method": method})
	http.Redirect(w, r, "/dashboard/"+url.PathEscape(p.ID), http.StatusSeeOther)
}
