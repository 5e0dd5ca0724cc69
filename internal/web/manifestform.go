package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The manifest builder's form: the institution's identifiers and a list of
// sources, each a group of fields with the same names, so the i-th value
// of every name belongs to the i-th source. The form round-trips: a POST
// re-renders it with what was typed, plus the manifest it makes.

// sourceFields are the names of one source's fields, in the form's order.
var sourceFields = []string{"type", "version", "path", "name", "id", "refresh", "auth",
	"field", "value", "token_endpoint", "scope", "client_id", "client_secret"}

// sourceTypes and authTypes are the builder's choices, as the manifest
// specification names them (qlink adds occapi).
var (
	sourceTypes = []string{"elm", "ooapi", "edu-api", "occapi"}
	authTypes   = []string{"none", "httpheader", "oauth2.0", "httpsig"}
)

// maxFormSources caps the sources one form may carry; the aggregator
// refuses longer manifests anyway (harvest-max-sources, default 100).
const maxFormSources = 100

// builderForm is what the builder's form holds.
type builderForm struct {
	SCHAC, ETERID, DEQARID, DID string
	// ManifestURL is where the institution will publish the manifest,
	// for the DNS TXT record.
	ManifestURL string
	Sources     []formSource
}

// formSource is one source as typed, every field a string.
type formSource map[string]string

// Get returns a field, for the template.
func (s formSource) Get(name string) string { return s[name] }

// blank reports whether nothing but the preset choices (type, auth) was
// filled in: such a row is the empty one the form offers, not a source.
func (s formSource) blank() bool {
	for _, name := range sourceFields {
		if name != "type" && name != "auth" && s[name] != "" {
			return false
		}
	}
	return true
}

// parseBuilderForm reads the form. An "op" of "add" appends an empty
// source and "remove-N" drops source N: the buttons that edit the list
// without JavaScript.
func parseBuilderForm(v url.Values) (builderForm, error) {
	f := builderForm{SCHAC: field(v, "schac"), ETERID: field(v, "eterid"), DEQARID: field(v, "deqarid"),
		DID: field(v, "did"), ManifestURL: field(v, "manifest_url")}
	n := len(v["type"])
	for _, name := range sourceFields {
		if len(v[name]) != n {
			return f, fmt.Errorf("the form's source fields do not line up (%d %q for %d sources): reload the page and try again", len(v[name]), name, n)
		}
	}
	if n > maxFormSources {
		return f, fmt.Errorf("the form has %d sources; a manifest may list at most %d", n, maxFormSources)
	}
	for i := range n {
		src := formSource{}
		for _, name := range sourceFields {
			src[name] = strings.TrimSpace(v[name][i])
		}
		f.Sources = append(f.Sources, src)
	}
	switch op := v.Get("op"); {
	case op == "add" && len(f.Sources) < maxFormSources:
		f.Sources = append(f.Sources, newFormSource())
	case strings.HasPrefix(op, "remove-"):
		if i, err := strconv.Atoi(strings.TrimPrefix(op, "remove-")); err == nil && i >= 0 && i < len(f.Sources) {
			f.Sources = append(f.Sources[:i], f.Sources[i+1:]...)
		}
	}
	return f, nil
}

func field(v url.Values, name string) string { return strings.TrimSpace(v.Get(name)) }

func newFormSource() formSource { return formSource{"type": "ooapi", "auth": "none"} }

// emptyBuilderForm is the form as the page first shows it.
func emptyBuilderForm() builderForm { return builderForm{Sources: []formSource{newFormSource()}} }

// builtManifest is the manifest the builder writes, its keys in the
// specification's order for both JSON and YAML.
type builtManifest struct {
	Meta    *builtMeta    `json:"meta,omitempty" yaml:"meta,omitempty"`
	Sources []builtSource `json:"sources" yaml:"sources"`
}

type builtMeta struct {
	SCHAC   string `json:"schac,omitempty" yaml:"schac,omitempty"`
	ETERID  string `json:"eterid,omitempty" yaml:"eterid,omitempty"`
	DEQARID string `json:"deqarid,omitempty" yaml:"deqarid,omitempty"`
	DID     string `json:"did,omitempty" yaml:"did,omitempty"`
}

type builtSource struct {
	Type    string `json:"type" yaml:"type"`
	Path    string `json:"path" yaml:"path"`
	Version string `json:"version,omitempty" yaml:"version,omitempty"`
	ID      string `json:"id,omitempty" yaml:"id,omitempty"`
	Name    string `json:"name,omitempty" yaml:"name,omitempty"`
	// Refresh is kept as typed: a number goes out as a number, anything
	// else as the string, for the validator to name.
	Refresh any       `json:"refresh,omitempty" yaml:"refresh,omitempty"`
	Auth    builtAuth `json:"auth" yaml:"auth"`
}

