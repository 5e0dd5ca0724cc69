package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/store"
)

// allianceRoutes are the alliances' pages, their API and the embeddable
// search widget.
func (s *Server) allianceRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /alliances", s.searching(s.alliancesPage))
	mux.HandleFunc("GET /alliances/{id}", s.searching(s.alliancePage))
	mux.HandleFunc("GET /embed/alliances/{id}", s.searching(s.allianceEmbed))
	mux.HandleFunc("GET /api/v1/alliances", s.searching(s.apiAlliances))
	mux.HandleFunc("GET /api/v1/alliances/{id}", s.searching(s.apiAlliance))
}

// allianceCacheTTL bounds how stale alliance names on pages may be.
const allianceCacheTTL = 30 * time.Second

// alliances returns every alliance by ID from a short-lived cache: facet
// labels name them on every catalogue page.
func (s *Server) alliances(ctx context.Context) map[string]model.Alliance {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.allianceCache != nil && time.Since(s.allianceCacheTime) < allianceCacheTTL {
		return s.allianceCache
	}
	as, err := s.opts.Store.ListAlliances(ctx)
	if err != nil {
		s.log.Error("loading alliances", "error", err)
		return s.allianceCache // the stale cache, or nil
	}
	s.allianceCache = make(map[string]model.Alliance, len(as))
	for _, a := range as {
		s.allianceCache[a.ID] = a
	}
	s.allianceCacheTime = time.Now()
	return s.allianceCache
}

// allianceName is an alliance's name for a facet label, its ID when the
// alliance is unknown.
func (s *Server) allianceName(ctx context.Context, id string) string {
	if a, ok := s.alliances(ctx)[id]; ok && len(a.Name) > 0 {
		return a.Name.String()
	}
	return id
}

// allianceCourses counts the active courses of an alliance's members.
func (s *Server) allianceCourses(ctx context.Context, id string) (int, error) {
	res, err := s.opts.Index.Search(ctx, allianceQuery(id, "", 1, 1))
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}

func allianceQuery(id, text string, page, limit int) search.Query {
	return search.Query{Text: text, Filters: map[search.Facet][]string{search.FacetAlliance: {id}}, Page: page, Limit: limit}
}

// apiAlliance is an alliance as the API lists it.
type apiAlliance struct {
	ID      string     `json:"id"`
	Name    model.Text `json:"name"`
	Website string     `json:"website,omitempty"`
	// Members counts the registry's providers that are members.
	Members int `json:"members"`
	// Courses counts the members' active courses.
	Courses int           `json:"courses"`
	Links   apiAllianceLn `json:"links"`
}

type apiAllianceLn struct {
	Self      string `json:"self"`
	Page      string `json:"page"`
	Courses   string `json:"courses"`
	Embed     string `json:"embed"`
	Providers string `json:"providers,omitempty"`
}

// apiAllianceDetail is the answer to GET /api/v1/alliances/{id}.
type apiAllianceDetail struct {
	apiAlliance
	Providers []apiProvider `json:"providers"`
	// Unmatched are members the alliance data names that the registry
	// does not hold (yet), as member keys.
	Unmatched []string `json:"unmatched"`
	// Origin is the file or URL the alliance was imported from, or
	// "operator".
	Origin string `json:"origin"`
}

func (s *Server) presentAlliance(ctx context.Context, a model.Alliance) (apiAlliance, error) {
	n, err := s.allianceCourses(ctx, a.ID)
	if err != nil {
		return apiAlliance{}, err
	}
	esc := url.PathEscape(a.ID)
	return apiAlliance{ID: a.ID, Name: a.Name, Website: a.Website, Members: len(a.Providers), Courses: n,
		Links: apiAllianceLn{Self: "/api/v1/alliances/" + esc, Page: "/alliances/" + esc,
			Courses: "/api/v1/courses?alliance=" + url.QueryEscape(a.ID), Embed: "/embed/alliances/" + esc}}, nil
}

