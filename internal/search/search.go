// Package search is the catalogue's search stage: it turns stored courses
// into search documents and answers free-text queries with facet filters,
// facet counts and an ECTS range. The index is derived data: it can always
// be rebuilt from the store.
//
// Index is implemented by search/bleve (embedded, the default) and, for
// scale-out, PostgreSQL full-text search.
package search

import (
	"context"
	"errors"
	"slices"
	"strings"

	"qlink/internal/markup"
	"qlink/internal/model"
	"qlink/internal/vocab"
)

// Index is a searchable set of course documents.
type Index interface {
	// Index adds or replaces documents by ID.
	Index(ctx context.Context, docs []Document) error
	// Delete removes documents; unknown IDs are ignored.
	Delete(ctx context.Context, ids []string) error
	Search(ctx context.Context, q Query) (Result, error)
	// Count returns the number of indexed documents.
	Count(ctx context.Context) (int, error)
	// EachID calls fn with the ID of every indexed document, so the
	// store and the index can be reconciled after a crash.
	EachID(ctx context.Context, fn func(id string) error) error
	Close() error
}

// WarmingUp is implemented by an index that makes ready, after a start,
// what visitors are likely to search; a process is not ready to serve
// until it has (web's readiness check).
type WarmingUp interface {
	// WarmingUp reports whether that work is still under way.
	WarmingUp() bool
}

// TextKeeper is implemented by an index that keeps what recent text
// searches matched, so that a caller can tell the searches that cost
// little from those that may cost much before it runs them.
type TextKeeper interface {
	// Keeps reports whether the index keeps the matches of text (a
	// query's Text) as of now.
	Keeps(text string) bool
}

// CacheReporter is implemented by an index that keeps what recent
// searches found, so operators can see how often it answers from there.
type CacheReporter interface {
	// CacheLookups counts, per kept kind, the lookups since the index
	// was opened.
	CacheLookups() []CacheLookups
}

// CacheLookups counts the lookups of one kind of kept result, and the
// memory what is kept of it takes.
type CacheLookups struct {
	Kind         string // what is kept, e.g. "text" (a text's matches)
	Hits, Misses int64
	Bytes        int
	// Warmed counts the values made ready ahead of any lookup: computed
	// after a write made the kept ones stale, or read back at start from
	// what the process before kept.
	Warmed int64
}

// Facet names a filterable dimension of the catalogue.
type Facet string

// The catalogue's facets. Values are stable keys: provider IDs, ISO 3166
// alpha-2 country codes, alliance IDs, BCP 47 primary language tags, EQF levels "1"…"8",
// ISCED-F broad field codes "00"…"10", and vocabulary slugs for type and
// mode (see package vocab).
const (
	FacetInstitution Facet = "institution"
	FacetAlliance    Facet = "alliance"
	FacetCountry     Facet = "country"
	FacetLanguage    Facet = "language"
	FacetEQF         Facet = "eqf"
	FacetField       Facet = "field"
	FacetType        Facet = "type"
	FacetMode        Facet = "mode"
)

// Facets lists every facet in display order.
var Facets = []Facet{FacetInstitution, FacetAlliance, FacetCountry, FacetLanguage, FacetEQF, FacetField, FacetType, FacetMode}

// Query is one catalogue search.
type Query struct {
	// Text is free text in any language; empty matches everything.
	Text string
	// Filters selects values per facet: values of one facet are ORed,
	// facets are ANDed.
	Filters map[Facet][]string
	// ECTSMin and ECTSMax bound the ECTS credits (inclusive); nil means
	// unbounded. A bound excludes courses that state no ECTS.
	ECTSMin, ECTSMax *float64
	// Status selects active courses (the default, ""), inactive ones or
	// all; facet counts follow it.
	Status Status
	// Quality selects courses by their quality flag: all ("", the
	// default), valid ones only or flagged ones only.
	Quality QualityFilter
	// Page starts at 1; Limit is the page size.
	Page, Limit int
	// After is the SortKey of the last hit already seen: when set, Page
	// is ignored and the hits after that one come, so a reader can walk
	// every hit, however many, without the cost of deep pages. The order
	// is total (ties end on the ID), so a walk over an unchanged index
	// meets each hit exactly once.
	After SortKey
}

// Page sizes: a Query.Limit of 0 or less asks for DefaultLimit hits, and
// no page holds more than MaxLimit.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// SortKey is a hit's place in the order of its query's results, opaque
// to everyone but the index that made it and meaningful only for that
// same query.
type SortKey []string

// ErrSortKey reports a Query.After that no hit of the query could have
// given: another query's key, or a damaged one.
var ErrSortKey = errors.New("search: the sort key does not belong to this query")

// Status selects courses by whether they are still offered.
type Status string

// The statuses a query can ask for.
const (
	StatusActive   Status = "active"
	StatusInactive Status = "inactive"
	StatusAll      Status = "all"
)

// ParseStatus reads a status as a query names it; "" is active.
func ParseStatus(s string) (Status, bool) {
	switch st := Status(s); st {
	case "":
		return StatusActive, true
	case StatusActive, StatusInactive, StatusAll:
		return st, true
	}
	return "", false
}

// QualityFilter selects courses by whether the quality checks flagged
// them (they break a rule of the QualityLink profile).
type QualityFilter string

