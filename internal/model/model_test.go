package model

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
)

func TestTextKeepsEveryLanguage(t *testing.T) {
	tx := Text{}
	tx.Set("nl-NL", "Inleiding datawetenschap")
	tx.Set("EN-gb", "Introduction to data science")
	tx.Set("", "Ohne Sprache")
	tx.Set("de", "   ")
	if !slices.Equal(tx.Langs(), []string{"en-GB", "nl-NL", LangUnstated}) {
		t.Fatalf("Langs = %v", tx.Langs())
	}
	if got := tx.AppendLangs([]string{"zz"}); !slices.Equal(got, []string{"zz", "en-GB", "nl-NL", LangUnstated}) {
		t.Fatalf("AppendLangs sorts what it appends, and only that: %v", got)
	}
	for _, tc := range []struct {
		prefs    []string
		wantLang string
	}{
		{[]string{"nl"}, "nl-NL"},
		{[]string{"nl-NL"}, "nl-NL"},
		{[]string{"fr"}, "en-GB"},
		{nil, "en-GB"},
	} {
		if lang, _ := tx.Best(tc.prefs...); lang != tc.wantLang {
			t.Errorf("Best(%v) = %q, want %q", tc.prefs, lang, tc.wantLang)
		}
	}
	only := Text{"pl": "Wprowadzenie"}
	if lang, v := only.Best("en"); lang != "pl" || v != "Wprowadzenie" {
		t.Errorf("single language: %q %q", lang, v)
	}
}

// TestTextNeverKeysEmpty: "" is not a BCP 47 tag, yet API users read
// Text keys as tags; values of unstated or unknown language go under "und",
// also when a stored document still has "".
func TestTextNeverKeysEmpty(t *testing.T) {
	tx := Text{}
	tx.Set("", "Hochschule Lindenau")
	tx.Set("x-klingon", "tlhIngan")
	if _, ok := tx[""]; ok || tx[LangUnstated] != "tlhIngan" || len(tx) != 1 {
		t.Fatalf("Set keyed %v", tx)
	}
	var back Text
	if err := json.Unmarshal([]byte(`{"":"Alt","de":"Neu"}`), &back); err != nil {
		t.Fatal(err)
	}
	if _, ok := back[""]; ok || back[LangUnstated] != "Alt" || back["de"] != "Neu" {
		t.Fatalf("unmarshal kept an empty key: %v", back)
	}
	if lang, v := (Text{LangUnstated: "Alt", "fr": "Nouveau"}).Best("de"); lang != LangUnstated || v != "Alt" {
		t.Errorf("Best prefers the unstated language to a foreign one: got %q %q", lang, v)
	}
	var s Specification
	if err := json.Unmarshal([]byte(`{"id":"x","title":{"":"T"}}`), &s); err != nil || s.Title[LangUnstated] != "T" {
		t.Errorf("Text fields of stored documents are normalised too: %v %v", s.Title, err)
	}
}

func TestCourseID(t *testing.T) {
	cases := []struct{ schac, provider, local, want string }{
		{"Uni-Lindenau.test", "DEQARINST0001", "INF-2041", "urn:schac:uniqueCourseId:uni-lindenau.test:INF-2041"},
		{"", "DEQARINST0001", "INF 2041", "urn:qlink:course:DEQARINST0001:INF%202041"},
		{"a.test", "", "x:y/z", "urn:schac:uniqueCourseId:a.test:x%3Ay%2Fz"},
	}
	for _, tc := range cases {
		if got := CourseID(tc.schac, tc.provider, tc.local); got != tc.want {
			t.Errorf("CourseID(%q,%q,%q) = %q, want %q", tc.schac, tc.provider, tc.local, got, tc.want)
		}
	}
}

func TestISCEDDerivation(t *testing.T) {
	codes := []string{"0613", "0612", "0311", "06"}
	if got := ISCEDBroad(codes); !slices.Equal(got, []string{"06", "03"}) {
		t.Errorf("broad = %v", got)
	}
	if got := ISCEDNarrow(codes); !slices.Equal(got, []string{"061", "031"}) {
		t.Errorf("narrow = %v", got)
	}
}

