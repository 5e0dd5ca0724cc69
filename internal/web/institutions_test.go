package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"qlink/internal/discovery"
	"qlink/internal/fetch"
	"qlink/internal/model"
	"qlink/internal/store"
	"qlink/internal/testfed"
)

// finderProviders are 23 providers: three with names, identifiers and
// countries worth searching for, and twenty fillers to page through.
func finderProviders() []model.Provider {
	ps := []model.Provider{
		{ID: "DEQARINST0042", SCHAC: "uni-lindenau.test", DEQAR: "DEQARINST0042", ETER: "DE0069", Country: "DE",
			Name: model.Text{"de": "Universität Lindenau", "en": "University of Lindenau"}},
		{ID: "P-FR", SCHAC: "univ-valmont.test", ETER: "FR0123", Country: "FR",
			Name: model.Text{"fr": "Université de Valmont", "en": "University of Valmont"}},
		{ID: "P-PL", SCHAC: "uw-krakowiec.test", Country: "PL", Name: model.Text{"pl": "Uniwersytet Krakowiecki"}},
	}
	for i := range 20 {
		ps = append(ps, model.Provider{ID: fmt.Sprintf("F%02d", i), SCHAC: fmt.Sprintf("filler%02d.test", i), Country: "NL",
			Name: model.Text{"en": fmt.Sprintf("Filler College %02d", i)}})
	}
	return ps
}

func newFinderServer(t *testing.T) (*httptest.Server, store.Store) {
	t.Helper()
	ctx := context.Background()
	st, idx := openTestStore(t), openTestIndex(t)
	if err := st.UpsertProviders(ctx, finderProviders()); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	for _, d := range []store.Discovery{
		{ProviderID: "DEQARINST0042", StartedAt: at.Add(-24 * time.Hour), Error: "discovery: no manifest found on uni-lindenau.test",
			Probes: []byte(`[{"step":1,"domain":"uni-lindenau.test","method":"dns-txt","outcome":"absent","reason":"NXDOMAIN or no TXT records"}]`)},
		{ProviderID: "DEQARINST0042", StartedAt: at, ManifestURL: "https://uni-lindenau.test/m.json", Probes: []byte("[]")},
		{ProviderID: "P-FR", StartedAt: at, Error: "discovery: no manifest found on univ-valmont.test", Probes: []byte("[]")},
	} {
		if _, err := st.AddDiscovery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := New(Options{Store: st, Index: idx})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, st
}

func TestInstitutionFinder(t *testing.T) {
	ts, _ := newFinderServer(t)
	cases := []struct {
		name, query string
		header      []string
		status      int
		want        []string
		notWant     []string
	}{
		{"everyone, first page", "", nil, 200, []string{"1–20 of 23 institutions", `href="/institutions?page=2"`,
			"Filler College 00", "Filler College 19", "not discovered yet", "0 courses"}, []string{"Krakowiecki"}},
		{"second page", "page=2", nil, 200, []string{"21–23 of 23 institutions", "Krakowiecki", `rel="prev"`, "Lindenau",
			"manifest found", "3 Nov 2026", "no manifest"}, []string{"Filler College 00"}},
		{"name in another language", "q=universite+valmont", nil, 200, []string{"1 institution<", "University of Valmont"},
			[]string{"Lindenau"}},
		{"reader's language first", "q=lindenau", []string{"Accept-Language", "en"}, 200, []string{`lang="en">University of Lindenau`}, nil},
		{"reader's language first, German", "q=lindenau", []string{"Accept-Language", "de"}, 200, []string{`lang="de">Universität Lindenau`}, nil},
		{"SCHAC code", "q=uw-krakowiec.test", nil, 200, []string{"Uniwersytet Krakowiecki", "1 institution<"}, nil},
		{"DEQAR id", "q=DEQARINST0042", nil, 200, []string{"Lindenau", "1 institution<"}, nil},
		{"ETER id", "q=fr0123", nil, 200, []string{"Valmont", "1 institution<"}, nil},
		{"country", "country=PL", nil, 200, []string{"Krakowiecki", "1 institution<", `<option value="PL" selected>Poland</option>`}, []string{"Lindenau"}},
		{"country and name", "country=NL&q=college+07", nil, 200, []string{"Filler College 07", "1 institution<"}, nil},
		{"nothing found", "q=atlantis", nil, 200, []string{"No institution matches this search", "SCHAC code"}, []string{"inst-list"}},
		{"page past the results", "q=college&page=9", nil, 200, []string{"The results end on page 1.", `href="/institutions?q=college"`}, nil},
		{"page zero", "page=0", nil, 400, []string{"page must be a whole number", `role="alert"`}, nil},
		{"page not a number", "page=two", nil, 400, []string{"page must be a whole number"}, nil},
		{"page past the window", "page=" + strconv.Itoa(maxResultWindow), nil, 400, []string{"page must be a whole number"}, nil},
		{"bad country", "country=Germany", nil, 400, []string{"two-letter ISO 3166-1 code"}, nil},
		{"query too long", "q=" + strings.Repeat("x", maxTextRunes+1), nil, 400, []string{"the limit is 500"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, ts.URL+"/institutions?"+tc.query, tc.header...)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("unexpected %q", w)
				}
			}
		})
	}
}

