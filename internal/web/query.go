package web

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"qlink/internal/search"
)

// searchParams is a parsed catalogue query, shared by the HTML pages and
// the JSON API so both accept exactly the same parameters.
type searchParams struct {
	search.Query
	// ECTS bounds as typed, to echo them back into the form.
	ECTSMinRaw, ECTSMaxRaw string
	// More names the facet the catalogue page lists in full (more=); the
	// others list their facetShown values with the most hits.
	More search.Facet
	// FacetLimit is how many values of each facet the API lists
	// (facet_limit), and facetLimitRaw the parameter as given, for links.
	FacetLimit    int
	facetLimitRaw string
}

// parseSearch reads q, one parameter per facet (repeated or
// comma-separated), ects_min, ects_max, status, quality, page and limit. It takes time
// linear in the size of v and refuses what goes past the limits in
// limits.go with a *limitError naming the parameter.
func parseSearch(v url.Values) (searchParams, error) {
	p := searchParams{Query: search.Query{Text: strings.TrimSpace(v.Get("q")), Page: 1, Limit: defaultLimit,
		Filters: map[search.Facet][]string{}}}
	if n := utf8.RuneCountInString(p.Text); n > maxTextRunes {
		return p, paramErrorf("q", maxTextRunes, "q is %d characters long; the limit is %d", n, maxTextRunes)
	}
	if !utf8.ValidString(p.Text) {
		p.Text = strings.ToValidUTF8(p.Text, "\uFFFD") // the page shows it back
		return p, paramErrorf("q", 0, "q is not valid UTF-8 text")
	}
	if err := p.parseFilters(v); err != nil {
		return p, err
	}
	var ok bool
	if p.Status, ok = search.ParseStatus(v.Get("status")); !ok {
		return p, paramErrorf("status", 0, "status must be active, inactive or all, not %q", v.Get("status"))
	}
	if p.Quality, ok = search.ParseQuality(v.Get("quality")); !ok {
		return p, paramErrorf("quality", 0, "quality must be all, valid or flagged, not %q", v.Get("quality"))
	}
	var err error
	p.ECTSMinRaw, p.ECTSMaxRaw = strings.TrimSpace(v.Get("ects_min")), strings.TrimSpace(v.Get("ects_max"))
	if p.ECTSMin, err = parseBound("ects_min", p.ECTSMinRaw); err != nil {
		return p, err
	}
	if p.ECTSMax, err = parseBound("ects_max", p.ECTSMaxRaw); err != nil {
		return p, err
	}
	if p.ECTSMin != nil && p.ECTSMax != nil && *p.ECTSMin > *p.ECTSMax {
		return p, paramErrorf("ects_min", 0, "ects_min (%g) is above ects_max (%g)", *p.ECTSMin, *p.ECTSMax)
	}
	if p.Limit, err = parseInt("limit", v.Get("limit"), defaultLimit, 1, maxLimit); err != nil {
		return p, err
	}
	// The deepest page depends on the page size: the index collects every
	// hit up to the end of the page.
	lastPage := maxResultWindow / p.Limit
	if p.Page, err = parseInt("page", v.Get("page"), 1, 1, lastPage); err != nil {
		return p, paramErrorf("page", lastPage, "page must be a whole number from 1 to %d with %d results a page (only the first %d results can be paged to), not %q",
			lastPage, p.Limit, maxResultWindow, v.Get("page"))
	}
	return p, nil
}

// parsePageSearch reads the catalogue page's query: parseSearch's
// parameters and more, the facet to list in full.
func parsePageSearch(v url.Values) (searchParams, error) {
	p, err := parseSearch(v)
	if err != nil {
		return p, err
	}
	if more := search.Facet(v.Get("more")); more != "" {
		if !slices.Contains(search.Facets, more) {
			return p, paramErrorf("more", 0, "more must name a facet (%s), not %q", facetNames(), v.Get("more"))
		}
		p.More = more
	}
	return p, nil
}

// parseFilters reads the facet parameters, dropping empty and repeated
// values, within maxValuesPerFacet and maxFacetValues.
func (p *searchParams) parseFilters(v url.Values) error {
	total := 0
	for _, f := range search.Facets {
		seen := map[string]bool{}
		for _, raw := range v[string(f)] {
			for val := range strings.SplitSeq(raw, ",") {
				if val = strings.TrimSpace(val); val == "" || seen[val] {
					continue
				}
				if len(seen) == maxValuesPerFacet {
					return paramErrorf(string(f), maxValuesPerFacet, "%s has more than %d values; at most %d can be chosen at once",
						f, maxValuesPerFacet, maxValuesPerFacet)
				}
				if total == maxFacetValues {
					return paramErrorf(string(f), maxFacetValues, "the filters have more than %d values in all; at most %d can be chosen at once",
						maxFacetValues, maxFacetValues)
				}
				seen[val] = true
				total++
				p.Filters[f] = append(p.Filters[f], val)
			}
		}
	}
	return nil
}

// facetNames lists the facets' parameter names, for messages.
func facetNames() string {
	names := make([]string, len(search.Facets))
	for i, f := range search.Facets {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// parseBound reads an ECTS bound: a finite number of credits from 0 to
// 1000 (NaN and infinities parse as floats but are no amount of credits).
func parseBound(name, raw string) (*float64, error) {
	if raw == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1000 {
		return nil, paramErrorf(name, 0, "%s must be a number of credits between 0 and 1000, not %q", name, raw)
	}
	return &f, nil
}

func parseInt(name, raw string, def, lo, hi int) (int, error) {
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, paramErrorf(name, hi, "%s must be a whole number from %d to %d, not %q", name, lo, hi, raw)
	}
	return n, nil
}

// values turns the query back into URL parameters, for links that keep
// the current search (pagination, removing one filter).
func (p searchParams) values() url.Values {
	v := url.Values{}
	if p.Text != "" {
		v.Set("q", p.Text)
	}
	for _, f := range search.Facets {
		for _, val := range p.Filters[f] {
			v.Add(string(f), val)
		}
	}
	if p.ECTSMinRaw != "" {
		v.Set("ects_min", p.ECTSMinRaw)
	}
	if p.ECTSMaxRaw != "" {
		v.Set("ects_max", p.ECTSMaxRaw)
	}
	if p.Status != search.StatusActive {
		v.Set("status", string(p.Status))
	}
	if p.Quality != search.QualityAll {
		v.Set("quality", string(p.Quality))
	}
	if p.Limit != defaultLimit {
		v.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.More != "" {
		v.Set("more", string(p.More))
	}
	if p.facetLimitRaw != "" {
		v.Set("facet_limit", p.facetLimitRaw)
	}
	return v
}

// pageURL links to page n of the same search.
func (p searchParams) pageURL(path string, n int) string {
	v := p.values()
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	return withQuery(path, v)
}
