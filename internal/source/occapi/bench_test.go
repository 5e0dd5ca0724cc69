package occapi

import (
	"encoding/json"
	"strings"
	"testing"

	"qlink/internal/source/sourcetest"
	"qlink/internal/testfed"
)

// The yardstick: plain structs for every OCCAPI document, decoded by
// encoding/json with no leniency and no mapping.

type plainText struct {
	String    string  `json:"string"`
	Multiline string  `json:"multiline"`
	URI       string  `json:"uri"`
	Lang      *string `json:"lang"`
}

type plainRef struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type plainResource struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Attributes struct {
		Title                 []plainText `json:"title"`
		Code                  string      `json:"code"`
		ECTS                  float64     `json:"ects"`
		LanguageOfInstruction []string    `json:"languageOfInstruction"`
		LastModified          string      `json:"lastModified"`
		Description           []plainText `json:"description"`
		LearningOutcomes      []plainText `json:"learningOutcomes"`
		AcademicTerm          []string    `json:"academicTerm"`
		LearningOpportunity   []string    `json:"elmLearningOpportunityType"`
		ModeOfLearning        []string    `json:"elmModeOfLearning"`
		LearningSchedule      string      `json:"elmLearningScheduleType"`
		ISCEDCode             []string    `json:"iscedCode"`
		URL                   []plainText `json:"url"`
		Deprecated            bool        `json:"deprecated"`
		EQFLevelProvided      int         `json:"eqfLevelProvided"`
		Length                string      `json:"length"`
		StartDate             string      `json:"startDate"`
		EndDate               string      `json:"endDate"`
		AcademicTermID        string      `json:"academicTermId"`
		EngagementHours       float64     `json:"engagementHours"`
		HeiID                 string      `json:"heiId"`
		Abbreviation          string      `json:"abbreviation"`
	} `json:"attributes"`
	Meta struct {
		RelatedProgramme []struct {
			ProgrammeID     string `json:"programmeId"`
			MandatoryCourse bool   `json:"mandatoryCourse"`
			Year            string `json:"year"`
		} `json:"relatedProgramme"`
	} `json:"meta"`
	Relationships struct {
		RelatedProgramme struct {
			Data []plainRef `json:"data"`
		} `json:"relatedProgramme"`
		Course struct {
			Data plainRef `json:"data"`
		} `json:"course"`
	} `json:"relationships"`
	Links map[string]struct {
		Href string `json:"href"`
	} `json:"links"`
}

func decodePlain(url string, body []byte) error {
	if strings.HasSuffix(url, "/course") || strings.HasSuffix(url, "/instance") || strings.HasSuffix(url, "/programme") ||
		strings.HasSuffix(url, "/ounit") {
		var doc struct {
			Data []plainResource `json:"data"`
		}
		return json.Unmarshal(body, &doc)
	}
	var doc struct {
		Data plainResource `json:"data"`
	}
	return json.Unmarshal(body, &doc)
}

// BenchmarkConversion converts the OCCAPI sources of a simulated
// federation (courses with their instances, programmes) into the model,
// beside plain encoding/json decoding the same documents.
//
//	go test -run '^$' -bench Conversion -cpu 1 ./internal/source/occapi/
func BenchmarkConversion(b *testing.B) {
	sourcetest.BenchmarkAdapter(b, Adapter{}, testfed.FormatOCCAPI, decodePlain)
}
