package testfed

import (
	"strings"
	"time"
)

// The ground truth: everything Generate makes, as plain values. Tests
// elsewhere compute what they expect (counts, facets, discovery results) from
// these types instead of parsing what the servers send.

// LangString is a value in one language. Language is the BCP 47 tag exactly
// as published (e.g. "de-AT", "en-GB", "nl").
type LangString struct {
	Language string
	Value    string
}

// Text is a multilingual string, in publication order.
type Text []LangString

// In returns the value whose tag has the primary language subtag lang (so
// "de" matches "de-AT"), or "" when there is none.
func (t Text) In(lang string) string {
	for _, s := range t {
		if primarySubtag(s.Language) == lang {
			return s.Value
		}
	}
	return ""
}

// Languages returns the primary language subtags of t, in order.
func (t Text) Languages() []string {
	out := make([]string, len(t))
	for i, s := range t {
		out[i] = primarySubtag(s.Language)
	}
	return out
}

func primarySubtag(tag string) string {
	p, _, _ := strings.Cut(tag, "-")
	return strings.ToLower(p)
}

// Country is an ISO 3166 country.
type Country struct {
	Alpha2 string // "DE"
	Alpha3 string // "DEU"
	Name   string // English short name
}

// Misbehavior is a way in which an institution deliberately breaks the
// rules. Options.Misbehaving adds one institution per discovery
// misbehaviour; Options.Hostile adds institutions whose data servers
// misbehave.
type Misbehavior string

// The misbehaviours.
const (
	// NoManifest: the institution is in the registry but publishes no
	// manifest anywhere.
	NoManifest Misbehavior = "no-manifest"
	// MalformedManifest: the well-known YAML manifest is not valid YAML.
	MalformedManifest Misbehavior = "malformed-manifest"

	// RepeatedPages: the server ignores pageNumber (OOAPI) or offset
	// (Edu-API) and sends the first page for every page asked.
	RepeatedPages Misbehavior = "repeated-pages"
	// EndlessPages: every page says there is another (OOAPI hasNextPage,
	// Edu-API Link rel="next" without X-Total-Count); past the end the
	// server repeats the last page.
	EndlessPages Misbehavior = "endless-pages"
	// MalformedItem: the first page of courses starts with an item that is
	// not an object, and one course (marked QuirkMalformedField) has a
	// field of the wrong JSON type.
	MalformedItem Misbehavior = "malformed-item"
	// ForeignLinks: OCCAPI links point at another institution's host: the
	// institution's programme link, and the instance link of every tenth
	// course (marked QuirkForeignLink).
	ForeignLinks Misbehavior = "foreign-links"
)

// misbehaviors lists the values Options.Misbehaving adds, in order.
var misbehaviors = []Misbehavior{NoManifest, MalformedManifest}

// Institution is one fictional higher education institution.
type Institution struct {
	Index       int    // position in the federation, from 0
	SCHAC       string // SCHAC home organisation code, e.g. "uni-lindenau.test"
	Name        string // official name in the home language
	NameEnglish string
	Acronym     string
	Country     Country
	City        string
	// HomeLanguage is the ISO 639-1 code of the institution's language.
	HomeLanguage string
	Website      string // e.g. "https://www.uni-lindenau.test/"
	RegistryID   int    // id in the registry
	DEQARID      string // e.g. "DEQARINST9001"
	ETERID       string // e.g. "DE9001"
	// RegistrySCHAC tells whether the registry lists the SCHAC code; when it
	// does not, discovery must start from the website.
	RegistrySCHAC bool
	// Alliance is the code of the European University alliance the
	// institution belongs to ("" for none), e.g. "lumen".
	Alliance    string
	Discovery   Discovery
	Misbehavior Misbehavior // "" for a well-behaved institution
	// Expect is what harvesting a hostile institution's sources must give
	// (nil for other institutions): see [Profiles].
	Expect *Outcome
	// Organizations are the OOAPI organisations: the root first, then
	// faculties.
	Organizations []Organization
	// Sources are the manifest's sources, in manifest order.
	Sources []Source
}

// Courses returns the courses of all sources.
func (in *Institution) Courses() []Course {
	var out []Course
	for _, s := range in.Sources {
		out = append(out, s.Courses...)
	}
	return out
}

// Variant names a way of publishing the manifest (or of failing to).
type Variant string

