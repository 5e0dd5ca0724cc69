package vocab

import (
	"strconv"
	"testing"
)

func TestSchemeLookups(t *testing.T) {
	c, ok := LearningOpportunityTypes.Lookup("https://data.europa.eu/snb/learning-opportunity/05053c1cbe")
	if !ok || c.Slug != "course" || c.Label("de") != "Kurs" || c.Label("sv") != "Course" {
		t.Errorf("type by https IRI: %+v %v", c, ok)
	}
	if Modes.URI("online") != "http://data.europa.eu/snb/learning-assessment/920fbb3cbe" {
		t.Errorf("mode by slug")
	}
	if c, ok := ISCEDF.Lookup("0613"); !ok || c.Label("en") != "Software and applications development and analysis" {
		t.Errorf("ISCED 0613: %+v", c)
	}
	if c, ok := ISCEDF.Lookup("068"); !ok || c.Label("en") == "" {
		t.Errorf("derived inter-disciplinary narrow field missing")
	}
	if c, ok := EQF.Lookup("http://data.europa.eu/snb/eqf/7"); !ok || c.Code != "7" {
		t.Errorf("EQF 7: %+v", c)
	}
	if _, ok := ISCEDF.Lookup("0699x"); ok {
		t.Errorf("nonsense code accepted")
	}
}

func TestLanguagesAndCountries(t *testing.T) {
	for in, want := range map[string]string{"en": "ENG", "en-GB": "ENG", "dut": "NLD", "nld": "NLD", "ger": "DEU", "pl": "POL",
		LanguageBase + "FRA": "FRA"} {
		if got := LanguageURI(in); got != LanguageBase+want {
			t.Errorf("LanguageURI(%q) = %q", in, got)
		}
	}
	if LanguageURI("klingon!") != "" {
		t.Errorf("garbage language accepted")
	}
	if LanguageName("nl", "en") != "Dutch" || LanguageName("nl", "de") != "Niederländisch" || LanguageEndonym("nl") != "Nederlands" {
		t.Errorf("language names: %q %q %q", LanguageName("nl", "en"), LanguageName("nl", "de"), LanguageEndonym("nl"))
	}
	if CountryURI("AT") != CountryBase+"AUT" || CountryCode("aut") != "AT" || CountryCode(CountryBase+"DEU") != "DE" || CountryCode("EU") != "" {
		t.Errorf("countries: %q %q", CountryURI("AT"), CountryCode("aut"))
	}
	if CountryName("DE", "fr") != "Allemagne" {
		t.Errorf("CountryName(DE, fr) = %q", CountryName("DE", "fr"))
	}
}

func TestNormalizeLang(t *testing.T) {
	cases := map[string]string{
		"en-gb": "en-GB", "EN_GB": "en-GB", "nld": "nl", "dut": "nl", "ger": "de", "fre": "fr",
		"deu": "de", "pl": "pl", " es-ES ": "es-ES", "zh-hant-tw": "zh-Hant-TW",
	}
	for in, want := range cases {
		if got, ok := NormalizeLang(in); !ok || got != want {
			t.Errorf("NormalizeLang(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "und", "x-klingon", "not a tag", "e"} {
		if got, ok := NormalizeLang(bad); ok {
			t.Errorf("NormalizeLang(%q) = %q, want failure", bad, got)
		}
	}
}

// TestGermanAndFrenchLabels: every concept the catalogue shows has a
// German and a French label, so a reader never sees English (or a code)
// where the EU vocabulary names it in their language.
func TestGermanAndFrenchLabels(t *testing.T) {
	for _, sc := range []*Scheme{ISCEDF, EQF, LearningOpportunityTypes, Modes, LearningSchedules} {
		for _, c := range sc.All() {
			for _, lang := range []string{"de", "fr"} {
				if c.Labels[lang] == "" {
					t.Errorf("%s %s has no %s label", sc.Name, c.Code, lang)
				}
			}
		}
	}
	if c, _ := ISCEDF.Lookup("0613"); c.Label("de") != "Software- und Anwendungsentwicklung und -analyse" {
		t.Errorf("ISCED 0613 in German: %q", c.Label("de"))
	}
	if c, _ := ISCEDF.Lookup("068"); c.Label("fr") != "Programmes et certifications interdisciplinaires\u00a0: technologies de l’information et de la communication (TIC)" {
		t.Errorf("ISCED 068 in French: %q", c.Label("fr"))
	}
}

// Names are remembered, the same as looked up, and no more of them than
// the bound, whatever codes come.
func TestNamesRememberedUpToTheBound(t *testing.T) {
	for range 2 { // looked up, then remembered
		if got := CountryName("NL", "de"); got != "Niederlande" {
			t.Errorf("CountryName(NL, de) = %q", got)
		}
		if got := LanguageName("fi", "sv"); got != "finska" {
			t.Errorf("LanguageName(fi, sv) = %q", got)
		}
	}
	for i := range maxNames + 100 {
		code := "q" + strconv.Itoa(i)
		if got := LanguageName(code, "en"); got != code {
			t.Fatalf("LanguageName(%q) = %q", code, got)
		}
	}
	if n := names.n.Load(); n > maxNames {
		t.Errorf("%d names remembered, bound %d", n, maxNames)
	}
}
