package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const exampleYAML = `meta:
  schac: example.ac.at
  eterid: AT4711
sources:
  - type: ooapi
    path: https://data.example.org/ooapi/v5/
    version: "5"
    id: main
    pageSize: 100
    refresh: 24
    auth:
      type: httpheader
      field: X-API-Key
      value: c2VjcmV0
    headers:
      Accept-Language: en
  - type: occapi
    path: https://data.example.org/occapi/v2/hei/example.ac.at
`

func TestParseYAMLAndJSONAgree(t *testing.T) {
	y, diags, err := Parse([]byte(exampleYAML))
	if err != nil || len(diags) != 0 {
		t.Fatalf("yaml: %v %v", err, diags)
	}
	j, _, err := Parse([]byte(`{"meta":{"schac":"example.ac.at","eterid":"AT4711"},"sources":[
		{"type":"ooapi","path":"https://data.example.org/ooapi/v5/","version":"5","id":"main","pageSize":100,"refresh":24,
		 "auth":{"type":"httpheader","field":"X-API-Key","value":"c2VjcmV0"},"headers":{"Accept-Language":"en"}},
		{"type":"occapi","path":"https://data.example.org/occapi/v2/hei/example.ac.at"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*Manifest{y, j} {
		s := m.Sources[0]
		if m.Meta.SCHAC != "example.ac.at" || s.PageSize != 100 || s.Refresh != 24 || s.Auth.Type != "httpheader" ||
			s.Auth.Other["field"] != "X-API-Key" || s.Headers["Accept-Language"] != "en" || s.Key() != "id:main" {
			t.Errorf("parsed %+v", m)
		}
		if o := m.Sources[1]; o.Type != TypeOCCAPI || o.Auth.Type != "none" || o.Key() != "occapi "+o.Path {
			t.Errorf("occapi source %+v", o)
		}
	}
}

func TestParseDiagnostics(t *testing.T) {
	cases := []struct {
		name, body string
		wantErr    bool
		want       []string // substrings of diagnostics, in any order
	}{
		{"empty", "", true, []string{"empty"}},
		{"not an object", "[1,2]", true, []string{"must be an object"}},
		{"broken yaml", "sources: [\n  - type: elm\n path", true, []string{"neither JSON nor valid YAML"}},
		{"no sources", `{"meta":{}}`, true, []string{"/sources: a non-empty sources list"}},
		{"bad type", `{"sources":[{"type":"csv","path":"https://x/y"}]}`, true, []string{`/sources/0/type: unknown source type "csv"`}},
		{"relative path", `{"sources":[{"type":"elm","path":"/feed.ttl"}]}`, true, []string{"/sources/0/path"}},
		{"file path", `{"sources":[{"type":"elm","path":"file:///etc/passwd"}]}`, true, []string{"absolute http(s) URL"}},
		{"bad auth", `{"sources":[{"type":"elm","path":"https://x/y","auth":{"type":"basic"}}]}`, true, []string{`unknown auth type "basic"`}},
		{"one good one bad", `{"sources":[{"type":"elm","path":"https://x/y"},{"type":"elm"}]}`, false, []string{"/sources/1/path: path is required"}},
		{"warnings", `{"extra":1,"sources":[{"type":"elm","path":"http://x/y","refresh":"soon","color":"red"}]}`, false,
			[]string{"/extra: unknown key", "/sources/0/refresh", "/sources/0/color: unknown key", "use https"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, diags, err := Parse([]byte(tc.body))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			var all []string
			for _, d := range diags {
				all = append(all, d.String())
			}
			joined := strings.Join(all, "\n")
			for _, w := range tc.want {
				if !strings.Contains(joined, w) {
					t.Errorf("missing %q in\n%s", w, joined)
				}
			}
		})
	}
}

// TestPublishedExamples parses the examples from the QualityLink discovery
// specification, when the shared samples are present.
func TestPublishedExamples(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "samples", "manifest")
	for _, name := range []string{"example-manifest.json", "example-manifest.yaml"} {
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Skipf("shared samples absent (%v)", err)
		}
		m, diags, err := Parse(body)
		if err != nil || len(m.Sources) != 3 || m.Meta.DEQARID != "DEQARINST0815" {
			t.Errorf("%s: %v %v %+v", name, err, diags, m)
		}
	}
}
