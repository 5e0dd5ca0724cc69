// Package manifest parses and checks QualityLink manifests: the small JSON
// or YAML file an institution publishes to list its data sources. It is the
// discovery stage's output and the harvest's input. Problems come back as
// diagnostics with a JSON pointer, so a publisher can find and fix them.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Source types a manifest may declare. The published schema lacks occapi;
// qlink accepts it, as DESIGN.md requires.
const (
	TypeELM    = "elm"
	TypeOOAPI  = "ooapi"
	TypeEduAPI = "edu-api"
	TypeOCCAPI = "occapi"
)

// Manifest is a parsed manifest.
type Manifest struct {
	Meta    Meta     `json:"meta"`
	Sources []Source `json:"sources"`
	// index holds each source's position in the published list.
	index []int
}

// Meta identifies the institution the manifest speaks for.
type Meta struct {
	SCHAC   string `json:"schac,omitempty"`
	ETERID  string `json:"eterid,omitempty"`
	DEQARID string `json:"deqarid,omitempty"`
	DID     string `json:"did,omitempty"`
}

// Source is one data source entry.
type Source struct {
	Type            string            `json:"type"`
	Path            string            `json:"path"`
	Version         string            `json:"version,omitempty"`
	ID              string            `json:"id,omitempty"`
	Name            string            `json:"name,omitempty"`
	Auth            Auth              `json:"auth"`
	Refresh         float64           `json:"refresh,omitempty"`
	Headers         map[string]string `json:"headers,omitempty"`
	QueryParameters map[string]string `json:"queryParameters,omitempty"`
	ContentType     string            `json:"contentType,omitempty"`
	PageSize        int               `json:"pageSize,omitempty"`
	// Raw is the entry exactly as published, kept with the source record.
	Raw json.RawMessage `json:"-"`
}

// Auth is a source's access-control block.
type Auth struct {
	Type string `json:"type"`
	// Other holds the method's parameters (field, value, token_endpoint …).
	Other map[string]any `json:"-"`
}

// Key identifies a source within its institution across manifest edits:
// the publisher's id when given, otherwise its type and path.
func (s Source) Key() string {
	if s.ID != "" {
		return "id:" + s.ID
	}
	return s.Type + " " + s.Path
}

// Diagnostic is one problem found in a manifest.
type Diagnostic struct {
	// Pointer is a JSON pointer to the offending value ("/sources/0/path").
	Pointer string `json:"pointer"`
	Message string `json:"message"`
	// Line is the line of the manifest where the value starts (0 when
	// unknown).
	Line int `json:"line,omitempty"`
	// Fatal diagnostics make the source (or the manifest) unusable;
	// others are warnings.
	Fatal bool `json:"fatal"`
}

func (d Diagnostic) String() string {
	kind := "warning"
	if d.Fatal {
		kind = "error"
	}
	where := d.Pointer
	if where == "" {
		where = "the top level"
	}
	if d.Line > 0 {
		where = fmt.Sprintf("%s (line %d)", where, d.Line)
	}
	return fmt.Sprintf("%s at %s: %s", kind, where, d.Message)
}

// ErrInvalid is returned when a manifest cannot be used at all.
var ErrInvalid = errors.New("manifest: invalid")

// Parse reads a manifest in JSON or YAML (whatever the Content-Type says:
// YAML is often served as text/plain). It returns the usable sources and
// every diagnostic; sources with fatal problems are left out. The error is
// non-nil when nothing usable remains.
func Parse(body []byte) (*Manifest, []Diagnostic, error) {
	return ParseWithin(body, 0)
}

