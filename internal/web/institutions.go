package web

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"qlink/internal/model"
	"qlink/internal/vocab"
)

// The institution finder (/institutions) and the institution page
// (/institutions/{id}): public pages where an institution's IT officer,
// or anyone, sees what qlink found, fetched and made of its data.

// institutionRoutes are the finder and the institution pages.
func (s *Server) institutionRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /institutions", s.institutionFinder)
	mux.HandleFunc("GET /institutions/{id}", s.searching(s.institutionPage))
}

// institutionsPerPage is the finder's page size.
const institutionsPerPage = 20

type finderPage struct {
	layoutData
	Query     string
	Country   string
	Countries []labeled
	Total     int
	Results   []finderResult
	Pages     pagination
	// Error says why the request was refused.
	Error string
}

type finderResult struct {
	URL     string
	Name    shownText
	Country string
	SCHAC   string
	// DiscoveredAt is when the latest discovery ran (zero: never);
	// ManifestFound whether it found a manifest.
	DiscoveredAt  time.Time
	ManifestFound bool
	Refreshed     time.Time
	Courses       int
}

// institutionFinder answers GET /institutions. The registry holds a few
// thousand providers at most, so the finder filters the cached provider
// list in memory, as GET /api/v1/providers does, with the same matching
// (names folded in every language, SCHAC, DEQAR and ETER ids, country).
func (s *Server) institutionFinder(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	page := finderPage{layoutData: layoutData{Title: s.tr(r, "Institutions"), Notice: s.opts.Notice},
		Query: strings.TrimSpace(v.Get("q")), Country: strings.ToUpper(strings.TrimSpace(v.Get("country")))}
	if utf8.RuneCountInString(page.Query) > maxTextRunes {
		page.Query = string([]rune(page.Query)[:maxTextRunes]) // echoed back bounded, refused below
	}
	all, err := s.providerList(r.Context())
	if err != nil {
		s.log.Error("loading providers", "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "The institutions could not be loaded. Please try again."))
		return
	}
	page.Countries = countriesOf(all)
	q, refused := parseProviderQuery(v)
	limit, pageNo := institutionsPerPage, 1
	if refused == nil {
		_, pageNo, refused = parsePage(url.Values{"page": v["page"]})
	}
	if refused != nil {
		page.Error = refused.Message
		s.render(w, r, http.StatusBadRequest, "institutions", page)
		return
	}
	prefs := readerLanguages(r)
	found := sortedByName(matching(all, q), prefs)
	page.Total = len(found)
	page.Pages = s.finderPages(page, pageNo, limit)
	from := min((pageNo-1)*limit, len(found))
	if page.Results, err = s.finderResults(r.Context(), found[from:min(from+limit, len(found))], prefs); err != nil {
		s.log.Error("loading provider states", "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "The institutions could not be loaded. Please try again."))
		return
	}
	s.render(w, r, http.StatusOK, "institutions", page)
}

func matching(all []foldedProvider, q providerQuery) []foldedProvider {
	var out []foldedProvider
	for _, f := range all {
		if q.matchesFolded(f) {
			out = append(out, f)
		}
	}
	return out
}

// sortedByName orders providers by their name in the reader's language,
// accents and case folded.
func sortedByName(fs []foldedProvider, prefs []string) []model.Provider {
	type keyed struct {
		key string
		p   *model.Provider
	}
	ks := make([]keyed, len(fs))
	for i := range fs {
		lang, _ := fs[i].Name.Best(prefs...)
		ks[i] = keyed{fs[i].names[lang], &fs[i].Provider}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(a.p.ID, b.p.ID)) })
	out := make([]model.Provider, len(ks))
	for i, k := range ks {
		out[i] = *k.p
	}
	return out
}

func (s *Server) finderResults(ctx context.Context, ps []model.Provider, prefs []string) ([]finderResult, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	states, err := s.opts.Store.ProviderStates(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := s.opts.Store.CountCourses(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]finderResult, 0, len(ps))
	for _, p := range ps {
		st := states[p.ID]
		res := finderResult{URL: institutionURL(p.ID), SCHAC: p.SCHAC, DiscoveredAt: st.DiscoveredAt,
			ManifestFound: st.ManifestURL != "", Refreshed: st.Refreshed, Courses: counts[p.ID]}
		res.Name.Lang, res.Name.Value = p.Name.Best(prefs...)
		if p.Country != "" {
			res.Country = vocab.CountryName(p.Country, "en")
		}
		out = append(out, res)
	}
	return out, nil
}

// finderPages links the pages of the finder's results, keeping the search.
func (s *Server) finderPages(p finderPage, pageNo, limit int) pagination {
	last := max((p.Total+limit-1)/limit, 1)
	pageURL := func(n int) string {
		v := url.Values{}
		if p.Query != "" {
			v.Set("q", p.Query)
		}
		if p.Country != "" {
			v.Set("country", p.Country)
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return withQuery("/institutions", v)
	}
	pg := pagination{Page: pageNo, Last: last}
	if p.Total > 0 && pageNo <= last {
		pg.From, pg.To = (pageNo-1)*limit+1, min(pageNo*limit, p.Total)
	}
	if pageNo > 1 {
		pg.Prev = pageURL(min(pageNo-1, last))
	}
	if pageNo < last {
		pg.Next = pageURL(pageNo + 1)
	}
	for n := max(1, pageNo-2); n <= min(last, pageNo+2); n++ {
		pg.Neighbourhood = append(pg.Neighbourhood, pageLink{N: n, URL: pageURL(n), Current: n == pageNo})
	}
	return pg
}

// countriesOf lists the countries of the providers, by name, for the
// finder's country filter.
func countriesOf(ps []foldedProvider) []labeled {
	seen := map[string]bool{}
	var out []labeled
	for _, p := range ps {
		if p.Country != "" && !seen[p.Country] {
			seen[p.Country] = true
			out = append(out, labeled{Value: p.Country, Label: vocab.CountryName(p.Country, "en")})
		}
	}
	slices.SortFunc(out, func(a, b labeled) int { return strings.Compare(a.Label, b.Label) })
	return out
}

func institutionURL(id string) string { return "/institutions/" + url.PathEscape(id) }

// foldedProviders is the finder's copy of the provider cache, with every
// name folded once per refresh of the cache rather than per request:
// folding thousands of names costs more than the rest of a search.
type foldedProviders struct {
	list []foldedProvider
	// of is the time of the provider cache it was built from.
	of time.Time
}

// providerList returns every provider, names folded, from the same
// short-lived cache the provider names on pages come from.
func (s *Server) providerList(ctx context.Context) ([]foldedProvider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadProvidersLocked(ctx); err != nil {
		return nil, err
	}
	if s.folded.of != s.providersTime {
		list := make([]foldedProvider, 0, len(s.providers))
		for _, p := range s.providers {
			list = append(list, foldNames(p))
		}
		s.folded = foldedProviders{list: list, of: s.providersTime}
	}
	return s.folded.list, nil
}