// TestInstitutionPageExplainsFailedDiscovery runs the real discovery
// against the simulated federation's misbehaving institutions, stores the
// outcome as the harvest does, and reads the reasons on their pages.
func TestInstitutionPageExplainsFailedDiscovery(t *testing.T) {
	ctx := context.Background()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: 1, Seed: 3, Misbehaving: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fed.Close() })
	client := fetch.New(fetch.Options{Timeout: 5 * time.Second, AllowPrivate: true, Resolver: fed.Resolver()})
	disc := discovery.New(fed.Resolver(), client, discovery.Options{Scheme: "http", Port: strconv.Itoa(fed.Port())})

	ts, st := newFinderServer(t)
	want := map[testfed.Misbehavior][]string{
		testfed.NoManifest: {"There is no TXT record for",
			"The well-known URL answered 404 (Not Found): no manifest is published at", "No manifest was found on"},
		testfed.MalformedManifest: {"No usable manifest was found. Fix this first:", "is not a valid manifest: at line 3, neither JSON nor valid YAML",
			"Logged as:"},
	}
	for _, in := range fed.Institutions() {
		phrases, ok := want[in.Misbehavior]
		if !ok {
			continue
		}
		delete(want, in.Misbehavior)
		p := model.Provider{ID: "X-" + string(in.Misbehavior), SCHAC: in.SCHAC, Website: in.Website, Name: model.Text{"en": in.NameEnglish}}
		if err := st.UpsertProviders(ctx, []model.Provider{p}); err != nil {
			t.Fatal(err)
		}
		res, derr := disc.Discover(ctx, p.SCHAC, p.Website)
		if derr == nil {
			t.Fatalf("%s: discovery should fail", in.Misbehavior)
		}
		probes, _ := json.Marshal(res.Probes)
		if _, err := st.AddDiscovery(ctx, store.Discovery{ProviderID: p.ID, StartedAt: time.Now(), Duration: time.Second,
			Error: derr.Error(), Probes: probes}); err != nil {
			t.Fatal(err)
		}
		resp, body := get(t, ts.URL+"/institutions/"+url.PathEscape(p.ID))
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d\n%s", in.Misbehavior, resp.StatusCode, body)
		}
		for _, w := range phrases {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page lacks %q", in.Misbehavior, w)
			}
		}
		for _, pr := range res.Probes {
			if !strings.Contains(body, htmlText(pr.Reason)) {
				t.Errorf("%s: page lacks the logged reason %q", in.Misbehavior, pr.Reason)
			}
		}
		if t.Failed() {
			t.Logf("page:\n%s", body)
		}
	}
	if len(want) > 0 {
		t.Errorf("the federation has no institution for %v", want)
	}
}

// htmlText is s as html/template writes it in text.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

