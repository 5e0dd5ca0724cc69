package store

import (
	"encoding/json"
	"testing"

	"qlink/internal/model"
)

func TestDiffSpecs(t *testing.T) {
	before := model.Specification{ID: "c", Title: model.Text{"en": "Old", "de": "Alt"}, Languages: []string{"en"},
		LearningOutcomes: []model.Text{{"en": "Read"}}, Active: true, PublisherID: "p"}
	after := before
	after.Title = model.Text{"en": "Old", "de": "Neu"}
	after.Languages = []string{"en", "de"}
	after.LearningOutcomes = []model.Text{{"en": "Write"}}
	after.Active = false
	oldDoc, _ := json.Marshal(before)
	newDoc, _ := json.Marshal(after)
	got, err := DiffSpecs(oldDoc, newDoc)
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by field; texts per language, lists and values whole.
	want := []FieldChange{
		{Field: "active", Old: json.RawMessage(`true`), New: json.RawMessage(`false`)},
		{Field: "languages", Old: json.RawMessage(`["en"]`), New: json.RawMessage(`["en","de"]`)},
		{Field: "learningOutcomes", Old: json.RawMessage(`[{"en":"Read"}]`), New: json.RawMessage(`[{"en":"Write"}]`)},
		{Field: "title.de", Old: json.RawMessage(`"Alt"`), New: json.RawMessage(`"Neu"`)},
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("DiffSpecs =\n%s\nwant\n%s", gotJSON, wantJSON)
	}
	if same, _ := DiffSpecs(oldDoc, oldDoc); len(same) != 0 {
		t.Errorf("identical documents differ: %+v", same)
	}
	if _, err := DiffSpecs([]byte("{"), newDoc); err == nil {
		t.Error("a broken stored document: no error")
	}
}
