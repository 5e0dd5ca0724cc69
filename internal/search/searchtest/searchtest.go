// Package searchtest is the contract every search.Index implementation
// must pass. Each implementation's tests call Run with a constructor for a
// fresh, empty index.
//
// The contract is what the catalogue relies on: which documents a query
// finds, the facet counts, the filters, the orders and the paging. Where
// engines may legitimately differ it checks a weaker property and says
// why, next to the check:
//
//   - scores: only their order matters, and of that order only what a
//     reader notices (a title match before a match in the outcomes, the
//     shortest title first); the exact order of the bleve index is checked
//     by its own tests;
//   - typos: one typo in a longer word, not in its first letter, is
//     tolerated where the corrected word occurs in the index; which other
//     misspellings an engine forgives is its own business;
//   - sort keys: opaque, so the suite only checks that a key of another
//     query is refused and that a walk with keys meets each hit once.
//
// The interface has no cap on the number of hits a reader may page
// through (Query.After walks any number), so neither has the suite.
package searchtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"qlink/internal/model"
	"qlink/internal/search"
)

// Opener returns a fresh, empty index, closed when the test ends.
type Opener func(t *testing.T) search.Index

// Run runs the contract against fresh indexes made by open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"index, delete, count, each id", testIndexAndDelete},
		{"text in several languages", testText},
		{"relevance order", testRanking},
		{"facet counts", testFacetCounts},
		{"filters against an oracle", testFiltersAgainstOracle},
		{"ECTS range", testECTSRange},
		{"unknown facet, status, quality", testUnknownFilters},
		{"status filter", testStatusFilter},
		{"quality filter", testQualityFilter},
		{"pages", testPages},
		{"page window limits", testLimits},
		{"order without text", testStableOrder},
		{"walk with After", testSearchAfter},
		{"foreign sort keys", testForeignSortKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each test has an index of its own
			tc.fn(t, open)
		})
	}
}

// Fill returns a fresh index holding docs.
func Fill(t *testing.T, open Opener, docs []search.Document) search.Index {
	t.Helper()
	ix := open(t)
	if err := ix.Index(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	return ix
}

func find(t *testing.T, ix search.Index, q search.Query) search.Result {
	t.Helper()
	res, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

// HitIDs returns the IDs of the hits in their order.
func HitIDs(r search.Result) []string {
	ids := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		ids[i] = h.ID
	}
	return ids
}

func sortedIDs(r search.Result) []string { return slices.Sorted(slices.Values(HitIDs(r))) }

// cmpEmpty makes nil and empty ID lists equal.
var cmpEmpty = gocmp.Comparer(func(a, b []string) bool { return slices.Equal(a, b) })

func ptr[T any](v T) *T { return &v }

func testIndexAndDelete(t *testing.T, open Opener) {
	ctx := context.Background()
	ix := Fill(t, open, Corpus())
	if err := ix.Delete(ctx, []string{"d1", "unknown"}); err != nil {
		t.Fatal(err)
	}
	if got := sortedIDs(find(t, ix, search.Query{Text: "einfuhrung"})); !slices.Equal(got, []string{"d2"}) {
		t.Errorf("after Delete: %v, want [d2]", got)
	}
	if n, err := ix.Count(ctx); err != nil || n != 7 {
		t.Errorf("Count = %d, %v; want 7", n, err)
	}
	var ids []string
	if err := ix.EachID(ctx, func(id string) error { ids = append(ids, id); return nil }); err != nil {
		t.Fatal(err)
	}
	if slices.Sort(ids); len(ids) != 7 || slices.Contains(ids, "d1") || !slices.Contains(ids, "d2") {
		t.Errorf("EachID after Delete = %v", ids)
	}
	stop := errors.New("stop")
	if err := ix.EachID(ctx, func(string) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("EachID returned %v, want fn's error", err)
	}

	// Re-indexing d2 with a new title replaces every field.
	d2 := courses[1].document()
	d2.Title = map[string]string{"en": "Computer Science Basics"}
	d2.Description = nil
	d2.Country = "AT"
	if err := ix.Index(ctx, []search.Document{d2}); err != nil {
		t.Fatal(err)
	}
	if got := find(t, ix, search.Query{Text: "einfuhrung"}); len(got.Hits) != 0 {
		t.Errorf("old title still found: %v", HitIDs(got))
	}
	if got := sortedIDs(find(t, ix, search.Query{Text: "computer basics"})); !slices.Equal(got, []string{"d2"}) {
		t.Errorf("new title: %v, want [d2]", got)
	}
	if res := find(t, ix, search.Query{Filters: map[search.Facet][]string{search.FacetCountry: {"DE"}}}); res.Total != 0 {
		t.Errorf("country DE after re-index: %v", HitIDs(res))
	}
	res := find(t, ix, search.Query{})
	if len(countsOf(res, search.FacetCountry, "DE")) != 0 {
		t.Errorf("country DE still counted after re-index: %v", res.Facets[search.FacetCountry])
	}
	if n, _ := ix.Count(ctx); n != 7 {
		t.Errorf("Count after re-index = %d, want 7", n)
	}
	if err := ix.Index(ctx, []search.Document{{Title: map[string]string{"en": "x"}}}); err == nil {
		t.Error("Index of a document without ID: no error")
	}
}

// countsOf returns the counts of one facet value (none or one).
func countsOf(res search.Result, f search.Facet, value string) []search.FacetCount {
	var out []search.FacetCount
	for _, c := range res.Facets[f] {
		if c.Value == value {
			out = append(out, c)
		}
	}
	return out
}

func testText(t *testing.T, open Opener) {
	ix := Fill(t, open, append(Corpus(),
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
		// bleve folds "ue" by its German normaliser, an engine without
		// one by tolerating the typo: either way it must be found.
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
			res := find(t, ix, search.Query{Text: tt.text})
			if diff := gocmp.Diff(tt.want, sortedIDs(res), cmpEmpty); diff != "" {
				t.Errorf("Search(%q) IDs (-want +got):\n%s", tt.text, diff)
			}
			if res.Total != len(tt.want) {
				t.Errorf("Total = %d, want %d", res.Total, len(tt.want))
			}
		})
	}
}

