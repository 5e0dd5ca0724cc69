package bleve

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"qlink/internal/search"
)

func TestTextSearch(t *testing.T) {
	ix := openCorpus(t, append(corpus(),
		search.Document{ID: "x1", Title: map[string]string{"ru": "Введение в статистику"}},
		search.Document{ID: "x2", Title: map[string]string{"pl": "Wstęp do ekonomii"}},
		search.Document{ID: "x3", Title: map[string]string{"sv": "Högskolans historia"}},
		search.Document{ID: "x4", Title: map[string]string{"zh": "数据科学导论"}, Description: map[string]string{"": "数据库"}},
	))
	tests := []struct {
		name, text string
		want       []string // sorted
	}{
		{"de folded", "einfuhrung", []string{"d1", "d2"}},
		{"de folded capital", "Einfuhrung", []string{"d1", "d2"}},
		{"de accented", "Einführung", []string{"d1", "d2"}},
		{"de plural", "einführungen", []string{"d1", "d2"}},
		{"de ue spelling", "Einfuehrung", []string{"d1", "d2"}},
		{"de stop words", "Einführung in die Statistik", []string{"d1"}},
		{"de accented stop word", "Einführung für Statistik", []string{"d1"}},
		{"fr folded", "economie", []string{"d3"}},
		{"fr accented", "Économie", []string{"d3"}},
		{"fr elision", "l'économie", []string{"d3"}},
		{"fr stem", "développements", []string{"d3"}},
		{"nl stem", "wiskunde", []string{"d4"}},
		{"es folded", "programacion", []string{"d8"}},
		{"ru stem", "статистика", []string{"x1"}},
		{"sv folded stem", "hogskolan", []string{"x3"}},
		{"pl without analyser, folded", "wstep", []string{"x2"}},
		{"cjk bigrams", "数据科学", []string{"x4"}},
		{"cjk with latin", "科学 导论", []string{"x4"}},
		{"cjk unstated language", "数据库", []string{"x4"}},
		{"en regional variant", "modelling", []string{"d4"}},
		{"en stem", "statistical", []string{"d1"}},
		{"en stop word", "introduction to statistics", []string{"d1"}},
		{"unstated language", "kvantu", []string{"d7"}},
		{"unsupported language folded", "mehanika", []string{"d7"}},
		{"unsupported language accented", "mehānikā", []string{"d7"}},
		{"extra institution name", "universitat alpha", []string{"d1", "d2"}},
		{"extra acronym", "UG", []string{"d4", "d5"}},
		{"extra field label", "biology", []string{"d6"}},
		{"typo", "stastistics", []string{"d1"}},
		{"words in different fields", "biology ocean", []string{"d6"}},
		{"every word required", "statistics informatik", nil},
		{"no match", "astrophysics", nil},
		{"punctuation only", "?!", []string{"d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "x1", "x2", "x3", "x4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), search.Query{Text: tt.text})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, sortedIDs(res), cmpEmpty); diff != "" {
				t.Errorf("Search(%q) IDs (-want +got):\n%s", tt.text, diff)
			}
			if res.Total != len(tt.want) {
				t.Errorf("Total = %d, want %d", res.Total, len(tt.want))
			}
		})
	}
}

var cmpEmpty = cmp.Comparer(func(a, b []string) bool { return slices.Equal(a, b) })

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

// fc builds expected facet counts: value, count, value, count…
func fc(pairs ...any) []search.FacetCount {
	out := []search.FacetCount{}
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, search.FacetCount{Value: pairs[i].(string), Count: pairs[i+1].(int)})
	}
	return out
}

