package export

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"qlink/internal/model"
	"qlink/internal/vocab"
)

// ScopeKind says which part of the catalogue a file holds.
type ScopeKind string

// Scope kinds.
const (
	ScopeAll      ScopeKind = "all"
	ScopeProvider ScopeKind = "provider"
	ScopeCountry  ScopeKind = "country"
)

// Scope is the part of the catalogue a file holds: all of it, one
// institution's courses or one country's.
type Scope struct {
	Kind ScopeKind `json:"kind"`
	// ID is the provider ID or the ISO 3166-1 alpha-2 country code.
	ID string `json:"id,omitempty"`
}

// All is the whole catalogue.
var All = Scope{Kind: ScopeAll}

// ProviderScope is one institution's courses.
func ProviderScope(id string) Scope { return Scope{Kind: ScopeProvider, ID: id} }

// CountryScope is the courses of one country's institutions.
func CountryScope(code string) Scope { return Scope{Kind: ScopeCountry, ID: strings.ToUpper(code)} }

// holds reports whether a course of provider p belongs in the scope.
func (s Scope) holds(p model.Provider) bool {
	switch s.Kind {
	case ScopeProvider:
		return p.ID == s.ID
	case ScopeCountry:
		return p.Country != "" && strings.EqualFold(p.Country, s.ID)
	}
	return true
}

// name says in words what the scope holds.
func (s Scope) name(providers map[string]model.Provider) string {
	switch s.Kind {
	case ScopeProvider:
		return providerOf(providers, s.ID).Name.String()
	case ScopeCountry:
		return vocab.CountryName(s.ID, "en")
	}
	return "All courses"
}

// country is the scope's country code, "" for the whole catalogue.
func (s Scope) country(providers map[string]model.Provider) string {
	switch s.Kind {
	case ScopeProvider:
		return strings.ToUpper(providers[s.ID].Country)
	case ScopeCountry:
		return s.ID
	}
	return ""
}

var plainName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$`)

// base is the scope's part of a file name. An ID that is not a plain name
// (a URL, say) is replaced by a digest, so names stay safe in paths and
// URLs.
func (s Scope) base() string {
	switch s.Kind {
	case ScopeAll:
		return "qlink-dataset"
	case ScopeCountry:
		return "country-" + strings.ToLower(safeName(s.ID))
	}
	return "provider-" + safeName(s.ID)
}

func safeName(id string) string {
	if plainName.MatchString(id) && !strings.Contains(id, "..") {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "h" + hex.EncodeToString(sum[:8])
}

// FileName names the gzip file of a scope in a format, e.g.
// qlink-dataset.nq.gz or provider-uni-a.courses.csv.gz.
func FileName(s Scope, f Format) string { return s.base() + "." + string(f) + ".gz" }
