package web

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"qlink/internal/check"
	"qlink/internal/manifest"
)

// newManifestServer serves the publishers' page with checker (nil: none).
func newManifestServer(t *testing.T, checker Checker) *httptest.Server {
	t.Helper()
	srv, err := New(Options{Checker: checker})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// postForm posts a form as a browser that loaded the builder does, with
// its CSRF cookie and token.
func postForm(t *testing.T, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	base, _, _ := strings.Cut(strings.TrimPrefix(u, "http://"), "/")
	cookie, token := anonymousForm(t, "http://"+base, "/manifest")
	resp, err := postWithToken(u, form.Encode(), cookie, token)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// checkLines is what `qlink check` prints for a manifest's diagnostics.
func checkLines(t *testing.T, body string) []string {
	t.Helper()
	_, diags, _ := manifest.Parse([]byte(body))
	var out bytes.Buffer
	check.Write(&out, check.Report{Target: "x", ManifestURL: "https://x/m", Diagnostics: diags})
	var lines []string
	for _, l := range strings.Split(out.String(), "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "error at") || strings.HasPrefix(l, "warning at") {
			lines = append(lines, l)
		}
	}
	return lines
}

func TestManifestValidatorSpeaksLikeQlinkCheck(t *testing.T) {
	ts := newManifestServer(t, nil)
	cases := []struct {
		name, body string
		status     int
		want       []string // besides every line qlink check prints
	}{
		{"good JSON", `{"meta": {"schac": "uni-example.eu"},
 "sources": [{"type": "ooapi", "version": "5", "path": "https://api.uni-example.eu/ooapi/v5", "auth": {"type": "none"}}]}`,
			http.StatusOK, []string{"Valid: the aggregator can harvest 1 source(s)."}},
		{"bad JSON", `{
  "sources": [
    {"type": "ooapi", "path": "https://api.uni-example.eu/"},
    {"type": "soap",
     "path": "ftp://files.uni-example.eu/x"}
  ],
  "colour": "blue"
}`, http.StatusOK, []string{"(line 4)", "(line 5)", "(line 7)", "The aggregator can harvest 1 source(s); the errors below leave the others out."}},
		{"bad YAML", "sources:\n  - type: elm\n    path: relative/file.ttl\n    auth:\n      type: httpheader\n", http.StatusBadRequest,
			[]string{"error at /sources/0/path (line 3)", "The aggregator cannot use this manifest."}},
		{"not a manifest", "[1, 2", http.StatusBadRequest, []string{"not valid JSON"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, page := postForm(t, ts.URL+"/manifest/validate", url.Values{"manifest": {tc.body}})
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			text := html.UnescapeString(page)
			lines := checkLines(t, tc.body)
			if tc.name != "good JSON" && len(lines) == 0 {
				t.Fatalf("qlink check finds nothing wrong with %q", tc.body)
			}
			for _, want := range append(lines, tc.want...) {
				if !strings.Contains(text, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			if !strings.Contains(text, tc.body) {
				t.Error("the page should show the pasted manifest again")
			}
		})
	}
}

// builderForm is a filled-in builder form with two sources, the second
// protected by an encrypted header.
func filledBuilderForm() url.Values {
	ciphertext := strings.Repeat("QUJD", 64) // stands for a 192-byte ciphertext
	return url.Values{
		"csrf": {""}, "schac": {"uni-example.eu"}, "eterid": {"DE0001"}, "deqarid": {""}, "did": {""},
		"manifest_url": {"https://www.uni-example.eu/ql/manifest.json"},
		"type":         {"ooapi", "elm"}, "version": {"5", "3.3"},
		"path": {"https://api.uni-example.eu/ooapi/v5", "https://data.uni-example.eu/courses.ttl"},
		"name": {"Course catalogue", ""}, "id": {"", "elm-1"}, "refresh": {"12", ""},
		"auth": {"none", "httpheader"}, "field": {"", "X-API-Key"}, "value": {"", ciphertext},
		"token_endpoint": {"", ""}, "scope": {"", ""}, "client_id": {"", ""}, "client_secret": {"", ""},
	}
}

func TestManifestBuilderDownloadsRoundTrip(t *testing.T) {
	ts := newManifestServer(t, nil)
	form := filledBuilderForm()
	resp, page := postForm(t, ts.URL+"/manifest", form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Valid: the aggregator can harvest 2 source(s).") {
		t.Fatalf("status %d:\n%s", resp.StatusCode, page)
	}
	text := html.UnescapeString(page)
	for _, want := range []string{`"schac": "uni-example.eu"`, "schac: uni-example.eu", `"field": "X-API-Key"`,
		`uni-example.eu. 3600 IN TXT "v=qldiscover1; m=https://www.uni-example.eu/ql/manifest.json"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, format := range []string{"json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			form := filledBuilderForm()
			form.Set("format", format)
			resp, body := postForm(t, ts.URL+"/manifest/download", form)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="quality-link-manifest.`+format+`"` {
				t.Errorf("Content-Disposition %q", cd)
			}
			m, diags, err := manifest.Parse([]byte(body))
			if err != nil || len(diags) > 0 {
				t.Fatalf("%v %v\n%s", err, diags, body)
			}
			if m.Meta.SCHAC != "uni-example.eu" || m.Meta.ETERID != "DE0001" || len(m.Sources) != 2 {
				t.Fatalf("%+v", m)
			}
			first, second := m.Sources[0], m.Sources[1]
			if first.Type != "ooapi" || first.Version != "5" || first.Path != "https://api.uni-example.eu/ooapi/v5" ||
				first.Name != "Course catalogue" || first.Refresh != 12 || first.Auth.Type != "none" {
				t.Errorf("first source %+v", first)
			}
			if second.Type != "elm" || second.ID != "elm-1" || second.Auth.Type != "httpheader" ||
				second.Auth.Other["field"] != "X-API-Key" || second.Auth.Other["value"] != form["value"][1] {
				t.Errorf("second source %+v", second)
			}
		})
	}
}

func TestManifestBuilderEditsSourcesWithoutScript(t *testing.T) {
	ts := newManifestServer(t, nil)
	form := filledBuilderForm()
	form.Set("op", "add")
	_, page := postForm(t, ts.URL+"/manifest", form)
	if n := strings.Count(page, `<fieldset class="source" data-source>`); n != 4 { // three, and the template's
		t.Errorf("after add: %d source groups, want 3 and the template", n)
	}
	form.Set("op", "remove-0")
	_, page = postForm(t, ts.URL+"/manifest", form)
	if n := strings.Count(page, `<fieldset class="source" data-source>`); n != 2 || strings.Contains(page, "Course catalogue") {
		t.Errorf("after removing the first: %d source groups", n)
	}
	if strings.Contains(page, `id="output"`) {
		t.Error("editing the list should not build the manifest yet")
	}
}

func TestDNSRecord(t *testing.T) {
	cases := []struct {
		domain, url, zone, problem string
	}{
		{"Uni-Example.EU.", "", `uni-example.eu. 3600 IN TXT "v=qldiscover1; m=https://uni-example.eu/.well-known/quality-link-manifest.json"`, ""},
		{"uni-example.eu", "https://cdn.example.net/m.yaml", `uni-example.eu. 3600 IN TXT "v=qldiscover1; m=https://cdn.example.net/m.yaml"`, ""},
		{"", "https://cdn.example.net/m.yaml", "", "SCHAC code"},
		{"uni-example.eu", "https://x.eu/a\";b", "", "quotes"},
		{"uni-example.eu", "manifest.json", "", "absolute"},
	}
	for _, tc := range cases {
		r := dnsRecord(tc.domain, tc.url)
		if tc.problem != "" {
			if !strings.Contains(r.Problem, tc.problem) || r.Value != "" {
				t.Errorf("%q %q: %+v", tc.domain, tc.url, r)
			}
			continue
		}
		if r.Problem != "" || r.ZoneLine() != tc.zone {
			t.Errorf("%q %q: %q (%s), want %q", tc.domain, tc.url, r.ZoneLine(), r.Problem, tc.zone)
		}
	}
}

func TestManifestPageRefusesHostileInput(t *testing.T) {
	ts := newManifestServer(t, nil)
	nested := "sources: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	var bomb strings.Builder
	bomb.WriteString("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	for i := 'b'; i <= 'z'; i++ {
		prev := string(i - 1)
		bomb.WriteString(string(i) + ": &" + string(i) + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n")
	}
	bomb.WriteString("sources: *z\n")
	cases := []struct {
		name   string
		body   string
		status int
	}{
		{"huge paste", "manifest=" + strings.Repeat("x", maxPasteBytes+1), http.StatusRequestEntityTooLarge},
		{"huge body", "manifest=" + strings.Repeat("%41", maxManifestFormBytes/3+10), http.StatusRequestEntityTooLarge},
		{"deeply nested YAML", url.Values{"manifest": {nested}}.Encode(), http.StatusBadRequest},
		{"deeply nested JSON", url.Values{"manifest": {`{"sources":` + strings.Repeat("[", 60000)}}.Encode(), http.StatusBadRequest},
		{"aliases bomb", url.Values{"manifest": {bomb.String()}}.Encode(), http.StatusBadRequest},
		{"invalid UTF-8", "manifest=%7B%22sources%22%3A%5B%7B%22type%22%3A%22%FF%FE%22%7D%5D%7D", http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cookie, token := anonymousForm(t, ts.URL, "/manifest")
			resp, err := postWithToken(ts.URL+"/manifest/validate", tc.body, cookie, token)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d\n%.500s", resp.StatusCode, tc.status, body)
			}
			// The page may show a paste again, never more.
			if len(body) > maxPasteBytes+64<<10 {
				t.Errorf("a %d-byte answer", len(body))
			}
		})
	}
	t.Run("misaligned source fields", func(t *testing.T) {
		form := filledBuilderForm()
		form["path"] = form["path"][:1]
		resp, page := postForm(t, ts.URL+"/manifest", form)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "do not line up") {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}

// fakeChecker stands in for the harvest's checker: it counts calls and
// can hold them until released, so concurrency can be tested.
type fakeChecker struct {
	calls   atomic.Int32
	release chan struct{}
}

func (f *fakeChecker) Check(ctx context.Context, target string) check.Report {
	f.calls.Add(1)
	if f.release != nil {
		select {
		case <-f.release:
		case <-ctx.Done():
		}
	}
	return check.Report{Target: target, Pass: true, ManifestURL: "https://" + target + "/.well-known/quality-link-manifest",
		Sources: []check.SourceReport{{Type: "ooapi", Path: "https://" + target + "/ooapi", Auth: "none", Courses: 3, Pages: 1, Sample: []string{"Data <b>science</b>"}}}}
}

func TestInstitutionCheckIsRateLimited(t *testing.T) {
	fake := &fakeChecker{}
	ts := newManifestServer(t, fake)
	resp, page := postForm(t, ts.URL+"/manifest/check", url.Values{"target": {"uni-example.eu"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "PASS") || !strings.Contains(page, "Data &lt;b&gt;science&lt;/b&gt;") {
		t.Fatalf("status %d\n%s", resp.StatusCode, page)
	}
	resp, page = postForm(t, ts.URL+"/manifest/check", url.Values{"target": {"uni-other.eu"}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(page, "Too many checks") {
		t.Errorf("a second check at once from the same address: status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if n := fake.calls.Load(); n != 1 {
		t.Errorf("%d checks ran, want 1", n)
	}
	for _, bad := range []string{"not a domain", "https://uni-example.eu/" + strings.Repeat("m", maxTargetBytes)} {
		resp, _ = postForm(t, ts.URL+"/manifest/check", url.Values{"target": {bad}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("target %.40q: status %d, want 400", bad, resp.StatusCode)
		}
	}
	if n := fake.calls.Load(); n != 1 {
		t.Errorf("%d checks ran after refusals, want 1", n)
	}
}

func TestCheckLimiter(t *testing.T) {
	l := newCheckLimiter(10*time.Second, 2)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	relA, _ := l.acquire("a", t0)
	if relA == nil {
		t.Fatal("the first check should run")
	}
	if rel, wait := l.acquire("a", t0.Add(4*time.Second)); rel != nil || wait != 6*time.Second {
		t.Errorf("same client 4 s later: wait %s, want 6s", wait)
	}
	relB, _ := l.acquire("b", t0)
	if rel, wait := l.acquire("c", t0); rel != nil || wait != busyRetry {
		t.Errorf("a third at once: wait %s, want %s", wait, busyRetry)
	}
	relA()
	relA() // twice is harmless
	if rel, _ := l.acquire("c", t0.Add(time.Second)); rel == nil {
		t.Error("a slot freed should be taken")
	}
	relB()
	if rel, _ := l.acquire("a", t0.Add(11*time.Second)); rel == nil {
		t.Error("the client may check again after the interval")
	}
	if len(l.last) > 2 {
		t.Errorf("the limiter remembers %d clients; old ones should be forgotten", len(l.last))
	}
}

func TestClientKey(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.7:5000":             "192.0.2.7",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:443": "2001:db8:1:2::/64",
		"[::ffff:192.0.2.7]:80":      "192.0.2.7",
	} {
		if got := clientKey(&http.Request{RemoteAddr: addr}); got != want {
			t.Errorf("%s: %s, want %s", addr, got, want)
		}
	}
}

func TestInstitutionCheckWithoutChecker(t *testing.T) {
	ts := newManifestServer(t, nil)
	resp, _ := postForm(t, ts.URL+"/manifest/check", url.Values{"target": {"uni-example.eu"}})
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", resp.StatusCode)
	}
	resp, page := get(t, ts.URL+"/manifest")
	if resp.StatusCode != http.StatusOK || strings.Contains(page, `action="/manifest/check`) {
		t.Errorf("without a checker the page should offer no check form (status %d)", resp.StatusCode)
	}
}

// TestPastedManifestInBothNotations: a valid pasted manifest comes back
// in JSON and YAML, each parsing to the same manifest, keys in the order
// they were written.
func TestPastedManifestInBothNotations(t *testing.T) {
	ts := newManifestServer(t, nil)
	yamlIn := `# our manifest
sources:
  - type: elm
    path: https://data.uni-example.eu/courses.ttl
    version: "3.3"
    refresh: 12
    auth: &none {type: none}
  - type: ooapi
    path: https://api.uni-example.eu/ooapi/v5
    auth: *none
meta: {schac: uni-example.eu}
`
	jsonIn := `{"sources": [{"type": "occapi", "path": "https://api.uni-example.eu/occapi", "version": "2", "name": "<Catalogue> & more",
  "auth": {"type": "none"}}]}`
	for _, in := range []string{yamlIn, jsonIn} {
		resp, page := postForm(t, ts.URL+"/manifest/validate", url.Values{"manifest": {in}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		want, _, _ := manifest.Parse([]byte(in))
		for _, id := range []string{"pasted-json", "pasted-yaml"} {
			start := strings.Index(page, `<code id="`+id+`">`)
			if start < 0 {
				t.Fatalf("no %s on the page", id)
			}
			text := page[start+len(`<code id="`+id+`">`):]
			text = html.UnescapeString(text[:strings.Index(text, "</code>")])
			got, diags, err := manifest.Parse([]byte(text))
			if err != nil || len(diags) > 0 || got.Meta != want.Meta || len(got.Sources) != len(want.Sources) {
				t.Fatalf("%s: %v %v\n%s", id, err, diags, text)
			}
			for i := range got.Sources {
				g, w := got.Sources[i], want.Sources[i]
				if g.Type != w.Type || g.Path != w.Path || g.Version != w.Version || g.Name != w.Name || g.Refresh != w.Refresh || g.Auth.Type != w.Auth.Type {
					t.Errorf("%s source %d: %+v, want %+v", id, i, g, w)
				}
			}
			if strings.Index(text, "type") > strings.Index(text, "path") {
				t.Errorf("%s: keys out of the order written:\n%s", id, text)
			}
		}
	}
}
