package occapi

import (
	"encoding/json"

	"qlink/internal/jsonread"
)

// The wire types are OCCAPI v2 (JSON:API 1.1) exactly, with plain Go
// types, so that a well-formed document is decoded strictly in one go: by
// the fast path of fast.go, or else by encoding/json. What real servers
// send beyond the specification (v1's scalars where v2 has arrays, links
// as strings, numbers as strings, a bare string for a text) is accepted
// by normalize, which rewrites only the resources these types refuse.

// link is a JSON:API link object.
type link struct {
	Href string `json:"href"`
}

// links are the JSON:API links qlink follows.
type links struct {
	Self      link `json:"self"`
	Next      link `json:"next"`
	HEI       link `json:"hei"`
	Ounit     link `json:"ounit"`
	Programme link `json:"programme"`
	Course    link `json:"course"`
	Instance  link `json:"instance"`
}

// get returns the link named by a collection kind.
func (l *links) get(kind string) string {
	switch kind {
	case kindCourse:
		return l.Course.Href
	case kindProgramme:
		return l.Programme.Href
	case kindOunit:
		return l.Ounit.Href
	}
	return ""
}

func (l *links) set(kind, href string) {
	switch kind {
	case kindCourse:
		l.Course.Href = href
	case kindProgramme:
		l.Programme.Href = href
	case kindOunit:
		l.Ounit.Href = href
	}
}

// text is one OCCAPI string, multiline or uri with its language; lang
// may be absent or null (unstated).
type text struct {
	String    string `json:"string"`
	Multiline string `json:"multiline"`
	URI       string `json:"uri"`
	Lang      string `json:"lang"`
}

func (t text) value() string {
	switch {
	case t.String != "":
		return t.String
	case t.Multiline != "":
		return t.Multiline
	}
	return t.URI
}

// ref is a JSON:API resource identifier.
type ref struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type relationships struct {
	RelatedProgramme struct {
		Data []ref `json:"data"`
	} `json:"relatedProgramme"`
	Course struct {
		Data *ref `json:"data"`
	} `json:"course"`
}

type programmeRef struct {
	ProgrammeID string `json:"programmeId"`
}

type meta struct {
	RelatedProgramme []programmeRef `json:"relatedProgramme"`
	// Programme is the v1 name of RelatedProgramme.
	Programme []programmeRef `json:"programme"`
	Global    struct {
		// EQFLevel is v1's course EQF level.
		EQFLevel *float64 `json:"eqfLevel"`
	} `json:"global"`
}

// specAttrs are the attributes of courses and programmes, which share
// most of them.
type specAttrs struct {
	Title                 []text           `json:"title"`
	Code                  string           `json:"code"`
	ECTS                  jsonread.Number  `json:"ects"`
	LanguageOfInstruction jsonread.Strings `json:"languageOfInstruction"`
	LastModified          string           `json:"lastModified"`
	Description           []text           `json:"description"`
	LearningOutcomes      []text           `json:"learningOutcomes"`
	Prerequisites         []text           `json:"prerequisites"`
	LearningOpportunity   []string         `json:"elmLearningOpportunityType"`
	ModeOfLearning        []string         `json:"elmModeOfLearning"`
	ISCEDCode             []string         `json:"iscedCode"`
	URL                   []text           `json:"url"`
	Deprecated            bool             `json:"deprecated"`
	EQFLevelProvided      *float64         `json:"eqfLevelProvided"`
	ValidUntil            string           `json:"validUntil"`
	// LearningSchedule is a programme's (full time, part time).
	LearningSchedule string `json:"elmLearningScheduleType"`
}

type instanceAttrs struct {
	StartDate             string           `json:"startDate"`
	EndDate               string           `json:"endDate"`
	LanguageOfInstruction jsonread.Strings `json:"languageOfInstruction"`
	ModeOfLearning        []string         `json:"elmModeOfLearning"`
	LastModified          string           `json:"lastModified"`
	// AcademicTermID is EWP's "2025/2026-1/2": year, then term of terms.
	AcademicTermID  string          `json:"academicTermId"`
	ECTS            jsonread.Number `json:"ects"`
	EngagementHours jsonread.Number `json:"engagementHours"`
	GradingScheme   gradingScheme   `json:"gradingScheme"`
}

// gradingScheme is an instance's grading scheme.
type gradingScheme struct {
	Label       []text `json:"label"`
	Description []text `json:"description"`
}

type heiAttrs struct {
	HeiID string `json:"heiId"`
	Title []text `json:"title"`
}

// ounitAttrs: nothing of an organisational unit is read but its links.
type ounitAttrs struct{}

// resource is a JSON:API resource object.
type resource[A any] struct {
	Type          string        `json:"type"`
	ID            string        `json:"id"`
	Attributes    A             `json:"attributes"`
	Meta          meta          `json:"meta"`
	Relationships relationships `json:"relationships"`
	Links         links         `json:"links"`
}

// collection is a JSON:API document whose data is an array.
type collection[A any] struct {
	Data  []resource[A] `json:"data"`
	Links links         `json:"links"`
}

// single is a JSON:API document whose data is one resource.
type single[A any] struct {
	Data  resource[A] `json:"data"`
	Links links       `json:"links"`
}

// envelope is a document read loosely: data and links left raw, and
// errors.
type envelope struct {
	Data   json.RawMessage `json:"data"`
	Links  json.RawMessage `json:"links"`
	Errors []struct {
		Status string `json:"status"`
		Title  string `json:"title"`
	} `json:"errors"`
}
