package web

import (
	"net/http/httptest"
	"slices"
	"testing"
)

// FuzzNegotiate: any Accept header and format parameter pick one of the
// representations on offer or none, never more ranges than the cap.
func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "*/*", "text/turtle;q=0.5, application/ld+json", "text/*;q=0.", "a/b;q=1;x=\"y,z\"", ";;,,/", "*/x"} {
		f.Add(s, "")
	}
	f.Add("text/html", "nt")
	f.Fuzz(func(t *testing.T, accept, format string) {
		if n := len(parseAccept([]string{accept})); n > maxAcceptRanges {
			t.Fatalf("%d ranges read, more than %d", n, maxAcceptRanges)
		}
		r := httptest.NewRequest("GET", "/id/course/x", nil)
		q := r.URL.Query()
		q.Set("format", format)
		r.URL.RawQuery = q.Encode()
		r.Header.Set("Accept", accept)
		if rep, ok := negotiate(r); ok && !slices.Contains(representations, rep) {
			t.Fatalf("negotiate chose %+v, which is not on offer", rep)
		}
	})
}
