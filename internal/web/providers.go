package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"qlink/internal/model"
	"qlink/internal/store"
)

// apiProviderItem is one provider in GET /api/v1/providers.
type apiProviderItem struct {
	apiProvider
	// ManifestFound says whether the latest discovery found a manifest.
	ManifestFound bool `json:"manifestFound"`
	// Refreshed is when a run last brought the provider's data up to date.
	Refreshed *time.Time `json:"refreshed"`
	// Courses counts the provider's active courses.
	Courses int `json:"courses"`
}

type apiProviderList struct {
	Total int               `json:"total"`
	Page  int               `json:"page"`
	Limit int               `json:"limit"`
	Items []apiProviderItem `json:"items"`
}

// providerQuery is what GET /api/v1/providers filters on; empty fields
// select everything.
type providerQuery struct {
	// words are the folded words of q, all of which must occur in one of
	// the provider's names, unless q is one of its identifiers.
	words []string
	// id is q as typed, compared with the provider's identifiers.
	id                          string
	schac, deqar, eter, country string
}

// parseProviderQuery reads q, schac, deqar, eter and country.
func parseProviderQuery(v url.Values) (providerQuery, *limitError) {
	q := strings.TrimSpace(v.Get("q"))
	if n := utf8.RuneCountInString(q); n > maxTextRunes {
		return providerQuery{}, paramErrorf("q", maxTextRunes, "q is %d characters long; the limit is %d", n, maxTextRunes)
	}
	pq := providerQuery{words: strings.Fields(fold(q)), id: q, schac: strings.TrimSpace(v.Get("schac")),
		deqar: strings.TrimSpace(v.Get("deqar")), eter: strings.TrimSpace(v.Get("eter")),
		country: strings.ToUpper(strings.TrimSpace(v.Get("country")))}
	for _, param := range []string{"schac", "deqar", "eter"} {
		if n := len(v.Get(param)); n > maxIdentifierBytes {
			return pq, paramErrorf(param, maxIdentifierBytes, "%s is %d bytes long; the limit is %d", param, n, maxIdentifierBytes)
		}
	}
	if pq.country != "" && !isCountryCode(pq.country) {
		return pq, paramErrorf("country", 0, "country must be a two-letter ISO 3166-1 code such as DE, not %q", v.Get("country"))
	}
	return pq, nil
}

// maxIdentifierBytes caps an identifier parameter; real ones are far
// shorter.
const maxIdentifierBytes = 200

func isCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// matches reports whether p is one of the providers asked for.
func (q providerQuery) matches(p model.Provider) bool {
	return q.matchesFolded(foldNames(p))
}

// foldedProvider is a provider with its names folded for matching.
type foldedProvider struct {
	model.Provider
	// names holds each name folded, by language; acronym the acronym.
	names   map[string]string
	acronym string
}

func foldNames(p model.Provider) foldedProvider {
	f := foldedProvider{Provider: p, names: make(map[string]string, len(p.Name)), acronym: fold(p.Acronym)}
	for lang, name := range p.Name {
		f.names[lang] = fold(name)
	}
	return f
}

// matchesFolded is matches for a provider whose names are folded already
// (the institution finder keeps them so, with its provider list).
func (q providerQuery) matchesFolded(f foldedProvider) bool {
	p := f.Provider
	switch {
	case q.schac != "" && !strings.EqualFold(p.SCHAC, q.schac),
		q.deqar != "" && !strings.EqualFold(p.DEQAR, q.deqar),
		q.eter != "" && !strings.EqualFold(p.ETER, q.eter),
		q.country != "" && p.Country != q.country:
		return false
	case len(q.words) == 0:
		return true
	}
	for _, id := range []string{p.ID, p.SCHAC, p.DEQAR, p.ETER} {
		if id != "" && strings.EqualFold(id, q.id) {
			return true
		}
	}
	if f.acronym != "" && containsAll(f.acronym, q.words) {
		return true
	}
	for _, name := range f.names {
		if containsAll(name, q.words) {
			return true
		}
	}
	return false
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// fold lowers s and strips its accents, so that "universite de liege"
// finds "Université de Liège".
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	if folded, _, err := transform.String(t, s); err == nil {
		s = folded
	}
	return strings.ToLower(s)
}

