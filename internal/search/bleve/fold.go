package bleve

import (
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/mapping"
)

// foldFilter folds text to ASCII exactly as bleve's asciifolding char
// filter does, without its cost. bleve's filter converts each text to
// runes and allocates room for four runes per rune, sixteen bytes per byte
// of input, for every title, description and outcome it analyses: an
// eighth of everything a first harvest allocates. This one copies ASCII
// as it is and looks every other character up in a table made once from
// bleve's own filter (which folds character by character, and nothing
// outside the Basic Multilingual Plane), so the two agree byte for byte
// and an index built with either answers the same.
type foldFilter struct{}

func (foldFilter) Filter(input []byte) []byte {
	out := make([]byte, 0, len(input))
	for len(input) > 0 {
		ascii := 0
		for ascii < len(input) && input[ascii] < utf8.RuneSelf {
			ascii++
		}
		out, input = append(out, input[:ascii]...), input[ascii:]
		if len(input) == 0 {
			break
		}
		// An invalid byte decodes as utf8.RuneError, one byte at a time,
		// as bleve's conversion to runes reads it.
		r, size := utf8.DecodeRune(input)
		if to, ok := asciiFolds()[r]; ok {
			out = append(out, to...)
		} else {
			out = utf8.AppendRune(out, r)
		}
		input = input[size:]
	}
	return out
}

// asciiFolds maps each character of the Basic Multilingual Plane that
// bleve's asciifolding filter changes to what it makes of it.
var asciiFolds = sync.OnceValue(func() map[rune]string {
	bleveFold := asciifolding.New()
	folds := map[rune]string{}
	for r := rune(utf8.RuneSelf); r <= 0xFFFF; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		from := string(r)
		if to := string(bleveFold.Filter([]byte(from))); to != from {
			folds[r] = to
		}
	}
	return folds
})

// cheapFolding puts foldFilter in the place of bleve's asciifolding filter
// in every custom analyser of m. The mapping, and so the version it gives
// the index, stays as it was: only the implementation of a char filter
// changes, not what it does.
func cheapFolding(m mapping.IndexMapping) {
	im, ok := m.(*mapping.IndexMappingImpl)
	if !ok {
		return
	}
	for name := range im.CustomAnalysis.Analyzers {
		a, ok := im.AnalyzerNamed(name).(*analysis.DefaultAnalyzer)
		if !ok {
			continue
		}
		for i, cf := range a.CharFilters {
			if _, bleves := cf.(*asciifolding.AsciiFoldingFilter); bleves {
				a.CharFilters[i] = foldFilter{}
			}
		}
	}
}