// The discovery variants. Institutions 0–11 use, in order: TXTSCHAC,
// WellKnown (with an SPF record), WellKnownJSON, WellKnownYAML, TXTWebsite,
// NoSCHACWebsite, TXTSplit, WellKnown, NoSCHACRegistrable, WellKnownYAMLText,
// TXTSCHAC (YAML manifest), NoSCHACNoWWW; later ones cycle through the common
// variants. The last two come with Options.Misbehaving.
const (
	// TXT record `v=qldiscover1; m=<url>` on the SCHAC domain.
	VariantTXTSCHAC Variant = "txt-schac"
	// As VariantTXTSCHAC, but the record is split into several
	// character-strings, and the domain also has an SPF record.
	VariantTXTSplit Variant = "txt-schac-split"
	// TXT record on the website host only (www.<schac>).
	VariantTXTWebsite Variant = "txt-website"
	// /.well-known/quality-link-manifest (JSON) on the SCHAC domain.
	VariantWellKnown Variant = "well-known"
	// Only /.well-known/quality-link-manifest.json on the SCHAC domain.
	VariantWellKnownJSON Variant = "well-known-json"
	// Only /.well-known/quality-link-manifest.yaml, as application/yaml.
	VariantWellKnownYAML Variant = "well-known-yaml"
	// Only /.well-known/quality-link-manifest.yaml, as text/plain.
	VariantWellKnownYAMLText Variant = "well-known-yaml-text"
	// No SCHAC code in the registry; well-known manifest on the website host.
	VariantNoSCHACWebsite Variant = "no-schac-website"
	// No SCHAC code in the registry; website www.campus.<schac>, manifest on
	// campus.<schac> (the website host without "www.").
	VariantNoSCHACNoWWW Variant = "no-schac-no-www"
	// No SCHAC code in the registry; website www.cs.<schac>, manifest on
	// <schac> (the registrable domain).
	VariantNoSCHACRegistrable Variant = "no-schac-registrable"
	// Misbehaving: no manifest anywhere.
	VariantNoManifest Variant = "no-manifest"
	// Misbehaving: the manifest found is malformed YAML.
	VariantMalformedManifest Variant = "malformed-manifest"
)

// Candidate is a kind of candidate domain, in the spec's probe order: SCHAC
// code, website host, website host without "www.", registrable domain.
type Candidate string

// The candidate kinds.
const (
	CandidateSCHAC             Candidate = "schac"
	CandidateWebsite           Candidate = "website"
	CandidateWebsiteNoWWW      Candidate = "website-no-www"
	CandidateRegistrableDomain Candidate = "registrable-domain"
)

// Method is how a manifest is found on a candidate domain.
type Method string

// The methods, in the spec's probe order.
const (
	MethodDNSTXT    Method = "dns-txt"
	MethodWellKnown Method = "well-known"
)

// Discovery is the expected outcome of discovery for one institution. When
// nothing is to be found, Candidate, Domain, Method and ManifestURL are empty.
type Discovery struct {
	Variant Variant
	// Candidate and Domain: the first candidate domain on which a manifest
	// is found (earlier candidates have nothing).
	Candidate Candidate
	Domain    string
	Method    Method
	// ManifestURL is where the manifest is fetched from: the URL in the TXT
	// record, or the well-known URL.
	ManifestURL string
	Format      string // "json" or "yaml"
	ContentType string // as served
	// TXT holds the character-strings of the qldiscover TXT record, as
	// published (more than one for VariantTXTSplit).
	TXT []string
	// OtherTXT holds unrelated TXT records (SPF) published on Domain.
	OtherTXT []string
}

// Organization is an OOAPI organisation: the institution itself (type
// "root") or a faculty.
type Organization struct {
	ID        string
	Type      string // "root" or "faculty"
	Name      Text
	ShortName string
}

// Source is one manifest source.
//
// The courses and programmes of a source hold what its format publishes,
// so that tests can compute expectations from them:
//   - Edu-API has no ISCED-F field and no learning outcomes: the truth has
//     none, unless Extensions says the source publishes them in extensions;
//     its levels have no EQF 5 (associate degrees), an offering has one
//     format (the first of its modes, hybrid published as blended), and a
//     course template none.
//   - OCCAPI courses have no EQF level and programmes no offerings.
type Source struct {
	ID   string // stable source id in the manifest
	Name string
	// Type is the format: FormatOOAPI, FormatEduAPI or FormatOCCAPI.
	Type string
	// Version is "5" (OOAPI), "1.0" (Edu-API) or "2" (OCCAPI).
	Version string
	// Path is the manifest path: the API root ending in "/" (OOAPI,
	// Edu-API) or the institution's resource …/occapi/v2/hei/<schac>.
	Path     string
	PageSize int // the manifest's pageSize (0 for OCCAPI, which has no paging)
	Refresh  int // hours
	// Extensions is set when an Edu-API source publishes ISCED-F codes and
	// learning outcomes in its templates' extensions.
	Extensions bool
	// Alliance is set for an alliance virtual-campus catalogue.
	Alliance string
	// LastModified is the Last-Modified time of every response.
	LastModified time.Time
	Courses      []Course
	Programs     []Program
}

