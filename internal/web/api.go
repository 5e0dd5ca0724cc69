package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"qlink/internal/search"
)

type apiList struct {
	Total int `json:"total"`
	// Page is absent when the list continues a cursor.
	Page  int `json:"page,omitempty"`
	Limit int `json:"limit"`
	// Items is left empty to encode: the items are spliced in encoded
	// (kept.go).
	Items []apiCourse `json:"items"`
	// Cursor continues the list after its last item; Next is the address
	// that does so. Both are absent on the last page.
	Cursor string                      `json:"cursor,omitempty"`
	Next   string                      `json:"next,omitempty"`
	Facets map[search.Facet][]apiFacet `json:"facets"`
	// FacetTotals counts each facet's values with hits: more than Facets
	// lists when facet_limit cut the list.
	FacetTotals map[search.Facet]int `json:"facetTotals"`
}

type apiFacet struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// apiCourses answers GET /api/v1/courses with the same parameters as the
// catalogue page, plus cursor: page= reaches the first maxResultWindow
// results, a cursor walks on through all of them; and facet_limit, the
// values listed per facet.
func (s *Server) apiCourses(w http.ResponseWriter, r *http.Request) {
	params, err := parseAPISearch(r.URL.Query())
	if err != nil {
		var refused *limitError
		if errors.As(err, &refused) { // the body names the parameter and the limit
			writeJSON(w, http.StatusBadRequest, refused)
		} else {
			writeJSONError(w, http.StatusBadRequest, err.Error())
		}
		return
	}
	res, err := s.opts.Index.Search(r.Context(), params.Query)
	if errors.Is(err, search.ErrSortKey) { // a cursor made under another order
		writeJSON(w, http.StatusBadRequest, paramErrorf("cursor", 0, "cursor does not fit this query; start again without it"))
		return
	}
	if err != nil {
		s.logFailure(r, "api search", err, "query", r.URL.RawQuery)
		writeJSONError(w, http.StatusInternalServerError, "search failed")
		return
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	items, err := s.courseItems(r.Context(), ids)
	if err != nil {
		s.logFailure(r, "api courses", err)
		writeJSONError(w, http.StatusInternalServerError, "loading courses failed")
		return
	}
	out := apiList{Total: res.Total, Page: params.Page, Limit: params.Limit, Items: []apiCourse{},
		Facets: map[search.Facet][]apiFacet{}, FacetTotals: map[search.Facet]int{}}
	if params.After != nil {
		out.Page = 0
	}
	// A full page may have more after it; the walk ends on a page that is
	// not full (or, rarely, on an empty one).
	if len(res.Hits) == params.Limit {
		next, cursor := params.nextURL("/api/v1/courses", res.Hits[len(res.Hits)-1].Key)
		out.Cursor, out.Next = cursor, s.opts.BaseURL+next
		w.Header().Set("Link", "<"+out.Next+`>; rel="next"`)
	}
	for _, f := range search.Facets {
		counts := res.Facets[f] // by count, then value
		out.FacetTotals[f] = len(counts)
		out.Facets[f] = make([]apiFacet, 0, min(len(counts), params.FacetLimit))
		for _, fc := range counts[:min(len(counts), params.FacetLimit)] {
			out.Facets[f] = append(out.Facets[f], apiFacet{Value: fc.Value, Label: s.valueLabel(r.Context(), f, fc.Value), Count: fc.Count})
		}
	}
	body, err := json.Marshal(out)
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, "encoding failed")
		return
	}
	setJSONHeaders(w.Header())
	writeSpliced(w, body, items)
}

func (s *Server) apiCourse(w http.ResponseWriter, r *http.Request) {
	items, err := s.courseItems(r.Context(), []string{r.PathValue("id")})
	if err != nil {
		s.log.Error("api course", "error", err)
		writeJSONError(w, http.StatusInternalServerError, "loading the course failed")
		return
	}
	if len(items) == 0 {
		writeJSONError(w, http.StatusNotFound, "no course with id "+r.PathValue("id"))
		return
	}
	writeJSONBody(w, http.StatusOK, items[0])
}

// parseAPISearch reads the catalogue's parameters and the API's cursor,
// which replaces page.
func parseAPISearch(v url.Values) (searchParams, error) {
	cursor := v.Get("cursor")
	if cursor != "" && v.Get("page") != "" {
		return searchParams{}, paramErrorf("cursor", 0, "cursor and page cannot be used together: a cursor continues where the last page ended")
	}
	params, err := parseSearch(v)
	if err != nil {
		return params, err
	}
	params.facetLimitRaw = strings.TrimSpace(v.Get("facet_limit"))
	if params.FacetLimit, err = parseInt("facet_limit", params.facetLimitRaw, defaultFacetLimit, 0, maxFacetLimit); err != nil || cursor == "" {
		return params, err
	}
	params.After, err = decodeCursor(cursor, params)
	return params, err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"encoding failed"}`, http.StatusInternalServerError)
		return
	}
	writeJSONBody(w, status, body)
}

func writeJSONBody(w http.ResponseWriter, status int, body []byte) {
	setJSONHeaders(w.Header())
	w.WriteHeader(status)
	w.Write(body)
}

func setJSONHeaders(h http.Header) {
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Access-Control-Allow-Origin", "*") // public, read-only data
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// apiMethodNotAllowed refuses a method that would change something: every
// route is read-only, so GET and HEAD are all that is ever allowed.
func apiMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, HEAD")
	writeJSONError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed: the API is read-only (GET, HEAD)")
}
