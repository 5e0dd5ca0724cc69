package model

import (
	"slices"
	"time"
)

// Identifier is one identifier a source gave a resource. Scheme names where
// it comes from (e.g. "ooapi:courseId", "ooapi:primaryCode:identifier",
// "schac"); Value is kept exactly as published.
type Identifier struct {
	Scheme string `json:"scheme"`
	Value  string `json:"value"`
}

// Credit is an amount of credit in a credit system (an EU
// education-credit concept IRI, e.g. ECTS).
type Credit struct {
	System string  `json:"system"`
	Value  float64 `json:"value"`
}

// Kinds of specification. ELM specifies a learning opportunity by what it
// leads to (a learning achievement specification, the default) or, for
// participation without assessment, by its activity alone.
const (
	// KindAchievement (the zero value) is ql:LearningOpportunitySpecification,
	// a subclass of elm:LearningAchievementSpecification.
	KindAchievement = ""
	// KindActivity is elm:LearningActivitySpecification, which ELM declares
	// disjoint from achievement specifications.
	KindActivity = "activity"
)

// GradingScheme is how results are graded (elm:GradingScheme).
type GradingScheme struct {
	Title       Text `json:"title,omitempty"`
	Description Text `json:"description,omitempty"`
}

// IsEmpty reports whether g says nothing; nil says nothing too.
func (g *GradingScheme) IsEmpty() bool {
	return g == nil || (g.Title.IsEmpty() && g.Description.IsEmpty())
}

// Study is what a learning opportunity states about how it is studied. A
// specification states it for every run; an instance for its own run,
// which is where OCCAPI and ELM offerings state it.
type Study struct {
	// Schedule is an EU learning-schedule concept IRI (full time, part
	// time intensive, part time light).
	Schedule string `json:"schedule,omitempty"`
	// VolumeOfLearning is the expected workload as an xsd:duration
	// ("PT150H"); see Duration.
	VolumeOfLearning string         `json:"volumeOfLearning,omitempty"`
	GradingScheme    *GradingScheme `json:"gradingScheme,omitempty"`
}

// Specification is a learning-opportunity specification
// (ql:LearningOpportunitySpecification): a course, programme, module or
// micro-credential as designed, independent of when it runs.
type Specification struct {
	// ID is the canonical course identifier (see CourseID).
	ID          string       `json:"id"`
	Identifiers []Identifier `json:"identifiers,omitempty"`
	// Kind is KindAchievement or KindActivity.
	Kind string `json:"kind,omitempty"`
	// Type is an EU learning-opportunity type concept IRI.
	Type             string `json:"type,omitempty"`
	Title            Text   `json:"title"`
	Description      Text   `json:"description,omitempty"`
	LearningOutcomes []Text `json:"learningOutcomes,omitempty"`
	// Languages are the languages of instruction as normalised BCP 47
	// primary tags ("nl", "en").
	Languages []string `json:"languages,omitempty"`
	// ISCEDF holds ISCED-F 2013 field codes (2 to 4 digits); broad and
	// narrow fields are derived, never stored.
	ISCEDF []string `json:"iscedf,omitempty"`
	// EQFLevel is 1 to 8, or 0 when unknown.
	EQFLevel          int       `json:"eqfLevel,omitempty"`
	Credits           []Credit  `json:"credits,omitempty"`
	Homepage          string    `json:"homepage,omitempty"`
	EntryRequirements Text      `json:"entryRequirements,omitempty"`
	Active            bool      `json:"active"`
	Version           string    `json:"version,omitempty"`
	Modified          time.Time `json:"modified,omitzero"`
	// PublisherID is the Provider.ID of the institution that publishes it.
	PublisherID string   `json:"publisherId"`
	PartOf      []string `json:"partOf,omitempty"`
	HasPart     []string `json:"hasPart,omitempty"`
	Study
	// Instances are the offerings of this specification.
	Instances []Instance `json:"instances,omitempty"`
}

// Instance is one offering of a specification
// (ql:LearningOpportunityInstance): a run with dates, mode and enrolment.
type Instance struct {
	ID              string       `json:"id"`
	Identifiers     []Identifier `json:"identifiers,omitempty"`
	SpecificationID string       `json:"specificationId"`
	Title           Text         `json:"title,omitempty"`
	Description     Text         `json:"description,omitempty"`
	Start           time.Time    `json:"start,omitzero"`
	End             time.Time    `json:"end,omitzero"`
	// Modes are EU learning-assessment mode concept IRIs.
	Modes []string `json:"modes,omitempty"`
	// DefaultLanguage is a normalised BCP 47 primary tag.
	DefaultLanguage     string    `json:"defaultLanguage,omitempty"`
	ProviderIDs         []string  `json:"providerIds,omitempty"`
	RegistrationPortal  string    `json:"registrationPortal,omitempty"`
	ApplicationDeadline time.Time `json:"applicationDeadline,omitzero"`
	Capacity            *int      `json:"capacity,omitempty"`
	Enrolled            *int      `json:"enrolled,omitempty"`
	Minimum             *int      `json:"minimum,omitempty"`
	Homepage            string    `json:"homepage,omitempty"`
	Location            Text      `json:"location,omitempty"`
	// AcademicTerm names the term the instance runs in ("2025/2026-1/2",
	// "Fall 2026"), as the source names it.
	AcademicTerm Text `json:"academicTerm,omitempty"`
	// Credits are what this run awards, when the source states them per
	// run; they may differ from the specification's.
	Credits []Credit `json:"credits,omitempty"`
	Study
}

// ECTS returns the specification's credit in ECTS, if it states one.
func (s *Specification) ECTS() (float64, bool) { return ects(s.Credits) }

// ECTS returns the instance's own credit in ECTS, if it states one.
func (in *Instance) ECTS() (float64, bool) { return ects(in.Credits) }

func ects(cs []Credit) (float64, bool) {
	for _, c := range cs {
		if c.System == CreditECTS {
			return c.Value, true
		}
	}
	return 0, false
}

// Modes returns the distinct modes of all instances, in first-seen order.
func (s *Specification) Modes() []string {
	var modes []string
	for _, in := range s.Instances {
		for _, m := range in.Modes {
			if !slices.Contains(modes, m) {
				modes = append(modes, m)
			}
		}
	}
	return modes
}

// CreditECTS is the EU education-credit concept for ECTS.
const CreditECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"

// ISCEDBroad returns the broad fields (2 digits) of the given ISCED-F codes,
// deduplicated in order.
func ISCEDBroad(codes []string) []string { return iscedPrefixes(codes, 2) }

// ISCEDNarrow returns the narrow fields (3 digits) of the given ISCED-F
// codes; 2-digit codes have none.
func ISCEDNarrow(codes []string) []string { return iscedPrefixes(codes, 3) }

func iscedPrefixes(codes []string, n int) []string {
	var out []string
	for _, c := range codes {
		if len(c) < n {
			continue
		}
		if p := c[:n]; !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}
