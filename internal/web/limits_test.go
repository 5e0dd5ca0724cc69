package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"qlink/internal/search"
)

// manyValues is a query string giving param n distinct values, one
// parameter each ("country=V0&country=V1…").
func manyValues(param string, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte('&')
		}
		fmt.Fprintf(&b, "%s=V%d", param, i)
	}
	return b.String()
}

// commaValues is a query string giving param n distinct values in one
// comma-separated parameter.
func commaValues(param string, n int) string {
	var b strings.Builder
	b.WriteString(param + "=")
	for i := range n {
		fmt.Fprintf(&b, "V%d,", i)
	}
	return b.String()
}

// hugeQuery is a query string of at least size bytes: country values,
// comma-separated, as in the review's 910 KB request.
func hugeQuery(size int) string {
	var b strings.Builder
	b.WriteString("country=")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "C%06d,", i)
	}
	return b.String()
}

// The review's hostile requests, sent over loopback, are refused with a
// status and a message that name the parameter and the limit.
func TestHostileRequestsAreRefused(t *testing.T) {
	ts := newTestServer(t)
	eAcute500, eAcute501 := strings.Repeat("é", 500), strings.Repeat("é", 501)
	cases := []struct {
		name, path string
		status     int
		want       []string
	}{
		{"page, a few hundred countries", "/?" + manyValues("country", 300), 400,
			[]string{"country has more than 50 values", `role="alert"`, `<a href="/">`}},
		{"api, a few hundred countries", "/api/v1/courses?" + manyValues("country", 300), 400,
			[]string{`"parameter":"country"`, `"limit":50`, "more than 50 values"}},
		{"api, 90,000 countries", "/api/v1/courses?" + commaValues("country", 90_000), 414,
			[]string{`"parameter":"query"`, `"limit":8192`}},
		{"page, 910 KB query", "/?" + hugeQuery(910<<10), 414,
			[]string{"the limit is 8,192 bytes", "Back to the catalogue"}},
		{"api, 101 values in all", "/api/v1/courses?" + manyValues("country", 50) + "&" + manyValues("language", 50) + "&eqf=6", 400,
			[]string{`"parameter":"eqf"`, `"limit":100`}},
		{"api, ects_min NaN", "/api/v1/courses?ects_min=NaN", 400, []string{`"parameter":"ects_min"`, "between 0 and 1000"}},
		{"api, ects_max NaN", "/api/v1/courses?ects_max=nan", 400, []string{`"parameter":"ects_max"`}},
		{"api, ects_max Inf", "/api/v1/courses?ects_max=Inf", 400, []string{`"parameter":"ects_max"`}},
		{"api, ects_min -Inf", "/api/v1/courses?ects_min=-Inf", 400, []string{`"parameter":"ects_min"`}},
		{"api, negative ects", "/api/v1/courses?ects_min=-1", 400, []string{`"parameter":"ects_min"`}},
		{"api, min above max", "/api/v1/courses?ects_min=10&ects_max=5", 400, []string{"above ects_max"}},
		{"page, ects_min NaN", "/?ects_min=NaN", 400, []string{"ects_min must be a number", `<a href="/">`}},
		{"api, page 1e9", "/api/v1/courses?page=1000000000", 400, []string{`"parameter":"page"`, `"limit":500`, "first 10000 results"}},
		{"api, past the result window", "/api/v1/courses?page=101&limit=100", 400, []string{`"parameter":"page"`, `"limit":100`}},
		{"page, page 1e9", "/?page=1000000000", 400, []string{"page must be a whole number from 1 to 500"}},
		{"api, q of 501 characters", "/api/v1/courses?q=" + eAcute501, 400, []string{`"parameter":"q"`, `"limit":500`}},
		{"api, malformed escape", "/api/v1/courses?q=%zz", 400, []string{`"parameter":"query"`, `malformed`, `%zz`}},
		{"page, malformed escape", "/?country=DE&q=%zz", 400, []string{"The address is malformed", "%zz"}},
		{"api, q not UTF-8", "/api/v1/courses?q=%c3%28", 400, []string{`"parameter":"q"`, "not valid UTF-8"}},
		{"page, q not UTF-8", "/?q=%c3%28", 400, []string{"q is not valid UTF-8", "\uFFFD("}},
		// What people do stays allowed.
		{"api, q of 500 two-byte characters", "/api/v1/courses?q=" + eAcute500, 200, []string{`"total":0`}},
		{"api, last page of the window", "/api/v1/courses?page=100&limit=100", 200, []string{`"page":100`}},
		{"api, 50 values in each of two facets", "/api/v1/courses?" + manyValues("country", 50) + "&" + manyValues("language", 50), 200, []string{`"total":0`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, ts.URL+tc.path)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d\n%.500s", resp.StatusCode, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("missing %q in\n%.500s", w, body)
				}
			}
			wantJSON := strings.HasPrefix(tc.path, "/api/")
			if isJSON := strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"); isJSON != wantJSON {
				t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
		})
	}
}

