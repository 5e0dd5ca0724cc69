// Package web is qlink's HTTP face: the public catalogue (search with
// facets, course pages), the JSON API under /api/v1, and static assets.
// Pages are server-rendered html/template with htmx for in-place updates;
// everything works without JavaScript. The package reads the store and the
// search index and never contacts institutions.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"qlink/internal/keys"
	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/store"
	"qlink/internal/vocab"
)

// Options wires a Server.
type Options struct {
	Store  store.Store
	Index  search.Index
	Logger *slog.Logger
	// BaseURL is the public URL, used in API links.
	BaseURL string
	// Notice is shown on every page, e.g. that the data is a demo.
	Notice string
	// Labels overlay the vocabularies' embedded labels (nil: none).
	Labels vocab.Labels
	// Keys is the aggregator's key ring, whose public keys the API
	// publishes; nil answers the key endpoints with 503.
	Keys *keys.Ring
	// Checker runs "check my institution" on /manifest; nil turns the
	// form off (503).
	Checker Checker
	// Refresher queues refreshes people ask for (see refresh.go); nil: the
	// server offers none, as a node that harvests nothing.
	Refresher Refresher
	// RefreshMinInterval is the least time between two refreshes of one
	// provider asked for on the web (0: defaultRefreshMinInterval).
	RefreshMinInterval time.Duration
	// Accounts holds the settings of sign-in, sessions and provider
	// claims (accounts.go).
	Accounts AccountOptions
	// Admin wires the operator's pages (admin.go).
	Admin AdminOptions
	// Now is the clock (nil: time.Now); tests move it.
	Now func() time.Time
	// DatasetDir holds the open dataset's files (export.Generate); empty
	// serves none.
	DatasetDir string
	// DatasetPublisher names who publishes the dataset; Contact is a
	// mailto: or web URL to reach them. Both go into its DCAT-AP
	// description and onto its page.
	DatasetPublisher string
	Contact          string
	// RateLimit is the per-client request budget; its zero value turns
	// rate limiting off.
	RateLimit RateLimit
	// SearchLimit bounds the searches worked on at once (searchgate.go);
	// its zero value allows defaultSearchConcurrency.
	SearchLimit SearchLimit
	// KeptBytes bounds the memory of what lists show of recent courses,
	// kept per version of the store (kept.go); 0: KeptBytes.
	KeptBytes int
	// Metrics, when set, count and time every request and search, and are
	// served at /metrics unless MetricsApart says another listener serves
	// them (metrics-listen).
	Metrics      *Metrics
	MetricsApart bool
}

// Server serves the catalogue and the API.
type Server struct {
	opts    Options
	log     *slog.Logger
	views   *views
	locales *locales
	rates   *rateLimiter
	// searches admits the routes that search the index (searching);
	// texts, when the index can tell, says which texts cost little, and
	// warming whether it is still warming up after its start (readyz).
	searches *searchGate
	texts    search.TextKeeper
	warming  search.WarmingUp

	mu            sync.Mutex
	providers     map[string]model.Provider
	providersTime time.Time
	// providersVersion is the store's version the providers were read
	// at ("": a store that cannot tell).
	providersVersion string
	// providerNames holds the providers' names as facets label them, by
	// ID and language, for the snapshot in providers.
	providerNames map[[2]string]string
	// kept holds what lists show of recent courses (kept.go).
	kept   keptCourses
	folded foldedProviders // the institution finder's view of providers

	allianceCache     map[string]model.Alliance
	allianceCacheTime time.Time
	refreshes         refreshState

	// csrfKey signs CSRF tokens (Options.Accounts.CSRFKey or random).
	csrfKey []byte
	// logins limits failed sign-ins per client address, devices those
	// of each known device (device.go).
	logins, devices *attemptLimiter
	// claims limits domain checks per provider, claimIssues the tokens
	// asked for per address, ownRefreshes a provider's own refreshes.
	claims       *attemptLimiter
	claimIssues  *attemptLimiter
	ownRefreshes *attemptLimiter
	// dummyHash stands in for the hash of an unknown account.
	dummyHash func() string
	// hashes admits password checks (workgate.go); verify is the check,
	// password.Verify but in tests.
	hashes *workGate
	verify func(pw, hash string) (bool, error)
	// validations admits the validations of pasted manifests.
	validations *workGate
	dataset     datasetCache
}

