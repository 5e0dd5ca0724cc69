package ooapi

import (
	"encoding/json"
	"testing"

	"qlink/internal/source/sourcetest"
	"qlink/internal/testfed"
)

// The yardstick: plain structs for OOAPI pages of courses, programs and
// offerings, decoded by encoding/json with no leniency and no mapping.

type plainString struct {
	Language string `json:"language"`
	Value    string `json:"value"`
}

type plainItem struct {
	CourseID     string `json:"courseId"`
	ProgramID    string `json:"programId"`
	OfferingID   string `json:"offeringId"`
	ProgramType  string `json:"programType"`
	OfferingType string `json:"offeringType"`
	PrimaryCode  struct {
		CodeType string `json:"codeType"`
		Code     string `json:"code"`
	} `json:"primaryCode"`
	Name             []plainString `json:"name"`
	Abbreviation     string        `json:"abbreviation"`
	Description      []plainString `json:"description"`
	TeachingLanguage string        `json:"teachingLanguage"`
	StudyLoad        struct {
		Unit  string  `json:"studyLoadUnit"`
		Value float64 `json:"value"`
	} `json:"studyLoad"`
	FieldsOfStudy          string          `json:"fieldsOfStudy"`
	LearningOutcomes       [][]plainString `json:"learningOutcomes"`
	Level                  string          `json:"level"`
	LevelOfQualification   string          `json:"levelOfQualification"`
	QualificationAwarded   string          `json:"qualificationAwarded"`
	ModeOfStudy            string          `json:"modeOfStudy"`
	Sector                 string          `json:"sector"`
	Link                   string          `json:"link"`
	Organization           string          `json:"organization"`
	ModeOfDelivery         []string        `json:"modeOfDelivery"`
	FirstStartDate         string          `json:"firstStartDate"`
	ValidFrom              string          `json:"validFrom"`
	ValidTo                *string         `json:"validTo"`
	Programs               []string        `json:"programs"`
	EducationSpecification string          `json:"educationSpecification"`
	MaxNumberStudents      int             `json:"maxNumberStudents"`
	EnrolledNumberStudents int             `json:"enrolledNumberStudents"`
	MinNumberStudents      int             `json:"minNumberStudents"`
	ResultExpected         bool            `json:"resultExpected"`
	StartDate              string          `json:"startDate"`
	EndDate                string          `json:"endDate"`
	EnrollStartDate        string          `json:"enrollStartDate"`
	EnrollEndDate          string          `json:"enrollEndDate"`
	Course                 string          `json:"course"`
	Program                string          `json:"program"`
	Consumers              []struct {
		ConsumerKey string `json:"consumerKey"`
		Alliances   []struct {
			Name                     string `json:"name"`
			VisibleForOwnStudents    *bool  `json:"visibleForOwnStudents"`
			EnrollmentForOwnStudents string `json:"enrollmentForOwnStudents"`
			VisibleForGuests         *bool  `json:"visibleForGuests"`
			EnrollmentForGuests      string `json:"enrollmentForGuests"`
			Type                     string `json:"type"`
			EnrollmentURL            string `json:"enrollmentUrl"`
		} `json:"alliances"`
	} `json:"consumers"`
}

type plainPage struct {
	PageSize        int            `json:"pageSize"`
	PageNumber      int            `json:"pageNumber"`
	HasPreviousPage bool           `json:"hasPreviousPage"`
	HasNextPage     bool           `json:"hasNextPage"`
	TotalPages      int            `json:"totalPages"`
	Items           []plainItem    `json:"items"`
	Ext             map[string]any `json:"ext"`
}

func decodePlain(_ string, body []byte) error {
	var p plainPage
	return json.Unmarshal(body, &p)
}

// BenchmarkConversion converts the OOAPI sources of a simulated
// federation (programs and courses with their offerings) into the model,
// beside plain encoding/json decoding the same pages.
//
//	go test -run '^$' -bench Conversion -cpu 1 ./internal/source/ooapi/
func BenchmarkConversion(b *testing.B) {
	sourcetest.BenchmarkAdapter(b, Adapter{}, testfed.FormatOOAPI, decodePlain)
}