// Quirk marks a realistic sloppiness in published data.
type Quirk string

// The quirks.
const (
	// firstStartDate, validFrom and validTo are published as "".
	QuirkEmptyDates Quirk = "empty-dates"
	// learningOutcomes is published as [[]]; Course.LearningOutcomes is nil.
	QuirkEmptyLearningOutcomes Quirk = "empty-learning-outcomes"
	// OCCAPI: the texts are published with lang null; their Language is "".
	QuirkUnstatedLanguage Quirk = "unstated-language"
	// A hostile institution publishes one field with the wrong JSON type:
	// OOAPI validFrom, Edu-API dateLastModified, OCCAPI lastModified.
	QuirkMalformedField Quirk = "malformed-field"
	// A hostile OCCAPI institution's instance link points at another host.
	QuirkForeignLink Quirk = "foreign-link"
)

// Course is an OOAPI course (a learning opportunity specification).
type Course struct {
	ID   string // courseId (UUID)
	Code string // abbreviation and primaryCode.code
	Name Text
	// Description may contain HTML paragraphs (<p>…</p>) at some
	// institutions, as real ones do.
	Description Text
	// LearningOutcomes has one Text per outcome.
	LearningOutcomes []Text
	// TeachingLanguage is the ISO 639-2 code as published: some
	// institutions use the bibliographic codes (ger, dut, fre, cze).
	TeachingLanguage string
	// Language is the ISO 639-2/T code of TeachingLanguage (deu for ger).
	Language string
	Level    string // OOAPI level: bachelor, master, doctoral, associate degree
	// EQF is the EQF level implied by Level, or 0 where the format cannot
	// publish it.
	EQF  int
	ECTS float64
	// ISCED is the detailed ISCED-F 2013 code, e.g. "0613" ("" where the
	// format cannot publish it).
	ISCED string
	// Modes are the OOAPI modeOfDelivery values.
	Modes        []string
	Link         string // course web page
	Organization string // id of the faculty
	Programs     []string
	// Alliance is the eduXchange alliance code the course is offered in
	// ("" for none).
	Alliance       string
	FirstStartDate time.Time
	ValidFrom      time.Time
	// Offerings in chronological order; the OOAPI server hides those that
	// start before Options.Now unless asked with `since`.
	Offerings []Offering
	Quirks    []Quirk
	// Modified is when Evolve last changed the course (zero: the
	// source's LastModified); Edu-API publishes it as dateLastModified.
	Modified time.Time
}

// BroadField returns the ISCED-F broad field, e.g. "06", or "" when the
// course publishes no field.
func (c *Course) BroadField() string {
	if len(c.ISCED) < 2 {
		return ""
	}
	return c.ISCED[:2]
}

// HasQuirk tells whether the course carries quirk q.
func (c *Course) HasQuirk(q Quirk) bool {
	for _, x := range c.Quirks {
		if x == q {
			return true
		}
	}
	return false
}

// Program is an OOAPI program (a degree programme).
type Program struct {
	ID                   string
	Code                 string
	Type                 string // OOAPI programType
	Name                 Text
	Description          Text
	LearningOutcomes     []Text
	TeachingLanguage     string // as published
	Language             string // ISO 639-2/T
	Level                string
	EQF                  int
	QualificationAwarded string // BA, BSc, MA, MSc, LLB, LLM
	ECTS                 float64
	ISCED                string
	ModeOfStudy          string // full-time, part-time
	Link                 string
	Organization         string
	Courses              []string // course ids
	Offerings            []Offering
}

// Offering is an OOAPI course or program offering.
type Offering struct {
	ID               string
	Code             string
	Type             string // "course" or "program"
	Name             Text
	Description      Text
	TeachingLanguage string
	Modes            []string
	ResultExpected   bool
	Start, End       time.Time
	EnrollStart      time.Time
	EnrollEnd        time.Time
	MaxStudents      int
	EnrolledStudents int
	MinStudents      int
	Link             string
	// EnrollmentURL is the eduXchange consumer's enrollmentUrl ("" when the
	// offering has no consumer entry).
	EnrollmentURL string
}
