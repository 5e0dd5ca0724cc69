package bleve

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"qlink/internal/search"
)

// TestRanking pins bleve's own order, finer than the contract's: the
// suite asks only what a reader notices (searchtest).
func TestRanking(t *testing.T) {
	ix := openCorpus(t, append(corpus(),
		// Both words in a longer title.
		search.Document{ID: "r1", Title: map[string]string{"en": "Science Communication with Open Data"}},
		// Both words many times, in several fields and languages, none a title.
		search.Document{ID: "r2", Title: map[string]string{"en": "Oceanography", "de": "Ozeanographie"},
			Description: map[string]string{"en": "Data, data and science.", "de": "Data Science für Meere", "fr": "Data science"},
			Outcomes:    map[string]string{"en": "Use data science", "nl": "Data science toepassen"}},
	))
	tests := []struct {
		text string
		want []string // in order
	}{
		// Title matches first, the short title best; repetition across
		// fields and languages does not outweigh a title; words only in
		// outcomes come last.
		{"data science", []string{"d5", "r1", "r2", "d6"}},
		// Title (d1) over extra field label (d1 too) and outcomes: d1 only.
		{"statistics", []string{"d1"}},
		// Title beats description: d4's title is Dutch, d4's description
		// English; d1's outcomes say "statistical".
		{"mathematical", []string{"d4"}},
		// One typo, not in the first letter, in a word of five letters or
		// more: found in any text; a word no document has still finds
		// nothing.
		{"statistcs", []string{"d1"}},
		{"sttistics", []string{"d1"}},
		{"xtatistics", []string{}},
		// Typo matches rank by the word in all text: r2 repeats it.
		{"scienxe", []string{"r2", "r1", "d5", "d6"}},
		// Empty text: every document by title, then ID.
		{"", []string{"d5", "d3", "d2", "d1", "d7", "d6", "r2", "d8", "r1", "d4"}},
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), search.Query{Text: tt.text})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, hitIDs(res)); diff != "" {
			t.Errorf("Search(%q) order (-want +got):\n%s", tt.text, diff)
		}
	}
}

// TestTypoAfterExact: a word found as written ranks before one a typo
// away, also where the typo sits in a title and the word in a
// description.
func TestTypoAfterExact(t *testing.T) {
	ix := openCorpus(t, []search.Document{
		{ID: "k1", Title: map[string]string{"en": "Kafka"}},
		{ID: "k2", Title: map[string]string{"en": "Kafko"}},
		{ID: "k3", Title: map[string]string{"en": "Literature"}, Description: map[string]string{"en": "Reading Kafka"}},
	})
	for text, want := range map[string][]string{"kafka": {"k1", "k3", "k2"}, "kafko": {"k2", "k1", "k3"}} {
		res, err := ix.Search(context.Background(), search.Query{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, hitIDs(res)); diff != "" {
			t.Errorf("Search(%q) order (-want +got):\n%s", text, diff)
		}
	}
}

func ptr[T any](v T) *T { return &v }