// testRanking checks what a reader sees of relevance. Engines score
// differently (bleve sums boosted BM25 per field, PostgreSQL weighs
// lexeme positions), so the suite asks only: a document with every word
// in its title comes before one with the words elsewhere, the shorter of
// two matching titles first, and words only in the outcomes last.
func testRanking(t *testing.T, open Opener) {
	ix := Fill(t, open, append(Corpus(),
		// Both words in a longer title.
		search.Document{ID: "r1", Title: map[string]string{"en": "Science Communication with Open Data"}},
		// Both words many times, in several fields and languages, none a title.
		search.Document{ID: "r2", Title: map[string]string{"en": "Oceanography", "de": "Ozeanographie"},
			Description: map[string]string{"en": "Data, data and science.", "de": "Data Science für Meere", "fr": "Data science"},
			Outcomes:    map[string]string{"en": "Use data science", "nl": "Data science toepassen"}},
	))
	got := HitIDs(find(t, ix, search.Query{Text: "data science"}))
	if want := []string{"d5", "r1", "r2", "d6"}; !slices.Equal(got, want) {
		t.Errorf("data science: %v, want %v (title, longer title, description, outcomes)", got, want)
	}
	for _, h := range find(t, ix, search.Query{Text: "data science"}).Hits {
		if h.Score <= 0 {
			t.Errorf("hit %s of a text query scores %v", h.ID, h.Score)
		}
	}
	// Title (d1) over extra field label and outcomes: d1 only.
	if got := HitIDs(find(t, ix, search.Query{Text: "statistics"})); !slices.Equal(got, []string{"d1"}) {
		t.Errorf("statistics: %v, want [d1]", got)
	}
	if got := HitIDs(find(t, ix, search.Query{Text: "mathematical"})); !slices.Equal(got, []string{"d4"}) {
		t.Errorf("mathematical: %v, want [d4]", got)
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

func testFacetCounts(t *testing.T, open Opener) {
	ix := Fill(t, open, Corpus())
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
			"a value no document has",
			search.Query{Filters: map[search.Facet][]string{search.FacetCountry: {"XX"}}},
			nil,
			map[search.Facet][]search.FacetCount{
				search.FacetInstitution: fc(), search.FacetAlliance: fc(), search.FacetCountry: all[search.FacetCountry],
				search.FacetLanguage: fc(), search.FacetEQF: fc(), search.FacetField: fc(), search.FacetType: fc(),
				search.FacetMode: fc(),
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
			[]string{"d3"}, // d6 states no ECTS; d1 and d2 ("university", one typo away) are EQF 6
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
			res := find(t, ix, tt.q)
			if diff := gocmp.Diff(tt.wantIDs, sortedIDs(res), cmpEmpty); diff != "" {
				t.Errorf("IDs (-want +got):\n%s", diff)
			}
			if res.Total != len(tt.wantIDs) {
				t.Errorf("Total = %d, want %d", res.Total, len(tt.wantIDs))
			}
			if diff := gocmp.Diff(tt.want, res.Facets); diff != "" {
				t.Errorf("facets (-want +got):\n%s", diff)
			}
		})
	}
}

