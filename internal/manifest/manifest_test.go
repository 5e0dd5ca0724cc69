package manifest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"qlink/internal/sharedtest"
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
		{"no sources", `{"meta":{}}`, true, []string{"at /sources (line 1): a non-empty sources list"}},
		{"bad type", `{"sources":[{"type":"csv","path":"https://x/y"}]}`, true, []string{`/sources/0/type (line 1): unknown source type "csv"`}},
		{"relative path", `{"sources":[{"type":"elm","path":"/feed.ttl"}]}`, true, []string{"/sources/0/path"}},
		{"file path", `{"sources":[{"type":"elm","path":"file:///etc/passwd"}]}`, true, []string{"absolute http(s) URL"}},
		{"bad auth", `{"sources":[{"type":"elm","path":"https://x/y","auth":{"type":"basic"}}]}`, true, []string{`unknown auth type "basic"`}},
		{"one good one bad", `{"sources":[{"type":"elm","path":"https://x/y"},{"type":"elm"}]}`, false, []string{"/sources/1/path (line 1): path is required"}},
		{"warnings", `{"extra":1,"sources":[{"type":"elm","path":"http://x/y","refresh":"soon","color":"red"}]}`, false,
			[]string{"/extra (line 1): unknown key", "/sources/0/refresh", "/sources/0/color (line 1): unknown key", "use https"}},
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
	for _, name := range []string{"example-manifest.json", "example-manifest.yaml"} {
		body := sharedtest.ReadFile(t, "samples", "manifest", name)
		m, diags, err := Parse(body)
		if err != nil || len(m.Sources) != 3 || m.Meta.DEQARID != "DEQARINST0815" {
			t.Errorf("%s: %v %v %+v", name, err, diags, m)
		}
		// The example's httpheader source omits field and value: kept,
		// but reported, so the publisher learns before the harvest fails.
		if len(diags) != 1 || diags[0].Pointer != "/sources/1/auth" || diags[0].Fatal || diags[0].Line == 0 {
			t.Errorf("%s: diagnostics %v", name, diags)
		}
	}
}

func TestDiagnosticsPointAtLines(t *testing.T) {
	jsonBody := `{
  "meta": {"schac": "uni.test", "eterid": "germany-1"},
  "sources": [
    {"type": "ooapi", "path": "https://api.uni.test/",
     "pageSize": 2.5,
     "auth": {"type": "oauth2.0", "token_endpoint": "https://auth.uni.test/token", "client_id": "qlink"}},
    {"type": "elm", "path": "https://uni.test/x.ttl", "headers": {"X-Count": 3}}
  ],
  "provider_uuid": "someone-else"
}`
	yamlBody := `meta:
  schac: uni.test
  eterid: germany-1
sources:
  - type: ooapi
    path: https://api.uni.test/
    pageSize: 2.5
    auth:
      type: oauth2.0
      token_endpoint: https://auth.uni.test/token
      client_id: qlink
  - type: elm
    path: https://uni.test/x.ttl
    headers:
      X-Count: 3
provider_uuid: someone-else
`
	for _, tc := range []struct {
		name string
		body string
		want map[string]int // pointer → line
	}{
		{"json", jsonBody, map[string]int{"/meta/eterid": 2, "/sources/0/pageSize": 5, "/sources/0/auth": 6, "/sources/1/headers/X-Count": 7, "/provider_uuid": 9}},
		{"yaml", yamlBody, map[string]int{"/meta/eterid": 3, "/sources/0/pageSize": 7, "/sources/0/auth": 9, "/sources/1/headers/X-Count": 15, "/provider_uuid": 16}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, diags, err := Parse([]byte(tc.body))
			if err != nil || len(m.Sources) != 2 {
				t.Fatalf("err %v, %d sources, %v", err, len(m.Sources), diags)
			}
			got := map[string]int{}
			for _, d := range diags {
				got[d.Pointer] = d.Line
				if d.Fatal {
					t.Errorf("fatal: %s", d)
				}
			}
			for ptr, line := range tc.want {
				if got[ptr] != line {
					t.Errorf("%s: line %d, want %d (all: %v)", ptr, got[ptr], line, diags)
				}
			}
			// An invalid value is not used; a number given for a header is
			// sent as its text (and reported).
			if m.Sources[0].PageSize != 0 || m.Sources[1].Headers["X-Count"] != "3" {
				t.Errorf("pageSize %d, headers %v", m.Sources[0].PageSize, m.Sources[1].Headers)
			}
		})
	}
}

func TestSchemaIsValidJSONSchema(t *testing.T) {
	if _, err := compiledSchema(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(Schema()), `"occapi"`) {
		t.Error("the schema must accept occapi")
	}
}

func TestParseWithinRefusesTooManySources(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"sources":[`)
	for i := range 101 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"type":"ooapi","path":"https://data.example.org/%d/"}`, i)
	}
	b.WriteString("]}")
	m, diags, err := ParseWithin([]byte(b.String()), 100)
	if !errors.Is(err, ErrInvalid) || m != nil || !strings.Contains(err.Error(), "lists 101 sources, more than the 100") {
		t.Fatalf("ParseWithin = %v, %v", m, err)
	}
	if len(diags) != 1 || diags[0].Pointer != "/sources" || !diags[0].Fatal {
		t.Errorf("diagnostics: %+v", diags)
	}
	if m, _, err := ParseWithin([]byte(b.String()), 101); err != nil || len(m.Sources) != 101 {
		t.Errorf("at the cap: %v", err)
	}
}
