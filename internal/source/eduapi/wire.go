// How to add a field to the Edu-API wire types: Edu-API has no fast
// path (no fast.go); pages decode with encoding/json alone, so a new field
// needs only its json tag. Use jsonread's lenient types (Number, Strings)
// for values servers send sloppily and read dates and links with ParseTime
// and HTTPURL; a lenient value also belongs in the cross-adapter behaviour
// table, internal/source/lenient_test.go. FuzzHarvest checks the adapter.

package eduapi

import (
	"bytes"
	"encoding/json"
	"strconv"

	"qlink/internal/jsonread"
)

// The wire types accept what Edu-API servers may send beyond the
// specification: a single object or a bare string where an array of
// language-typed strings is due, numbers as strings, credits as a number.
// Field names are the specification's (recordLanguage, not language).

// langStrings are LanguageTypedStrings: {recordLanguage, value} (not
// OOAPI's language); one object or a bare string is accepted too.
type langStrings []jsonread.LangValue

func (l *langStrings) UnmarshalJSON(b []byte) error {
	vs, err := jsonread.ReadLangValues(b, "recordLanguage")
	*l = vs
	return err
}

// identifier is an IdentifierEntry.
type identifier struct {
	Identifier string `json:"identifier"`
	Type       string `json:"identifierType"`
}

// credits is creditsAwarded: the specification makes it a free string
// ("6 ECTS", "7,5"); some servers send a number.
type credits struct {
	Text     string
	Number   float64
	IsNumber bool
	// Invalid holds any other JSON value.
	Invalid string
}

func (c *credits) UnmarshalJSON(b []byte) error {
	*c = credits{}
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
	case b[0] == '"':
		return json.Unmarshal(b, &c.Text)
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			c.Invalid = string(b)
			return nil
		}
		c.Number, c.IsNumber = f, true
	default:
		c.Invalid = string(b)
	}
	return nil
}

// template covers CourseTemplate and CollectionTemplate, which share
// nearly every field.
type template struct {
	SourcedID        string           `json:"sourcedId"`
	CourseType       string           `json:"courseType"`
	CollectionType   string           `json:"collectionType"`
	Title            langStrings      `json:"title"`
	Description      langStrings      `json:"description"`
	PrimaryCode      identifier       `json:"primaryCode"`
	OtherCodes       []identifier     `json:"otherCodes"`
	Level            string           `json:"level"`
	CreditType       string           `json:"creditType"`
	CreditsAwarded   credits          `json:"creditsAwarded"`
	RecordLanguage   string           `json:"recordLanguage"`
	TeachingLanguage string           `json:"teachingLanguage"`
	RecordStatus     string           `json:"recordStatus"`
	DateLastModified string           `json:"dateLastModified"`
	Organization     string           `json:"organization"`
	Parent           jsonread.Strings `json:"parent"`
	Extensions       json.RawMessage  `json:"extensions"`
}

// offering covers CourseOffering and CollectionOffering.
type offering struct {
	SourcedID              string          `json:"sourcedId"`
	Course                 string          `json:"course"`
	Collection             string          `json:"collection"`
	Title                  langStrings     `json:"title"`
	Description            langStrings     `json:"description"`
	PrimaryCode            identifier      `json:"primaryCode"`
	RecordLanguage         string          `json:"recordLanguage"`
	TeachingLanguage       string          `json:"teachingLanguage"`
	OfferingFormat         string          `json:"offeringFormat"`
	StartDate              string          `json:"startDate"`
	EndDate                string          `json:"endDate"`
	MinNumberStudents      jsonread.Number `json:"minNumberStudents"`
	MaxNumberStudents      jsonread.Number `json:"maxNumberStudents"`
	EnrolledNumberStudents jsonread.Number `json:"enrolledNumberStudents"`
	RecordStatus           string          `json:"recordStatus"`
	DateLastModified       string          `json:"dateLastModified"`
	Locations              []location      `json:"locations"`
}

// parentID is the template the offering belongs to.
func (o *offering) parentID() string {
	if o.Course != "" {
		return o.Course
	}
	return o.Collection
}

type location struct {
	Identifier  string      `json:"identifier"`
	Description langStrings `json:"description"`
}

type organization struct {
	SourcedID    string       `json:"sourcedId"`
	Name         langStrings  `json:"name"`
	PrimaryCode  identifier   `json:"primaryCode"`
	OtherCodes   []identifier `json:"otherCodes"`
	Parent       string       `json:"parent"`
	RecordStatus string       `json:"recordStatus"`
}

// extensions is the part of a template's free extensions object qlink
// understands: ISCED-F codes and learning outcomes under obvious names.
type extensions struct {
	ISCED            jsonread.Strings  `json:"iscedCode"`
	ISCEDF           jsonread.Strings  `json:"iscedF"`
	FieldsOfStudy    jsonread.Strings  `json:"fieldsOfStudy"`
	LearningOutcomes []json.RawMessage `json:"learningOutcomes"`
}
