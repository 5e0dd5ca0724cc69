package manifest

import (
	"bytes"
	"net/url"
	"os"
	"testing"

	"qlink/internal/sharedtest"
)

// FuzzParse feeds Parse arbitrary bytes, seeded with manifests in JSON and
// YAML as institutions publish them. Beyond not panicking: whatever Parse
// accepts has at least one source, each of a known type with an absolute
// http(s) path, and every diagnostic points at a line that exists.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"meta":{"schac":"uni.example"},"sources":[{"type":"ooapi","path":"https://api.uni.example/ooapi/v5/"}]}`,
		`{"sources":[{"type":"ELM","path":"https://uni.example/elm.ttl","auth":{"type":"httpheader","field":"X-Key","value":"c2VjcmV0"}},` +
			`{"type":"occapi","path":"ftp://x"},{"type":"edu-api","path":"https://e.example/","refresh":-1,"pageSize":2.5}]}`,
		`{"sources":[{"type":"edu-api","path":"https://e.example/","auth":{"type":"oauth2.0","token_endpoint":"https://idp.example/token","scope":["a b"]}}]}`,
		"meta:\n  deqarid: DEQARINST0001\nsources:\n  - type: elm\n    path: https://uni.example/catalogue.ttl\n    auth:\n      type: none\n",
		"sources:\n  - type: ooapi\n    path: http://uni.example/ooapi/\n    headers: {Accept-Language: en}\n    queryParameters: {consumer: ql}\n",
		"sources: &a [*a]\n",
		"- not a manifest\n",
		`{"sources":[]}`,
		``,
	} {
		f.Add([]byte(seed))
	}
	for _, name := range []string{"example-manifest.json", "example-manifest.yaml"} {
		if body, err := os.ReadFile(sharedtest.Path("samples", "manifest", name)); err == nil {
			f.Add(body)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, diags, err := Parse(body)
		// YAML ends a line at \n, \r\n or a lone \r.
		lines := 1 + bytes.Count(bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")), []byte("\n")) +
			bytes.Count(bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")), []byte("\r"))
		for _, d := range diags {
			if d.Line < 0 || d.Line > lines {
				t.Errorf("diagnostic %q on line %d of a %d-line manifest", d, d.Line, lines)
			}
		}
		if err != nil {
			return
		}
		if len(m.Sources) == 0 {
			t.Fatal("accepted a manifest without sources")
		}
		for _, s := range m.Sources {
			switch s.Type {
			case TypeELM, TypeOOAPI, TypeEduAPI, TypeOCCAPI:
			default:
				t.Errorf("accepted source type %q", s.Type)
			}
			if u, err := url.Parse(s.Path); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Errorf("accepted path %q", s.Path)
			}
			if s.Auth.Type == "" {
				t.Errorf("accepted source %s without an auth type", s.Key())
			}
		}
	})
}