// ParseWithin is Parse for manifests from the internet: a manifest listing
// more than maxSources sources (0: no cap) is refused before its sources
// are read or validated, so a hostile one cannot make qlink spend minutes
// on it or harvest without end.
func ParseWithin(body []byte, maxSources int) (*Manifest, []Diagnostic, error) {
	doc, lines, err := decode(body)
	if shape := (*shapeError)(nil); errors.As(err, &shape) {
		d := Diagnostic{Pointer: shape.Pointer, Line: shape.Line, Message: shape.Reason, Fatal: true}
		return nil, []Diagnostic{d}, fmt.Errorf("%w: %s", ErrInvalid, d.String())
	}
	if err != nil {
		return nil, []Diagnostic{{Message: err.Error(), Fatal: true}}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if n := countSources(doc); maxSources > 0 && n > maxSources {
		d := Diagnostic{Pointer: "/sources", Line: lines.lineOf("/sources"), Fatal: true,
			Message: fmt.Sprintf("lists %d sources, more than the %d this aggregator accepts from one manifest", n, maxSources)}
		return nil, []Diagnostic{d}, fmt.Errorf("%w: %s", ErrInvalid, d.String())
	}
	m, diags := parseDocument(doc)
	diags = mergeSchema(m, diags, schemaDiagnostics(doc))
	for i := range diags {
		diags[i].Line = lines.lineOf(diags[i].Pointer)
	}
	for _, d := range diags {
		if d.Fatal && (d.Pointer == "" || d.Pointer == "/sources") {
			return m, diags, fmt.Errorf("%w: %s", ErrInvalid, d.String())
		}
	}
	if len(m.Sources) == 0 {
		return m, diags, fmt.Errorf("%w: no usable source", ErrInvalid)
	}
	return m, diags, nil
}

// countSources returns the length of the sources list, if there is one.
func countSources(doc any) int {
	root, _ := doc.(map[string]any)
	list, _ := root["sources"].([]any)
	return len(list)
}

// parseDocument reads the decoded document into a Manifest with qlink's
// own checks, which give the most helpful messages. Sources with fatal
// problems are left out; Manifest.index remembers where each came from.
func parseDocument(doc any) (*Manifest, []Diagnostic) {
	m := &Manifest{}
	root, ok := doc.(map[string]any)
	if !ok {
		return m, []Diagnostic{{Pointer: "", Message: "the manifest must be an object with a sources list", Fatal: true}}
	}
	var diags []Diagnostic
	m.Meta, diags = parseMeta(root["meta"])
	for key := range root {
		if key != "meta" && key != "sources" {
			diags = append(diags, Diagnostic{Pointer: "/" + key, Message: "unknown key, ignored"})
		}
	}
	list, ok := root["sources"].([]any)
	if !ok || len(list) == 0 {
		return m, append(diags, Diagnostic{Pointer: "/sources", Message: "a non-empty sources list is required", Fatal: true})
	}
	for i, item := range list {
		src, ds := parseSource(fmt.Sprintf("/sources/%d", i), item)
		diags = append(diags, ds...)
		if !hasFatal(ds) {
			m.Sources = append(m.Sources, src)
			m.index = append(m.index, i)
		}
	}
	return m, diags
}

// mergeSchema adds the schema violations qlink's own checks did not
// already report, and drops sources they make unusable.
func mergeSchema(m *Manifest, own, fromSchema []Diagnostic) []Diagnostic {
	covered := func(ptr string) bool {
		for _, d := range own {
			if d.Pointer == ptr || strings.HasPrefix(ptr, d.Pointer+"/") || (d.Pointer != "" && strings.HasPrefix(d.Pointer, ptr+"/")) {
				return true
			}
		}
		return false
	}
	out := own
	for _, d := range fromSchema {
		if covered(d.Pointer) {
			continue
		}
		d.Fatal = schemaFatal(d.Pointer)
		out = append(out, d)
		if n := sourceIndex(d.Pointer); d.Fatal && n >= 0 {
			m.drop(n)
		}
	}
	return out
}

// drop removes the source that came from manifest position n.
func (m *Manifest) drop(n int) {
	for i, at := range m.index {
		if at == n {
			m.Sources = append(m.Sources[:i], m.Sources[i+1:]...)
			m.index = append(m.index[:i], m.index[i+1:]...)
			return
		}
	}
}

func hasFatal(ds []Diagnostic) bool {
	for _, d := range ds {
		if d.Fatal {
			return true
		}
	}
	return false
}

// decode reads JSON, or YAML when the body does not look like JSON. YAML
// is decoded into plain maps so both paths produce the same shapes. Either
// is refused when nested deeper than maxDepth, and YAML with a mapping
// longer than maxKeys (a *shapeError), before it is decoded into maps.
func decode(body []byte) (any, *lineIndex, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, nil, errors.New("the manifest is empty")
	}
	var doc any
	if trimmed[0] == '{' || trimmed[0] == '[' {
		lines, err := jsonLines(body)
		if err != nil {
			return nil, nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return nil, nil, fmt.Errorf("not valid JSON: %v", jsonErrorWithLine(body, err))
		}
		return doc, lines, nil
	}
	var node yaml.Node
	if err := yaml.Unmarshal(body, &node); err != nil {
		return nil, nil, fmt.Errorf("neither JSON nor valid YAML: %v", err)
	}
	if err := checkYAMLDepth(&node); err != nil {
		return nil, nil, err
	}
	if err := node.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("not valid YAML: %v", err)
	}
	return doc, yamlLines(&node), nil
}

