package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/vocab"
)

type cataloguePage struct {
	layoutData
	Params searchParams
	Total  int
	// Results are the entries of the result list, as the "result"
	// template renders them (resultEntries).
	Results []template.HTML
	Facets  []facetView
	Active  []activeFilter
	Pages   pagination
	Error   string
	// Statuses are the choices of the availability filter.
	Statuses []statusChoice
	// Qualities are the choices of the data-quality filter.
	Qualities []qualityChoice
}

type qualityChoice struct {
	Value search.QualityFilter
	Label string
}

// qualityChoices lists the data-quality filter's choices; all is the
// default: flagged records are shown unless a reader hides them.
var qualityChoices = []qualityChoice{
	{search.QualityAll, msg("All records")},
	{search.QualityValid, msg("Without rule violations")},
	{search.QualityFlagged, msg("With rule violations")},
}

type statusChoice struct {
	Value search.Status
	Label string
}

// statusChoices lists the availability filter's choices; active is the
// default, so a plain search shows only courses still offered.
var statusChoices = []statusChoice{
	{search.StatusActive, msg("Offered now")},
	{search.StatusInactive, msg("No longer offered")},
	{search.StatusAll, msg("Both")},
}

type courseSummary struct {
	URL       string
	Title     shownText
	Snippet   shownText
	Provider  string
	Country   string
	ECTS      string
	EQF       int
	Languages []string
	Type      string
	Modes     []string
	// NextStart is the first start date today or later, if any.
	NextStart time.Time
	Offerings int
	// Inactive courses are no longer offered since LastSeen.
	Inactive bool
	LastSeen time.Time
}

type facetView struct {
	Name   search.Facet
	Label  string
	Values []facetValue
	// Hidden counts the values with hits left out of Values; MoreURL lists
	// them all, FewerURL goes back to the shorter list.
	Hidden            int
	MoreURL, FewerURL string
}

type facetValue struct {
	ID       string
	Value    string
	Label    string
	Count    int
	Selected bool
}

type activeFilter struct {
	Label     string
	RemoveURL string
}

type pagination struct {
	Page, Last int
	// PastEnd is a page beyond the last one with results.
	PastEnd       bool
	Prev, Next    string
	From, To      int
	Neighbourhood []pageLink
}

type pageLink struct {
	N       int
	URL     string
	Current bool
}

func (s *Server) catalogue(w http.ResponseWriter, r *http.Request) {
	page := cataloguePage{layoutData: layoutData{Title: s.tr(r, "Course catalogue"), Notice: s.opts.Notice}, Statuses: statusChoices, Qualities: qualityChoices}
	params, err := parsePageSearch(r.URL.Query())
	page.Params = params
	if err != nil {
		page.Error = s.limitMessage(r, err)
		s.render(w, r, http.StatusBadRequest, "catalogue", page)
		return
	}
	res, err := s.opts.Index.Search(r.Context(), params.Query)
	if err != nil {
		s.logFailure(r, "search", err, "query", r.URL.RawQuery)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "The search failed. Please try again."))
		return
	}
	page.Total = res.Total
	if page.Results, err = s.resultEntries(r, res.Hits); err != nil {
		s.logFailure(r, "loading results", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "The results could not be loaded. Please try again."))
		return
	}
	page.Facets = s.facetViews(r.Context(), params, res.Facets)
	page.Active = s.activeFilters(r.Context(), params)
	page.Pages = paginate(params, res.Total)
	if params.Text != "" {
		page.Title = s.tr(r, "%s – course catalogue", params.Text)
	}
	s.render(w, r, http.StatusOK, "catalogue", page)
}

// summaries returns the courses of hits as lists show them, in the
// reader's languages.
func (s *Server) summaries(r *http.Request, hits []search.Hit) ([]courseSummary, error) {
	cards, err := s.courseCards(r.Context(), s.keptGeneration(r.Context()), hitIDs(hits))
	if err != nil {
		return nil, err
	}
	sv := s.newSummarizer(r)
	out := make([]courseSummary, 0, len(cards))
	for _, c := range cards {
		out = append(out, sv.summary(c, s.provider(r.Context(), c.providerID)))
	}
	return out, nil
}

// resultEntries returns the entries of a result list (the "result"
// template) for the courses of hits, from what is kept where a course
// was shown before in the same languages on the same day (kept.go).
func (s *Server) resultEntries(r *http.Request, hits []search.Hit) ([]template.HTML, error) {
	ctx := r.Context()
	gen := s.keptGeneration(ctx)
	cards, err := s.courseCards(ctx, gen, hitIDs(hits))
	if err != nil {
		return nil, err
	}
	sv := s.newSummarizer(r)
	t := s.page(r, "catalogue")
	out := make([]template.HTML, 0, len(cards))
	var buf bytes.Buffer
	for _, c := range cards {
		p := s.provider(ctx, c.providerID)
		key := sv.shownKey(c, p)
		if gen != "" {
			if entry, ok := s.kept.shown.Get(gen, key); ok {
				out = append(out, entry)
				continue
			}
		}
		buf.Reset()
		if err := t.ExecuteTemplate(&buf, "result", sv.summary(c, p)); err != nil {
			return nil, fmt.Errorf("rendering the result %s: %w", c.id, err)
		}
		entry := template.HTML(buf.String())
		if gen != "" {
			s.kept.shown.Put(gen, key, entry, len(entry))
		}
		out = append(out, entry)
	}
	return out, nil
}

