// Package check holds the publisher's pre-flight report: what discovery
// found, what is wrong with the manifest and what each source yields, with
// a fix for every problem. The harvest makes it (harvest.Harvester.Check),
// `qlink check` prints it and the web's "check my institution" form shows
// it; this package is what the three share, so the report is one thing.
package check

import (
	"net/url"
	"strings"

	"qlink/internal/discovery"
	"qlink/internal/manifest"
)

// Report is what a check tells a publisher.
type Report struct {
	Target      string                `json:"target"`
	Probes      []discovery.Probe     `json:"probes,omitempty"`
	ManifestURL string                `json:"manifestUrl,omitempty"`
	Diagnostics []manifest.Diagnostic `json:"diagnostics,omitempty"`
	Problems    []Problem             `json:"problems,omitempty"`
	Sources     []SourceReport        `json:"sources,omitempty"`
	Pass        bool                  `json:"pass"`
	// AllowPrivate says the check was let reach private addresses, which
	// the aggregator itself never contacts.
	AllowPrivate bool `json:"allowPrivate,omitempty"`
}

// SourceReport is the preview of one source.
type SourceReport struct {
	Type     string    `json:"type"`
	Path     string    `json:"path"`
	Name     string    `json:"name,omitempty"`
	Auth     string    `json:"auth"`
	Pages    int       `json:"pages"`
	Courses  int       `json:"courses"`
	Sample   []string  `json:"sample,omitempty"`
	Warnings []string  `json:"warnings,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
}

// Problem is something that stops the aggregator from using the data.
type Problem struct {
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// ValidTarget reports whether target is something a check can start from:
// a domain name (a SCHAC code is one) or an http(s) URL of a manifest.
func ValidTarget(target string) bool {
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		u, err := url.Parse(target) // refuses spaces and other junk in the host
		return err == nil && u.Hostname() != ""
	}
	return discovery.IsDomainName(target)
}
