package model

import (
	"slices"
	"strings"

	"qlink/internal/vocab"
)

// Text holds one value per language, keyed by a normalised BCP 47 tag
// (see NormalizeLang). The empty key holds a value whose language the
// source did not state; it is kept apart rather than guessed.
type Text map[string]string

// PrimaryLang returns the language subtag of a tag ("en-GB" → "en"): the
// granularity the catalogue filters on.
func PrimaryLang(tag string) string {
	if i := strings.IndexByte(tag, '-'); i > 0 {
		return tag[:i]
	}
	return tag
}

// Set stores value under the normalised form of lang. A value whose language
// cannot be recognised is stored under the empty key. Blank values are
// ignored so that sloppy sources ("" titles) do not erase real ones.
func (t Text) Set(lang, value string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return
	}
	norm, _ := vocab.NormalizeLang(lang)
	t[norm] = value
}

// IsEmpty reports whether t holds no value at all.
func (t Text) IsEmpty() bool { return len(t) == 0 }

// Langs returns the languages t is available in, sorted, the unstated
// language (empty key) last.
func (t Text) Langs() []string { return t.AppendLangs(make([]string, 0, len(t))) }

// AppendLangs appends to dst what Langs returns, so that a caller walking
// many texts (the ELM writer) can reuse one slice.
func (t Text) AppendLangs(dst []string) []string {
	start := len(dst)
	for l := range t {
		dst = append(dst, l)
	}
	slices.SortFunc(dst[start:], func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "":
			return 1
		case b == "":
			return -1
		}
		return strings.Compare(a, b)
	})
	return dst
}

// Best picks the value to show a reader who prefers the given languages (in
// order): an exact tag, then the same primary language, then English, then
// the unstated language, then the first language alphabetically. It returns
// the chosen tag too, so pages can mark the text with its real language.
func (t Text) Best(prefs ...string) (lang, value string) {
	if len(t) == 0 {
		return "", ""
	}
	for _, p := range prefs {
		if v, ok := t[p]; ok {
			return p, v
		}
	}
	langs := t.Langs()
	for _, p := range append(prefs, "en") {
		for _, l := range langs {
			if l != "" && PrimaryLang(l) == PrimaryLang(p) {
				return l, t[l]
			}
		}
	}
	if v, ok := t[""]; ok {
		return "", v
	}
	return langs[0], t[langs[0]]
}

// String returns the best value for an English-speaking reader.
func (t Text) String() string {
	_, v := t.Best()
	return v
}