// testFiltersAgainstOracle checks every single-value selection, and pairs
// of them across facets, against filtering the documents in Go: hit IDs
// and the disjunctive counts of every facet, under every status.
func testFiltersAgainstOracle(t *testing.T, open Opener) {
	docs := Corpus()
	docs[2].Inactive = true // d3
	docs[4].Flagged = true  // d5
	ix := Fill(t, open, docs)
	var selections []map[search.Facet][]string
	values := map[search.Facet][]string{}
	for _, d := range docs {
		for f, vs := range d.FacetValues() {
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
	for _, st := range []search.Status{search.StatusActive, search.StatusAll} {
		for _, sel := range selections {
			res := find(t, ix, search.Query{Filters: sel, Status: st})
			live := slices.DeleteFunc(slices.Clone(docs), func(d search.Document) bool { return st == search.StatusActive && d.Inactive })
			if diff := gocmp.Diff(OracleIDs(live, sel, ""), sortedIDs(res), cmpEmpty); diff != "" {
				t.Errorf("%s %v: IDs (-want +got):\n%s", st, sel, diff)
			}
			for _, f := range search.Facets {
				if diff := gocmp.Diff(OracleCounts(live, sel, f), res.Facets[f]); diff != "" {
					t.Errorf("%s %v: facet %s (-want +got):\n%s", st, sel, f, diff)
				}
			}
		}
	}
}

// OracleIDs returns the IDs of the docs that every selection but except's
// keeps, sorted: what a search with those filters must find.
func OracleIDs(docs []search.Document, sel map[search.Facet][]string, except search.Facet) []string {
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
	have := d.FacetValues()
	for f, want := range sel {
		if f != except && !slices.ContainsFunc(want, func(v string) bool { return slices.Contains(have[f], v) }) {
			return false
		}
	}
	return true
}

// OracleCounts counts the values of facet f over the docs that every
// selection but f's keeps, as a search must report them.
func OracleCounts(docs []search.Document, sel map[search.Facet][]string, f search.Facet) []search.FacetCount {
	counts := map[string]int{}
	for _, d := range docs {
		if oracleMatch(d, sel, f) {
			for _, v := range d.FacetValues()[f] {
				counts[v]++
			}
		}
	}
	out := []search.FacetCount{}
	for v, n := range counts {
		out = append(out, search.FacetCount{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b search.FacetCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
	})
	return out
}

func testECTSRange(t *testing.T, open Opener) {
	ix := Fill(t, open, Corpus())
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
			res := find(t, ix, search.Query{ECTSMin: tt.lo, ECTSMax: tt.hi})
			if diff := gocmp.Diff(tt.want, sortedIDs(res), cmpEmpty); diff != "" {
				t.Errorf("IDs (-want +got):\n%s", diff)
			}
			// The range filters the counts of every facet.
			n := 0
			for _, c := range res.Facets[search.FacetCountry] {
				n += c.Count
			}
			if n != len(tt.want) || res.Total != len(tt.want) {
				t.Errorf("Total %d, country counts sum to %d, want %d", res.Total, n, len(tt.want))
			}
		})
	}
}

func testUnknownFilters(t *testing.T, open Opener) {
	ix := Fill(t, open, Corpus())
	for _, q := range []search.Query{
		{Filters: map[search.Facet][]string{"colour": {"red"}}},
		{Status: "gone"},
		{Quality: "perfect"},
	} {
		if _, err := ix.Search(context.Background(), q); err == nil {
			t.Errorf("Search(%+v): no error", q)
		}
	}
}

