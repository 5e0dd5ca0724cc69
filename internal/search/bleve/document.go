package bleve

import (
	"errors"
	"maps"
	"math"
	"slices"
	"strings"

	"qlink/internal/model"
	"qlink/internal/search"
)

// sortKeyRunes bounds the sort key: enough to order titles, small enough
// to keep doc values lean.
const sortKeyRunes = 64

var errNoID = errors.New("search/bleve: document without ID")

// fields turns a document into the value bleve maps onto newMapping: text
// grouped by field language, the facet keys, the status, ECTS and the
// sort key.
func fields(d search.Document) map[string]any {
	f := map[string]any{}
	all := make([]string, 0, 8)
	langs := map[string]bool{}
	for _, part := range []struct {
		name  string
		texts map[string]string
	}{{fieldTitle, d.Title}, {fieldDescription, d.Description}, {fieldOutcomes, d.Outcomes}} {
		byLang := map[string]string{}
		for _, tag := range slices.Sorted(maps.Keys(part.texts)) {
			text := strings.TrimSpace(part.texts[tag])
			if text == "" {
				continue
			}
			lang := fieldLang(tag)
			if byLang[lang] != "" {
				byLang[lang] += "\n"
			}
			byLang[lang] += text
			langs[lang] = true
			all = append(all, text)
		}
		if len(byLang) > 0 {
			f[part.name] = byLang
		}
	}
	if d.Extra != "" {
		f[fieldExtra] = d.Extra
		all = append(all, d.Extra)
	}
	if len(all) > 0 {
		f[fieldAll] = strings.Join(all, "\n")
	}
	if len(langs) > 0 {
		f[fieldTextLang] = slices.Sorted(maps.Keys(langs))
	}
	if _, title := model.Text(d.Title).Best("en"); title != "" {
		f[fieldSort] = truncateRunes(strings.TrimSpace(title), sortKeyRunes)
	}
	for facet, v := range facetValues(d) {
		if len(v) > 0 {
			f[string(facet)] = v
		}
	}
	f[fieldStatus] = string(search.StatusActive)
	if d.Inactive {
		f[fieldStatus] = string(search.StatusInactive)
	}
	if d.Flagged {
		f[fieldQuality] = string(search.QualityFlagged)
	}
	if d.ECTS != nil && !math.IsNaN(*d.ECTS) && !math.IsInf(*d.ECTS, 0) {
		f[fieldECTS] = *d.ECTS
	}
	return f
}

// facetValues returns a document's distinct values per facet, blanks
// dropped.
func facetValues(d search.Document) map[search.Facet][]string {
	one := func(v string) []string { return nonEmpty([]string{v}) }
	return map[search.Facet][]string{
		search.FacetInstitution: one(d.Institution),
		search.FacetAlliance:    nonEmpty(d.Alliances),
		search.FacetCountry:     one(d.Country),
		search.FacetLanguage:    nonEmpty(d.Languages),
		search.FacetEQF:         one(d.EQF),
		search.FacetField:       nonEmpty(d.Fields),
		search.FacetType:        one(d.Type),
		search.FacetMode:        nonEmpty(d.Modes),
	}
}

// nonEmpty returns the distinct non-blank values of vs, sorted.
func nonEmpty(vs []string) []string {
	out := slices.Compact(slices.Sorted(slices.Values(vs)))
	return slices.DeleteFunc(out, func(v string) bool { return v == "" })
}

func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// row is the facet table's view of d, whose bleve fields are f: the sort
// key as bleve analyses it, the facet values, ECTS, status and flag.
func (ix *Index) row(d search.Document, f map[string]any) row {
	r := row{id: d.ID, sortKey: noSortKey, ects: math.NaN(), inactive: d.Inactive, flagged: d.Flagged}
	if title, ok := f[fieldSort].(string); ok {
		if tokens := ix.sortAnalyzer.Analyze([]byte(title)); len(tokens) > 0 {
			r.sortKey = string(tokens[0].Term)
		}
	}
	if e, ok := f[fieldECTS].(float64); ok {
		r.ects = e
	}
	for facet, vs := range facetValues(d) {
		r.values[facetIndex(facet)] = vs
	}
	return r
}