// The quality filters a query can ask for.
const (
	QualityAll     QualityFilter = ""
	QualityValid   QualityFilter = "valid"
	QualityFlagged QualityFilter = "flagged"
)

// ParseQuality reads a quality filter as a query names it; "" and "all"
// select every course.
func ParseQuality(s string) (QualityFilter, bool) {
	switch q := QualityFilter(s); q {
	case "", "all":
		return QualityAll, true
	case QualityValid, QualityFlagged:
		return q, true
	}
	return "", false
}

// Result is one page of hits with facet counts.
type Result struct {
	Total int
	Hits  []Hit
	// Facets holds, per facet, the values present with their counts, the
	// largest count first, then by value. Counts follow every filter
	// except the facet's own, so a reader can widen a selection within a
	// facet (disjunctive faceting).
	Facets map[Facet][]FacetCount
}

// Hit is one matching document.
type Hit struct {
	ID    string
	Score float64
	// Key is where the hit sits in the result order: Query.After takes it
	// to continue after this hit.
	Key SortKey
}

// FacetCount is the number of hits with a facet value.
type FacetCount struct {
	Value string
	Count int
}

// Document is what the index knows of a course.
type Document struct {
	ID string
	// Texts holds title, description and learning outcomes per language
	// (BCP 47 primary tag, "" for unstated), so each can be analysed with
	// its language's stemmer.
	Title       map[string]string
	Description map[string]string
	Outcomes    map[string]string
	// Extra is language-neutral searchable text: institution names,
	// course codes, field labels.
	Extra string

	Institution string
	// Alliances are the provider's alliances (model.Provider.Alliances).
	Alliances []string
	Country   string
	Languages []string
	EQF       string
	Fields    []string
	Type      string
	Modes     []string
	ECTS      *float64
	// Inactive marks a course no longer offered: searches leave it out
	// unless they ask for it (Query.Status).
	Inactive bool
	// Flagged marks a course that breaks a rule of the QualityLink
	// profile: shown unless a query asks for valid courses only.
	Flagged bool
}

// FacetValues returns the document's distinct values per facet, sorted,
// blanks dropped: what the facet counts and filters of every index see.
func (d Document) FacetValues() map[Facet][]string {
	one := func(v string) []string { return nonBlank([]string{v}) }
	return map[Facet][]string{
		FacetInstitution: one(d.Institution),
		FacetAlliance:    nonBlank(d.Alliances),
		FacetCountry:     one(d.Country),
		FacetLanguage:    nonBlank(d.Languages),
		FacetEQF:         one(d.EQF),
		FacetField:       nonBlank(d.Fields),
		FacetType:        one(d.Type),
		FacetMode:        nonBlank(d.Modes),
	}
}

// nonBlank returns the distinct non-blank values of vs, sorted.
func nonBlank(vs []string) []string {
	out := slices.Compact(slices.Sorted(slices.Values(vs)))
	return slices.DeleteFunc(out, func(v string) bool { return v == "" })
}

// NewDocument builds the search document of a specification published by p.
func NewDocument(s model.Specification, p model.Provider) Document {
	d := Document{
		ID:          s.ID,
		Title:       byPrimaryLang(s.Title),
		Description: byPrimaryLang(s.Description),
		Outcomes:    map[string]string{},
		Institution: p.ID,
		Alliances:   p.Alliances,
		Country:     p.Country,
		Languages:   s.Languages,
		Fields:      model.ISCEDBroad(s.ISCEDF),
	}
	for _, lo := range s.LearningOutcomes {
		for lang, v := range byPrimaryLang(lo) {
			d.Outcomes[lang] += v + "\n"
		}
	}
	if s.EQFLevel > 0 {
		d.EQF = vocab.EQF.All()[s.EQFLevel-1].Code
	}
	if c, ok := vocab.LearningOpportunityTypes.Lookup(s.Type); ok {
		d.Type = c.Slug
	}
	for _, m := range s.Modes() {
		if c, ok := vocab.Modes.Lookup(m); ok && !slices.Contains(d.Modes, c.Slug) {
			d.Modes = append(d.Modes, c.Slug)
		}
	}
	if e, ok := s.ECTS(); ok {
		d.ECTS = &e
	}
	var extra []string
	for _, name := range p.Name {
		extra = append(extra, name)
	}
	if p.Acronym != "" {
		extra = append(extra, p.Acronym)
	}
	for _, id := range s.Identifiers {
		extra = append(extra, id.Value)
	}
	for _, code := range s.ISCEDF {
		if c, ok := vocab.ISCEDF.Lookup(code); ok {
			extra = append(extra, c.Label("en"))
		}
	}
	slices.Sort(extra)
	d.Extra = strings.Join(slices.Compact(extra), "\n")
	return d
}

// byPrimaryLang folds regional variants onto their language ("en-GB" and
// "en-US" both feed the English analyser), joining distinct values, as
// plain text: sources put HTML in descriptions.
func byPrimaryLang(t model.Text) map[string]string {
	out := map[string]string{}
	for _, tag := range t.Langs() {
		lang := model.PrimaryLang(tag)
		if out[lang] != "" {
			out[lang] += "\n"
		}
		out[lang] += markup.PlainText(t[tag])
	}
	return out
}
