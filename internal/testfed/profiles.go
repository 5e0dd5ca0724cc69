package testfed

import (
	"fmt"
	"slices"
	"strings"
)

// The hostile profiles: each names one way an institution's servers
// misbehave, usable from tests (Options.Hostile) and from
// `qlink demo --hostile`. Every profile's institution publishes a
// well-formed manifest (but for ChangingManifest) whose sources misbehave
// as named, served by the federation's own loopback and DNS servers.

// Misbehaviours of the data servers beyond those of the paging formats.
const (
	// SlowResponses: every response waits a little before its headers,
	// well within any sane deadline; the source must still be harvested.
	SlowResponses Misbehavior = "slow"
	// SlowDrip: the headers come at once, then the body one byte at a time,
	// never finishing before the client's deadline.
	SlowDrip Misbehavior = "slow-drip"
	// NoAnswer: the server accepts the request and never answers.
	NoAnswer Misbehavior = "no-answer"
	// Unavailable: every request gets 503 with Retry-After: 1.
	Unavailable Misbehavior = "unavailable"
	// ServerError: every request gets 500.
	ServerError Misbehavior = "server-error"
	// Truncated: the body stops halfway through its Content-Length and the
	// connection is dropped.
	Truncated Misbehavior = "truncated"
	// InvalidUTF8: every multilingual value starts with bytes that are not
	// UTF-8.
	InvalidUTF8 Misbehavior = "invalid-utf8"
	// WrongContentType: an ELM file served with the media type of another
	// RDF syntax than its own.
	WrongContentType Misbehavior = "wrong-content-type"
	// HTMLErrorPage: every request gets 200 with an HTML error page.
	HTMLErrorPage Misbehavior = "html-error-page"
	// GzipBomb: a gzip body that inflates to a gigabyte.
	GzipBomb Misbehavior = "gzip-bomb"
	// DeflateBomb: a deflate body that inflates to a gigabyte.
	DeflateBomb Misbehavior = "deflate-bomb"
	// HugeFile: a body that never ends (up to a gigabyte).
	HugeFile Misbehavior = "huge-file"
	// DeepJSON: a page of a million nested JSON arrays.
	DeepJSON Misbehavior = "deep-json"
	// DeepXML: an RDF/XML file of a hundred thousand nested elements.
	DeepXML Misbehavior = "deep-xml"
	// EntityExpansion: an RDF/XML file whose DTD expands one entity to a
	// billion ("billion laughs").
	EntityExpansion Misbehavior = "entity-expansion"
	// RedirectLoop: every request is redirected to itself.
	RedirectLoop Misbehavior = "redirect-loop"
	// PrivateRedirect: every request is redirected to a host whose DNS
	// name resolves to the cloud metadata address 169.254.169.254.
	PrivateRedirect Misbehavior = "private-redirect"
	// DNSFailure: the manifest's source is on a host that does not resolve.
	DNSFailure Misbehavior = "dns-failure"
	// DNSRebinding: the source host first resolves to the institution's
	// address, then to 169.254.169.254; the server closes every
	// connection, so each page is a new lookup.
	DNSRebinding Misbehavior = "dns-rebinding"
	// ChangingManifest: every fetch of the manifest alternates between two
	// versions: the source's id, name and page size change.
	ChangingManifest Misbehavior = "changing-manifest"
	// ClaimsOther: an ELM file whose courses name another institution of
	// the federation as their publisher.
	ClaimsOther Misbehavior = "claims-other"
	// CollidingIDs: one course is published twice under the same id, the
	// second copy (marked QuirkDuplicateID) with another title.
	CollidingIDs Misbehavior = "colliding-ids"
)

// QuirkDuplicateID marks the second copy of a course that a CollidingIDs
// institution publishes twice; the harvest keeps the first.
const QuirkDuplicateID Quirk = "duplicate-id"

// Profile is a named misbehaviour with what harvesting it must give.
type Profile struct {
	Name        Misbehavior
	Description string
	// Formats are the source formats that can show it; the first is the
	// one `--hostile` and [HostileProfiles] use.
	Formats []string
	Expect  Outcome
}

// Outcome is what harvesting a hostile institution's source must give.
type Outcome struct {
	// OK: the run succeeds (status ok); otherwise it fails or is partial.
	OK bool
	// Mentions: the failed run's error, or one of an ok run's warnings,
	// contains one of these (case-insensitively); none: nothing to check.
	Mentions []string
}

var paged = []string{FormatOOAPI, FormatEduAPI}

