package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// The discovery stage logs each probe with a short technical reason (see
// internal/discovery: its outcomes and the reasons it writes, and the
// fetch error kinds it passes on). The institution page says the same in
// sentences an IT officer can act on; the technical reason stays beside
// it. web may not import discovery, so the shape is mirrored here and a
// test runs the real discovery against a test server to keep the two in
// step.

// loggedProbe is one step of a discovery's JSON probe log.
type loggedProbe struct {
	Step       int    `json:"step"`
	Domain     string `json:"domain"`
	Method     string `json:"method"`
	URL        string `json:"url"`
	Outcome    string `json:"outcome"`
	Reason     string `json:"reason"`
	DurationMS int64  `json:"durationMs"`
}

// Probe methods and outcomes as discovery writes them.
const (
	probeDNSTXT    = "dns-txt"
	probeWellKnown = "well-known"
	probeFound     = "found"
	probeAbsent    = "absent"
	probeError     = "error"
)

// probeView is one probe as the page shows it.
type probeView struct {
	loggedProbe
	// What names the step ("DNS TXT record of example.org").
	What string
	// Plain is the outcome in words; Reason (embedded) the logged text.
	Plain string
}

// decodeProbes reads a stored probe log; a log that is not what discovery
// writes is reported, never shown half-read.
func decodeProbes(raw []byte) ([]loggedProbe, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var ps []loggedProbe
	if err := json.Unmarshal(raw, &ps); err != nil {
		return nil, fmt.Errorf("probe log: %w", err)
	}
	return ps, nil
}

func (s *Server) probeViews(r *http.Request, ps []loggedProbe) []probeView {
	out := make([]probeView, 0, len(ps))
	for _, p := range ps {
		v := probeView{loggedProbe: p, Plain: s.probeSentence(r, p)}
		if p.Method == probeDNSTXT {
			v.What = s.tr(r, "DNS TXT record of %s", p.Domain)
		} else {
			v.What = s.tr(r, "Well-known URL %s", p.URL)
		}
		out = append(out, v)
	}
	return out
}

// probeSentence says what one probe found, in words.
func (s *Server) probeSentence(r *http.Request, p loggedProbe) string {
	if p.Method == probeDNSTXT {
		if p.URL == "" {
			return s.txtSentence(r, p)
		}
		// The record named a manifest URL; what follows is about it.
		if p.Outcome == probeFound {
			return s.tr(r, "The TXT record of %s points to %s, which holds a valid manifest (%s).", p.Domain, p.URL, p.Reason)
		}
		return s.tr(r, "The TXT record of %s points to %s, but: %s", p.Domain, p.URL, s.fetchSentence(r, p))
	}
	if p.Outcome == probeFound {
		return s.tr(r, "A valid manifest is published here (%s).", p.Reason)
	}
	return s.fetchSentence(r, p)
}

// txtSentence explains a DNS TXT probe that named no manifest URL.
func (s *Server) txtSentence(r *http.Request, p loggedProbe) string {
	switch reason := p.Reason; {
	case reason == "NXDOMAIN or no TXT records":
		return s.tr(r, "There is no TXT record for %s (the name has no TXT records, or does not exist in DNS).", p.Domain)
	case reason == "no v=qldiscover1 record":
		return s.tr(r, "%s has TXT records, but none starts with v=qldiscover1.", p.Domain)
	case reason == "DNS timeout":
		return s.tr(r, "The DNS servers of %s did not answer in time.", p.Domain)
	case strings.HasPrefix(reason, "DNS lookup failed: "):
		return s.tr(r, "The DNS lookup of %s failed: %s.", p.Domain, strings.TrimPrefix(reason, "DNS lookup failed: "))
	case strings.HasPrefix(reason, "record "):
		return s.tr(r, "%s has a QualityLink TXT record that cannot be used: %s. It must read v=qldiscover1; m=<https URL of the manifest>.", p.Domain, reason)
	}
	return p.Reason
}

var (
	// fetchPrefix is how a fetch error starts: "fetch <url>: ".
	fetchPrefix = regexp.MustCompile(`^fetch \S+: `)
	httpStatus  = regexp.MustCompile(`^HTTP (\d{3})\b`)
	// manifestDiag is discovery's reason for a file that is no manifest:
	// the content type, then the first fatal diagnostic.
	// syntaxLine finds the line in a JSON or YAML parser's message, as
	// the manifest checker passes it on ("not valid JSON: line 3: …",
	// "…: yaml: line 3: did not find …").
	syntaxLine   = regexp.MustCompile(`^(.*?): (?:yaml: )?line (\d+): (.*)$`)
	manifestDiag = regexp.MustCompile(`^not a usable manifest \(content type "([^"]*)"\): (?:error at (.*?)(?: \(line (\d+)\))?: )?(.*)$`)
)

