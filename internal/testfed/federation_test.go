package testfed

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestStartClose(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var logs bytes.Buffer
	f, err := Start(context.Background(), Options{
		Now:          testNow,
		Institutions: 3,
		Logger:       slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := client(t, f)
	resp, _ := get(t, c, f.Institutions()[0].Discovery.ManifestURL)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("manifest: %s", resp.Status)
	}
	c.Transport.(*http.Transport).CloseIdleConnections()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if !strings.Contains(logs.String(), "testfed request") {
		t.Errorf("no request logged:\n%s", logs.String())
	}
	if _, err := c.Get(f.RegistryURL()); err == nil {
		t.Error("registry still answers after Close")
	}
}

func TestStartMatchesGenerate(t *testing.T) {
	f := shared(t)
	want := generate(testOpts.withDefaults(), f.Port())
	if !reflect.DeepEqual(f.Institutions(), want) {
		t.Error("Institutions() differs from generated data")
	}
	plain := Generate(testOpts)
	if plain[0].Sources[0].Path != "http://api.uni-lindenau.test/ooapi/v5/" {
		t.Errorf("Generate: path %s", plain[0].Sources[0].Path)
	}
	port := ":" + strconv.Itoa(f.Port()) + "/"
	if got := f.Institutions()[0].Sources[0].Path; got != "http://api.uni-lindenau.test"+port+"ooapi/v5/" {
		t.Errorf("Start: path %s", got)
	}
	if !strings.Contains(f.RegistryURL(), port) || !strings.HasPrefix(f.DNSAddr(), "127.0.0.1:") {
		t.Errorf("registry %s, DNS %s", f.RegistryURL(), f.DNSAddr())
	}
}

// TestResponsesAreDeterministic starts a second federation with the same
// options and compares responses byte for byte (apart from the port).
func TestResponsesAreDeterministic(t *testing.T) {
	a := shared(t)
	b, err := Start(context.Background(), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ca, cb := client(t, a), client(t, b)
	pa, pb := ":"+strconv.Itoa(a.Port()), ":"+strconv.Itoa(b.Port())
	var urls []string
	for _, in := range a.Institutions() {
		if in.Discovery.ManifestURL != "" {
			urls = append(urls, in.Discovery.ManifestURL)
		}
		for _, src := range in.Sources {
			urls = append(urls, src.Path+"courses?pageSize=250", src.Path+"programs", src.Path+"organizations",
				src.Path+"courses/"+src.Courses[0].ID+"/offerings?since=2000-01-01")
		}
	}
	urls = append(urls, a.RegistryURL()+"?limit=5&offset=5")
	for _, u := range urls {
		ra, ba := get(t, ca, u)
		rb, bb := get(t, cb, strings.Replace(u, pa, pb, 1))
		if ra.StatusCode != rb.StatusCode || !bytes.Equal(ba, bytes.ReplaceAll(bb, []byte(pb), []byte(pa))) ||
			ra.Header.Get("Last-Modified") != rb.Header.Get("Last-Modified") {
			t.Errorf("%s: responses differ", u)
		}
	}
}

// A federation started again on the ports of a closed one serves the same
// URLs: a data directory harvested from the first refreshes from the second.
// Ports taken are refused with an error naming them.
func TestStartAgainOnTheSamePorts(t *testing.T) {
	a, err := Start(context.Background(), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	dnsPort, _ := strconv.Atoi(a.DNSAddr()[strings.LastIndex(a.DNSAddr(), ":")+1:])
	opts := testOpts
	opts.Port, opts.DNSPort = a.Port(), dnsPort
	if _, err := Start(context.Background(), opts); err == nil || !strings.Contains(err.Error(), strconv.Itoa(a.Port())) {
		t.Errorf("a second federation on ports in use: %v", err)
	}
	before := a.Institutions()
	c := client(t, a)
	_, manifest := get(t, c, before[0].Discovery.ManifestURL)
	c.Transport.(*http.Transport).CloseIdleConnections()
	a.Close()
	b, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.DNSAddr() != a.DNSAddr() || b.RegistryURL() != a.RegistryURL() || !reflect.DeepEqual(b.Institutions(), before) {
		t.Errorf("started again: DNS %s, registry %s; before %s, %s", b.DNSAddr(), b.RegistryURL(), a.DNSAddr(), a.RegistryURL())
	}
	if _, again := get(t, client(t, b), before[0].Discovery.ManifestURL); !bytes.Equal(again, manifest) {
		t.Error("the manifest differs")
	}
}

func TestRegistryPaging(t *testing.T) {
	f := shared(t)
	c := client(t, f)
	insts := f.Institutions()
	all := providers(t, c, f.RegistryURL()+"?limit=7")
	if len(all) != len(insts) {
		t.Fatalf("%d providers, want %d", len(all), len(insts))
	}
	for i, p := range all {
		in := insts[i]
		if p.ID != in.RegistryID || p.DEQARID != in.DEQARID || p.ETERID != in.ETERID || p.NamePrimary != in.Name ||
			p.Names[0].NameEnglish != in.NameEnglish || p.WebsiteLink != in.Website ||
			p.Locations[0].Country.Alpha2 != in.Country.Alpha2 || p.Locations[0].Country.Alpha3 != in.Country.Alpha3 {
			t.Errorf("provider %+v for %s", p, in.SCHAC)
		}
		if in.RegistrySCHAC != (len(p.Identifiers) == 1 && p.Identifiers[0].Identifier == in.SCHAC && p.Identifiers[0].Resource == "SCHAC") {
			t.Errorf("%s: identifiers %+v, SCHAC listed: %t", in.SCHAC, p.Identifiers, in.RegistrySCHAC)
		}
	}
	// identifiers is absent, not empty, without SCHAC.
	_, body := get(t, c, f.RegistryURL()+strconv.Itoa(insts[5].RegistryID)+"/")
	if insts[5].RegistrySCHAC || bytes.Contains(body, []byte(`"identifiers"`)) {
		t.Errorf("provider without SCHAC: %s", body)
	}
	var page struct {
		Count    int     `json:"count"`
		Next     *string `json:"next"`
		Previous *string `json:"previous"`
		Results  []any   `json:"results"`
	}
	getJSON(t, c, f.RegistryURL()+"?limit=10&offset=10", &page)
	if page.Count != len(insts) || len(page.Results) != 10 || page.Previous == nil || *page.Previous != f.RegistryURL()+"?limit=10" ||
		page.Next == nil || *page.Next != f.RegistryURL()+"?limit=10&offset=20" {
		t.Errorf("page 2: count %d, %d results, previous %v, next %v", page.Count, len(page.Results), page.Previous, page.Next)
	}
	resp, body := get(t, c, f.RegistryURL()+"99999/")
	if resp.StatusCode != http.StatusNotFound || !json.Valid(body) {
		t.Errorf("unknown provider: %s %s", resp.Status, body)
	}
}

func TestUnknownHost(t *testing.T) {
	f := shared(t)
	c := client(t, f)
	in := f.Institutions()[0]
	// Another institution's host name, sent to this institution's address.
	req, _ := http.NewRequest(http.MethodGet, in.Sources[0].Path, nil)
	req.Host = "api." + f.Institutions()[1].SCHAC
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("%s", resp.Status)
	}
}

func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		f, err := Start(context.Background(), Options{Now: testNow})
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

func BenchmarkCoursesPage(b *testing.B) {
	f, err := Start(context.Background(), Options{Now: testNow, Institutions: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	src := f.Institutions()[0].Sources[0]
	api := newOOAPI(1, testNow, &f.Institutions()[0], &src)
	req, _ := http.NewRequest(http.MethodGet, src.Path+"courses?pageSize=250", nil)
	for b.Loop() {
		api.serve(discardWriter{}, req, "courses")
	}
}

type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (discardWriter) WriteHeader(int)             {}
