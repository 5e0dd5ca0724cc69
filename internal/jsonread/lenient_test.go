package jsonread

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNumber(t *testing.T) {
	tests := []struct {
		in      string
		value   float64
		set     bool
		invalid bool
	}{
		{`6`, 6, true, false},
		{`7.5`, 7.5, true, false},
		{`"7,5"`, 7.5, true, false},
		{`" 12 "`, 12, true, false},
		{`""`, 0, false, false},
		{`null`, 0, false, false},
		{`"six"`, 0, false, true},
		{`{"value":6}`, 0, false, true},
		{`true`, 0, false, true},
	}
	for _, tt := range tests {
		var n Number
		if err := json.Unmarshal([]byte(tt.in), &n); err != nil {
			t.Errorf("%s: %v", tt.in, err)
		}
		if n.Value != tt.value || n.Set != tt.set || (n.Invalid != "") != tt.invalid {
			t.Errorf("%s: %+v", tt.in, n)
		}
	}
	if c := (Number{Value: 3, Set: true}).Count(); c == nil || *c != 3 {
		t.Errorf("Count(3) = %v", c)
	}
	for _, n := range []Number{{Value: -1, Set: true}, {Value: 2.5, Set: true}, {}} {
		if n.Count() != nil {
			t.Errorf("Count(%+v) is not nil", n)
		}
	}
}

func TestStrings(t *testing.T) {
	tests := map[string][]string{
		`["a"," b ",""]`:      {"a", "b"},
		`"one"`:               {"one"},
		`["0613", 613, null]`: {"0613", "613"},
		`7`:                   {"7"},
		`null`:                nil,
		`[{"x":1},["y"]]`:     nil,
	}
	for in, want := range tests {
		var s Strings
		if err := json.Unmarshal([]byte(in), &s); err != nil || !slices.Equal(s, want) {
			t.Errorf("%s: %q %v, want %q", in, s, err, want)
		}
	}
}

func TestParseTime(t *testing.T) {
	day := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2026-09-01", day, false},
		{"2026-09-01T00:00:00Z", day, false},
		{"2026-09-01T02:00:00+02:00", day, false},
		{"2026-09-01T00:00:00", day, false},
		{"2026-09-01T00:00:00.000", day, false},
		{" ", time.Time{}, false},
		{"01/09/2026", time.Time{}, true},
		{"2026-04-31", time.Time{}, true},
		{"2026-13-01", time.Time{}, true},
		{"2026-1a-01", time.Time{}, true},
		{"2024-02-29T00:00:00Z", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if !got.Equal(tt.want) || (err != nil) != tt.err {
			t.Errorf("%q: %v %v", tt.in, got, err)
		}
	}
}

func TestHTTPURL(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"https://www.uni.test/c/1", "https://www.uni.test/c/1", ""},
		{" http://uni.test ", "http://uni.test", ""},
		{"www.domain.tld/example/course", "https://www.domain.tld/example/course", ""},
		{"", "", ""},
		{"javascript:alert(1)", "", "not an http(s) URL"},
		{"ftp://uni.test/x", "", "not an http(s) URL"},
		{"/relative/path", "", "not an http(s) URL"},
		{"not a url", "", "not an http(s) URL"},
	}
	for _, tt := range tests {
		got, err := HTTPURL(tt.in)
		if got != tt.want || (tt.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%q: %q %v", tt.in, got, err)
		}
	}
}

func TestScanMatchesEncodingJSON(t *testing.T) {
	inputs := []string{
		`[{"value":"a","lang":"en"},{"value":null,"lang":"nl"}]`,
		`[{"value":"\u003cp\u003eA \u0026 B\u003c/p\u003e\n\t\"q\" \\ \/","lang":"en"}]`,
		`[{"value":"emoji \ud83d\ude00 and lone \ud83d then é","lang":"fr"}]`,
		` [ { "value" : "spaced" , "lang" : "de" } ] `,
		`[]`,
		`[{"value":1}]`,
		`[{"value":{"x":"y"}}]`,
		`[["nested"]]`,
		`{"value":"one"}`,
	}
	for _, in := range inputs {
		var want []map[string]*string
		wantErr := json.Unmarshal([]byte(in), &want) != nil
		var got []map[string]*string
		ok := ScanObjects([]byte(in), func() { got = append(got, map[string]*string{}) }, func(k []byte, v string) {
			got[len(got)-1][string(k)] = &v
		})
		if !ok {
			if !wantErr && !strings.Contains(in, "null") {
				t.Errorf("%s: the fast path refused a plain shape", in)
			}
			continue
		}
		if wantErr {
			t.Errorf("%s: read what encoding/json refuses", in)
			continue
		}
		for i := range want {
			for k, v := range want[i] {
				if v != nil && *got[i][k] != *v {
					t.Errorf("%s: %q = %q, want %q", in, k, *got[i][k], *v)
				}
			}
		}
	}
	for in, want := range map[string][]string{`["a","b\u00e9"]`: {"a", "bé"}, `[]`: nil, ` [ "x" ] `: {"x"}} {
		if got, ok := ScanStrings([]byte(in), nil); !ok || !slices.Equal(got, want) {
			t.Errorf("%s: %q %v", in, got, ok)
		}
	}
	for _, in := range []string{`["a",1]`, `"a"`, `[null]`} {
		if _, ok := ScanStrings([]byte(in), nil); ok {
			t.Errorf("%s: accepted", in)
		}
	}
}

// FuzzScanStrings holds the fast path's unquoting against encoding/json.

func FuzzScanStrings(f *testing.F) {
	f.Add(`<p>A & "B"</p>`, `\u00e9`)
	f.Add("emoji 😀\n\t", `\ud83d\ude00 \ud83d`)
	f.Fuzz(func(t *testing.T, plain, escaped string) {
		lit, _ := json.Marshal(plain)
		in := []byte(`[` + string(lit) + `,"` + escaped + `"]`)
		var want []string
		if json.Unmarshal(in, &want) != nil {
			return // not valid JSON: the fast path never sees it
		}
		got, ok := ScanStrings(in, nil)
		if !ok || !slices.Equal(got, want) {
			t.Errorf("%s: %q %v, want %q", in, got, ok, want)
		}
	})
}

func TestScanArray(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{`[[{"a":"]"}], [], 1, "x\\\"]", {"b":[1,{"c":"}"}]}, null]`, []string{`[{"a":"]"}]`, `[]`, `1`, `"x\\\"]"`, `{"b":[1,{"c":"}"}]}`, `null`}, true},
		{`[]`, nil, true},
		{`[true]`, []string{`true`}, true},
		{`{"a":1}`, nil, false},
	}
	for _, tt := range tests {
		var got []string
		ok := ScanArray([]byte(tt.in), func(raw []byte) bool { got = append(got, string(raw)); return true })
		if ok != tt.ok || ok && !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q %v", tt.in, got, ok)
		}
	}
}
