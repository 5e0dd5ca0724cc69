package bleve

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/char/zerowidthnonjoiner"
	"github.com/blevesearch/bleve/v2/analysis/lang/ar"
	"github.com/blevesearch/bleve/v2/analysis/lang/bg"
	"github.com/blevesearch/bleve/v2/analysis/lang/ca"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/ckb"
	"github.com/blevesearch/bleve/v2/analysis/lang/cs"
	"github.com/blevesearch/bleve/v2/analysis/lang/da"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/el"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/eu"
	"github.com/blevesearch/bleve/v2/analysis/lang/fa"
	"github.com/blevesearch/bleve/v2/analysis/lang/fi"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/ga"
	"github.com/blevesearch/bleve/v2/analysis/lang/gl"
	"github.com/blevesearch/bleve/v2/analysis/lang/hi"
	"github.com/blevesearch/bleve/v2/analysis/lang/hr"
	"github.com/blevesearch/bleve/v2/analysis/lang/hu"
	"github.com/blevesearch/bleve/v2/analysis/lang/hy"
	"github.com/blevesearch/bleve/v2/analysis/lang/id"
	"github.com/blevesearch/bleve/v2/analysis/lang/in"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/lang/nl"
	"github.com/blevesearch/bleve/v2/analysis/lang/no"
	"github.com/blevesearch/bleve/v2/analysis/lang/pl"
	"github.com/blevesearch/bleve/v2/analysis/lang/pt"
	"github.com/blevesearch/bleve/v2/analysis/lang/ro"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/analysis/lang/sv"
	"github.com/blevesearch/bleve/v2/analysis/lang/tr"
	"github.com/blevesearch/bleve/v2/analysis/token/apostrophe"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/token/unicodenorm"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"

	"qlink/internal/model"
	"qlink/internal/search"
)

// schemaVersion is bumped when documents or analysis change in a way the
// mapping JSON does not show (how a Document becomes fields, bleve's own
// analysers changing behaviour). The stored version also hashes the
// mapping, so editing the mapping needs no bump.
const schemaVersion = 1

// Field names. The facet fields are named after their search.Facet.
const (
	fieldTitle       = "title"
	fieldDescription = "description"
	fieldOutcomes    = "outcomes"
	fieldExtra       = "extra"    // language-neutral text, generic analyser
	fieldAll         = "all"      // every text, unstemmed: the typo fallback
	fieldTextLang    = "textlang" // field languages the document has text in
	fieldSort        = "sort"     // folded, lower-cased title: the stable order
	fieldECTS        = "ects"
	fieldStatus      = "status"  // "active" or "inactive": a filter, not a facet
	fieldQuality     = "quality" // "flagged" on courses breaking a profile rule; a filter
)

// textFields are the per-language sub-documents: title.en, description.de…
var textFields = []string{fieldTitle, fieldDescription, fieldOutcomes}

// Analyser names; the analysers themselves live in the index mapping, so an
// index carries its own analysis and bleve rebuilds it on open.
const (
	generic   = "und" // field language of unstated and unsupported languages
	analyzerP = "qlink_"
	folded    = analyzerP + generic
	sortKey   = analyzerP + "sort"
	nfkc      = analyzerP + "nfkc"
	stopMark  = "$stop" // where a language's folded stop words go
)

// A language is one field language: its bleve analysis chain, rebuilt with
// accent folding in front and the stop words folded to match.
type language struct {
	code    string
	chars   []string // char filters before folding
	stop    string   // bleve token map of the stop words, "" for none
	filters []string // token filters in bleve's order; stopMark for stop words
}

