package web

import (
	"fmt"
	"net/http"
	"net/url"
)

// The limits of one request. Each sits far above what a person clicking
// through the catalogue or a program paging through the API ever sends, and
// together they bound the memory and CPU a single request can cost: without
// them a few hundred facet values made pages of hundreds of megabytes.
// README.md ("The API") documents them; keep the two in step.
const (
	// MaxHeaderBytes caps the request line and headers as the HTTP server
	// reads them (Go's default is 1 MB), so an oversized address is refused
	// before it is parsed; the server answers 431.
	MaxHeaderBytes = 64 << 10
	// maxURIBytes caps the path and query string together; longer ones get
	// 414 before any parameter is parsed.
	maxURIBytes = 8 << 10
	// maxBodyBytes caps any request body but the manifest page's forms,
	// which take a pasted manifest (bodyLimit).
	maxBodyBytes = 64 << 10
	// maxTextRunes caps the free-text query q, in characters.
	maxTextRunes = 500
	// maxCourseIDBytes caps a course identifier to resolve; the longest
	// real ones (IRIs of ELM nodes) are a few hundred bytes.
	maxCourseIDBytes = 2048
	// maxAcceptRanges caps the media ranges of an Accept header that
	// negotiation reads; browsers send fewer than ten.
	maxAcceptRanges = 32
	// maxCandidates caps the courses a shared identifier lists (300).
	maxCandidates = 50
	// maxValuesPerFacet caps the distinct values of one facet parameter,
	// maxFacetValues those of all facets together.
	maxValuesPerFacet = 50
	maxFacetValues    = 100
	// maxFacetLimit caps facet_limit, the values the API lists per facet:
	// far above the values a facet has (the institutions of Europe are
	// about 5,000), so it only stops a request from asking for a silly
	// allocation.
	maxFacetLimit = 10_000
	// maxLimit is the largest page size.
	maxLimit = 100
	// maxResultWindow caps page × limit: the index collects every hit up to
	// the end of the page asked for, so deep pages cost more and more.
	maxResultWindow = 10_000
)

// defaultLimit is the page size when none is asked for.
const defaultLimit = 20

// defaultFacetLimit is how many values of each facet the API lists when
// facet_limit is not given, those with the most hits: every country,
// language, level, field, type and mode, and the hundred institutions
// with the most courses among a thousand.
const defaultFacetLimit = 100

// facetShown is how many values of a facet the catalogue page lists, those
// with the most hits, before a link lists them all; chosen values are
// always listed. A thousand institutions' checkboxes on every page would
// weigh a quarter of a megabyte and be read by nobody.
const facetShown = 10

// facetListedWhole is the most values a facet may have and still be
// listed whole: a link to show three more lines would cost the reader
// more than the lines.
const facetListedWhole = 15

// limitError is a request refused for going past one of the limits above
// or for a malformed parameter; the API returns its fields as they are.
type limitError struct {
	Message string `json:"error"`
	// Param names the offending parameter ("country", "page", "query").
	Param string `json:"parameter"`
	// Limit is the bound that was exceeded; 0 when the value was malformed.
	Limit int `json:"limit,omitempty"`
	// format and args make Message, for pages to translate it.
	format string
	args   []any
}

func (e *limitError) Error() string { return e.Message }

func paramErrorf(param string, limit int, format string, args ...any) *limitError {
	return &limitError{Param: param, Limit: limit, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// limitMessage is a refused request's reason in the reader's language.
func (s *Server) limitMessage(r *http.Request, err error) string {
	if le, ok := err.(*limitError); ok {
		return s.tr(r, le.format, le.args...)
	}
	return err.Error()
}

// limitRequests refuses requests whose address is too long, before the
// query is parsed, and caps bodies.
func (s *Server) limitRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := len(r.URL.Path) + len(r.URL.RawQuery); n > maxURIBytes {
			err := paramErrorf("query", maxURIBytes, "the request address is %d bytes long; the limit is %d bytes", n, maxURIBytes)
			s.refuse(w, r, http.StatusRequestURITooLong, err)
			return
		}
		// r.URL.Query() drops a malformed pair without a word, and a
		// search would then answer as if it had not been asked.
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			s.malformedQuery(w, r, err)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, bodyLimit(r))
		next.ServeHTTP(w, r)
	})
}

// malformedQuery answers a request whose query string does not parse.
func (s *Server) malformedQuery(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		writeJSON(w, http.StatusBadRequest, paramErrorf("query", 0, "the query string is malformed: %v", err))
		return
	}
	s.errorPage(w, r, http.StatusBadRequest, s.tr(r, "The address is malformed: %s.", err.Error()))
}

// refuse answers a request the server will not serve as asked: JSON under
// /api/, an error page with a way back for people elsewhere.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, err *limitError) {
	if isAPI(r) {
		writeJSON(w, status, err)
		return
	}
	s.errorPage(w, r, status, s.tr(r, "This search asks for too much: %s. Please start again with fewer filters.", s.limitMessage(r, err)))
}

func isAPI(r *http.Request) bool { return isAPIPath(r.URL.Path) }

// isOperationPath tells the operator's monitoring routes, which neither
// rate limits nor the catalogue's rules apply to.
func isOperationPath(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}