// New builds a Server; it fails only if the embedded templates or message
// catalogues are broken.
func New(o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ls, err := embeddedLocales()
	if err != nil {
		return nil, err
	}
	v, err := loadViews(ls)
	if err != nil {
		return nil, err
	}
	if cr, ok := o.Index.(search.CacheReporter); ok && o.Metrics != nil {
		o.Metrics.searchCaches.Store(&cr)
	}
	keeper, _ := o.Index.(search.TextKeeper)
	warming, _ := o.Index.(search.WarmingUp)
	if o.Metrics != nil {
		o.Index = timedIndex{searchIndex: o.Index, seconds: o.Metrics.searches}
	}
	srv := &Server{opts: o, log: o.Logger.With("component", "web"), views: v, locales: ls, rates: newRateLimiter(o.RateLimit, time.Now),
		searches: newSearchGate(o.SearchLimit), validations: newWorkGate(concurrentValidations, validationQueue, validationWait),
		kept: newKeptCourses(o.KeptBytes), texts: keeper, warming: warming}
	if o.Metrics != nil {
		srv.searches.waited, srv.searches.refused = o.Metrics.searchWaits.Observe, o.Metrics.countRefusedSearch
		o.Metrics.kept.Store(&srv.kept)
	}
	srv.initAccounts()
	srv.storeVersion() // a store that listens for its changes (PostgreSQL's) starts now, before the first answer
	return srv, nil
}

// Handler returns the routes with middleware. Each area of the site
// registers its own routes, so the list of areas reads as a site map.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.catalogueRoutes(mux)
	s.apiRoutes(mux)
	s.allianceRoutes(mux)
	s.operationRoutes(mux)
	s.resolverRoutes(mux)
	s.institutionRoutes(mux)
	s.manifestRoutes(mux)
	s.refreshRoutes(mux)
	s.accountRoutes(mux)
	s.adminRoutes(mux)
	s.datasetRoutes(mux)
	// The catch-all takes GET (and so HEAD) only: a request with another
	// method that matches no pattern gets the mux's 405 with an Allow
	// header.
	mux.HandleFunc("GET /", s.notFound)
	// Cross-origin protection refuses state-changing requests that a
	// browser marks as sent from another site (Sec-Fetch-Site, Origin);
	// forms also carry a token for browsers that send neither (withAuth).
	// CORS opens the read-only API to every origin, preflights included,
	// before the rate limit counts the request; ETags come last, over the
	// body the handler wrote. The reader's language is known before any
	// refusal, so refusals are in it too.
	protect := http.NewCrossOriginProtection()
	// Metrics wrap everything, so a panic's 500 is counted too.
	return s.measure(mux, s.recoverer(securityHeaders(s.withLocale(s.limitRequests(cors(s.limitRate(etags(protect.Handler(s.withAuth(mux))))))))))
}

// catalogueRoutes are the public pages and their assets.
func (s *Server) catalogueRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.searching(s.catalogue))
	mux.HandleFunc("GET /courses/{id}", s.courseByID) // the page, or the data negotiated
	mux.HandleFunc("GET /about", s.about)
	mux.Handle("GET /static/", s.views.static(http.HandlerFunc(s.notFound)))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
}