// fetchSentence explains a probe whose manifest URL could not be used.
func (s *Server) fetchSentence(r *http.Request, p loggedProbe) string {
	reason := p.Reason
	if m := manifestDiag.FindStringSubmatch(reason); m != nil {
		return s.manifestSentence(r, p.URL, m[1], m[2], m[3], m[4])
	}
	if reason == "host does not resolve" {
		return s.tr(r, "The host of %s does not exist in DNS, so nothing can be published there.", p.URL)
	}
	rest := fetchPrefix.ReplaceAllString(reason, "")
	if m := httpStatus.FindStringSubmatch(rest); m != nil {
		code, _ := strconv.Atoi(m[1])
		return s.statusSentence(r, p.URL, code)
	}
	kind, detail, _ := strings.Cut(rest, ": ")
	switch kind {
	case "blocked":
		return s.tr(r, "qlink does not contact %s: its address is private or local, or not http(s) (%s).", p.URL, detail)
	case "dns":
		return s.tr(r, "The host of %s does not exist in DNS, so nothing can be published there.", p.URL)
	case "timeout":
		return s.tr(r, "%s did not answer in time.", p.URL)
	case "network":
		return s.tr(r, "%s could not be reached: the connection was refused, reset or the network is unreachable.", p.URL)
	case "tls":
		return s.tr(r, "The secure connection to %s failed (certificate or TLS handshake): %s.", p.URL, detail)
	case "redirects":
		return s.tr(r, "%s redirects too many times, or to an address that cannot be used.", p.URL)
	case "too-large":
		return s.tr(r, "The answer from %s is larger than qlink accepts for a manifest.", p.URL)
	case "url":
		return s.tr(r, "The address %s is not a valid URL.", p.URL)
	case "encoding":
		return s.tr(r, "The answer from %s is compressed in a way qlink cannot read (%s).", p.URL, detail)
	case "canceled":
		return s.tr(r, "Discovery stopped before %s answered.", p.URL)
	}
	return reason
}

func (s *Server) statusSentence(r *http.Request, u string, code int) string {
	switch {
	case code == http.StatusNotFound || code == http.StatusGone:
		return s.tr(r, "The well-known URL answered %d (%s): no manifest is published at %s.", code, http.StatusText(code), u)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return s.tr(r, "%s answered %d (%s): the manifest must be readable without logging in.", u, code, http.StatusText(code))
	case code >= 500:
		return s.tr(r, "The server of %s failed with %d (%s).", u, code, http.StatusText(code))
	}
	return s.tr(r, "%s answered %d (%s) instead of a manifest.", u, code, http.StatusText(code))
}

// manifestSentence explains a file that was fetched but is no usable
// manifest, with the place the manifest checker names.
func (s *Server) manifestSentence(r *http.Request, u, contentType, where, line, msg string) string {
	if m := syntaxLine.FindStringSubmatch(msg); line == "" && m != nil {
		line, msg = m[2], m[1]+": "+m[3]
	}
	if where == "the top level" {
		where = ""
	}
	switch {
	case line != "" && where != "":
		return s.tr(r, "The file at %s (content type %s) is not a valid manifest: at line %s (%s), %s", u, contentType, line, where, msg)
	case line != "":
		return s.tr(r, "The file at %s (content type %s) is not a valid manifest: at line %s, %s", u, contentType, line, msg)
	case where != "":
		return s.tr(r, "The file at %s (content type %s) is not a valid manifest: at %s, %s", u, contentType, where, msg)
	}
	return s.tr(r, "The file at %s (content type %s) is not a valid manifest: %s", u, contentType, msg)
}

// discoveryVerdict says in one sentence what a discovery came to: where
// the manifest is, or what the publisher should fix first. Like discovery
// itself, it puts something published but unusable before "nothing here".
func (s *Server) discoveryVerdict(r *http.Request, manifestURL string, ps []probeView, domains []string) string {
	if manifestURL != "" {
		return s.tr(r, "The manifest was found at %s.", manifestURL)
	}
	for _, p := range ps {
		if p.Outcome == probeError && p.URL != "" {
			return s.tr(r, "No usable manifest was found. Fix this first: %s", p.Plain)
		}
	}
	for _, p := range ps {
		if p.Outcome == probeError {
			return s.tr(r, "No usable manifest was found. Fix this first: %s", p.Plain)
		}
	}
	if len(domains) == 0 {
		return s.tr(r, "No manifest was found: the institution has neither a SCHAC code nor a website to look on.")
	}
	return s.tr(r, "No manifest was found on %s: publish a DNS TXT record v=qldiscover1; m=<manifest URL> on one of these domains, or the manifest at /.well-known/quality-link-manifest on one of them.",
		strings.Join(domains, ", "))
}

// probedDomains lists the candidate domains in the order probed.
func probedDomains(ps []loggedProbe) []string {
	var out []string
	for _, p := range ps {
		if len(out) == 0 || out[len(out)-1] != p.Domain {
			out = append(out, p.Domain)
		}
	}
	return out
}
