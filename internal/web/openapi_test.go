package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"qlink/internal/keys"
)

// The OpenAPI document is held to the code three ways: every API route the
// package registers is documented and every documented path is served;
// every example validates against its schema; and a live answer of every
// route validates against the schema of its status.

type openAPIDoc struct {
	Paths map[string]map[string]struct {
		Parameters []struct {
			Name    string `json:"name"`
			In      string `json:"in"`
			Example any    `json:"example"`
		} `json:"parameters"`
		Responses map[string]json.RawMessage `json:"responses"`
	} `json:"paths"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// registeredAPIRoutes reads the patterns under /api/v1 that the package's
// route functions pass to mux.Handle and mux.HandleFunc, from the source:
// http.ServeMux cannot list its patterns, and reading the calls catches
// every area's routes, including those added on other branches, without
// their authors having to list them anywhere else. Patterns must be
// string literals (they all are: a route is a fixed address).
func registeredAPIRoutes(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			pattern, _ := strconv.Unquote(lit.Value)
			method, path, found := strings.Cut(pattern, " ")
			if !found {
				method, path = "", pattern
			}
			if strings.HasPrefix(path, "/api/v1/") {
				routes[method+" "+openAPIPath(path)] = true
			}
			return true
		})
	}
	return routes
}

// openAPIPath writes a mux path as OpenAPI does: {id...} is {id}, {$} ends
// the path.
func openAPIPath(muxPath string) string {
	p := strings.TrimSuffix(muxPath, "{$}")
	return regexp.MustCompile(`\{(\w+)\.\.\.\}`).ReplaceAllString(p, "{$1}")
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	routes := registeredAPIRoutes(t)
	if len(routes) < 10 {
		t.Fatalf("found only %d API routes in the source: %v", len(routes), routes)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for r := range routes {
		if strings.HasPrefix(r, " ") {
			t.Errorf("route %q takes every method: give it one (GET) so the API stays read-only", r)
		} else if !documented[r] {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for d := range documented {
		if !routes[d] {
			t.Errorf("openapi.json documents %s, which the server does not register", d)
		}
	}
}

// openAPISchemas compiles schemas out of the document by JSON pointer.
type openAPISchemas struct {
	c *jsonschema.Compiler
}

const openAPIURL = "https://qlink.test/api/v1/openapi.json"

func newOpenAPISchemas(t *testing.T) openAPISchemas {
	t.Helper()
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDocument))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(openAPIURL, raw); err != nil {
		t.Fatal(err)
	}
	return openAPISchemas{c}
}

func (s openAPISchemas) compile(t *testing.T, pointer string) *jsonschema.Schema {
	t.Helper()
	sch, err := s.c.Compile(openAPIURL + "#" + pointer)
	if err != nil {
		t.Fatalf("schema %s: %v", pointer, err)
	}
	return sch
}

// response resolves a response of the document (following one $ref to
// components/responses) and returns its JSON pointer.
func responsePointer(path, method, status string, raw json.RawMessage) string {
	var r struct {
		Ref string `json:"$ref"`
	}
	json.Unmarshal(raw, &r)
	if r.Ref != "" {
		return strings.TrimPrefix(r.Ref, "#")
	}
	return "/paths/" + escapePointer(path) + "/" + method + "/responses/" + status
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// mediaTypes returns the content of a response by media type.
func mediaTypes(t *testing.T, pointer string) map[string]struct {
	Example json.RawMessage `json:"example"`
} {
	t.Helper()
	var all any
	json.Unmarshal(openAPIDocument, &all)
	for _, part := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		all = all.(map[string]any)[part]
	}
	raw, _ := json.Marshal(all.(map[string]any)["content"])
	var out map[string]struct {
		Example json.RawMessage `json:"example"`
	}
	json.Unmarshal(raw, &out)
	return out
}

func TestOpenAPIExamplesValidate(t *testing.T) {
	doc := loadOpenAPI(t)
	schemas := newOpenAPISchemas(t)
	checked := 0
	for path, ops := range doc.Paths {
		for method, o := range ops {
			for status, raw := range o.Responses {
				ptr := responsePointer(path, method, status, raw)
				for media, c := range mediaTypes(t, ptr) {
					if !strings.HasSuffix(media, "json") {
						continue
					}
					name := fmt.Sprintf("%s %s %s", method, path, status)
					if c.Example == nil {
						if path != "/api/v1/openapi.json" {
							t.Errorf("%s: no example", name)
						}
						continue
					}
					sch := schemas.compile(t, ptr+"/content/"+escapePointer(media)+"/schema")
					inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(c.Example))
					if err != nil {
						t.Fatal(err)
					}
					if err := sch.Validate(inst); err != nil {
						t.Errorf("%s: the example does not fit its schema: %v", name, err)
					}
					checked++
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d examples checked", checked)
	}
	// The schemas are strict enough to tell: a list without items fails.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"total": 1, "limit": 20, "facets": {}}`))
	if schemas.compile(t, "/components/schemas/CourseList").Validate(bad) == nil {
		t.Error("the CourseList schema accepts a list without items")
	}
}

