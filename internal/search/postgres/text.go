package postgres

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"qlink/internal/model"
	"qlink/internal/search"
)

// configs maps BCP 47 primary language tags to the text search
// configurations of PostgreSQL 15 (Snowball stemmers and stop words).
// Text in any other language, or of unstated language, uses "simple":
// folded and lower-cased, neither stemmed nor stripped of stop words.
var configs = map[string]string{
	"ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish", "nl": "dutch",
	"en": "english", "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
	"hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian",
	"ne": "nepali", "no": "norwegian", "nb": "norwegian", "nn": "norwegian", "pt": "portuguese",
	"ro": "romanian", "ru": "russian", "sr": "serbian", "es": "spanish", "sv": "swedish", "ta": "tamil",
	"tr": "turkish", "yi": "yiddish",
}

const simpleConfig = "simple"

func configOf(lang string) string {
	if c, ok := configs[lang]; ok {
		return c
	}
	return simpleConfig
}

const (
	// maxWords bounds the work one query can ask for.
	maxWords = 16
	// Words of at least typoMinRunes runes may carry one typo, but not in
	// their first letter (as in the bleve index).
	typoMinRunes = 5
	// termMinRunes is the shortest word kept in the vocabulary: a
	// correction is at most one letter shorter than a typoMinRunes word.
	termMinRunes = typoMinRunes - 1
	// sortTitleRunes bounds the sort key.
	sortTitleRunes = 64
)

// untitled sorts documents without a title last.
const untitled = "\U0010FFFF"

// analysed is a document's text as search_tsv takes it. The weights mark
// the parts for ranking: title A, extra B, description C, outcomes D.
type analysed struct {
	configs, texts, weights []string
}

// analyse prepares a document's texts: each part per language with its
// configuration, lower-cased (PostgreSQL lower-cases only ASCII in the C
// locale) and with CJK runs cut into bigrams (see prepare).
func analyse(d search.Document) analysed {
	var a analysed
	for _, part := range []struct {
		weight string
		texts  map[string]string
	}{{"A", d.Title}, {"C", d.Description}, {"D", d.Outcomes}} {
		for _, lang := range slices.Sorted(maps.Keys(part.texts)) {
			if text := strings.TrimSpace(part.texts[lang]); text != "" {
				a.add(configOf(model.PrimaryLang(lang)), prepare(text), part.weight)
			}
		}
	}
	if extra := strings.TrimSpace(d.Extra); extra != "" {
		a.add(simpleConfig, prepare(extra), "B")
	}
	return a
}

func (a *analysed) add(config, text, weight string) {
	a.configs = append(a.configs, config)
	a.texts = append(a.texts, text)
	a.weights = append(a.weights, weight)
}

// sortTitle is the document's order without text, before unaccent: its
// best title, lower-cased and cut short.
func sortTitle(d search.Document) string {
	_, title := model.Text(d.Title).Best("en")
	title = strings.ToLower(strings.TrimSpace(title))
	if title == "" {
		return untitled
	}
	if i := runeOffset(title, sortTitleRunes); i >= 0 {
		title = title[:i]
	}
	return title
}

// runeOffset is the byte offset of rune n of s, or -1 if s is shorter.
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return -1
}

// terms returns the distinct words of a document long enough to be a
// typo's correction, lower-cased (the database folds them).
func terms(d search.Document, into map[string]bool) {
	for _, texts := range []map[string]string{d.Title, d.Description, d.Outcomes, {"": d.Extra}} {
		for _, text := range texts {
			for _, w := range tokens(strings.ToLower(text)) {
				if utf8.RuneCountInString(w) >= termMinRunes && !isCJK(firstRune(w)) {
					into[w] = true
				}
			}
		}
	}
}

// queryWords splits free text into the words a query requires: lower-
// cased, distinct, at most maxWords; a CJK run gives its bigrams.
func queryWords(text string) []string {
	var words []string
	for _, w := range strings.Fields(prepare(text)) {
		for _, t := range tokens(w) {
			if !slices.Contains(words, t) && len(words) < maxWords {
				words = append(words, t)
			}
		}
	}
	return words
}

// tokens splits s into runs of letters, digits and marks.
func tokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
}

// prepare lower-cases text and replaces each run of CJK characters by its
// overlapping bigrams ("数据科学" → "数据 据科 科学"), since PostgreSQL's
// parser would take the run for one word and CJK writes no spaces.
func prepare(text string) string {
	var b strings.Builder
	var run []rune
	flush := func() {
		switch {
		case len(run) == 1:
			b.WriteString(" " + string(run) + " ")
		case len(run) > 1:
			for i := 0; i+1 < len(run); i++ {
				b.WriteString(" " + string(run[i:i+2]))
			}
			b.WriteString(" ")
		}
		run = run[:0]
	}
	for _, r := range strings.ToLower(text) {
		if isCJK(r) {
			run = append(run, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return b.String()
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// oneEdit reports whether a and b differ by at most one insertion,
// deletion or substitution of a rune.
func oneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	if len(rb)-len(ra) > 1 {
		return false
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	if len(ra) == len(rb) {
		return i == len(ra) || slices.Equal(ra[i+1:], rb[i+1:])
	}
	return slices.Equal(ra[i:], rb[i+1:])
}
