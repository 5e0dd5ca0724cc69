package web

import (
	"net/http"
	"strings"
)

// corsMaxAge is how long, in seconds, a browser may reuse a preflight
// answer: the API's methods and headers never change at run time.
const corsMaxAge = "86400"

// cors opens the API to scripts on any origin: its data is public and it
// takes no credentials, so "*" gives nothing away. Pages stay same-origin.
// A preflight (OPTIONS with Access-Control-Request-Method) is answered
// here with 204; any other OPTIONS goes on to the API's JSON 405.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAPIPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		switch {
		case r.Method == http.MethodGet || r.Method == http.MethodHead:
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Expose-Headers", "ETag, Link, Retry-After, RateLimit-Limit, RateLimit-Remaining")
		case r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "":
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Allow-Methods", "GET, HEAD")
			h.Set("Access-Control-Allow-Headers", "Accept, Accept-Language, If-None-Match")
			h.Set("Access-Control-Max-Age", corsMaxAge)
			h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isAPIPath(path string) bool { return strings.HasPrefix(path, "/api/") }