// Profiles are every hostile profile, in the order `--hostile all` adds
// them. Transport misbehaviours can be shown in any format but are
// published as OOAPI.
var Profiles = []Profile{
	{SlowResponses, "every response is a little slow, but in time", anyFormat, Outcome{OK: true}},
	{SlowDrip, "the body arrives one byte at a time, past the deadline", anyFormat, fails("timeout")},
	{NoAnswer, "the server never answers", anyFormat, fails("timeout")},
	{Unavailable, "503 with Retry-After on every request", anyFormat, fails("HTTP 503")},
	{ServerError, "500 on every request", anyFormat, fails("HTTP 500")},
	{Truncated, "the body stops halfway and the connection drops", anyFormat, fails("unexpected EOF")},
	{InvalidUTF8, "texts that are not valid UTF-8", paged, fails("UTF-8")},
	{WrongContentType, "an ELM file served as another RDF syntax", []string{FormatELM}, fails("served as")},
	{HTMLErrorPage, "200 with an HTML error page instead of data", anyFormat, fails("HTML")},
	{GzipBomb, "a gzip body inflating to a gigabyte", anyFormat, fails("too-large")},
	{DeflateBomb, "a deflate body inflating to a gigabyte", anyFormat, fails("too-large")},
	{HugeFile, "a body that never ends", anyFormat, fails("too-large")},
	{DeepJSON, "a million nested JSON arrays", paged, fails("depth")},
	{DeepXML, "an RDF/XML file nested a hundred thousand deep", []string{FormatELM}, fails("nest")},
	{EntityExpansion, "an RDF/XML file with a billion-laughs DTD", []string{FormatELM}, fails("DTD", "entit")},
	{RedirectLoop, "every request redirected to itself", anyFormat, fails("redirects")},
	{PrivateRedirect, "redirected to the cloud metadata address", anyFormat, fails("blocked")},
	{DNSFailure, "the source host does not resolve", anyFormat, fails("dns")},
	{DNSRebinding, "the source host rebinds to the metadata address", anyFormat, fails("blocked")},
	{ChangingManifest, "the manifest changes on every fetch", anyFormat, Outcome{OK: true}},
	{ClaimsOther, "courses claim another institution as publisher", []string{FormatELM}, warns("claims publisher")},
	{CollidingIDs, "one course id published twice", paged, warns("published twice")},
	{RepeatedPages, "every page is the first page", paged, fails("same page again")},
	{EndlessPages, "every page says there is a next one", paged, fails("same page again")},
	{MalformedItem, "an item that is not an object, a field of the wrong type", []string{FormatOOAPI, FormatEduAPI, FormatOCCAPI}, Outcome{OK: true}},
	{ForeignLinks, "links to another institution's host", []string{FormatOCCAPI}, fails("another host")},
}

var anyFormat = []string{FormatOOAPI, FormatEduAPI, FormatOCCAPI, FormatELM}

func fails(mentions ...string) Outcome { return Outcome{Mentions: mentions} }
func warns(mentions ...string) Outcome { return Outcome{OK: true, Mentions: mentions} }

// ProfileOf returns the profile named mb.
func ProfileOf(mb Misbehavior) (Profile, bool) {
	i := slices.IndexFunc(Profiles, func(p Profile) bool { return p.Name == mb })
	if i < 0 {
		return Profile{}, false
	}
	return Profiles[i], true
}

// HostileProfiles turns a list of profile names, or "all", into hostile
// institutions, each in its profile's first format.
func HostileProfiles(names []string) ([]Hostile, error) {
	var out []Hostile
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "all" {
			for _, p := range Profiles {
				out = append(out, Hostile{Misbehavior: p.Name, Format: p.Formats[0]})
			}
			continue
		}
		p, ok := ProfileOf(Misbehavior(n))
		if !ok {
			return nil, fmt.Errorf("unknown hostile profile %q (known: all, %s)", n, strings.Join(ProfileNames(), ", "))
		}
		out = append(out, Hostile{Misbehavior: p.Name, Format: p.Formats[0]})
	}
	return out, nil
}

// ProfileNames lists the profiles' names in order.
func ProfileNames() []string {
	out := make([]string, len(Profiles))
	for i, p := range Profiles {
		out[i] = string(p.Name)
	}
	return out
}

// Later reports whether the profile obeys Options.HostileLater: it is
// shown by wrapping a data server, rather than by the format's renderer,
// the manifest or DNS.
func (p Profile) Later() bool { return transportLevel(p.Name) }

// transportLevel reports whether mb is shown by wrapping the data server
// (rather than by the format's own renderer or by DNS alone).
func transportLevel(mb Misbehavior) bool {
	switch mb {
	case "", NoManifest, MalformedManifest, RepeatedPages, EndlessPages, MalformedItem, ForeignLinks,
		DNSFailure, ChangingManifest, ClaimsOther, CollidingIDs:
		return false
	}
	return true
}