func TestSpecificationJSONRoundTrip(t *testing.T) {
	capacity := 30
	s := Specification{ID: "urn:x", Title: Text{"en": "A", "de": "Ä"}, Credits: []Credit{{System: CreditECTS, Value: 7.5}},
		Instances: []Instance{{ID: "i1", Modes: []string{"m1"}, Capacity: &capacity}, {ID: "i2", Modes: []string{"m1", "m2"}}}}
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Specification
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if ects, ok := back.ECTS(); !ok || ects != 7.5 {
		t.Errorf("ECTS = %v %v", ects, ok)
	}
	if !slices.Equal(back.Modes(), []string{"m1", "m2"}) || *back.Instances[0].Capacity != 30 {
		t.Errorf("round trip lost data: %s", raw)
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[string]string{"PT150H": "PT150H", " pt7h30m ": "PT7H30M", "P1Y2M": "P1Y2M", "P2W": "P2W", "PT0.5S": "PT0.5S",
		"P": "", "PT": "", "P1DT": "", "150": "", "-PT1H": "", "PT1.5H": "", "150 hours": ""} {
		got, ok := Duration(in)
		if got != want || ok != (want != "") {
			t.Errorf("Duration(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for h, want := range map[float64]string{42: "PT42H", 7.5: "PT7H30M", 0: "PT0H"} {
		if got, ok := HoursDuration(h); !ok || got != want {
			t.Errorf("HoursDuration(%v) = %q", h, got)
		}
	}
	if _, ok := HoursDuration(-1); ok {
		t.Error("negative hours accepted")
	}
}

// TestAbsentFieldsKeepTheDocument: a course without the study fields
// marshals exactly as before they existed, so its content hash holds.
func TestAbsentFieldsKeepTheDocument(t *testing.T) {
	s := Specification{ID: "urn:x", Title: Text{"en": "A"}, PublisherID: "p", Instances: []Instance{{ID: "i", SpecificationID: "urn:x"}}}
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	const before = `{"id":"urn:x","title":{"en":"A"},"active":false,"publisherId":"p","instances":[{"id":"i","specificationId":"urn:x"}]}`
	if string(raw) != before {
		t.Errorf("got  %s\nwant %s", raw, before)
	}
}

// FuzzTextUnmarshal: the direct reading of plainly written texts gives
// what json.Unmarshal gives, for any input, and fails where it fails.
func FuzzTextUnmarshal(f *testing.F) {
	for _, seed := range []string{`{"en":"Data Science","de":"Datenwissenschaft"}`, `{}`, `null`,
		`{"":"Alt","und":"Neu"}`, `{"en":"a\"b"}`, `{"en":"R&D \u003c 5"}`, `{"fr":"Économie"}`,
		`{"en":"x","en":"y"}`, `{"en": "spaced"}`, "{\"en\":\"\xff\"}", `{"en":"x",}`, `{"en":1}`,
		`{"en":"x"`, `{"en"}`, `{"en":"tab	here"}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want map[string]string
		wantErr := json.Unmarshal(data, &want)
		if v, ok := want[""]; ok {
			delete(want, "")
			if _, taken := want[LangUnstated]; !taken {
				want[LangUnstated] = v
			}
		}
		var got Text
		gotErr := json.Unmarshal(data, &got)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%q: error %v, json.Unmarshal's %v", data, gotErr, wantErr)
		}
		if gotErr == nil && (!maps.Equal(got, Text(want)) || (got == nil) != (want == nil)) {
			t.Fatalf("%q: read %#v, json.Unmarshal %#v", data, got, want)
		}
		// Called directly, as encoding/json calls it, with the bytes unchecked.
		var direct Text
		if err := direct.UnmarshalJSON(data); err == nil && (wantErr != nil || !maps.Equal(direct, Text(want))) {
			t.Fatalf("%q: UnmarshalJSON read %#v, json.Unmarshal %#v (%v)", data, direct, want, wantErr)
		}
	})
}
