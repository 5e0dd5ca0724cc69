package search

import (
	"slices"
	"strings"
	"testing"

	"qlink/internal/model"
	"qlink/internal/vocab"
)

func TestNewDocument(t *testing.T) {
	ects := 7.5
	s := model.Specification{
		ID:               "urn:x",
		Title:            model.Text{"en-GB": "Data science", "en-US": "Data Science (US)", "nl": "Datawetenschap"},
		Description:      model.Text{"de": "<p>Einführung in <b>Daten</b></p><script>x()</script>"},
		LearningOutcomes: []model.Text{{"en": "Clean data"}, {"en": "Plot data", "nl": "Data plotten"}},
		Languages:        []string{"nl", "en"},
		ISCEDF:           []string{"0613", "0542"},
		EQFLevel:         6,
		Credits:          []model.Credit{{System: model.CreditECTS, Value: ects}},
		Type:             vocab.LearningOpportunityTypes.URI("course"),
		Identifiers:      []model.Identifier{{Scheme: "ooapi:identifier", Value: "DS-101"}},
		Instances: []model.Instance{{Modes: []string{vocab.Modes.URI("online")}},
			{Modes: []string{vocab.Modes.URI("online"), vocab.Modes.URI("presential")}}},
	}
	p := model.Provider{ID: "P1", Country: "NL", Name: model.Text{"nl": "Universiteit X", "en": "University X"}, Acronym: "UX"}
	d := NewDocument(s, p)
	if d.Title["en"] != "Data science\nData Science (US)" || d.Title["nl"] != "Datawetenschap" {
		t.Errorf("titles by language: %q", d.Title)
	}
	if d.Description["de"] != "Einführung in Daten" {
		t.Errorf("HTML must be stripped for indexing: %q", d.Description["de"])
	}
	if d.Outcomes["en"] != "Clean data\nPlot data\n" || d.Outcomes["nl"] != "Data plotten\n" {
		t.Errorf("outcomes: %q", d.Outcomes)
	}
	if d.EQF != "6" || !slices.Equal(d.Fields, []string{"06", "05"}) || d.Type != "course" || !slices.Equal(d.Modes, []string{"online", "presential"}) {
		t.Errorf("facets: %+v", d)
	}
	if d.ECTS == nil || *d.ECTS != ects || d.Institution != "P1" || d.Country != "NL" {
		t.Errorf("ects/institution: %+v", d)
	}
	for _, want := range []string{"Universiteit X", "University X", "UX", "DS-101", "Statistics"} {
		if !strings.Contains(d.Extra, want) {
			t.Errorf("extra text lacks %q: %q", want, d.Extra)
		}
	}
}