func TestOpenAPIMatchesLiveAnswers(t *testing.T) {
	doc := loadOpenAPI(t)
	schemas := newOpenAPISchemas(t)
	ctx := context.Background()
	dir := t.TempDir()
	ring, err := keys.Open(ctx, keys.FileStorage{Path: filepath.Join(dir, "keys.json")}, keys.Options{KEKFile: filepath.Join(dir, "kek")})
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, withCourses(t, 30), func(o *Options) { o.Keys = ring })
	for path, ops := range doc.Paths {
		o := ops["get"]
		u := path
		for _, p := range o.Parameters {
			if p.In == "path" {
				u = strings.ReplaceAll(u, "{"+p.Name+"}", url.PathEscape(fmt.Sprint(p.Example)))
			}
		}
		if strings.Contains(u, "{") {
			t.Errorf("%s: a path parameter has no example", path)
			continue
		}
		if path == "/api/v1/courses" {
			u += "?limit=2" // a full page, so the answer carries a cursor
		}
		resp, err := http.Get(ts.URL + u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		status := strconv.Itoa(resp.StatusCode)
		raw, ok := o.Responses[status]
		if !ok {
			t.Errorf("GET %s answered %s, which the document does not list", u, status)
			continue
		}
		if resp.StatusCode != 200 && path != "/api/v1/runs/{id}" { // the test data has no runs
			t.Errorf("GET %s: %s, want 200 for the example parameters\n%s", u, status, body)
		}
		ptr := responsePointer(path, "get", status, raw)
		media, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
		if _, ok := mediaTypes(t, ptr)[media]; !ok {
			t.Errorf("GET %s: Content-Type %s is not documented for %s", u, media, status)
			continue
		}
		if !strings.HasSuffix(media, "json") {
			continue
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		if err := schemas.compile(t, ptr+"/content/"+escapePointer(media)+"/schema").Validate(inst); err != nil {
			t.Errorf("GET %s (%s): the answer does not fit the schema: %v", u, status, err)
		}
	}
	// An error answer and 429 fit their schemas too.
	limited := newTestServer(t, func(o *Options) { o.RateLimit = RateLimit{PerSecond: 0.001, Burst: 1} })
	for _, want := range []int{200, 429} {
		resp, body := get(t, limited.URL+"/api/v1/courses?limit=1")
		if resp.StatusCode != want {
			t.Fatalf("%d, want %d", resp.StatusCode, want)
		}
		if want == 429 {
			inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(body))
			if err := schemas.compile(t, "/components/responses/TooManyRequests/content/application~1json/schema").Validate(inst); err != nil {
				t.Errorf("429: %v", err)
			}
		}
	}
}

// TestOpenAPIStatesTheLimits holds the documented bounds of the course
// search to the constants the server enforces.
func TestOpenAPIStatesTheLimits(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string `json:"name"`
				Schema struct {
					MaxLength *int `json:"maxLength"`
					Maximum   *int `json:"maximum"`
					Default   any  `json:"default"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{"q": {maxTextRunes, 0}, "cursor": {maxCursorBytes, 0}, "limit": {0, maxLimit}}
	for _, p := range doc.Paths["/api/v1/courses"]["get"].Parameters {
		w, ok := want[p.Name]
		if !ok {
			continue
		}
		delete(want, p.Name)
		if (w[0] != 0 && (p.Schema.MaxLength == nil || *p.Schema.MaxLength != w[0])) || (w[1] != 0 && (p.Schema.Maximum == nil || *p.Schema.Maximum != w[1])) {
			t.Errorf("%s: documented %+v, enforced %v", p.Name, p.Schema, w)
		}
		if p.Name == "limit" && p.Schema.Default != float64(defaultLimit) {
			t.Errorf("limit: documented default %v, enforced %d", p.Schema.Default, defaultLimit)
		}
	}
	if len(want) > 0 {
		t.Errorf("parameters not documented: %v", want)
	}
}