// TestProbeSentences pins the sentence for each reason discovery writes.
func TestProbeSentences(t *testing.T) {
	s := &Server{}
	r := httptest.NewRequest("GET", "/", nil)
	u := "https://x.test/.well-known/quality-link-manifest"
	cases := []struct {
		p    loggedProbe
		want string
	}{
		{loggedProbe{Method: probeDNSTXT, Domain: "x.test", Outcome: probeAbsent, Reason: "NXDOMAIN or no TXT records"}, "There is no TXT record for x.test"},
		{loggedProbe{Method: probeDNSTXT, Domain: "x.test", Outcome: probeError, Reason: "DNS timeout"}, "did not answer in time"},
		{loggedProbe{Method: probeDNSTXT, Domain: "x.test", Outcome: probeError, Reason: `record "v=qldiscover1": no m= tag`}, "It must read v=qldiscover1; m="},
		{loggedProbe{Method: probeDNSTXT, Domain: "x.test", URL: "https://x.test/m", Outcome: probeError, Reason: "fetch https://x.test/m: HTTP 500: x"},
			"The TXT record of x.test points to https://x.test/m, but: The server of https://x.test/m failed with 500 (Internal Server Error)."},
		{loggedProbe{Method: probeWellKnown, URL: u, Outcome: probeAbsent, Reason: "HTTP 404"}, "The well-known URL answered 404 (Not Found)"},
		{loggedProbe{Method: probeWellKnown, URL: u, Outcome: probeAbsent, Reason: "host does not resolve"}, "does not exist in DNS"},
		{loggedProbe{Method: probeWellKnown, URL: u, Outcome: probeError, Reason: "fetch " + u + ": timeout: deadline"}, "did not answer in time"},
		{loggedProbe{Method: probeWellKnown, URL: u, Outcome: probeError, Reason: "fetch " + u + ": blocked: address 10.0.0.1 is not public"}, "its address is private or local"},
		{loggedProbe{Method: probeWellKnown, URL: u, Outcome: probeError,
			Reason: `not a usable manifest (content type "application/json"): error at the top level: not valid JSON: line 3: invalid character '}'`},
			"is not a valid manifest: at line 3, not valid JSON: invalid character '}'"},
		{loggedProbe{Method: probeWellKnown, URL: u, Outcome: probeError,
			Reason: `not a usable manifest (content type "application/json"): error at /sources/0/type (line 1): unknown source type "nope"`},
			`is not a valid manifest: at line 1 (/sources/0/type), unknown source type "nope"`},
		{loggedProbe{Method: probeDNSTXT, Domain: "x.test", Outcome: probeAbsent, Reason: "no v=qldiscover1 record"}, "none starts with v=qldiscover1"},
		{loggedProbe{Method: probeWellKnown, URL: u, Outcome: probeError,
			Reason: `not a usable manifest (content type "text/html"): error at /sources: missing`}, "is not a valid manifest: at /sources, missing"},
		{loggedProbe{Method: probeWellKnown, URL: u, Outcome: probeError, Reason: "something new"}, "something new"},
	}
	for _, tc := range cases {
		if got := s.probeSentence(r, tc.p); !strings.Contains(got, tc.want) {
			t.Errorf("%q: got %q, want it to contain %q", tc.p.Reason, got, tc.want)
		}
	}
}

// TestInstitutionPageEscapes: names, manifest text, source fields and run
// errors come from institutions; none of it may run as script or markup.
func TestInstitutionPageEscapes(t *testing.T) {
	ctx := context.Background()
	ts, st := newFinderServer(t)
	evil := `<script>alert("x")</script>`
	p := model.Provider{ID: "EVIL", SCHAC: "evil.test", Name: model.Text{"en": "Evil " + evil}, Website: `javascript:alert(1)`}
	if err := st.UpsertProviders(ctx, []model.Provider{p}); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"sources":[{"type":"ooapi","path":"https://evil.test/</pre>` + evil + `","name":"` + `<img src=x onerror=alert(1)>"}]}`)
	srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: "EVIL", URL: "https://evil.test/m.json", FetchedAt: time.Now(), Body: body},
		[]store.Source{{Key: "k", Type: "ooapi", URL: "https://evil.test/</pre>" + evil, Name: "<img src=x onerror=alert(1)>"}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.StartRun(ctx, srcs[0].ID, "test", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	run.Status, run.FinishedAt, run.Error = store.RunFailed, time.Now(), "server said "+evil
	if err := st.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	probes := `[{"step":1,"domain":"evil.test","method":"well-known","url":"https://evil.test/x","outcome":"error","reason":"` +
		strings.ReplaceAll(evil, `"`, `\"`) + `"}]`
	if _, err := st.AddDiscovery(ctx, store.Discovery{ProviderID: "EVIL", StartedAt: time.Now(), Error: "no manifest " + evil, Probes: []byte(probes)}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/institutions/EVIL", "/institutions?q=evil"} {
		resp, page := get(t, ts.URL+path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d\n%s", path, resp.StatusCode, page)
		}
		for _, bad := range []string{"<script>alert", "<img src=x", `href="javascript:`, "</pre><script"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s: %q came through unescaped", path, bad)
			}
		}
		if !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
			t.Errorf("%s: the hostile text should be shown, escaped", path)
		}
	}
}