// jsonErrorWithLine adds the line to a JSON syntax error.
func jsonErrorWithLine(body []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line := 1 + bytes.Count(body[:min(int(syn.Offset), len(body))], []byte("\n"))
		return fmt.Errorf("line %d: %w", line, err)
	}
	return err
}

func parseMeta(v any) (Meta, []Diagnostic) {
	var m Meta
	if v == nil {
		return m, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return m, []Diagnostic{{Pointer: "/meta", Message: "meta must be an object, ignored"}}
	}
	var diags []Diagnostic
	for key, val := range obj {
		s, ok := scalar(val)
		if !ok {
			diags = append(diags, Diagnostic{Pointer: "/meta/" + key, Message: "must be a string, ignored"})
			continue
		}
		switch key {
		case "schac":
			m.SCHAC = s
		case "eterid":
			m.ETERID = s
		case "deqarid":
			m.DEQARID = s
		case "did":
			m.DID = s
		default:
			diags = append(diags, Diagnostic{Pointer: "/meta/" + key, Message: "unknown key, ignored"})
		}
	}
	return m, diags
}

func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v), true
	case json.Number:
		return v.String(), true
	case int, int64, float64, bool:
		return fmt.Sprint(v), true
	}
	return "", false
}

func parseSource(ptr string, item any) (Source, []Diagnostic) {
	var src Source
	obj, ok := item.(map[string]any)
	if !ok {
		return src, []Diagnostic{{Pointer: ptr, Message: "a source must be an object", Fatal: true}}
	}
	src.Raw, _ = json.Marshal(obj)
	var diags []Diagnostic
	bad := func(key, msg string, fatal bool) {
		diags = append(diags, Diagnostic{Pointer: ptr + "/" + key, Message: msg, Fatal: fatal})
	}
	for key, val := range obj {
		switch key {
		case "type", "path", "version", "id", "name", "contentType":
			s, ok := scalar(val)
			if !ok {
				bad(key, "must be a string", key == "type" || key == "path")
				continue
			}
			setString(&src, key, s)
		case "refresh":
			n, ok := number(val)
			if !ok || n < 0 {
				bad(key, "must be a non-negative number of hours, ignored", false)
				continue
			}
			src.Refresh = n
		case "pageSize":
			n, ok := number(val)
			if !ok || n < 1 || n != float64(int(n)) {
				bad(key, "must be a positive whole number, ignored", false)
				continue
			}
			src.PageSize = int(n)
		case "headers", "queryParameters":
			m, ds := stringMap(ptr+"/"+key, val)
			diags = append(diags, ds...)
			if key == "headers" {
				src.Headers = m
			} else {
				src.QueryParameters = m
			}
		case "auth":
			var ds []Diagnostic
			src.Auth, ds = parseAuth(ptr+"/auth", val)
			diags = append(diags, ds...)
		default:
			bad(key, "unknown key, ignored", false)
		}
	}
	diags = append(diags, checkSource(ptr, &src)...)
	return src, diags
}

