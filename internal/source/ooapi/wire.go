package ooapi

import (
	"bytes"
	"encoding/json"

	"qlink/internal/jsonread"
)

// The wire types below accept what OOAPI servers actually send, not only
// what the specification allows: a string where an array is due, "" for
// absent dates, [[]] for absent learning outcomes, numbers as strings.

// page is the OOAPI pagination envelope.
type page struct {
	PageSize    int               `json:"pageSize"`
	PageNumber  int               `json:"pageNumber"`
	HasNextPage *bool             `json:"hasNextPage"`
	TotalPages  int               `json:"totalPages"`
	Items       []json.RawMessage `json:"items"`
}

// itemPage is a page decoded whole, its items of type T (course or
// offering).
type itemPage[T any] struct {
	HasNextPage *bool `json:"hasNextPage"`
	Items       []T   `json:"items"`
}

// langStrings are OOAPI's {language, value} pairs; one object or a bare
// string (language unknown) is accepted too.
type langStrings []jsonread.LangValue

func (l *langStrings) UnmarshalJSON(b []byte) error {
	vs, err := jsonread.ReadLangValues(b, "language")
	*l = vs
	return err
}

// outcomes is learningOutcomes: in v5 an array of arrays (each inner array
// one outcome in several languages); some servers send a flat array.
type outcomes []langStrings

func (o *outcomes) UnmarshalJSON(b []byte) error {
	if jsonread.ScanArray(b, func(raw []byte) bool {
		// An object is a v6 outcome ({name, description}) or a lone
		// language string: the slow path below tells them apart.
		if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
			return false
		}
		var ls langStrings
		if ls.UnmarshalJSON(raw) != nil {
			return false
		}
		if len(ls) > 0 {
			*o = append(*o, ls)
		}
		return true
	}) {
		return nil
	}
	*o = nil
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		if string(bytes.TrimSpace(b)) == "null" {
			return nil
		}
		return err
	}
	for _, item := range raw {
		ls, err := outcomeTexts(item)
		if err != nil {
			return err
		}
		if len(ls) > 0 {
			*o = append(*o, ls)
		}
	}
	return nil
}

// outcomeTexts reads one outcome: v5 gives an array of language strings,
// v6 an object whose name (or, failing that, description) holds them.
func outcomeTexts(item json.RawMessage) (langStrings, error) {
	var v6 struct {
		Name        langStrings `json:"name"`
		Description langStrings `json:"description"`
	}
	if t := bytes.TrimSpace(item); len(t) > 0 && t[0] == '{' && json.Unmarshal(t, &v6) == nil && (v6.Name != nil || v6.Description != nil) {
		if len(v6.Name) > 0 {
			return v6.Name, nil
		}
		return v6.Description, nil
	}
	var ls langStrings
	err := json.Unmarshal(item, &ls)
	return ls, err
}

// ref is an identifier that may arrive expanded as an object.
type ref string

func (r *ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			return err
		}
		for _, key := range []string{"organizationId", "programId", "courseId", "educationSpecificationId", "academicSessionId"} {
			if v, ok := obj[key]; ok {
				return json.Unmarshal(v, (*string)(r))
			}
		}
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, (*string)(r))
}

type code struct {
	CodeType string `json:"codeType"`
	Code     string `json:"code"`
}

type studyLoad struct {
	Unit  string          `json:"studyLoadUnit"`
	Value jsonread.Number `json:"value"`
}

// course covers Course, Program and EducationSpecification: they share
// most fields, and one type keeps the mapping in one place.
type course struct {
	CourseID                 string           `json:"courseId"`
	ProgramID                string           `json:"programId"`
	EducationSpecificationID string           `json:"educationSpecificationId"`
	PrimaryCode              code             `json:"primaryCode"`
	OtherCodes               []code           `json:"otherCodes"`
	Name                     langStrings      `json:"name"`
	Abbreviation             string           `json:"abbreviation"`
	Description              langStrings      `json:"description"`
	TeachingLanguage         string           `json:"teachingLanguage"`
	TeachingLanguages        jsonread.Strings `json:"teachingLanguages"` // v6
	StudyLoad                *studyLoad       `json:"studyLoad"`
	FieldsOfStudy            string           `json:"fieldsOfStudy"`
	LearningOutcomes         outcomes         `json:"learningOutcomes"`
	Level                    string           `json:"level"`
	LevelOfQualification     string           `json:"levelOfQualification"`
	ProgramType              string           `json:"programType"`
	EducationSpecType        string           `json:"educationSpecificationType"`
	ModeOfDelivery           jsonread.Strings `json:"modeOfDelivery"`
	ModesOfDelivery          jsonread.Strings `json:"modesOfDelivery"` // v6
	ModeOfStudy              string           `json:"modeOfStudy"`
	AdmissionRequirements    langStrings      `json:"admissionRequirements"`
	Link                     string           `json:"link"`
	ValidFrom                string           `json:"validFrom"`
	ValidTo                  string           `json:"validTo"`
	Organization             ref              `json:"organization"`
	Organisation             ref              `json:"organisation"` // v6
	Programs                 []ref            `json:"programs"`
	Programmes               []ref            `json:"programmes"` // v6
	Parent                   ref              `json:"parent"`
	EducationSpecification   ref              `json:"educationSpecification"`
}

// languages returns the teaching languages, v5 (one) or v6 (several).
func (c *course) languages() []string {
	if len(c.TeachingLanguages) > 0 {
		return c.TeachingLanguages
	}
	if c.TeachingLanguage != "" {
		return []string{c.TeachingLanguage}
	}
	return nil
}

func (c *course) modes() []string {
	if len(c.ModesOfDelivery) > 0 {
		return c.ModesOfDelivery
	}
	return c.ModeOfDelivery
}

func (c *course) programs() []ref { return append(c.Programs, c.Programmes...) }

func (c *course) id() string {
	for _, id := range []string{c.CourseID, c.ProgramID, c.EducationSpecificationID} {
		if id != "" {
			return id
		}
	}
	return ""
}

type offering struct {
	OfferingID            string           `json:"offeringId"`
	PrimaryCode           code             `json:"primaryCode"`
	Name                  langStrings      `json:"name"`
	Description           langStrings      `json:"description"`
	TeachingLanguage      string           `json:"teachingLanguage"`
	TeachingLanguages     jsonread.Strings `json:"teachingLanguages"` // v6
	ModeOfDelivery        jsonread.Strings `json:"modeOfDelivery"`
	ModesOfDelivery       jsonread.Strings `json:"modesOfDelivery"` // v6
	StartDate             string           `json:"startDate"`
	EndDate               string           `json:"endDate"`
	EnrollEndDate         string           `json:"enrollEndDate"`
	MaxNumberStudents     jsonread.Number  `json:"maxNumberStudents"`
	EnrolledNumberStudent jsonread.Number  `json:"enrolledNumberStudents"`
	MinNumberStudents     jsonread.Number  `json:"minNumberStudents"`
	Link                  string           `json:"link"`
	Consumers             json.RawMessage  `json:"consumers"`
	Addresses             []address        `json:"addresses"`
}

type address struct {
	City        string `json:"city"`
	CountryCode string `json:"countryCode"`
}