// languages mirrors bleve's analysers (analysis/lang/*). Languages bleve has
// only stop words for (bg, ca, cs, el, eu, ga, gl, hy, id) get tokenising,
// folding and stop words but no stemming. Polish uses the
// stempel stemmer on folded text (see addAnalysis).
var languages = []language{
	{code: "ar", stop: ar.StopName, filters: []string{lowercase.Name, nfkc, stopMark, ar.NormalizeName, ar.StemmerName}},
	{code: "bg", stop: bg.StopName, filters: []string{lowercase.Name, stopMark}},
	{code: "ca", stop: ca.StopName, filters: []string{lowercase.Name, ca.ElisionName, stopMark}},
	{code: "cjk", filters: []string{cjk.WidthName, lowercase.Name, cjk.BigramName}},
	{code: "ckb", stop: ckb.StopName, filters: []string{ckb.NormalizeName, lowercase.Name, stopMark, ckb.StemmerName}},
	{code: "cs", stop: cs.StopName, filters: []string{lowercase.Name, stopMark}},
	{code: "da", stop: da.StopName, filters: []string{lowercase.Name, stopMark, da.SnowballStemmerName}},
	{code: "de", stop: de.StopName, filters: []string{lowercase.Name, stopMark, de.NormalizeName, de.LightStemmerName}},
	{code: "el", stop: el.StopName, filters: []string{lowercase.Name, stopMark}},
	{code: "en", stop: en.StopName, filters: []string{en.PossessiveName, lowercase.Name, stopMark, porter.Name}},
	{code: "es", stop: es.StopName, filters: []string{lowercase.Name, stopMark, es.NormalizeName, es.LightStemmerName}},
	{code: "eu", stop: eu.StopName, filters: []string{lowercase.Name, stopMark}},
	{code: "fa", chars: []string{zerowidthnonjoiner.Name}, stop: fa.StopName, filters: []string{lowercase.Name, ar.NormalizeName, fa.NormalizeName, stopMark}},
	{code: "fi", stop: fi.StopName, filters: []string{lowercase.Name, stopMark, fi.SnowballStemmerName}},
	{code: "fr", stop: fr.StopName, filters: []string{lowercase.Name, fr.ElisionName, stopMark, fr.LightStemmerName}},
	{code: "ga", stop: ga.StopName, filters: []string{lowercase.Name, ga.ElisionName, stopMark}},
	{code: "gl", stop: gl.StopName, filters: []string{lowercase.Name, stopMark}},
	{code: "hi", stop: hi.StopName, filters: []string{lowercase.Name, in.NormalizeName, hi.NormalizeName, stopMark, hi.StemmerName}},
	{code: "hr", stop: hr.StopName, filters: []string{lowercase.Name, stopMark, hr.SuffixTransformationFilterName, hr.StemmerName}},
	{code: "hu", stop: hu.StopName, filters: []string{lowercase.Name, stopMark, hu.SnowballStemmerName}},
	{code: "hy", stop: hy.StopName, filters: []string{lowercase.Name, stopMark}},
	{code: "id", stop: id.StopName, filters: []string{lowercase.Name, stopMark}},
	{code: "it", stop: it.StopName, filters: []string{lowercase.Name, it.ElisionName, stopMark, it.LightStemmerName}},
	{code: "nl", stop: nl.StopName, filters: []string{lowercase.Name, stopMark, nl.SnowballStemmerName}},
	{code: "no", stop: no.StopName, filters: []string{lowercase.Name, stopMark, no.SnowballStemmerName}},
	{code: "pl", stop: pl.StopName, filters: []string{lowercase.Name, stopMark, pl.SnowballStemmerName}},
	{code: "pt", stop: pt.StopName, filters: []string{lowercase.Name, stopMark, pt.LightStemmerName}},
	{code: "ro", stop: ro.StopName, filters: []string{lowercase.Name, stopMark, ro.SnowballStemmerName}},
	{code: "ru", stop: ru.StopName, filters: []string{lowercase.Name, stopMark, ru.SnowballStemmerName}},
	{code: "sv", stop: sv.StopName, filters: []string{lowercase.Name, stopMark, sv.SnowballStemmerName}},
	{code: "tr", stop: tr.StopName, filters: []string{apostrophe.Name, lowercase.Name, stopMark, tr.SnowballStemmerName}},
}

// langAliases sends BCP 47 primary tags to the field language that
// analyses them.
var langAliases = map[string]string{"nb": "no", "nn": "no", "zh": "cjk", "ja": "cjk", "ko": "cjk"}

// fieldLang returns the field language for a document language tag.
func fieldLang(tag string) string {
	tag = strings.ToLower(model.PrimaryLang(tag))
	if a, ok := langAliases[tag]; ok {
		return a
	}
	if slices.ContainsFunc(languages, func(l language) bool { return l.code == tag }) {
		return tag
	}
	return generic
}

// fieldLangs lists every field language, generic last.
func fieldLangs() []string {
	codes := make([]string, 0, len(languages)+1)
	for _, l := range languages {
		codes = append(codes, l.code)
	}
	return append(codes, generic)
}

// textField names the field holding part (title, …) in a field language.
func textField(part, lang string) string { return part + "." + lang }

// newMapping builds the index mapping: one static document type, nothing
// stored (hits need only IDs), no term vectors (no phrases or highlights).
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := blevesearch.NewIndexMapping()
	// Scoring stays bleve's tf-idf: its BM25 estimates a field's average
	// length as distinct terms per document of the whole index, which is
	// meaningless for sparse per-language fields.
	im.IndexDynamic, im.StoreDynamic, im.DocValuesDynamic = false, false, false
	if err := addAnalysis(im); err != nil {
		return nil, err
	}
	im.DefaultAnalyzer = folded

	doc := mapping.NewDocumentStaticMapping()
	for _, part := range textFields {
		sub := mapping.NewDocumentStaticMapping()
		for _, code := range fieldLangs() {
			sub.AddFieldMappingsAt(code, textMapping(analyzerP+code))
		}
		doc.AddSubDocumentMapping(part, sub)
	}
	doc.AddFieldMappingsAt(fieldExtra, textMapping(folded))
	doc.AddFieldMappingsAt(fieldAll, textMapping(folded))
	doc.AddFieldMappingsAt(fieldTextLang, keywordMapping(false))
	sortField := keywordMapping(true)
	sortField.Analyzer = sortKey
	doc.AddFieldMappingsAt(fieldSort, sortField)
	for _, f := range search.Facets {
		doc.AddFieldMappingsAt(string(f), keywordMapping(true))
	}
	doc.AddFieldMappingsAt(fieldStatus, keywordMapping(false))
	doc.AddFieldMappingsAt(fieldQuality, keywordMapping(false))
	ects := mapping.NewNumericFieldMapping()
	ects.Store, ects.DocValues, ects.IncludeInAll = false, false, false
	doc.AddFieldMappingsAt(fieldECTS, ects)
	im.DefaultMapping = doc
	return im, im.Validate()
}

