package model

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"qlink/internal/vocab"
)

// Text holds one value per language, keyed by a normalised BCP 47 tag
// (see NormalizeLang). LangUnstated holds a value whose language the
// source did not state; it is kept apart rather than guessed. No key is
// ever "", which is not a BCP 47 tag (API users read the keys).
type Text map[string]string

// LangUnstated is BCP 47's "undetermined" tag: the key of a value whose
// language the source did not state or qlink cannot recognise.
const LangUnstated = "und"

// TextKey returns the key Text stores a value in language lang under: its
// normalised tag, or LangUnstated.
func TextKey(lang string) string {
	if norm, ok := vocab.NormalizeLang(lang); ok {
		return norm
	}
	return LangUnstated
}

// UnmarshalJSON reads a Text, moving a value stored under "" (documents
// written before "und" was used) to LangUnstated.
//
// Texts are read each time a stored course is, twenty per search page, and
// encoding/json has checked the whole document before it calls this: a
// text written plainly (see plainObject) is read directly rather than
// checked and scanned a second time by json.Unmarshal.
func (t *Text) UnmarshalJSON(data []byte) error {
	m, ok := plainObject(data)
	if !ok {
		if err := json.Unmarshal(data, &m); err != nil {
			return err
		}
	}
	if v, ok := m[""]; ok {
		delete(m, "")
		if _, taken := m[LangUnstated]; !taken {
			m[LangUnstated] = v
		}
	}
	*t = m
	return nil
}

// plainObject reads data as a JSON object of strings written plainly, as
// json.Marshal writes most texts: no space between tokens, no escape
// sequence, valid UTF-8. Anything else, and anything that is not such an
// object, it leaves to json.Unmarshal (ok false).
func plainObject(data []byte) (m map[string]string, ok bool) {
	if len(data) < 2 || data[0] != '{' || data[len(data)-1] != '}' {
		return nil, false
	}
	rest := data[1 : len(data)-1]
	m = make(map[string]string, 2)
	for len(rest) > 0 {
		k, after, ok := plainString(rest)
		if !ok || len(after) == 0 || after[0] != ':' {
			return nil, false
		}
		v, after, ok := plainString(after[1:])
		if !ok {
			return nil, false
		}
		m[k] = v
		switch {
		case len(after) == 0:
			rest = nil
		case after[0] == ',' && len(after) > 1:
			rest = after[1:]
		default:
			return nil, false
		}
	}
	return m, true
}

// plainString reads the JSON string b starts with, if it has no escape
// sequence, no control character and only valid UTF-8 (which json.Unmarshal
// would replace), and returns it and what follows it.
func plainString(b []byte) (s string, rest []byte, ok bool) {
	if len(b) < 2 || b[0] != '"' {
		return "", nil, false
	}
	ascii := true
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			raw := b[1:i]
			if !ascii && !utf8.Valid(raw) {
				return "", nil, false
			}
			return string(raw), b[i+1:], true
		case c == '\\' || c < 0x20:
			return "", nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", nil, false
}

// PrimaryLang returns the language subtag of a tag ("en-GB" → "en"): the
// granularity the catalogue filters on.
func PrimaryLang(tag string) string {
	if i := strings.IndexByte(tag, '-'); i > 0 {
		return tag[:i]
	}
	return tag
}

// Set stores value under TextKey(lang): a value whose language cannot be
// recognised goes under LangUnstated. Blank values are ignored so that
// sloppy sources ("" titles) do not erase real ones.
func (t Text) Set(lang, value string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return
	}
	t[TextKey(lang)] = value
}

// IsEmpty reports whether t holds no value at all.
func (t Text) IsEmpty() bool { return len(t) == 0 }

// Langs returns the languages t is available in, sorted, the unstated
// language last.
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
		case a == LangUnstated:
			return 1
		case b == LangUnstated:
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
			if l != LangUnstated && PrimaryLang(l) == PrimaryLang(p) {
				return l, t[l]
			}
		}
	}
	if v, ok := t[LangUnstated]; ok {
		return LangUnstated, v
	}
	return langs[0], t[langs[0]]
}

// String returns the best value for an English-speaking reader.
func (t Text) String() string {
	_, v := t.Best()
	return v
}