// A search refused with 400 comes back as the catalogue fragment with the
// message, and htmx is told to swap 400s in (by default it drops every
// 4xx), so a reader who ticks one filter too many sees why nothing changed.
func TestRefusedSearchSwapsInPlace(t *testing.T) {
	ts := newTestServer(t)
	resp, body := get(t, ts.URL+"/?"+manyValues("country", 51), "HX-Request", "true")
	if resp.StatusCode != 400 || !strings.Contains(body, `id="catalogue"`) || !strings.Contains(body, "more than 50 values") ||
		strings.Contains(body, "<!doctype") {
		t.Errorf("htmx request: %d\n%.500s", resp.StatusCode, body)
	}
	_, page := get(t, ts.URL+"/")
	_, config, _ := strings.Cut(page, `name="htmx-config" content='`)
	config, _, _ = strings.Cut(config, "'")
	var cfg struct {
		ResponseHandling []struct {
			Code string `json:"code"`
			Swap bool   `json:"swap"`
		} `json:"responseHandling"`
	}
	if err := json.Unmarshal([]byte(config), &cfg); err != nil {
		t.Fatalf("htmx-config %q: %v", config, err)
	}
	// htmx takes the first rule whose code (a regular expression) matches.
	for _, rule := range cfg.ResponseHandling {
		if regexp.MustCompile(rule.Code).MatchString("400") {
			if !rule.Swap {
				t.Errorf("htmx does not swap 400 responses in: %s", config)
			}
			return
		}
	}
	t.Errorf("no htmx rule for 400 responses: %s", config)
}

// bytesPerRequest is the memory the handler allocates to answer target,
// averaged over a few requests, and the last response.
func bytesPerRequest(h http.Handler, target string) (uint64, *httptest.ResponseRecorder) {
	const runs = 4
	// Parsing the target is the server's work before the handler's, so
	// the requests are made outside the measurement.
	reqs, recs := make([]*http.Request, runs), make([]*httptest.ResponseRecorder, runs)
	for i := range runs {
		reqs[i], recs[i] = httptest.NewRequest(http.MethodGet, target, nil), httptest.NewRecorder()
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range runs {
		h.ServeHTTP(recs[i], reqs[i])
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / runs, recs[runs-1]
}

// Hostile requests cost the handler little memory, and the largest
// request within the limits a bounded amount. Before the limits, the
// few-hundred-countries page alone allocated tens of megabytes.
func TestRequestMemoryIsBounded(t *testing.T) {
	h := newTestServer(t).Config.Handler
	cases := []struct {
		name, target string
		status       int
		maxBytes     uint64
	}{
		{"page, a few hundred countries", "/?" + manyValues("country", 300), 400, 512 << 10},
		{"page, a few hundred countries in one value", "/?country=" + strings.Repeat("AB,", 300) + manyValues("x", 1), 200, 512 << 10},
		{"api, a few hundred countries", "/api/v1/courses?" + manyValues("country", 300), 400, 256 << 10},
		{"page, 910 KB query", "/?" + hugeQuery(910<<10), 414, 256 << 10},
		{"api, 90,000 countries", "/api/v1/courses?" + commaValues("country", 90_000), 414, 256 << 10},
		// The worst accepted page: every value gets a remove-link carrying
		// the others, so this grows with the square of the cap. About 4.3 MB
		// (4.4 MB under the race detector, which allocates more).
		{"page, 100 values in all", "/?" + manyValues("country", 50) + "&" + manyValues("language", 50) + "&q=data", 200, 6 << 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, rec := bytesPerRequest(h, tc.target)
			t.Logf("%d KB allocated, %d KB answered", n>>10, rec.Body.Len()>>10)
			if n > tc.maxBytes {
				t.Errorf("%d bytes allocated for one request, want at most %d", n, tc.maxBytes)
			}
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d\n%.500s", rec.Code, tc.status, rec.Body.String())
			}
		})
	}
}

// parseSearch is linear: 90,000 values of one facet cost a bounded number
// of allocations (it stops at the cap), and so do 90,000 repeats of one
// value (a set, not a list, finds the repeats).
func TestParseSearchManyValues(t *testing.T) {
	distinct, repeated := url.Values{}, url.Values{}
	for i := range 90_000 {
		distinct.Add("country", fmt.Sprintf("C%d", i))
		repeated.Add("country", "DE")
	}
	if _, err := parseSearch(distinct); err == nil || !strings.Contains(err.Error(), "more than 50 values") {
		t.Fatalf("90,000 values: err %v", err)
	}
	if allocs := testing.AllocsPerRun(3, func() { parseSearch(distinct) }); allocs > 200 {
		t.Errorf("90,000 distinct values: %.0f allocations, want at most 200", allocs)
	}
	p, err := parseSearch(repeated)
	if err != nil || len(p.Filters[search.FacetCountry]) != 1 {
		t.Fatalf("90,000 repeats: %v %v", p.Filters, err)
	}
	if allocs := testing.AllocsPerRun(3, func() { parseSearch(repeated) }); allocs > 200 {
		t.Errorf("90,000 repeats: %.0f allocations, want at most 200", allocs)
	}
}