func textMapping(analyzer string) *mapping.FieldMapping {
	fm := mapping.NewTextFieldMapping()
	fm.Analyzer = analyzer
	fm.Store, fm.IncludeTermVectors, fm.IncludeInAll, fm.DocValues = false, false, false, false
	return fm
}

// keywordMapping is an exact-value field; docValues makes it usable for
// facets and sorting.
func keywordMapping(docValues bool) *mapping.FieldMapping {
	fm := mapping.NewKeywordFieldMapping()
	fm.Analyzer = keyword.Name
	fm.Store, fm.IncludeTermVectors, fm.IncludeInAll, fm.DocValues = false, false, false, docValues
	fm.SkipFreqNorm = docValues
	return fm
}

// addAnalysis registers the folded analysers. Folding is a char filter in
// front of the tokenizer, so every later filter (stop words, normalisers,
// stemmers) sees the same text whether a writer typed accents or not:
// "Einführungen", "einfuhrungen" and "Einfuehrung" all reach the German
// stemmer as plain ASCII. The price is that stemmers which key on accented
// suffixes (Hungarian "-ről", Finnish "-ssä") strip a little less; matching
// never depends on how the query was accented.
func addAnalysis(im *mapping.IndexMappingImpl) error {
	fold := asciifolding.New()
	cache := registry.NewCache()
	if err := im.AddCustomTokenFilter(nfkc, map[string]any{"type": unicodenorm.Name, "form": unicodenorm.NFKC}); err != nil {
		return err
	}
	for _, l := range languages {
		filters := make([]any, 0, len(l.filters))
		for _, f := range l.filters {
			if f == stopMark {
				name, err := addFoldedStop(im, cache, fold, l.stop)
				if err != nil {
					return fmt.Errorf("search/bleve: stop words %s: %w", l.code, err)
				}
				f = name
			}
			filters = append(filters, f)
		}
		chars := make([]any, 0, len(l.chars)+1)
		for _, c := range l.chars {
			chars = append(chars, c)
		}
		if err := im.AddCustomAnalyzer(analyzerP+l.code, analyzerConfig(append(chars, asciifolding.Name), unicode.Name, filters)); err != nil {
			return err
		}
	}
	if err := im.AddCustomAnalyzer(folded, analyzerConfig([]any{asciifolding.Name}, unicode.Name, []any{lowercase.Name})); err != nil {
		return err
	}
	return im.AddCustomAnalyzer(sortKey, analyzerConfig([]any{asciifolding.Name}, single.Name, []any{lowercase.Name}))
}

func analyzerConfig(chars []any, tokenizer string, filters []any) map[string]any {
	return map[string]any{"type": custom.Name, "char_filters": chars, "tokenizer": tokenizer, "token_filters": filters}
}

// addFoldedStop registers a stop filter whose words are bleve's list for a
// language, folded like the text it will meet ("für" → "fur").
func addFoldedStop(im *mapping.IndexMappingImpl, cache *registry.Cache, fold *asciifolding.AsciiFoldingFilter, bleveMap string) (string, error) {
	words, err := cache.TokenMapNamed(bleveMap)
	if err != nil {
		return "", err
	}
	set := make(map[string]bool, len(words))
	for w := range words {
		set[string(fold.Filter([]byte(w)))] = true
	}
	tokens := make([]any, 0, len(set))
	for _, w := range slices.Sorted(maps.Keys(set)) {
		tokens = append(tokens, w)
	}
	name := analyzerP + bleveMap
	if err := im.AddCustomTokenMap(name, map[string]any{"type": tokenmap.Name, "tokens": tokens}); err != nil {
		return "", err
	}
	return name, im.AddCustomTokenFilter(name, map[string]any{"type": stop.Name, "stop_token_map": name})
}

// codeMapping returns the code's mapping and its version: schemaVersion
// and a hash of the mapping JSON. An index stored under another version
// must be rebuilt.
func codeMapping() (*mapping.IndexMappingImpl, string, error) {
	im, err := newMapping()
	if err != nil {
		return nil, "", err
	}
	b, err := json.Marshal(im)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(b)
	return im, fmt.Sprintf("%d-%x", schemaVersion, sum[:8]), nil
}
