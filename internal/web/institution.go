package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/store"
	"qlink/internal/vocab"
)

// What the institution page lists, at most.
const (
	// discoveriesShown is how many past discoveries the timeline lists.
	discoveriesShown = 10
	// runsShownPerSource is how many runs each source's history lists.
	runsShownPerSource = 10
	// coursesPreviewed is how many courses the page previews.
	coursesPreviewed = 10
	// manifestShownBytes caps the manifest text shown: a manifest is a
	// few kilobytes; one far larger is shown in part, saying so.
	manifestShownBytes = 64 << 10
)

type institutionPage struct {
	layoutData
	Provider model.Provider
	Name     shownText
	// Names are the provider's names in every language it has.
	Names   []shownText
	Country string
	// Discovery is the latest discovery with its probes (nil: never run);
	// Discoveries the earlier ones.
	Discovery   *discoveryView
	Discoveries []discoveryView
	Manifest    *manifestView
	Sources     []sourceView
	Quality     ProviderQuality
	Preview     cataloguePage
	// CoursesURL is the catalogue filtered by this institution.
	CoursesURL string
	// Refresh is the "Refresh now" button.
	Refresh refreshButton
}

type discoveryView struct {
	StartedAt   time.Time
	Duration    time.Duration
	ManifestURL string
	Error       string
	// Verdict says in a sentence what came of it.
	Verdict string
	Probes  []probeView
}

type manifestView struct {
	URL       string
	FetchedAt time.Time
	Text      string
	Size      int
	// Truncated: Text is the first manifestShownBytes of Size bytes.
	Truncated bool
}

type sourceView struct {
	store.Source
	// RefreshHours is the interval the manifest asks for (nil: none).
	RefreshHours *float64
	Runs         []runView
}

type runView struct {
	store.Run
	// Duration is zero for a run still running.
	Duration time.Duration
}

// institutionPage answers GET /institutions/{id}: what qlink knows of one
// institution, from its registry entry to its courses in the catalogue.
func (s *Server) institutionPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.opts.Store.Provider(ctx, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "No institution has this identifier."))
		return
	}
	page := institutionPage{Provider: p, CoursesURL: withQuery("/", url.Values{string(search.FacetInstitution): {p.ID}})}
	if err == nil {
		err = s.fillInstitution(r, &page)
	}
	if err == nil {
		page.Refresh, err = s.refreshButtonFor(r, p.ID, s.csrfToken(r))
	}
	if err != nil {
		s.log.Error("loading institution", "id", r.PathValue("id"), "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "The institution could not be loaded. Please try again."))
		return
	}
	page.layoutData = layoutData{Title: page.Name.Value, Notice: s.opts.Notice}
	s.render(w, r, http.StatusOK, "institution", page)
}

// fillInstitution loads every section of the page, one after the other.
func (s *Server) fillInstitution(r *http.Request, page *institutionPage) error {
	p := page.Provider
	prefs := readerLanguages(r)
	page.Name.Lang, page.Name.Value = p.Name.Best(prefs...)
	for _, l := range p.Name.Langs() {
		page.Names = append(page.Names, shownText{Lang: l, Value: p.Name[l]})
	}
	if p.Country != "" {
		page.Country = vocab.CountryName(p.Country, "en")
	}
	for _, load := range []func(*http.Request, *institutionPage) error{
		s.loadDiscoveries, s.loadManifest, s.loadSources, s.loadQuality, s.loadPreview,
	} {
		if err := load(r, page); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) loadDiscoveries(r *http.Request, page *institutionPage) error {
	ds, err := s.opts.Store.ListDiscoveries(r.Context(), page.Provider.ID, discoveriesShown+1)
	if err != nil || len(ds) == 0 {
		return err
	}
	for i, d := range ds {
		logged, err := decodeProbes(d.Probes)
		if err != nil {
			return fmt.Errorf("discovery %d: %w", d.ID, err)
		}
		v := discoveryView{StartedAt: d.StartedAt, Duration: d.Duration, ManifestURL: d.ManifestURL, Error: d.Error,
			Probes: s.probeViews(r, logged)}
		v.Verdict = s.discoveryVerdict(r, d.ManifestURL, v.Probes, probedDomains(logged))
		if i == 0 {
			page.Discovery = &v
			continue
		}
		v.Probes = nil // the timeline details the latest discovery only
		page.Discoveries = append(page.Discoveries, v)
	}
	return nil
}

func (s *Server) loadManifest(r *http.Request, page *institutionPage) error {
	m, err := s.opts.Store.LatestManifest(r.Context(), page.Provider.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	v := &manifestView{URL: m.URL, FetchedAt: m.FetchedAt, Size: len(m.Body)}
	body := m.Body
	if len(body) > manifestShownBytes {
		body, v.Truncated = body[:manifestShownBytes], true
	}
	// The template escapes the text; invalid UTF-8 is replaced so that
	// the page stays well-formed.
	v.Text = strings.ToValidUTF8(string(body), "\uFFFD")
	page.Manifest = v
	return nil
}

func (s *Server) loadSources(r *http.Request, page *institutionPage) error {
	sources, err := s.opts.Store.ListSources(r.Context(), page.Provider.ID)
	if err != nil {
		return err
	}
	for _, src := range sources {
		runs, err := s.opts.Store.ListRuns(r.Context(), src.ID, runsShownPerSource)
		if err != nil {
			return err
		}
		v := sourceView{Source: src, RefreshHours: refreshHours(src.Entry)}
		for _, run := range runs {
			rv := runView{Run: run}
			if !run.FinishedAt.IsZero() {
				rv.Duration = run.FinishedAt.Sub(run.StartedAt)
			}
			v.Runs = append(v.Runs, rv)
		}
		page.Sources = append(page.Sources, v)
	}
	return nil
}

func (s *Server) loadQuality(r *http.Request, page *institutionPage) error {
	q, err := LoadProviderQuality(r.Context(), s.opts.Store, page.Provider.ID)
	if err != nil {
		return err
	}
	page.Quality = q
	return nil
}

// loadPreview searches the catalogue for the institution's courses, so
// the preview shows them exactly as the catalogue does.
func (s *Server) loadPreview(r *http.Request, page *institutionPage) error {
	q := search.Query{Filters: map[search.Facet][]string{search.FacetInstitution: {page.Provider.ID}},
		Status: search.StatusActive, Page: 1, Limit: coursesPreviewed}
	res, err := s.opts.Index.Search(r.Context(), q)
	if err != nil {
		return err
	}
	preview := cataloguePage{Params: searchParams{Query: q}, Total: res.Total}
	if preview.Results, err = s.resultEntries(r, res.Hits); err != nil {
		return err
	}
	// One page only: the link to the catalogue leads on.
	preview.Pages = pagination{Page: 1, Last: 1, From: min(1, res.Total), To: len(preview.Results)}
	page.Preview = preview
	return nil
}