// testStatusFilter: inactive courses stay indexed but only a query that
// asks for them sees them, in hits and in facet counts alike.
func testStatusFilter(t *testing.T, open Opener) {
	docs := Corpus()
	for i := range docs {
		docs[i].Inactive = docs[i].ID == "d1" || docs[i].ID == "d2"
	}
	ix := Fill(t, open, docs)
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
		for _, filters := range []map[search.Facet][]string{
			nil,
			{search.FacetInstitution: {"uni-b", "uni-a", "uni-c", "uni-d", "uni-e"}},
		} {
			res := find(t, ix, search.Query{Status: tt.status, Filters: filters})
			if diff := gocmp.Diff(tt.wantIDs, sortedIDs(res), cmpEmpty); diff != "" {
				t.Errorf("status %q %v: IDs (-want +got):\n%s", tt.status, filters, diff)
			}
			de := 0
			for _, c := range countsOf(res, search.FacetCountry, "DE") {
				de = c.Count
			}
			if de != tt.wantDE {
				t.Errorf("status %q %v: DE counts %d, want %d (%v)", tt.status, filters, de, tt.wantDE, res.Facets)
			}
		}
	}
}

// testQualityFilter: flagged courses are found by default; "valid" hides
// them (hits and facet counts), "flagged" keeps only them.
func testQualityFilter(t *testing.T, open Opener) {
	docs := Corpus()
	for i := range docs {
		docs[i].Flagged = docs[i].ID == "d1" || docs[i].ID == "d3"
	}
	ix := Fill(t, open, docs)
	tests := []struct {
		quality search.QualityFilter
		wantIDs []string
	}{
		{search.QualityAll, []string{"d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"}},
		{search.QualityValid, []string{"d2", "d4", "d5", "d6", "d7", "d8"}},
		{search.QualityFlagged, []string{"d1", "d3"}},
	}
	for _, tt := range tests {
		for _, text := range []string{"", "universite"} {
			res := find(t, ix, search.Query{Quality: tt.quality, Text: text})
			want := tt.wantIDs
			if text != "" { // "universite" (or one typo away): d1 d2 d3 d6
				want = slices.DeleteFunc(slices.Clone(want), func(id string) bool { return !slices.Contains([]string{"d1", "d2", "d3", "d6"}, id) })
			}
			if diff := gocmp.Diff(want, sortedIDs(res), cmpEmpty); diff != "" {
				t.Errorf("quality %q text %q: IDs (-want +got):\n%s", tt.quality, text, diff)
			}
			total := 0
			for _, c := range res.Facets[search.FacetInstitution] {
				total += c.Count
			}
			if total != len(want) {
				t.Errorf("quality %q text %q: institution counts sum to %d, want %d", tt.quality, text, total, len(want))
			}
		}
	}
}

// pagedQueries are the queries paging and walking are checked with: every
// branch an engine may plan differently (all, text, filters, both).
var pagedQueries = []search.Query{
	{},
	{Text: "introduction"},
	{Filters: map[search.Facet][]string{search.FacetType: {"course", "module"}}},
	{Text: "introduction", Filters: map[search.Facet][]string{search.FacetType: {"course", "module", "mooc"}}, ECTSMin: ptr(3.0)},
}

// testPages walks every page of each query: pages hold at most the limit,
// Total stays the same, and the pages meet each hit exactly once, in an
// order where hits tied on score and title are ordered by ID.
func testPages(t *testing.T, open Opener) {
	docs := GenDocs(230)
	ix := Fill(t, open, docs)
	title := map[string]string{}
	for _, d := range docs {
		_, title[d.ID] = model.Text(d.Title).Best("en")
	}
	for _, q := range pagedQueries {
		t.Run(fmt.Sprintf("%q %v", q.Text, q.Filters), func(t *testing.T) {
			whole := find(t, ix, search.Query{Text: q.Text, Filters: q.Filters, ECTSMin: q.ECTSMin, Limit: search.MaxLimit})
			if q.Text == "" && q.Filters == nil && whole.Total != len(docs) {
				t.Fatalf("Total = %d, want %d", whole.Total, len(docs))
			}
			if whole.Total < 20 {
				t.Fatalf("Total = %d: too few hits to page", whole.Total)
			}
			var seen []string
			const limit = 7
			for page := 1; ; page++ {
				q := q
				q.Page, q.Limit = page, limit
				res := find(t, ix, q)
				if res.Total != whole.Total {
					t.Fatalf("page %d: Total = %d, want %d", page, res.Total, whole.Total)
				}
				if len(res.Hits) == 0 {
					break
				}
				if len(res.Hits) > limit {
					t.Fatalf("page %d: %d hits, limit %d", page, len(res.Hits), limit)
				}
				for i, h := range res.Hits {
					seen = append(seen, h.ID)
					prev := res.Hits[max(i-1, 0)]
					if i > 0 && h.Score == prev.Score && title[h.ID] == title[prev.ID] && h.ID < prev.ID {
						t.Errorf("page %d: tie %s before %s not broken by ID", page, prev.ID, h.ID)
					}
				}
			}
			if len(seen) != whole.Total {
				t.Errorf("paged through %d hits, Total %d", len(seen), whole.Total)
			}
			if n := len(slices.Compact(slices.Sorted(slices.Values(seen)))); n != len(seen) {
				t.Errorf("%d hits repeated across pages", len(seen)-n)
			}
		})
	}
}

