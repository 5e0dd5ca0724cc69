package source

import (
	"fmt"
	"strings"
	"testing"

	"qlink/internal/model"
)

func TestDecodeRecord(t *testing.T) {
	type rec struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		N     int    `json:"n"`
	}
	tests := []struct {
		in    string
		ok    bool
		field string
		msg   string
	}{
		{`{"id":"a","title":"T","n":1}`, true, "", ""},
		{`{"id":"a","title":42,"n":1}`, true, "title", "number where course expects string"},
		{`"text"`, false, "", "not a valid course"},
		{`[1]`, false, "", "not a valid course"},
	}
	for _, tt := range tests {
		var r rec
		w, ok := DecodeRecord([]byte(tt.in), &r, "course")
		if ok != tt.ok || (w == nil) != (tt.msg == "") || w != nil && (w.Field != tt.field || !strings.Contains(w.Message, tt.msg)) {
			t.Errorf("%s: %+v %v", tt.in, w, ok)
		}
		if tt.field != "" && (r.ID != "a" || r.N != 1) {
			t.Errorf("%s: the rest of the record was lost: %+v", tt.in, r)
		}
	}
}

func TestIDMinter(t *testing.T) {
	m := NewIDMinter(model.Provider{ID: "P1", SCHAC: "uni.test"})
	tests := []struct{ code, id, want, clash string }{
		{"INF-1", "a", "urn:schac:uniqueCourseId:uni.test:INF-1", ""},
		{"INF-1", "a", "urn:schac:uniqueCourseId:uni.test:INF-1", ""}, // the same record again
		{"INF-1", "b", "urn:schac:uniqueCourseId:uni.test:b", "a"},
		{"", "c", "urn:schac:uniqueCourseId:uni.test:c", ""},
		{"x:y", "d", "urn:schac:uniqueCourseId:uni.test:x%3Ay", ""},
	}
	for _, tt := range tests {
		id, clash := m.Mint(tt.code, tt.id)
		if id != tt.want || clash != tt.clash {
			t.Errorf("Mint(%q, %q) = %q, %q", tt.code, tt.id, id, clash)
		}
	}
}

func TestLinkParts(t *testing.T) {
	specs := []model.Specification{{ID: "p"}, {ID: "c1", PartOf: []string{"p"}}, {ID: "c2", PartOf: []string{"p", "elsewhere"}}, {ID: "p2", HasPart: []string{"c1"}, PartOf: nil}}
	specs[1].PartOf = append(specs[1].PartOf, "p2")
	LinkParts(specs)
	if fmt.Sprint(specs[0].HasPart, specs[3].HasPart) != "[c1 c2] [c1]" {
		t.Errorf("HasPart: %v %v", specs[0].HasPart, specs[3].HasPart)
	}
}

func TestLangsMatchesTextSet(t *testing.T) {
	var c Langs
	for _, tc := range []struct{ lang, value string }{{"nl-NL", "Inleiding"}, {"EN_gb", " Intro "}, {"", "Unstated"},
		{"klingon!", "Qapla'"}, {"de", "  "}, {"nl-NL", "Tweede"}} {
		want, got := model.Text{}, model.Text{}
		want.Set(tc.lang, tc.value)
		c.Set(got, tc.lang, tc.value)
		c.Set(got, tc.lang, tc.value) // remembered the second time
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q %q: %v, want %v", tc.lang, tc.value, got, want)
		}
	}
}

// TestScanMatchesEncodingJSON reads the shapes the fast path knows, and
// some it does not, and compares with encoding/json.
