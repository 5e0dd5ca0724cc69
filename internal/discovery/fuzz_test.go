package discovery

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

var txtSeeds = []string{
	"v=qldiscover1; m=https://www.uni.example/.well-known/quality-link-manifest",
	"v=qldiscover1;m=http://uni.example/manifest.yaml",
	"V=QLDISCOVER1; m = https://uni.example/m.json ; x=y",
	"v=qldiscover1; m=/relative",
	"v=qldiscover1",
	"v=spf1 include:_spf.example ~all",
	"google-site-verification=abc",
	"v=qldiscover1; m=https://[::1",
	"",
}

// FuzzManifestURLs feeds the DNS TXT record parser arbitrary records.
// Beyond not panicking: every URL it returns is an absolute http(s) URL,
// and a record yields a URL or a problem, never both.
func FuzzManifestURLs(f *testing.F) {
	for _, s := range txtSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rec string) {
		urls, problems := ManifestURLs([]string{rec})
		if len(urls)+len(problems) > 1 {
			t.Fatalf("record %q gave urls %q and problems %q", rec, urls, problems)
		}
		for _, raw := range urls {
			if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Errorf("record %q gave %q, not an absolute http(s) URL", rec, raw)
			}
		}
	})
}

// FuzzTXTRoundTrip writes a well-formed record for a manifest URL, the way
// a publisher would: the parser must give the same URL back.
func FuzzTXTRoundTrip(f *testing.F) {
	f.Add("https://www.uni.example/.well-known/quality-link-manifest", " ")
	f.Add("http://uni.example:8080/m.yaml?x=1", "")
	f.Fuzz(func(t *testing.T, manifestURL, sep string) {
		u, err := url.Parse(manifestURL)
		wellFormed := err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
			!strings.ContainsAny(manifestURL, "; \t\r\n") && strings.Trim(sep, " ") == ""
		if !wellFormed {
			return
		}
		rec := "v=qldiscover1;" + sep + "m=" + manifestURL
		urls, problems := ManifestURLs([]string{rec})
		if !slices.Equal(urls, []string{manifestURL}) || len(problems) > 0 {
			t.Errorf("record %q gave urls %q, problems %q; want [%s]", rec, urls, problems, manifestURL)
		}
	})
}
