package occapi

import (
	"bytes"
	"encoding/json"

	"qlink/internal/source"
)

// The wire types follow OCCAPI v2 (JSON:API 1.1) and accept the v1 shapes
// too: a scalar where v2 has an array (languageOfInstruction, iscedCode,
// academicTerm), meta.programme for meta.relatedProgramme, and
// meta.global.eqfLevel on courses.

// link is a JSON:API link: a URL string or an object with href.
type link string

func (l *link) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*l = ""
	switch {
	case len(b) == 0:
	case b[0] == '"':
		return json.Unmarshal(b, (*string)(l))
	case b[0] == '{':
		var obj struct {
			Href string `json:"href"`
		}
		json.Unmarshal(b, &obj) // a wrongly typed href is no link
		*l = link(obj.Href)
	}
	return nil
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
		return string(l.Course)
	case kindProgramme:
		return string(l.Programme)
	case kindOunit:
		return string(l.Ounit)
	}
	return ""
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

// texts accepts an array of text, one text object, or a bare string.
type texts []text

func (ts *texts) UnmarshalJSON(b []byte) error {
	*ts = nil
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*ts = texts{{String: s}}
	case '{':
		var one text
		json.Unmarshal(b, &one) // a wrongly typed member stays empty
		*ts = texts{one}
	case '[':
		var many []text
		if json.Unmarshal(b, &many) == nil {
			*ts = many
			return nil
		}
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		for _, r := range raw {
			var one texts
			if one.UnmarshalJSON(r) == nil {
				*ts = append(*ts, one...)
			}
		}
	}
	return nil
}

// ref is a JSON:API resource identifier.
type ref struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// refs is relationship data: an array, one identifier, or null.
type refs []ref

func (r *refs) UnmarshalJSON(b []byte) error {
	*r = nil
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
	case b[0] == '{':
		var one ref
		json.Unmarshal(b, &one)
		*r = refs{one}
	case b[0] == '[':
		var many []ref
		json.Unmarshal(b, &many)
		*r = many
	}
	return nil
}

type relationship struct {
	Data refs `json:"data"`
}

type relationships struct {
	RelatedProgramme relationship `json:"relatedProgramme"`
	Course           relationship `json:"course"`
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
		EQFLevel source.Number `json:"eqfLevel"`
	} `json:"global"`
}

// specAttrs are the attributes of courses and programmes, which share
// most of them.
type specAttrs struct {
	Title                 texts          `json:"title"`
	Code                  string         `json:"code"`
	ECTS                  source.Number  `json:"ects"`
	LanguageOfInstruction source.Strings `json:"languageOfInstruction"`
	LastModified          string         `json:"lastModified"`
	Description           texts          `json:"description"`
	LearningOutcomes      texts          `json:"learningOutcomes"`
	Prerequisites         texts          `json:"prerequisites"`
	LearningOpportunity   source.Strings `json:"elmLearningOpportunityType"`
	ModeOfLearning        source.Strings `json:"elmModeOfLearning"`
	ISCEDCode             source.Strings `json:"iscedCode"`
	URL                   texts          `json:"url"`
	Deprecated            bool           `json:"deprecated"`
	EQFLevelProvided      source.Number  `json:"eqfLevelProvided"`
	ValidUntil            string         `json:"validUntil"`
}

type instanceAttrs struct {
	StartDate             string         `json:"startDate"`
	EndDate               string         `json:"endDate"`
	LanguageOfInstruction source.Strings `json:"languageOfInstruction"`
	ModeOfLearning        source.Strings `json:"elmModeOfLearning"`
	LastModified          string         `json:"lastModified"`
}

type heiAttrs struct {
	HeiID string `json:"heiId"`
	Title texts  `json:"title"`
}

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

// envelope is a document read loosely: data left raw, and errors.
type envelope struct {
	Data   json.RawMessage `json:"data"`
	Links  links           `json:"links"`
	Errors []struct {
		Status string `json:"status"`
		Title  string `json:"title"`
	} `json:"errors"`
}
