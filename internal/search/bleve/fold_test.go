package bleve

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
)

// TestFoldLikeBleve: every character, alone and between ASCII, folds as
// bleve's asciifolding filter folds it.
func TestFoldLikeBleve(t *testing.T) {
	bleveFold := asciifolding.New()
	for r := rune(0); r <= utf8.MaxRune; r++ {
		in := []byte("a" + string(r) + "b")
		if got, want := (foldFilter{}).Filter(in), bleveFold.Filter(in); !bytes.Equal(got, want) {
			t.Fatalf("U+%04X: folded to %q, bleve %q", r, got, want)
		}
	}
}

// FuzzFold: any bytes, valid UTF-8 or not, fold as bleve folds them.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"", "Einführung", "Œuvre ⑽ ﬁ Straße", "Ελληνικά", "\xff\xfe", "a\xc3", "\xed\xa0\x80", "日本語 😀"} {
		f.Add([]byte(s))
	}
	bleveFold := asciifolding.New()
	f.Fuzz(func(t *testing.T, in []byte) {
		if got, want := (foldFilter{}).Filter(in), bleveFold.Filter(in); !bytes.Equal(got, want) {
			t.Fatalf("%q: folded to %q, bleve %q", in, got, want)
		}
	})
}

// TestIndexFoldsCheaply: the analysers of an open index fold with
// foldFilter.
func TestIndexFoldsCheaply(t *testing.T) {
	ix := openCorpus(t, nil)
	for _, a := range ix.analyzers {
		for _, cf := range a.(*analysis.DefaultAnalyzer).CharFilters {
			if _, bleves := cf.(*asciifolding.AsciiFoldingFilter); bleves {
				t.Errorf("an analyser still folds with bleve's filter")
			}
		}
	}
	if got := ix.analyzers[generic].Analyze([]byte("Einführung")); len(got) != 1 || string(got[0].Term) != "einfuhrung" {
		t.Errorf("generic analysis of Einführung: %v", got)
	}
}
