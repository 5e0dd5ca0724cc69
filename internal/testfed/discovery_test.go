package testfed

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"golang.org/x/net/publicsuffix"
)

// probeResult is what the reference probe below finds.
type probeResult struct {
	candidate Candidate
	domain    string
	method    Method
	url       string
}

// probe runs the spec's discovery order (standards.md §1.6) against the
// federation, starting from a registry entry: candidate domains SCHAC code,
// website host, host without "www.", registrable domain; on each, the TXT
// record first, then the three well-known URLs. The first manifest wins.
func probe(t *testing.T, f *Federation, c *http.Client, p deqarProvider) (probeResult, bool) {
	t.Helper()
	type candidate struct {
		kind   Candidate
		domain string
	}
	var cands []candidate
	for _, id := range p.Identifiers {
		if id.Resource == "SCHAC" {
			cands = append(cands, candidate{CandidateSCHAC, id.Identifier})
		}
	}
	u, err := url.Parse(p.WebsiteLink)
	if err != nil {
		t.Fatal(err)
	}
	host := u.Hostname()
	registrable, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		t.Fatal(err)
	}
	cands = append(cands,
		candidate{CandidateWebsite, host},
		candidate{CandidateWebsiteNoWWW, strings.TrimPrefix(host, "www.")},
		candidate{CandidateRegistrableDomain, registrable})
	seen := map[string]bool{}
	for _, cand := range cands {
		if seen[cand.domain] {
			continue
		}
		seen[cand.domain] = true
		txts, _ := f.Resolver().LookupTXT(context.Background(), cand.domain)
		for _, txt := range txts {
			if rest, ok := strings.CutPrefix(txt, "v=qldiscover1;"); ok {
				m, _ := strings.CutPrefix(strings.TrimSpace(rest), "m=")
				return probeResult{cand.kind, cand.domain, MethodDNSTXT, m}, true
			}
		}
		for _, path := range []string{wellKnownPlain, wellKnownJSON, wellKnownYAML} {
			u := "http://" + cand.domain + ":" + strconv.Itoa(f.Port()) + path
			if resp, _ := get(t, c, u); resp.StatusCode == http.StatusOK {
				return probeResult{cand.kind, cand.domain, MethodWellKnown, u}, true
			}
		}
	}
	return probeResult{}, false
}

// providers reads the whole registry, following next links.
func providers(t *testing.T, c *http.Client, next string) []deqarProvider {
	t.Helper()
	var all []deqarProvider
	for next != "" {
		resp, body := get(t, c, next)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", next, resp.Status)
		}
		var page struct {
			Count    int             `json:"count"`
			Next     *string         `json:"next"`
			Previous *string         `json:"previous"`
			Results  []deqarProvider `json:"results"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Results...)
		next = ""
		if page.Next != nil {
			next = *page.Next
		}
	}
	return all
}

func TestDiscoveryFindsGroundTruth(t *testing.T) {
	f := shared(t)
	c := client(t, f)
	insts := f.Institutions()
	ps := providers(t, c, f.RegistryURL())
	if len(ps) != len(insts) {
		t.Fatalf("registry lists %d providers, want %d", len(ps), len(insts))
	}
	for i, p := range ps {
		in := insts[i]
		d := in.Discovery
		got, found := probe(t, f, c, p)
		want := probeResult{d.Candidate, d.Domain, d.Method, d.ManifestURL}
		if found != (d.ManifestURL != "") || got != want {
			t.Errorf("%s (%s): discovery found %+v (%t), want %+v", in.SCHAC, d.Variant, got, found, want)
			continue
		}
		if !found {
			continue
		}
		resp, body := get(t, c, got.url)
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != d.ContentType {
			t.Errorf("%s: manifest %s, %q; want 200, %q", in.SCHAC, resp.Status, ct, d.ContentType)
		}
		var m manifestDoc
		err := yaml.Unmarshal(body, &m) // YAML is a superset of JSON
		if in.Misbehavior == MalformedManifest {
			if err == nil {
				t.Errorf("%s: malformed manifest parses", in.SCHAC)
			}
			continue
		}
		if d.Format == "json" && !json.Valid(body) {
			t.Errorf("%s: manifest is not JSON", in.SCHAC)
		}
		if err != nil {
			t.Errorf("%s: manifest: %v", in.SCHAC, err)
			continue
		}
		if m.Meta.SCHAC != in.SCHAC || m.Meta.DEQARID != in.DEQARID || len(m.Sources) != len(in.Sources) {
			t.Errorf("%s: manifest %+v", in.SCHAC, m)
			continue
		}
		for k, s := range m.Sources {
			want := in.Sources[k]
			if s.Type != "ooapi" || s.Path != want.Path || s.ID != want.ID || s.PageSize != want.PageSize || s.Version != "5" || s.Auth.Type != "none" {
				t.Errorf("%s: source %+v, want %+v", in.SCHAC, s, want)
			}
		}
	}
}

// TestWellKnownAbsentElsewhere checks every host of every institution: a
// well-known manifest answers only where the ground truth says.
func TestWellKnownAbsentElsewhere(t *testing.T) {
	f := shared(t)
	c := client(t, f)
	for _, in := range f.Institutions() {
		for _, h := range in.hosts() {
			for _, path := range []string{wellKnownPlain, wellKnownJSON, wellKnownYAML} {
				u := "http://" + h + ":" + strconv.Itoa(f.Port()) + path
				resp, _ := get(t, c, u)
				want := http.StatusNotFound
				if u == in.Discovery.ManifestURL {
					want = http.StatusOK
				}
				if resp.StatusCode != want {
					t.Errorf("%s (%s): %s, want %d", u, in.Discovery.Variant, resp.Status, want)
				}
			}
		}
	}
}
