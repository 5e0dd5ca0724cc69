package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"qlink/internal/search"
)

// Page sizes of the catalogue and the API.
const (
	defaultLimit = 20
	maxLimit     = 100
	// maxPage bounds deep pagination, which costs the index more and more.
	maxPage = 500
)

// searchParams is a parsed catalogue query, shared by the HTML pages and
// the JSON API so both accept exactly the same parameters.
type searchParams struct {
	search.Query
	// ECTS bounds as typed, to echo them back into the form.
	ECTSMinRaw, ECTSMaxRaw string
}

// parseSearch reads q, one parameter per facet (repeated or
// comma-separated), ects_min, ects_max, page and limit.
func parseSearch(v url.Values) (searchParams, error) {
	p := searchParams{Query: search.Query{Text: strings.TrimSpace(v.Get("q")), Page: 1, Limit: defaultLimit,
		Filters: map[search.Facet][]string{}}}
	if len(p.Text) > 500 {
		return p, fmt.Errorf("q is longer than 500 characters")
	}
	for _, f := range search.Facets {
		for _, raw := range v[string(f)] {
			for _, val := range strings.Split(raw, ",") {
				if val = strings.TrimSpace(val); val != "" && !contains(p.Filters[f], val) {
					p.Filters[f] = append(p.Filters[f], val)
				}
			}
		}
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
		return p, fmt.Errorf("ects_min (%g) is above ects_max (%g)", *p.ECTSMin, *p.ECTSMax)
	}
	if p.Page, err = parseInt("page", v.Get("page"), 1, 1, maxPage); err != nil {
		return p, err
	}
	if p.Limit, err = parseInt("limit", v.Get("limit"), defaultLimit, 1, maxLimit); err != nil {
		return p, err
	}
	return p, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func parseBound(name, raw string) (*float64, error) {
	if raw == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
	if err != nil || f < 0 || f > 1000 {
		return nil, fmt.Errorf("%s must be a number of credits between 0 and 1000, not %q", name, raw)
	}
	return &f, nil
}

func parseInt(name, raw string, def, lo, hi int) (int, error) {
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be a whole number from %d to %d, not %q", name, lo, hi, raw)
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
	if p.Limit != defaultLimit {
		v.Set("limit", strconv.Itoa(p.Limit))
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