func TestFacetCounts(t *testing.T) {
	ix := openCorpus(t, corpus())
	all := map[search.Facet][]search.FacetCount{
		search.FacetInstitution: fc("uni-a", 2, "uni-b", 2, "uni-c", 2, "uni-d", 1, "uni-e", 1),
		search.FacetAlliance:    fc("lumen", 4, "aurora", 2),
		search.FacetCountry:     fc("DE", 2, "FR", 2, "NL", 2, "ES", 1, "LV", 1),
		search.FacetLanguage:    fc("en", 4, "de", 2, "fr", 2, "es", 1, "lv", 1, "nl", 1),
		search.FacetEQF:         fc("6", 5, "7", 2, "5", 1),
		search.FacetField:       fc("05", 4, "06", 3, "03", 1),
		search.FacetType:        fc("course", 5, "module", 2, "programme", 1),
		search.FacetMode:        fc("online", 4, "presential", 3, "blended", 2),
	}
	tests := []struct {
		name    string
		q       search.Query
		wantIDs []string
		want    map[search.Facet][]search.FacetCount
	}{
		{"no filter", search.Query{}, []string{"d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"}, all},
		{
			// The country facet ignores its own selection, so FR still
			// shows 2; every other facet counts DE only.
			"country DE", search.Query{Filters: map[search.Facet][]string{search.FacetCountry: {"DE"}}},
			[]string{"d1", "d2"},
			map[search.Facet][]search.FacetCount{
				search.FacetInstitution: fc("uni-a", 2),
				search.FacetAlliance:    fc("lumen", 2),
				search.FacetCountry:     all[search.FacetCountry],
				search.FacetLanguage:    fc("de", 2, "en", 1),
				search.FacetEQF:         fc("6", 2),
				search.FacetField:       fc("05", 1, "06", 1),
				search.FacetType:        fc("course", 2),
				search.FacetMode:        fc("blended", 1, "online", 1, "presential", 1),
			},
		},
		{
			"country DE and mode online",
			search.Query{Filters: map[search.Facet][]string{search.FacetCountry: {"DE"}, search.FacetMode: {"online"}}},
			[]string{"d2"},
			map[search.Facet][]search.FacetCount{
				search.FacetInstitution: fc("uni-a", 1),
				search.FacetAlliance:    fc("lumen", 1),
				search.FacetCountry:     fc("NL", 2, "DE", 1, "FR", 1), // online: d2 d4 d5 d6
				search.FacetLanguage:    fc("de", 1),
				search.FacetEQF:         fc("6", 1),
				search.FacetField:       fc("06", 1),
				search.FacetType:        fc("course", 1),
				search.FacetMode:        fc("blended", 1, "online", 1, "presential", 1), // DE: d1 d2
			},
		},
		{
			"two countries, no document with both words",
			search.Query{Text: "universite universiteit", Filters: map[search.Facet][]string{search.FacetCountry: {"FR", "NL"}}},
			nil, // no document has both words
			map[search.Facet][]search.FacetCount{
				search.FacetInstitution: fc(), search.FacetAlliance: fc(), search.FacetCountry: fc(), search.FacetLanguage: fc(),
				search.FacetEQF: fc(), search.FacetField: fc(), search.FacetType: fc(), search.FacetMode: fc(),
			},
		},
		{
			"text with ECTS range",
			search.Query{Text: "universite", ECTSMin: ptr(4.0), Filters: map[search.Facet][]string{search.FacetEQF: {"7"}}},
			[]string{"d3"}, // d6 states no ECTS; d1 and d2 (fuzzy "university") are EQF 6
			map[search.Facet][]search.FacetCount{
				search.FacetInstitution: fc("uni-b", 1),
				search.FacetAlliance:    fc(),
				search.FacetCountry:     fc("FR", 1),
				search.FacetLanguage:    fc("fr", 1),
				search.FacetEQF:         fc("6", 2, "7", 1),
				search.FacetField:       fc("03", 1),
				search.FacetType:        fc("course", 1),
				search.FacetMode:        fc("presential", 1),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantIDs, sortedIDs(res), cmpEmpty); diff != "" {
				t.Errorf("IDs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, res.Facets); diff != "" {
				t.Errorf("facets (-want +got):\n%s", diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestFiltersAgainstOracle checks every single-value selection, and pairs
// of them across facets, against filtering the documents in Go: hit IDs
// and the disjunctive counts of every facet.
func TestFiltersAgainstOracle(t *testing.T) {
	docs := corpus()
	ix := openCorpus(t, docs)
	var selections []map[search.Facet][]string
	values := map[search.Facet][]string{}
	for _, d := range docs {
		for f, vs := range facetValues(d) {
			for _, v := range vs {
				if !slices.Contains(values[f], v) {
					values[f] = append(values[f], v)
				}
			}
		}
	}
	for _, f := range search.Facets {
		for _, v := range values[f] {
			selections = append(selections, map[search.Facet][]string{f: {v}})
		}
		selections = append(selections, map[search.Facet][]string{f: values[f][:2]})
		for _, g := range search.Facets {
			if g != f {
				selections = append(selections, map[search.Facet][]string{f: values[f][:1], g: values[g][len(values[g])-1:]})
			}
		}
	}
	for _, sel := range selections {
		res, err := ix.Search(context.Background(), search.Query{Filters: sel})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(oracleIDs(docs, sel, ""), sortedIDs(res), cmpEmpty); diff != "" {
			t.Errorf("%v: IDs (-want +got):\n%s", sel, diff)
		}
		for _, f := range search.Facets {
			if diff := cmp.Diff(oracleCounts(docs, sel, f), res.Facets[f]); diff != "" {
				t.Errorf("%v: facet %s (-want +got):\n%s", sel, f, diff)
			}
		}
	}
}

// oracleIDs filters docs by every selection but except's.
func oracleIDs(docs []search.Document, sel map[search.Facet][]string, except search.Facet) []string {
	var ids []string
	for _, d := range docs {
		if oracleMatch(d, sel, except) {
			ids = append(ids, d.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func oracleMatch(d search.Document, sel map[search.Facet][]string, except search.Facet) bool {
	have := facetValues(d)
	for f, want := range sel {
		if f != except && !slices.ContainsFunc(want, func(v string) bool { return slices.Contains(have[f], v) }) {
			return false
		}
	}
	return true
}

func oracleCounts(docs []search.Document, sel map[search.Facet][]string, f search.Facet) []search.FacetCount {
	counts := map[string]int{}
	for _, d := range docs {
		if oracleMatch(d, sel, f) {
			for _, v := range facetValues(d)[f] {
				counts[v]++
			}
		}
	}
	out := []search.FacetCount{}
	for v, n := range counts {
		out = append(out, search.FacetCount{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b search.FacetCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out
}

func TestECTSRange(t *testing.T) {
	ix := openCorpus(t, corpus())
	tests := []struct {
		name   string
		lo, hi *float64
		want   []string
	}{
		{"unbounded", nil, nil, []string{"d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"}},
		{"inclusive both ends", ptr(4.0), ptr(6.0), []string{"d1", "d2", "d3", "d7"}},
		{"min only excludes unstated", ptr(7.5), nil, []string{"d5", "d8"}},
		{"max only excludes unstated", nil, ptr(3.0), []string{"d4"}},
		{"fraction", ptr(7.4), ptr(7.6), []string{"d5"}},
		{"empty", ptr(11.0), nil, nil},
		{"inverted", ptr(6.0), ptr(4.0), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), search.Query{ECTSMin: tt.lo, ECTSMax: tt.hi})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, sortedIDs(res), cmpEmpty); diff != "" {
				t.Errorf("IDs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnknownFacet(t *testing.T) {
	ix := openCorpus(t, corpus())
	_, err := ix.Search(context.Background(), search.Query{Filters: map[search.Facet][]string{"colour": {"red"}}})
	if err == nil {
		t.Fatal("Search with an unknown facet: no error")
	}
}

// TestStatusFilter: inactive courses stay indexed but only a query that
// asks for them sees them, in hits and in facet counts alike.
func TestStatusFilter(t *testing.T) {
	docs := corpus()
	for i := range docs {
		docs[i].Inactive = docs[i].ID == "d1" || docs[i].ID == "d2"
	}
	ix := openCorpus(t, docs)
	tests := []struct {
		status  search.Status
		wantIDs []string
		wantDE  int // uni-a (DE) publishes d1 and d2
	}{
		{"", []string{"d3", "d4", "d5", "d6", "d7", "d8"}, 0},
		{search.StatusActive, []string{"d3", "d4", "d5", "d6", "d7", "d8"}, 0},
		{search.StatusInactive, []string{"d1", "d2"}, 2},
		{search.StatusAll, []string{"d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"}, 2},
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), search.Query{Status: tt.status,
			Filters: map[search.Facet][]string{search.FacetInstitution: {"uni-b", "uni-a", "uni-c", "uni-d", "uni-e"}}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.wantIDs, sortedIDs(res), cmpEmpty); diff != "" {
			t.Errorf("status %q: IDs (-want +got):\n%s", tt.status, diff)
		}
		de := 0
		for _, c := range res.Facets[search.FacetCountry] {
			if c.Value == "DE" {
				de = c.Count
			}
		}
		if de != tt.wantDE {
			t.Errorf("status %q: DE counts %d, want %d (%v)", tt.status, de, tt.wantDE, res.Facets)
		}
	}
	if _, err := ix.Search(context.Background(), search.Query{Status: "gone"}); err == nil {
		t.Error("Search with an unknown status: no error")
	}
}

// TestQualityFilter: flagged courses are found by default; "valid" hides
// them (hits and facet counts), "flagged" keeps only them.
func TestQualityFilter(t *testing.T) {
	docs := corpus()
	for i := range docs {
		docs[i].Flagged = docs[i].ID == "d1" || docs[i].ID == "d3"
	}
	ix := openCorpus(t, docs)
	tests := []struct {
		quality search.QualityFilter
		wantIDs []string
	}{
		{search.QualityAll, []string{"d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"}},
		{search.QualityValid, []string{"d2", "d4", "d5", "d6", "d7", "d8"}},
		{search.QualityFlagged, []string{"d1", "d3"}},
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), search.Query{Quality: tt.quality})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.wantIDs, sortedIDs(res), cmpEmpty); diff != "" {
			t.Errorf("quality %q: IDs (-want +got):\n%s", tt.quality, diff)
		}
		total := 0
		for _, c := range res.Facets[search.FacetInstitution] {
			total += c.Count
		}
		if total != len(tt.wantIDs) {
			t.Errorf("quality %q: institution counts sum to %d, want %d", tt.quality, total, len(tt.wantIDs))
		}
	}
	if _, err := ix.Search(context.Background(), search.Query{Quality: "perfect"}); err == nil {
		t.Error("Search with an unknown quality filter: no error")
	}
}