func hitIDs(hits []search.Hit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

// summarizer makes the summaries of cards for one request: its reader's
// languages, interface language and day.
type summarizer struct {
	s     *Server
	ctx   context.Context
	prefs []string
	loc   *locale
	today time.Time
}

func (s *Server) newSummarizer(r *http.Request) summarizer {
	return summarizer{s: s, ctx: r.Context(), prefs: readerLanguages(r), loc: localeOf(r.Context()),
		today: s.now().UTC().Truncate(24 * time.Hour)}
}

// shownKey names everything a card's entry in a list depends on beyond
// the card and its provider, both fixed within a kept generation: the
// interface language, the language each text is shown in, and the day.
func (sv summarizer) shownKey(c *courseCard, p model.Provider) string {
	title, _ := c.title.Best(sv.prefs...)
	snippet, _ := c.snippet.Best(sv.prefs...)
	provider, _ := p.Name.Best(sv.prefs...)
	return strings.Join([]string{c.id, sv.loc.Code, title, snippet, provider, sv.today.Format(time.DateOnly)}, "\x00")
}

func (sv summarizer) summary(c *courseCard, p model.Provider) courseSummary {
	s, ctx, loc := sv.s, sv.ctx, sv.loc
	_, provider := p.Name.Best(sv.prefs...)
	sum := courseSummary{URL: courseURL(c.id), Provider: provider, EQF: c.eqf, Offerings: c.offerings,
		Inactive: c.inactive, LastSeen: c.lastSeen, NextStart: nextStart(c.starts, sv.today)}
	sum.Title.Lang, sum.Title.Value = c.title.Best(sv.prefs...)
	sum.Snippet.Lang, sum.Snippet.Value = c.snippet.Best(sv.prefs...)
	if p.Country != "" {
		sum.Country = vocab.CountryName(p.Country, loc.Code)
	}
	if c.hasECTS {
		sum.ECTS = loc.num(c.ects)
	}
	for _, l := range c.languages {
		sum.Languages = append(sum.Languages, vocab.LanguageName(l, loc.Code))
	}
	if c := s.concept(ctx, vocab.LearningOpportunityTypes, c.typ); c != nil {
		sum.Type = c.Label
	}
	for _, m := range c.modes {
		if c := s.concept(ctx, vocab.Modes, m); c != nil {
			sum.Modes = append(sum.Modes, c.Label)
		}
	}
	return sum
}

// nextStart is the first of starts today or later, zero when none is.
func nextStart(starts []time.Time, today time.Time) time.Time {
	var best time.Time
	for _, start := range starts {
		if !start.Before(today) && (best.IsZero() || start.Before(best)) {
			best = start
		}
	}
	return best
}

// facetViews lists each facet's values for the filter panel: the
// facetShown with the most hits and every chosen one, or all of them for a
// short facet and for the one the reader asked to see in full (more=).
func (s *Server) facetViews(ctx context.Context, p searchParams, counts map[search.Facet][]search.FacetCount) []facetView {
	var out []facetView
	loc := localeOf(ctx)
	for _, f := range search.Facets {
		fv := facetView{Name: f, Label: loc.tr(facetLabels[f])}
		seen := map[string]bool{}
		whole := p.More == f || len(counts[f]) <= facetListedWhole
		for i, c := range counts[f] { // by count, then value
			seen[c.Value] = true
			selected := slices.Contains(p.Filters[f], c.Value)
			if i >= facetShown && !selected && !whole {
				fv.Hidden++
				continue
			}
			fv.Values = append(fv.Values, facetValue{Value: c.Value, Label: s.valueLabel(ctx, f, c.Value), Count: c.Count, Selected: selected})
		}
		// A selected value with no hits must stay visible so it can be
		// unticked.
		for _, v := range p.Filters[f] {
			if !seen[v] {
				fv.Values = append(fv.Values, facetValue{Value: v, Label: s.valueLabel(ctx, f, v), Selected: true})
			}
		}
		if f == search.FacetEQF || f == search.FacetField { // levels and fields read best in their order
			slices.SortFunc(fv.Values, func(a, b facetValue) int { return strings.Compare(a.Value, b.Value) })
		}
		for i := range fv.Values {
			fv.Values[i].ID = "f-" + string(f) + "-" + idSafe(fv.Values[i].Value)
		}
		switch {
		case fv.Hidden > 0:
			fv.MoreURL = p.facetURL(f, f)
		case p.More == f && len(counts[f]) > facetListedWhole:
			fv.FewerURL = p.facetURL("", f)
		}
		if len(fv.Values) > 0 {
			out = append(out, fv)
		}
	}
	return out
}

// facetURL links to the same page of the same search with facet more
// listed in full (none for ""), scrolled to facet at.
func (p searchParams) facetURL(more, at search.Facet) string {
	p.More = more
	return p.pageURL("/", p.Page) + "#facet-" + string(at)
}

// idSafe makes a value usable in an HTML id.
func idSafe(v string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, v)
}