// apiProviders answers GET /api/v1/providers: the registry, filtered and
// paged. The registry holds thousands of providers at most, so it is
// filtered in memory, where names can be folded in every language.
func (s *Server) apiProviders(w http.ResponseWriter, r *http.Request) {
	limit, page, refused := parsePage(r.URL.Query())
	if refused == nil {
		var q providerQuery
		if q, refused = parseProviderQuery(r.URL.Query()); refused == nil {
			s.listProviders(w, r, q, limit, page)
			return
		}
	}
	writeJSON(w, http.StatusBadRequest, refused) // names the parameter and the limit
}

func (s *Server) listProviders(w http.ResponseWriter, r *http.Request, q providerQuery, limit, page int) {
	ctx := r.Context()
	all, err := s.opts.Store.ListProviders(ctx)
	if err != nil {
		s.apiFailure(w, "loading the providers failed", err)
		return
	}
	var found []model.Provider
	for _, p := range all {
		if q.matches(p) {
			found = append(found, p)
		}
	}
	out := apiProviderList{Total: len(found), Page: page, Limit: limit, Items: []apiProviderItem{}}
	from := min((page-1)*limit, len(found))
	found = found[from:min(from+limit, len(found))]
	if len(found) == 0 {
		writeJSON(w, http.StatusOK, out)
		return
	}
	states, err := s.opts.Store.ProviderStates(ctx)
	if err != nil {
		s.apiFailure(w, "loading the providers failed", err)
		return
	}
	counts, err := s.opts.Store.CountCourses(ctx)
	if err != nil {
		s.apiFailure(w, "counting courses failed", err)
		return
	}
	for _, p := range found {
		st := states[p.ID]
		out.Items = append(out.Items, apiProviderItem{apiProvider: presentProvider(p), ManifestFound: st.ManifestURL != "",
			Refreshed: timeOrNil(st.Refreshed), Courses: counts[p.ID]})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiFailure logs a store error and answers 500 without its details.
func (s *Server) apiFailure(w http.ResponseWriter, msg string, err error) {
	s.log.Error("api: "+msg, "error", err)
	writeJSONError(w, http.StatusInternalServerError, msg)
}

// timeOrNil makes an unknown time null in JSON rather than year 1.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// apiProviderDetail is the answer to GET /api/v1/providers/{id}.
type apiProviderDetail struct {
	apiProvider
	Acronym   string   `json:"acronym,omitempty"`
	City      string   `json:"city,omitempty"`
	Alliances []string `json:"alliances,omitempty"`
	// ManifestURL is the manifest the latest discovery found.
	ManifestURL string         `json:"manifestUrl"`
	Discovery   *apiDiscovery  `json:"discovery"`
	Sources     []apiSource    `json:"sources"`
	Courses     apiCourseCount `json:"courses"`
}

type apiDiscovery struct {
	Started    time.Time `json:"started"`
	DurationMS int64     `json:"durationMs"`
	// Error says why no manifest was found; empty when one was.
	Error string `json:"error"`
	// Probes is every step discovery tried, with its outcome and reason,
	// as the discovery stage logged it.
	Probes json.RawMessage `json:"probes"`
}

type apiSource struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// Path is the source's URL as the manifest gives it.
	Path    string `json:"path"`
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	// Active is false for a source the latest manifest no longer lists.
	Active bool `json:"active"`
	// RefreshHours is the interval the manifest asks for; null when it
	// asks for none.
	RefreshHours *float64 `json:"refreshHours"`
	// NextRun is when the scheduler will next refresh the source; null
	// before it has planned one (or on an instance that does not harvest).
	NextRun *time.Time    `json:"nextRun"`
	LastRun *apiSourceRun `json:"lastRun"`
	// Failures counts the consecutive failed runs.
	Failures int            `json:"failures"`
	Courses  apiCourseCount `json:"courses"`
}

type apiSourceRun struct {
	ID       int64           `json:"id"`
	Status   store.RunStatus `json:"status"`
	Finished *time.Time      `json:"finished"`
	Error    string          `json:"error,omitempty"`
}

type apiCourseCount struct {
	Active   int `json:"active"`
	Inactive int `json:"inactive"`
}

// apiProviderByID answers GET /api/v1/providers/{id}: identifiers, the
// latest discovery with its probes, and the sources with their latest run.
func (s *Server) apiProviderByID(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.findProvider(w, r)
	if !ok {
		return
	}
	out := apiProviderDetail{apiProvider: presentProvider(p), Acronym: p.Acronym, City: p.City, Alliances: p.Alliances,
		Sources: []apiSource{}}
	d, err := s.opts.Store.LatestDiscovery(ctx, p.ID)
	switch {
	case err == nil:
		out.ManifestURL = d.ManifestURL
		out.Discovery = presentDiscovery(d)
	case !errors.Is(err, store.ErrNotFound):
		s.apiFailure(w, "loading the discovery failed", err)
		return
	}
	sources, err := s.opts.Store.ListSources(ctx, p.ID)
	if err != nil {
		s.apiFailure(w, "loading the sources failed", err)
		return
	}
	for _, src := range sources {
		as, err := s.presentSource(ctx, src)
		if err != nil {
			s.apiFailure(w, "counting courses failed", err)
			return
		}
		out.Courses.Active += as.Courses.Active
		out.Courses.Inactive += as.Courses.Inactive
		out.Sources = append(out.Sources, as)
	}
	writeJSON(w, http.StatusOK, out)
}

// findProvider loads the provider the path names, or answers 404 or 500.
func (s *Server) findProvider(w http.ResponseWriter, r *http.Request) (model.Provider, bool) {
	id := r.PathValue("id")
	p, err := s.opts.Store.Provider(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeJSONError(w, http.StatusNotFound, "no provider with id "+id)
		return p, false
	}
	if err != nil {
		s.apiFailure(w, "loading the provider failed", err)
		return p, false
	}
	return p, true
}

func presentDiscovery(d store.Discovery) *apiDiscovery {
	probes := json.RawMessage(d.Probes)
	if !json.Valid(probes) { // written by discovery; never expected, never passed on broken
		probes = json.RawMessage("[]")
	}
	return &apiDiscovery{Started: d.StartedAt, DurationMS: d.Duration.Milliseconds(), Error: d.Error, Probes: probes}
}

func (s *Server) presentSource(ctx context.Context, src store.Source) (apiSource, error) {
	out := apiSource{ID: src.ID, Type: src.Type, Path: src.URL, Name: src.Name, Version: src.Version, Active: src.Active,
		RefreshHours: refreshHours(src.Entry), NextRun: timeOrNil(src.NextRunAt), Failures: src.ErrorCount}
	if src.LastRunID != 0 {
		out.LastRun = &apiSourceRun{ID: src.LastRunID, Status: src.LastStatus, Finished: timeOrNil(src.LastRunAt), Error: src.LastError}
	}
	active, err := s.opts.Store.CourseIDs(ctx, src.ID, store.StatusActive)
	if err != nil {
		return out, err
	}
	inactive, err := s.opts.Store.CourseIDs(ctx, src.ID, store.StatusInactive)
	out.Courses = apiCourseCount{Active: len(active), Inactive: len(inactive)}
	return out, err
}

// refreshHours reads the refresh interval, in hours, of a manifest's
// source entry as the manifest package accepts it: a non-negative number,
// or a string holding one. Anything else is no interval.
func refreshHours(entry []byte) *float64 {
	var e struct {
		Refresh json.RawMessage `json:"refresh"`
	}
	if json.Unmarshal(entry, &e) != nil || len(e.Refresh) == 0 {
		return nil
	}
	raw := string(e.Refresh)
	if unquoted, err := strconv.Unquote(raw); err == nil {
		raw = strings.TrimSpace(unquoted)
	}
	h, err := strconv.ParseFloat(raw, 64)
	if err != nil || h < 0 {
		return nil
	}
	return &h
}
