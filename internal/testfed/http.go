package testfed

import (
	"hash/fnv"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// site is what one host name serves: fixed documents by path, and APIs
// mounted under path prefixes.
type site struct {
	files  map[string]file
	mounts []mount
}

type file struct {
	contentType  string
	body         []byte
	lastModified time.Time
}

// mount serves every path under prefix (which ends in "/"); serve gets the
// path relative to prefix.
type mount struct {
	prefix string
	serve  func(w http.ResponseWriter, r *http.Request, rel string)
}

// hostRouter is the handler of one loopback address: it dispatches on the
// Host header to the sites of that address.
type hostRouter struct {
	sites  map[string]*site
	log    *slog.Logger
	claims *claimTokens
}

func (h *hostRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	h.route(rec, r)
	h.log.Debug("testfed request", "method", r.Method, "host", r.Host, "path", r.URL.RequestURI(), "status", rec.status)
}

func (h *hostRouter) route(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	s := h.sites[strings.ToLower(strings.TrimSuffix(host, "."))]
	if s == nil {
		http.Error(w, "testfed: no site "+host+" at this address", http.StatusMisdirectedRequest)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if h.claims != nil && h.claims.serveFile(w, r, strings.ToLower(strings.TrimSuffix(host, "."))) {
		return
	}
	if f, ok := s.files[r.URL.Path]; ok {
		serveDoc(w, r, f.contentType, f.body, f.lastModified)
		return
	}
	for _, m := range s.mounts {
		if r.URL.Path == strings.TrimSuffix(m.prefix, "/") || strings.HasPrefix(r.URL.Path, m.prefix) {
			m.serve(w, r, strings.TrimPrefix(r.URL.Path, m.prefix))
			return
		}
	}
	http.NotFound(w, r)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

// Unwrap lets handlers flush through the recorder (slow-drip bodies).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// serveDoc writes body with an ETag and, when lastModified is set, a
// Last-Modified header, answering conditional requests with 304.
func serveDoc(w http.ResponseWriter, r *http.Request, contentType string, body []byte, lastModified time.Time) {
	etag := etagOf(body)
	h := w.Header()
	h.Set("ETag", etag)
	if !lastModified.IsZero() {
		h.Set("Last-Modified", lastModified.UTC().Format(http.TimeFormat))
	}
	if notModified(r, etag, lastModified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// etagOf returns the ETag the federation serves body with.
func etagOf(body []byte) string {
	sum := fnv.New64a()
	sum.Write(body)
	return `"` + strconv.FormatUint(sum.Sum64(), 16) + `"`
}

// notModified evaluates If-None-Match, or else If-Modified-Since (RFC 9110
// §13.2.2).
func notModified(r *http.Request, etag string, lastModified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == etag {
				return true
			}
		}
		return false
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || lastModified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !lastModified.Truncate(time.Second).After(t)
}

// queryInt parses a query parameter, def when it is absent.
func queryInt(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	return strconv.Atoi(s)
}

// collection answers a request for rel relative to an API root: a single
// document is served, an unknown path gets notFound's 404, and a
// collection is returned for the caller to page.
func collection[T any](w http.ResponseWriter, r *http.Request, rel string, docs map[string][]byte, lists map[string][]T,
	lastModified time.Time, notFound func(w http.ResponseWriter, status int, msg string)) ([]T, bool) {
	if doc, ok := docs[rel]; ok {
		serveDoc(w, r, contentTypeJSON, doc, lastModified)
		return nil, false
	}
	items, ok := lists[rel]
	if !ok {
		notFound(w, http.StatusNotFound, "no resource at /"+rel)
	}
	return items, ok
}