// apiAlliances answers GET /api/v1/alliances: every alliance (there are a
// few dozen), with member and course counts.
func (s *Server) apiAlliances(w http.ResponseWriter, r *http.Request) {
	as, err := s.opts.Store.ListAlliances(r.Context())
	if err != nil {
		s.apiFailure(w, "loading the alliances failed", err)
		return
	}
	out := struct {
		Total int           `json:"total"`
		Items []apiAlliance `json:"items"`
	}{Total: len(as), Items: []apiAlliance{}}
	for _, a := range as {
		pa, err := s.presentAlliance(r.Context(), a)
		if err != nil {
			s.apiFailure(w, "counting the alliances' courses failed", err)
			return
		}
		out.Items = append(out.Items, pa)
	}
	writeJSON(w, http.StatusOK, out)
}

// apiAlliance answers GET /api/v1/alliances/{id}: the alliance with its
// member institutions.
func (s *Server) apiAlliance(w http.ResponseWriter, r *http.Request) {
	a, err := s.opts.Store.Alliance(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		writeJSONError(w, http.StatusNotFound, "no alliance with id "+r.PathValue("id"))
		return
	}
	if err != nil {
		s.apiFailure(w, "loading the alliance failed", err)
		return
	}
	pa, err := s.presentAlliance(r.Context(), a)
	if err != nil {
		s.apiFailure(w, "counting the alliance's courses failed", err)
		return
	}
	out := apiAllianceDetail{apiAlliance: pa, Providers: []apiProvider{}, Unmatched: a.Unmatched, Origin: a.Origin}
	if out.Unmatched == nil {
		out.Unmatched = []string{}
	}
	for _, id := range a.Providers {
		out.Providers = append(out.Providers, presentProvider(s.provider(r.Context(), id)))
	}
	writeJSON(w, http.StatusOK, out)
}

type alliancesView struct {
	layoutData
	Alliances []allianceItem
}

type allianceItem struct {
	ID      string
	Name    shownText
	Members int
	Courses int
}

