package vocab

import (
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// LanguageBase and CountryBase are the EU Publications Office authority
// tables (NAL) for languages and countries.
const (
	LanguageBase = "http://publications.europa.eu/resource/authority/language/"
	CountryBase  = "http://publications.europa.eu/resource/authority/country/"
)

// NormalizeLang turns a language code as found in the wild ("en-gb", "EN_GB",
// "nld", "dut", "ger") into its canonical BCP 47 form ("en-GB", "nl", "de").
// ISO 639-2/B and 639-3 codes map to their shortest tag, as BCP 47 requires.
// It reports false for anything that is not a language tag.
func NormalizeLang(code string) (string, bool) {
	code = strings.TrimSpace(code)
	if code == "" {
		return "", false
	}
	tag, err := language.Parse(strings.ReplaceAll(code, "_", "-"))
	if err != nil {
		return "", false
	}
	// The root tag "und" and private-use tags ("x-…") name no language.
	if s := tag.String(); s == "und" || strings.HasPrefix(s, "und-") || strings.HasPrefix(s, "x-") {
		return "", false
	}
	return tag.String(), true
}

// LanguageURI returns the NAL IRI for a language given in any common form
// ("en", "en-GB", "eng", "dut", "nld", or a NAL IRI), or "" when the code is
// not a language. The NAL keys languages by their upper-case ISO 639-2/T
// (or 639-3) code, which is what golang.org/x/text calls ISO3.
func LanguageURI(code string) string {
	if rest, ok := strings.CutPrefix(code, LanguageBase); ok {
		code = rest
	}
	norm, ok := NormalizeLang(code)
	if !ok {
		return ""
	}
	base, _ := language.MustParse(norm).Base()
	return LanguageBase + strings.ToUpper(base.ISO3())
}

// LanguageName returns the name of the language with the given BCP 47 tag
// in the reader's language (English when lang is empty or unknown).
func LanguageName(tag, lang string) string {
	return names.remember('l', tag, lang, func() string {
		t, err := language.Parse(tag)
		if err != nil {
			return tag
		}
		return nameIn(lang, t, display.English.Languages(), display.Languages, tag)
	})
}

// nameIn is what namers for lang (English's when lang is empty or
// unknown) call x, or else fallback.
func nameIn(lang string, x any, english display.Namer, namers func(language.Tag) display.Namer, fallback string) string {
	namer := english
	if l, err := language.Parse(lang); err == nil && lang != "" {
		namer = namers(l)
	}
	if name := namer.Name(x); name != "" {
		return name
	}
	return fallback
}

// LanguageEndonym returns the language's name in itself ("Nederlands").
func LanguageEndonym(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if name := display.Self.Name(t); name != "" {
		return name
	}
	return LanguageName(tag, "en")
}

// CountryURI returns the NAL IRI for an ISO 3166-1 alpha-2 or alpha-3 code.
func CountryURI(code string) string {
	r, err := language.ParseRegion(strings.TrimSpace(code))
	if err != nil || !r.IsCountry() {
		return ""
	}
	return CountryBase + r.ISO3()
}

// CountryCode normalises an ISO 3166-1 alpha-2 or alpha-3 code, or a NAL
// country IRI, to upper-case alpha-2; it returns "" for anything else.
func CountryCode(code string) string {
	code, _ = strings.CutPrefix(strings.TrimSpace(code), CountryBase)
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() {
		return ""
	}
	return r.String()
}

// CountryName returns the country's name in the reader's language
// (English when lang is empty or unknown).
func CountryName(code, lang string) string {
	return names.remember('c', code, lang, func() string {
		r, err := language.ParseRegion(code)
		if err != nil {
			return code
		}
		return nameIn(lang, r, display.English.Regions(), display.Regions, code)
	})
}

// names remembers the names LanguageName and CountryName gave: every
// answer of the catalogue and the API names each language and country of
// its facets, and x/text parses both tags and searches its tables afresh
// each time (1 % of serve's CPU under load at a million courses).
var names nameMemo

// maxNames bounds what names remembers: the codes come from harvested
// data, which may hold any number of them; past the bound, names are
// looked up every time.
const maxNames = 1 << 14

type nameMemo struct {
	m sync.Map // nameKey → name
	n atomic.Int64
}

type nameKey struct {
	kind       byte
	code, lang string
}

func (m *nameMemo) remember(kind byte, code, lang string, look func() string) string {
	key := nameKey{kind, code, lang}
	if name, ok := m.m.Load(key); ok {
		return name.(string)
	}
	name := look()
	if m.n.Load() < maxNames {
		if _, had := m.m.LoadOrStore(key, name); !had {
			m.n.Add(1)
		}
	}
	return name
}