func setString(src *Source, key, s string) {
	switch key {
	case "type":
		src.Type = strings.ToLower(s)
	case "path":
		src.Path = s
	case "version":
		src.Version = s
	case "id":
		src.ID = s
	case "name":
		src.Name = s
	case "contentType":
		src.ContentType = s
	}
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case int:
		return float64(v), true
	case float64:
		return v, true
	case string:
		var n json.Number = json.Number(strings.TrimSpace(v))
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func stringMap(ptr string, v any) (map[string]string, []Diagnostic) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, []Diagnostic{{Pointer: ptr, Message: "must be an object of strings, ignored"}}
	}
	out := map[string]string{}
	var diags []Diagnostic
	for k, val := range obj {
		s, ok := scalar(val)
		if !ok {
			diags = append(diags, Diagnostic{Pointer: ptr + "/" + k, Message: "must be a string, ignored"})
			continue
		}
		out[k] = s
	}
	return out, diags
}

func parseAuth(ptr string, v any) (Auth, []Diagnostic) {
	obj, ok := v.(map[string]any)
	if !ok {
		return Auth{}, []Diagnostic{{Pointer: ptr, Message: "auth must be an object", Fatal: true}}
	}
	a := Auth{Other: map[string]any{}}
	for k, val := range obj {
		if k == "type" {
			a.Type, _ = scalar(val)
			continue
		}
		a.Other[k] = val
	}
	switch a.Type {
	case "none", "httpheader", "oauth2.0", "httpsig":
		return a, nil
	case "":
		return a, []Diagnostic{{Pointer: ptr + "/type", Message: "auth.type is required (none, httpheader, oauth2.0 or httpsig)", Fatal: true}}
	}
	return a, []Diagnostic{{Pointer: ptr + "/type", Message: fmt.Sprintf("unknown auth type %q (want none, httpheader, oauth2.0 or httpsig)", a.Type), Fatal: true}}
}

func checkSource(ptr string, src *Source) []Diagnostic {
	var diags []Diagnostic
	switch src.Type {
	case TypeELM, TypeOOAPI, TypeEduAPI, TypeOCCAPI:
	case "":
		diags = append(diags, Diagnostic{Pointer: ptr + "/type", Message: "type is required (elm, ooapi, edu-api or occapi)", Fatal: true})
	default:
		diags = append(diags, Diagnostic{Pointer: ptr + "/type", Message: fmt.Sprintf("unknown source type %q (want elm, ooapi, edu-api or occapi)", src.Type), Fatal: true})
	}
	u, err := url.Parse(src.Path)
	switch {
	case src.Path == "":
		diags = append(diags, Diagnostic{Pointer: ptr + "/path", Message: "path is required", Fatal: true})
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		diags = append(diags, Diagnostic{Pointer: ptr + "/path", Message: fmt.Sprintf("path %q must be an absolute http(s) URL", src.Path), Fatal: true})
	case u.Scheme == "http":
		diags = append(diags, Diagnostic{Pointer: ptr + "/path", Message: "plain http: data and credentials travel unencrypted; use https"})
	}
	if src.Auth.Type == "" && !hasPointer(diags, ptr+"/auth") {
		src.Auth.Type = "none"
	}
	return diags
}

func hasPointer(ds []Diagnostic, p string) bool {
	for _, d := range ds {
		if strings.HasPrefix(d.Pointer, p) {
			return true
		}
	}
	return false
}