func testLimits(t *testing.T, open Opener) {
	docs := GenDocs(230)
	ix := Fill(t, open, docs)
	for _, c := range []struct{ page, limit, want int }{
		{0, 0, search.DefaultLimit}, {1, -3, search.DefaultLimit}, {1, 1000, search.MaxLimit},
		{3, 100, 30}, {4, 100, 0}, {1 << 40, 50, 0},
	} {
		res := find(t, ix, search.Query{Page: c.page, Limit: c.limit})
		if len(res.Hits) != c.want || res.Total != len(docs) {
			t.Errorf("page %d limit %d: %d hits of %d, want %d of %d", c.page, c.limit, len(res.Hits), res.Total, c.want, len(docs))
		}
	}
}

// testStableOrder: without text, hits come by title (folded: accents and
// case do not count), then ID.
func testStableOrder(t *testing.T, open Opener) {
	ix := Fill(t, open, append(Corpus(),
		search.Document{ID: "r1", Title: map[string]string{"en": "Science Communication with Open Data"}},
		search.Document{ID: "r2", Title: map[string]string{"en": "Oceanography", "de": "Ozeanographie"}},
		search.Document{ID: "r0", Title: map[string]string{"en": "science communication with open data"}},
	))
	want := []string{"d5", "d3", "d2", "d1", "d7", "d6", "r2", "d8", "r0", "r1", "d4"}
	if got := HitIDs(find(t, ix, search.Query{})); !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	for _, h := range find(t, ix, search.Query{}).Hits {
		if h.Score != 0 {
			t.Errorf("hit %s of a query without text scores %v", h.ID, h.Score)
		}
	}
}

// testSearchAfter walks every result with Query.After, a few hits at a
// time, and must meet each exactly once, in the order pages give.
func testSearchAfter(t *testing.T, open Opener) {
	// A document without a title has no sort value: the engine's
	// stand-in for it must survive the round trip through a SortKey.
	docs := append(GenDocs(230), search.Document{ID: "untitled", Type: "course"})
	ix := Fill(t, open, docs)
	for _, q := range pagedQueries {
		var paged []string
		for page := 1; ; page++ {
			q.Page, q.Limit = page, search.MaxLimit
			res := find(t, ix, q)
			if len(res.Hits) == 0 {
				break
			}
			paged = append(paged, HitIDs(res)...)
		}
		var walked []string
		q.Page, q.Limit = 0, 7
		for step := 0; ; step++ {
			res := find(t, ix, q)
			if res.Total != len(paged) {
				t.Fatalf("%q step %d: Total %d, want %d", q.Text, step, res.Total, len(paged))
			}
			if len(res.Hits) == 0 {
				break
			}
			walked = append(walked, HitIDs(res)...)
			q.After = res.Hits[len(res.Hits)-1].Key
			if step > len(docs) {
				t.Fatal("the walk does not end")
			}
		}
		if !slices.Equal(walked, paged) {
			t.Errorf("%q %v: the walk met %d hits, pages %d; or in another order", q.Text, q.Filters, len(walked), len(paged))
		}
		if len(paged) < 20 {
			t.Errorf("%q: only %d hits, too few to walk", q.Text, len(paged))
		}
	}
}

// testForeignSortKey: a key of a query with text does not fit one
// without, nor the other way round; a key of one value fits neither.
func testForeignSortKey(t *testing.T, open Opener) {
	ix := Fill(t, open, GenDocs(30))
	textKey := find(t, ix, search.Query{Text: "introduction"}).Hits[0].Key
	plainKey := find(t, ix, search.Query{}).Hits[0].Key
	for _, q := range []search.Query{
		{After: textKey},
		{Text: "introduction", After: plainKey},
		{After: search.SortKey{"x"}},
		{Text: "introduction", After: search.SortKey{"x"}},
	} {
		if _, err := ix.Search(context.Background(), q); !errors.Is(err, search.ErrSortKey) {
			t.Errorf("%q after %v: %v, want ErrSortKey", q.Text, q.After, err)
		}
	}
}