// apiRoutes are the JSON API under /api/v1.
func (s *Server) apiRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/courses", s.searching(s.apiCourses))
	mux.HandleFunc("GET /api/v1/courses/{id}", s.apiCourse)
	mux.HandleFunc("GET /api/v1/courses/{id}/history", s.apiCourseHistory)
	mux.HandleFunc("GET /api/v1/providers", s.apiProviders)
	mux.HandleFunc("GET /api/v1/providers/{id}", s.apiProviderByID)
	mux.HandleFunc("GET /api/v1/providers/{id}/runs", s.apiProviderRuns)
	mux.HandleFunc("GET /api/v1/providers/{id}/quality", s.apiProviderQuality)
	mux.HandleFunc("GET /api/v1/runs/{id}", s.apiRunByID)
	mux.HandleFunc("GET /api/v1/public-key", s.publicKey)
	mux.HandleFunc("GET /api/v1/public-key/pem", s.publicKeyPEM)
	mux.HandleFunc("GET /api/v1/signing-keys", s.signingKeys)
	mux.HandleFunc("GET /api/v1/openapi.json", s.openAPI)
	// Under /api/, other methods than GET and HEAD get their 405 in JSON,
	// as the API answers everything (the mux itself answers in plain text).
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		mux.HandleFunc(m+" /api/", apiMethodNotAllowed)
	}
}

// operationRoutes are for the operator's monitoring.
func (s *Server) operationRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.opts.Metrics != nil && !s.opts.MetricsApart {
		mux.Handle("GET /metrics", s.opts.Metrics.Handler())
	}
}

// providerCacheTTL bounds how stale provider names on pages may be.
const providerCacheTTL = 30 * time.Second

// provider returns a provider by ID from a short-lived cache: every page
// shows provider names, and the registry changes rarely.
func (s *Server) provider(ctx context.Context, id string) model.Provider {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadProvidersLocked(ctx); err != nil {
		s.log.Error("loading providers", "error", err)
		return model.Provider{ID: id, Name: model.Text{model.LangUnstated: id}}
	}
	if p, ok := s.providers[id]; ok {
		return p
	}
	return model.Provider{ID: id, Name: model.Text{model.LangUnstated: id}}
}

// providerName is the name of provider id in language lang (or the best
// it has), as a facet value's label: asked for every institution listed
// in every answer's facets, so remembered for the providers' snapshot.
func (s *Server) providerName(ctx context.Context, id, lang string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadProvidersLocked(ctx); err != nil {
		s.log.Error("loading providers", "error", err)
		return id
	}
	key := [2]string{id, lang}
	if name, ok := s.providerNames[key]; ok {
		return name
	}
	p, ok := s.providers[id]
	if !ok {
		return id // not remembered: the ID may come from anywhere
	}
	_, name := p.Name.Best(lang)
	s.providerNames[key] = name
	return name
}

// loadProvidersLocked refreshes the provider cache when it is older than
// providerCacheTTL; the caller holds s.mu.
func (s *Server) loadProvidersLocked(ctx context.Context) error {
	fresh := s.providers != nil && s.now().Sub(s.providersTime) <= providerCacheTTL
	if fresh && s.providersVersion != "" {
		return nil
	}
	version := s.storeVersion() // before the read, which sees it or newer
	if fresh && version == "" {
		return nil
	}
	// Read while the store could not name its version (as PostgreSQL's
	// until it listens), the snapshot is read again as soon as it can, so
	// what is kept per version (kept.go) need not wait for the TTL.
	if s.providers != nil && version != "" && version == s.providersVersion {
		s.providersTime = s.now() // nothing written since: still current
		return nil
	}
	ps, err := s.opts.Store.ListProviders(ctx)
	if err != nil {
		return err
	}
	s.providers = make(map[string]model.Provider, len(ps))
	for _, p := range ps {
		s.providers[p.ID] = p
	}
	s.providerNames = map[[2]string]string{}
	s.providersTime, s.providersVersion = s.now(), version
	return nil
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic in a handler into a logged 500 instead of a
// dropped connection.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				s.log.Error("panic in handler", "path", r.URL.Path, "panic", v)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// logFailure logs what failed while serving r as an error, unless r
// ended first (its client went away, or the server is stopping): a search
// or a read then fails for that reason, which is not the server's to
// report, and under load every closed connection logged an error.
func (s *Server) logFailure(r *http.Request, msg string, err error, args ...any) {
	level := slog.LevelError
	if gone := r.Context().Err(); gone != nil && errors.Is(err, gone) {
		level = slog.LevelDebug
	}
	s.log.Log(r.Context(), level, msg, append([]any{"error", err}, args...)...)
}