func (s *Server) alliancesPage(w http.ResponseWriter, r *http.Request) {
	as, err := s.opts.Store.ListAlliances(r.Context())
	if err != nil {
		s.log.Error("loading alliances", "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "The alliances could not be loaded. Please try again."))
		return
	}
	page := alliancesView{layoutData: layoutData{Title: s.tr(r, "Alliances"), Notice: s.opts.Notice}}
	prefs := readerLanguages(r)
	for _, a := range as {
		n, err := s.allianceCourses(r.Context(), a.ID)
		if err != nil {
			s.log.Error("counting alliance courses", "alliance", a.ID, "error", err)
		}
		item := allianceItem{ID: a.ID, Members: len(a.Providers), Courses: n}
		item.Name.Lang, item.Name.Value = a.Name.Best(prefs...)
		if item.Name.Value == "" {
			item.Name.Value = a.ID
		}
		page.Alliances = append(page.Alliances, item)
	}
	s.render(w, r, http.StatusOK, "alliances", page)
}

type allianceView struct {
	layoutData
	ID        string
	Name      shownText
	Website   string
	Members   []allianceMember
	Unmatched []string
	// Preview shows the first of the members' courses as the catalogue
	// does.
	Preview cataloguePage
	// CatalogueURL is the catalogue scoped to the alliance.
	CatalogueURL string
	// EmbedURL is the widget's absolute address; Snippet the HTML to
	// paste into another site.
	EmbedURL string
	Snippet  string
}

type allianceMember struct {
	ID      string
	Name    shownText
	Country string
}

// previewSize is how many courses an alliance page previews.
const previewSize = 10

func (s *Server) alliancePage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.findAlliancePage(w, r)
	if !ok {
		return
	}
	prefs := readerLanguages(r)
	page := allianceView{ID: a.ID, Website: a.Website, Unmatched: a.Unmatched,
		CatalogueURL: "/?alliance=" + url.QueryEscape(a.ID)}
	page.Name.Lang, page.Name.Value = a.Name.Best(prefs...)
	if page.Name.Value == "" {
		page.Name.Value = a.ID
	}
	page.layoutData = layoutData{Title: page.Name.Value, Notice: s.opts.Notice}
	for _, id := range a.Providers {
		p := s.provider(r.Context(), id)
		m := allianceMember{ID: p.ID, Country: p.Country}
		m.Name.Lang, m.Name.Value = p.Name.Best(prefs...)
		page.Members = append(page.Members, m)
	}
	slices.SortFunc(page.Members, func(a, b allianceMember) int { return strings.Compare(a.Name.Value, b.Name.Value) })
	q := allianceQuery(a.ID, "", 1, previewSize)
	res, err := s.opts.Index.Search(r.Context(), q)
	if err == nil {
		page.Preview = cataloguePage{Params: searchParams{Query: q}, Total: res.Total,
			Pages: pagination{Page: 1, Last: 1, From: min(1, res.Total), To: len(res.Hits)}}
		page.Preview.Results, err = s.resultEntries(r, res.Hits)
	}
	if err != nil {
		s.log.Error("alliance courses", "alliance", a.ID, "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "The alliance's courses could not be loaded. Please try again."))
		return
	}
	page.EmbedURL = strings.TrimSuffix(s.opts.BaseURL, "/") + "/embed/alliances/" + url.PathEscape(a.ID)
	page.Snippet = embedSnippet(page.EmbedURL, page.Name.Value)
	s.render(w, r, http.StatusOK, "alliance", page)
}

// embedSnippet is the HTML another site pastes to show the widget.
func embedSnippet(src, name string) string {
	return fmt.Sprintf(`<iframe src="%s" title="%s" width="100%%" height="600" style="border:0" loading="lazy"></iframe>`,
		htmlAttr(src), htmlAttr(name))
}

func htmlAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", `"`, "&quot;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// findAlliancePage loads the alliance the path names, or answers with the
// error page.
func (s *Server) findAlliancePage(w http.ResponseWriter, r *http.Request) (model.Alliance, bool) {
	a, err := s.opts.Store.Alliance(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "There is no alliance with this identifier."))
		return a, false
	}
	if err != nil {
		s.log.Error("loading alliance", "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "The alliance could not be loaded. Please try again."))
		return a, false
	}
	return a, true
}

// embedPageSize is the number of courses per page in the widget.
const embedPageSize = 10

type embedView struct {
	layoutData
	ID      string
	Name    string
	Text    string
	Total   int
	Results []courseSummary
	Prev    string
	Next    string
	// Base is the catalogue's address, for links out of the frame.
	Base string
}

// allianceEmbed is the widget: a small self-contained search over the
// alliance's courses, for another site's iframe. It alone may be framed
// by any site; links open the full course page outside the frame.
func (s *Server) allianceEmbed(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Del("X-Frame-Options")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; frame-ancestors *; base-uri 'none'; form-action 'self'")
	a, ok := s.findAlliancePage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	text := strings.TrimSpace(q.Get("q"))
	page := 1
	if p := q.Get("page"); p != "" {
		var err error
		if page, err = strconv.Atoi(p); err != nil || page < 1 || page > maxResultWindow/embedPageSize {
			s.errorPage(w, r, http.StatusBadRequest, s.tr(r, "The page number is not valid."))
			return
		}
	}
	if len([]rune(text)) > maxTextRunes {
		s.errorPage(w, r, http.StatusBadRequest, s.tr(r, "The search text is too long."))
		return
	}
	res, err := s.opts.Index.Search(r.Context(), allianceQuery(a.ID, text, page, embedPageSize))
	v := embedView{ID: a.ID, Name: a.Name.String(), Text: text, Base: strings.TrimSuffix(s.opts.BaseURL, "/")}
	if err == nil {
		v.Total = res.Total
		v.Results, err = s.summaries(r, res.Hits)
	}
	if err != nil {
		s.log.Error("embed search", "alliance", a.ID, "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "The search failed. Please try again."))
		return
	}
	v.layoutData = layoutData{Title: v.Name, Notice: s.opts.Notice}
	link := func(p int) string {
		u := url.Values{"page": {fmt.Sprint(p)}}
		if text != "" {
			u.Set("q", text)
		}
		return "/embed/alliances/" + url.PathEscape(a.ID) + "?" + u.Encode()
	}
	if page > 1 {
		v.Prev = link(page - 1)
	}
	if page*embedPageSize < min(res.Total, maxResultWindow) {
		v.Next = link(page + 1)
	}
	s.render(w, r, http.StatusOK, "embed", v)
}