type builtAuth struct {
	Type          string `json:"type" yaml:"type"`
	Field         string `json:"field,omitempty" yaml:"field,omitempty"`
	Value         string `json:"value,omitempty" yaml:"value,omitempty"`
	TokenEndpoint string `json:"token_endpoint,omitempty" yaml:"token_endpoint,omitempty"`
	Scope         string `json:"scope,omitempty" yaml:"scope,omitempty"`
	ClientID      string `json:"client_id,omitempty" yaml:"client_id,omitempty"`
	ClientSecret  string `json:"client_secret,omitempty" yaml:"client_secret,omitempty"`
}

// manifest turns the form into a manifest. Sources left blank are
// skipped; an auth method takes only its own parameters.
func (f builderForm) manifest() builtManifest {
	m := builtManifest{Sources: []builtSource{}}
	if meta := (builtMeta{SCHAC: f.SCHAC, ETERID: f.ETERID, DEQARID: f.DEQARID, DID: f.DID}); meta != (builtMeta{}) {
		m.Meta = &meta
	}
	for _, s := range f.Sources {
		if s.blank() {
			continue
		}
		m.Sources = append(m.Sources, builtSource{Type: s["type"], Path: s["path"], Version: s["version"], ID: s["id"],
			Name: s["name"], Refresh: refreshValue(s["refresh"]), Auth: builtAuthOf(s)})
	}
	return m
}

func refreshValue(s string) any {
	if s == "" {
		return nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return n
	}
	return s
}

func builtAuthOf(s formSource) builtAuth {
	a := builtAuth{Type: s["auth"]}
	switch a.Type {
	case "httpheader":
		a.Field, a.Value = s["field"], s["value"]
	case "oauth2.0":
		a.TokenEndpoint, a.Scope, a.ClientID, a.ClientSecret = s["token_endpoint"], s["scope"], s["client_id"], s["client_secret"]
	}
	return a
}

// JSON is the manifest as a publisher saves it, indented.
func (m builtManifest) JSON() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(m) // plain strings and numbers: cannot fail
	return buf.Bytes()
}

// YAML is the same manifest in YAML.
func (m builtManifest) YAML() []byte {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	enc.Encode(m) // plain strings and numbers: cannot fail
	enc.Close()
	return buf.Bytes()
}

// txtRecord is the DNS TXT record that points discovery at the manifest,
// as the discovery specification writes it: on the institution's domain,
// "v=qldiscover1; m=<URL>". It says why when it cannot make one.
type txtRecord struct {
	Domain string
	Value  string
	// WellKnown is the alternative to the record: the manifest at the
	// domain's well-known URL needs none.
	WellKnown string
	Problem   string
}

func dnsRecord(domain, manifestURL string) txtRecord {
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	r := txtRecord{Domain: domain}
	if domain == "" {
		r.Problem = "Give the institution's SCHAC code (its domain) to see the DNS record."
		return r
	}
	r.WellKnown = "https://" + domain + "/.well-known/quality-link-manifest.json"
	if manifestURL == "" {
		manifestURL = r.WellKnown
	}
	u, err := url.Parse(manifestURL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		r.Problem = "The manifest URL must be an absolute https URL."
	case strings.ContainsAny(manifestURL, "\"; \t\\"):
		// The record's value is a quoted string of key=value pairs
		// separated by semicolons: these would break it.
		r.Problem = "The manifest URL must not contain quotes, semicolons, backslashes or spaces; percent-encode them."
	default:
		r.Value = "v=qldiscover1; m=" + manifestURL
	}
	return r
}

// ZoneLine is the record as a line of a DNS zone file.
func (r txtRecord) ZoneLine() string {
	return fmt.Sprintf("%s. 3600 IN TXT %q", r.Domain, r.Value)
}

// formSourceView is one source's group of fields as the template draws it.
type formSourceView struct {
	Index  int
	Source formSource
	Types  []string
	Auths  []string
}

// Number counts sources from 1, for people.
func (v formSourceView) Number() int { return v.Index + 1 }

// SourceViews are the form's sources, for the template.
func (p manifestPage) SourceViews() []formSourceView {
	out := make([]formSourceView, len(p.Form.Sources))
	for i, s := range p.Form.Sources {
		out[i] = formSourceView{Index: i, Source: s, Types: sourceTypes, Auths: authTypes}
	}
	return out
}

// BlankSource is the group script copies to add a source in place.
func (p manifestPage) BlankSource() formSourceView {
	return formSourceView{Index: len(p.Form.Sources), Source: newFormSource(), Types: sourceTypes, Auths: authTypes}
}