// A remove-link drops exactly its own value and keeps the rest of the
// search in url.Values.Encode's order.
func TestActiveFilterLinks(t *testing.T) {
	ts := newTestServer(t)
	_, body := get(t, ts.URL+"/?q=a+b&country=DE&country=NL&eqf=7&ects_min=3&limit=10")
	for _, want := range []string{
		`href="/?country=NL&amp;ects_min=3&amp;eqf=7&amp;limit=10&amp;q=a&#43;b"`, // without Germany
		`href="/?country=DE&amp;country=NL&amp;ects_min=3&amp;limit=10&amp;q=a&#43;b"`,
		`href="/?country=DE&amp;country=NL&amp;eqf=7&amp;limit=10&amp;q=a&#43;b"`, // without the ECTS bound
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no remove-link %s", want)
		}
	}
	_, body = get(t, ts.URL+"/?country=DE")
	if !strings.Contains(body, `href="/" hx-get="/"`) {
		t.Error("removing the only filter must link to the bare catalogue")
	}
}

// Every route is read-only: other methods get 405 with Allow, HEAD keeps
// working, and /static/ serves files, never a directory listing.
func TestMethodsAndStaticFiles(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"POST", "/", 405},
		{"PUT", "/courses/x", 405},
		{"DELETE", "/api/v1/courses", 405},
		{"POST", "/api/v1/courses/x", 405},
		{"GET", "/api/v1/nothing", 404},
		{"PUT", "/api/v1/nothing", 405},
		{"PATCH", "/static/style.css", 405},
		{"HEAD", "/", 200},
		{"HEAD", "/api/v1/courses", 200},
		{"HEAD", "/static/style.css", 200},
		{"GET", "/static/style.css", 200},
		{"GET", "/static/app.js", 200},
		{"GET", "/static/", 404},
		{"GET", "/static/vendor/", 404},
		{"GET", "/static/vendor", 404},
		{"HEAD", "/static/vendor/", 404},
		{"GET", "/static/nope.css", 404},
	} {
		req, _ := http.NewRequest(tc.method, ts.URL+tc.path, strings.NewReader("x=1"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
		}
		// The API answers its refusals in JSON, as it answers everything.
		if strings.HasPrefix(tc.path, "/api/") && tc.status >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: Content-Type %q, want JSON", tc.method, tc.path, resp.Header.Get("Content-Type"))
		}
		if allow := resp.Header.Get("Allow"); tc.status == 405 && !strings.Contains(allow, "GET") {
			t.Errorf("%s %s: Allow %q", tc.method, tc.path, allow)
		}
		if tc.status == 405 && resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s %s: security headers missing", tc.method, tc.path)
		}
	}
}

// The server's header cap leaves room for the longest address the
// handler accepts, so a request within maxURIBytes is never cut short.
func TestHeaderCapFitsTheAddressLimit(t *testing.T) {
	if MaxHeaderBytes < 2*maxURIBytes {
		t.Errorf("MaxHeaderBytes %d leaves too little room above the address limit %d", MaxHeaderBytes, maxURIBytes)
	}
	srv := httptest.NewUnstartedServer(newTestServer(t).Config.Handler)
	srv.Config.MaxHeaderBytes = MaxHeaderBytes
	srv.Start()
	defer srv.Close()
	const path = "/api/v1/courses?x="
	r, body := get(t, srv.URL+path+strings.Repeat("a", maxURIBytes-len(path)+1)) // "?" is not part of either
	if r.StatusCode != http.StatusOK {
		t.Errorf("a query just within the limit: %d %.300s", r.StatusCode, body)
	}
	if r, _ := get(t, srv.URL+"/?"+hugeQuery(910<<10)); r.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("910 KB request line: %d, want 431 from the server", r.StatusCode)
	}
}

// BenchmarkHostileRequests measures what the review's requests cost the
// handler now (B/op, allocs/op), beside the largest request accepted.
//
//	go test -run '^$' -bench HostileRequests -benchmem ./internal/web
func BenchmarkHostileRequests(b *testing.B) {
	h := newTestServer(b).Config.Handler
	for _, bc := range []struct{ name, target string }{
		{"page_300_countries_refused", "/?" + manyValues("country", 300)},
		{"api_90000_countries_refused", "/api/v1/courses?" + commaValues("country", 90_000)},
		{"page_910KB_refused", "/?" + hugeQuery(910<<10)},
		{"page_100_values_accepted", "/?" + manyValues("country", 50) + "&" + manyValues("language", 50)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, bc.target, nil)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
