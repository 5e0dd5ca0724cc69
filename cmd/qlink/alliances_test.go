package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAlliancesInTheDemo follows the federation's alliance data from its
// Turtle file to the API, the pages and the widget.
func TestAlliancesInTheDemo(t *testing.T) {
	d := startDemo(t)
	members := map[string]int{}
	for _, in := range d.fed.Institutions() {
		if id := in.AllianceID(); id != "" {
			members[id]++
		}
	}
	var list struct {
		Total int `json:"total"`
		Items []struct {
			ID      string            `json:"id"`
			Name    map[string]string `json:"name"`
			Members int               `json:"members"`
			Courses int               `json:"courses"`
		} `json:"items"`
	}
	getJSON(t, d.srv.URL+"/api/v1/alliances", &list)
	if list.Total != 3 || len(list.Items) != 3 {
		t.Fatalf("alliances: %+v", list)
	}
	for _, a := range list.Items {
		if a.Members != members[a.ID] || a.Courses == 0 || a.Name["en"] == "" {
			t.Errorf("alliance %s: %d members (want %d), %d courses, name %v", a.ID, a.Members, members[a.ID], a.Courses, a.Name)
		}
		var scoped apiResponse
		getJSON(t, d.srv.URL+"/api/v1/courses?limit=1&alliance="+a.ID, &scoped)
		if scoped.Total != a.Courses {
			t.Errorf("alliance %s: the catalogue filtered by it has %d courses, the alliance says %d", a.ID, scoped.Total, a.Courses)
		}
	}
	var one struct {
		Providers []struct{ ID string } `json:"providers"`
		Unmatched []string              `json:"unmatched"`
	}
	getJSON(t, d.srv.URL+"/api/v1/alliances/INT9001", &one)
	if len(one.Providers) != members["INT9001"] || len(one.Unmatched) != 1 {
		t.Errorf("INT9001: %d providers, unmatched %v; want %d and the one member the registry lacks", len(one.Providers), one.Unmatched, members["INT9001"])
	}

	status, _, body := get(t, d.srv.URL+"/api/v1/alliances/nope")
	if status != http.StatusNotFound || !strings.Contains(body, "no alliance with id nope") {
		t.Errorf("unknown alliance in the API: %d %s", status, body)
	}
	status, _, body = get(t, d.srv.URL+"/alliances/INT9001")
	if status != 200 || !strings.Contains(body, "&lt;iframe src=&#34;") || !strings.Contains(body, "/institutions/") {
		t.Errorf("alliance page: %d, lacks the widget snippet or member links", status)
	}
	if status, _, _ = get(t, d.srv.URL+"/alliances/%3Cscript%3E"); status != http.StatusNotFound {
		t.Errorf("unknown alliance page: %d", status)
	}

	// Only the widget may be framed, by any site.
	status, h, body := get(t, d.srv.URL+"/embed/alliances/INT9001?q=introduction")
	if status != 200 || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors *") || h.Get("X-Frame-Options") != "" {
		t.Errorf("widget: %d, CSP %q, X-Frame-Options %q", status, h.Get("Content-Security-Policy"), h.Get("X-Frame-Options"))
	}
	if !strings.Contains(body, `target="_blank"`) {
		t.Errorf("widget links must open outside the frame")
	}
	_, h, _ = get(t, d.srv.URL+"/alliances/INT9001")
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("the alliance page itself must not be framed: CSP %q", h.Get("Content-Security-Policy"))
	}
	for _, bad := range []string{"?page=0", "?page=x", "?page=3abc", "?page=100000", "?page=922337203685477581", "?q=" + strings.Repeat("a", 501)} {
		if status, _, _ := get(t, d.srv.URL+"/embed/alliances/INT9001"+bad); status != http.StatusBadRequest {
			t.Errorf("widget %s: %d, want 400", bad, status)
		}
	}
}

func get(t *testing.T, u string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func TestAlliancesCommand(t *testing.T) {
	dir := newInstance(t)
	csv := filepath.Join(t.TempDir(), "alliances.csv")
	os.WriteFile(csv, []byte("alliance,name,lang,website,member\nlumen,LUMEN,en,,DEQARINST0001\nlumen,,,,uni-b.example\naurora,Aurora,en,,DE0069\n"), 0o600)
	out, err := run(t, "", "alliances", "import", csv, "--data-dir", dir)
	if err != nil || !strings.Contains(out, "Imported 2 alliances with 3 members, 0 of them in the registry") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = run(t, "", "alliances", "add", "eciu", "--name", "ECIU University", "--member", "https://data.deqar.eu/institution/357", "--data-dir", dir)
	if err != nil || !strings.Contains(out, "Saved alliance eciu with 1 members") {
		t.Fatalf("add: %v\n%s", err, out)
	}
	// A second import of the same file without aurora removes it, and
	// leaves the alliance entered by hand alone.
	os.WriteFile(csv, []byte("alliance,member\nlumen,DEQARINST0001\n"), 0o600)
	out, err = run(t, "", "alliances", "import", csv, "--data-dir", dir)
	if err != nil || !strings.Contains(out, "1 no longer in the data removed (aurora)") {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	out, _ = run(t, "", "alliances", "--data-dir", dir)
	if !strings.Contains(out, "eciu") || !strings.Contains(out, "lumen") || strings.Contains(out, "aurora") {
		t.Errorf("list after re-import:\n%s", out)
	}
	if out, err = run(t, "", "alliances", "remove", "nope", "--data-dir", dir); err == nil || !strings.Contains(err.Error(), `no alliance with id "nope"`) {
		t.Errorf("remove unknown: %v\n%s", err, out)
	}
	if _, err = run(t, "", "alliances", "remove", "eciu", "--data-dir", dir); err != nil {
		t.Error(err)
	}
	os.WriteFile(csv, []byte("alliance,name\nx,y\n"), 0o600)
	if _, err = run(t, "", "alliances", "import", csv, "--data-dir", dir); err == nil || !strings.Contains(err.Error(), csv) ||
		!strings.Contains(err.Error(), `"member" column`) {
		t.Errorf("a file without members: %v", err)
	}
	if _, err = run(t, "", "alliances", "add", "x", "--data-dir", dir); err == nil || !strings.Contains(err.Error(), "name is required") {
		t.Errorf("add without name: %v", err)
	}
}

// TestBrowserAllianceWidget frames the widget in a page of another origin,
// as an alliance's website does, and searches in it.
func TestBrowserAllianceWidget(t *testing.T) {
	chromium := requireBrowser(t)
	d := startDemo(t)
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><html lang="en"><head><title>An alliance's website</title></head><body>
<h1>Our joint course catalogue</h1>
<iframe id="widget" src="`+d.srv.URL+`/embed/alliances/INT9001" title="Courses" width="100%" height="600"></iframe>
<iframe id="page" src="`+d.srv.URL+`/about" title="Not embeddable" width="100%" height="200"></iframe>
</body></html>`)
	}))
	defer host.Close()
	runJourney(t, chromium, "widget.mjs", host.URL+"/")
}