// TestInstitutionPageSections: identifiers, manifest, sources with their
// runs linking to run pages, quality trend and the course preview with a
// link to the whole catalogue; an unknown id is a 404.
func TestInstitutionPageSections(t *testing.T) {
	ctx := context.Background()
	ts, st := newFinderServer(t)
	srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: "DEQARINST0042", URL: "https://uni-lindenau.test/m.json",
		FetchedAt: time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC), Body: []byte(`{"sources":[{"type":"elm","refresh":12}]}`)},
		[]store.Source{{Key: "k", Type: "elm", URL: "https://uni-lindenau.test/c.ttl", Entry: []byte(`{"type":"elm","refresh":12}`)}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	run, err := st.StartRun(ctx, srcs[0].ID, "schedule", "", start)
	if err != nil {
		t.Fatal(err)
	}
	run.Status, run.FinishedAt, run.Seen, run.Added, run.WarningCount = store.RunOK, start.Add(1500*time.Millisecond), 7, 7, 2
	run.Quality = []byte(`{"records":7,"courses":7,"conforming":5,"averageScore":80,"rules":[{"rule":"r1","severity":"violation","explanation":"The course has no EQF level.","violations":2,"records":2}]}`)
	if err := st.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	if err := st.SetNextRun(ctx, srcs[0].ID, start.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, ts.URL+"/institutions/DEQARINST0042")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	for _, w := range []string{"<code>DEQARINST0042</code>", "<code>DE0069</code>", "<code>uni-lindenau.test</code>",
		"The manifest was found at https://uni-lindenau.test/m.json.", `<pre class="manifest">{&#34;sources&#34;`,
		"first fetched on 2 Nov 2026", "every 12 hours", "3 Nov 2026 22:00 UTC", `href="/runs/` + strconv.FormatInt(run.ID, 10) + `"`,
		"1.5s", "The course has no EQF level.", `<rect class="bar-fg" width="80"`, "5 / 7",
		"The catalogue holds no course of this institution.", "Earlier discoveries", "2 Nov 2026",
		"No manifest was found on uni-lindenau.test: publish a DNS TXT record"} {
		if !strings.Contains(body, w) {
			t.Errorf("missing %q", w)
		}
	}
	if resp, _ := get(t, ts.URL+"/institutions/NOPE"); resp.StatusCode != 404 {
		t.Errorf("unknown institution: status %d, want 404", resp.StatusCode)
	}
}

// TestInstitutionLinks: the header, the course page and the catalogue's
// institution facet lead to the institution pages, whose preview shows
// the courses as the catalogue does.
func TestInstitutionLinks(t *testing.T) {
	ts := newTestServer(t)
	_, home := get(t, ts.URL+"/")
	for _, w := range []string{`<a href="/institutions">Institutions</a>`, `<a href="/institutions">About the institutions</a>`} {
		if !strings.Contains(home, w) {
			t.Errorf("catalogue lacks %q", w)
		}
	}
	_, course := get(t, ts.URL+"/courses/"+url.PathEscape("urn:schac:uniqueCourseId:uni-a.test:DS%201"))
	if !regexp.MustCompile(`<a href="/institutions/P1"[^>]*>University A</a>`).MatchString(course) {
		t.Error("the course page does not link its institution")
	}
	resp, inst := get(t, ts.URL+"/institutions/P1")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d\n%s", resp.StatusCode, inst)
	}
	for _, w := range []string{`class="result"`, "Introduction to data science", "1–1 of 1 course", `href="/?institution=P1"`} {
		if !strings.Contains(inst, w) {
			t.Errorf("institution page lacks %q", w)
		}
	}
}

// BenchmarkInstitutionFinder: a name search and the unfiltered first page
// over a registry of 5,000 providers, through the HTTP handler.
func BenchmarkInstitutionFinder(b *testing.B) {
	ctx := context.Background()
	st, idx := openTestStore(b), openTestIndex(b)
	var ps []model.Provider
	for i := range 5000 {
		ps = append(ps, model.Provider{ID: fmt.Sprintf("P%05d", i), SCHAC: fmt.Sprintf("inst%05d.test", i), Country: "DE",
			Name: model.Text{"en": fmt.Sprintf("University of Example %d", i), "de": fmt.Sprintf("Universität Beispiel %d", i)}})
	}
	if err := st.UpsertProviders(ctx, ps); err != nil {
		b.Fatal(err)
	}
	srv, err := New(Options{Store: st, Index: idx})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	for _, q := range []string{"", "q=beispiel+4711", "country=DE&page=100"} {
		b.Run("query="+q, func(b *testing.B) {
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("GET", "/institutions?"+q, nil))
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