// activeFilters lists each chosen value with a link to the same search
// without it. The query is encoded once; each link joins the other
// encoded pairs, so the work is one pass over the query per link and
// never re-encodes it (the values are capped by parseSearch).
func (s *Server) activeFilters(ctx context.Context, p searchParams) []activeFilter {
	pairs := encodePairs(p.values())
	loc := localeOf(ctx)
	var out []activeFilter
	for _, f := range search.Facets {
		for _, v := range p.Filters[f] {
			out = append(out, activeFilter{Label: s.filterLabel(ctx, f, v), RemoveURL: pairs.urlWithout("/", string(f), v)})
		}
	}
	for _, c := range statusChoices {
		if c.Value == p.Status && c.Value != search.StatusActive {
			out = append(out, activeFilter{Label: loc.tr("Availability: %s", loc.tr(c.Label)), RemoveURL: pairs.urlWithout("/", "status", string(c.Value))})
		}
	}
	for _, c := range qualityChoices {
		if c.Value == p.Quality && c.Value != search.QualityAll {
			out = append(out, activeFilter{Label: loc.tr("Data quality: %s", loc.tr(c.Label)), RemoveURL: pairs.urlWithout("/", "quality", string(c.Value))})
		}
	}
	for _, b := range []struct{ label, raw, key string }{{msg("ECTS from %s"), p.ECTSMinRaw, "ects_min"}, {msg("ECTS up to %s"), p.ECTSMaxRaw, "ects_max"}} {
		if b.raw != "" {
			out = append(out, activeFilter{Label: loc.tr(b.label, b.raw), RemoveURL: pairs.urlWithout("/", b.key, b.raw)})
		}
	}
	return out
}

// filterLabel names a chosen facet value in a chip: "Country: Germany".
// A value whose label already names its facet ("EQF level 7") says so
// once.
func (s *Server) filterLabel(ctx context.Context, f search.Facet, v string) string {
	loc := localeOf(ctx)
	value := s.valueLabel(ctx, f, v)
	if f == search.FacetEQF {
		return value
	}
	return loc.tr("%s: %s", loc.tr(facetLabels[f]), value)
}

// queryPair is one key=value of a query with its encoded form.
type queryPair struct{ key, value, encoded string }

type queryPairs []queryPair

// encodePairs encodes v pair by pair in the order url.Values.Encode
// uses (keys sorted, values in order), so joining them all gives the same
// string as v.Encode().
func encodePairs(v url.Values) queryPairs {
	var out queryPairs
	for _, k := range slices.Sorted(maps.Keys(v)) {
		ek := url.QueryEscape(k)
		for _, val := range v[k] {
			out = append(out, queryPair{key: k, value: val, encoded: ek + "=" + url.QueryEscape(val)})
		}
	}
	return out
}

// urlWithout links to path with every pair but key=value.
func (ps queryPairs) urlWithout(path, key, value string) string {
	var b strings.Builder
	b.Grow(len(path) + ps.encodedLen())
	b.WriteString(path)
	sep := byte('?')
	for _, pr := range ps {
		if pr.key == key && pr.value == value {
			continue
		}
		b.WriteByte(sep)
		b.WriteString(pr.encoded)
		sep = '&'
	}
	return b.String()
}

func (ps queryPairs) encodedLen() int {
	n := 0
	for _, pr := range ps {
		n += len(pr.encoded) + 1
	}
	return n
}

func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

func paginate(p searchParams, total int) pagination {
	last := max((total+p.Limit-1)/p.Limit, 1)
	last = min(last, maxResultWindow/p.Limit)
	pg := pagination{Page: p.Page, Last: last}
	if total > 0 {
		pg.From = (p.Page-1)*p.Limit + 1
		pg.To = min(p.Page*p.Limit, total)
		pg.PastEnd = pg.From > total
	}
	switch {
	case pg.PastEnd:
		pg.Prev = p.pageURL("/", last)
	case p.Page > 1:
		pg.Prev = p.pageURL("/", p.Page-1)
	}
	if p.Page < last {
		pg.Next = p.pageURL("/", p.Page+1)
	}
	for n := max(1, p.Page-2); n <= min(last, p.Page+2); n++ {
		pg.Neighbourhood = append(pg.Neighbourhood, pageLink{N: n, URL: p.pageURL("/", n), Current: n == p.Page})
	}
	return pg
}
