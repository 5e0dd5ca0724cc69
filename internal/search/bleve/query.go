package bleve

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"golang.org/x/sync/errgroup"

	"qlink/internal/search"
)

const (
	defaultLimit = 20
	maxLimit     = 100
	// maxFrom bounds the offset of absurd page numbers; such pages are
	// empty anyway.
	maxFrom = 1 << 30
	// maxWords bounds the work one query can ask for.
	maxWords = 16
	// facetSize is "every value": bleve counts all values regardless and
	// only trims the list it returns.
	facetSize = 100_000
	// Words of at least fuzzyMinRunes runes may carry one typo, but not in
	// their first letter (as in Meilisearch).
	fuzzyMinRunes = 5
)

// Boosts of the fields one query word can match in.
var partBoost = map[string]float64{fieldTitle: 4, fieldDescription: 1.5, fieldOutcomes: 1}

const (
	boostExtra = 2
	boostFuzzy = 0.3
	// boostStop scores a stop word that a document "matches" by having
	// text in a language where the word is a stop word.
	boostStop = 0.01
	// tieBreaker is the share of a word's other matching fields added to
	// its best one (as dis_max tie_breaker).
	tieBreaker = 0.1
)

// Search runs one catalogue query: a page of hits plus facet counts. Each
// facet with an active selection costs one extra, hitless search for its
// counts (disjunctive faceting, see search.Result); the searches run
// concurrently.
func (ix *Index) Search(ctx context.Context, q search.Query) (search.Result, error) {
	sel, err := selections(q.Filters)
	if err != nil {
		return search.Result{}, err
	}
	if q.Status, err = status(q.Status); err != nil {
		return search.Result{}, err
	}
	if _, ok := search.ParseQuality(string(q.Quality)); !ok {
		return search.Result{}, fmt.Errorf("search/bleve: unknown quality filter %q", q.Quality)
	}
	present, err := ix.presentFields()
	if err != nil {
		return search.Result{}, err
	}
	reqs := ix.requests(q, sel, present)
	if err := checkAfter(q.After, reqs[0]); err != nil {
		return search.Result{}, err
	}
	results := make([]*blevesearch.SearchResult, len(reqs))
	g, gctx := errgroup.WithContext(ctx)
	for i, req := range reqs {
		g.Go(func() (err error) {
			results[i], err = ix.idx.SearchInContext(gctx, req)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return search.Result{}, fmt.Errorf("search/bleve: search: %w", err)
	}

	out := search.Result{
		Total:  int(results[0].Total),
		Hits:   make([]search.Hit, 0, len(results[0].Hits)),
		Facets: make(map[search.Facet][]search.FacetCount, len(search.Facets)),
	}
	for _, h := range results[0].Hits {
		out.Hits = append(out.Hits, search.Hit{ID: h.ID, Score: h.Score, Key: hitKey(h)})
	}
	for _, res := range results {
		addFacets(out.Facets, res)
	}
	return out, nil
}

// requests plans the bleve searches of q: first the page of hits with the
// counts of every facet without a selection, then one hitless search per
// selected facet, filtered by all other selections.
func (ix *Index) requests(q search.Query, sel map[search.Facet][]string, present map[string]bool) []*blevesearch.SearchRequest {
	// request matches q's text within every selection but except's. Each
	// request gets its own query values, so they can run concurrently.
	request := func(except search.Facet) *blevesearch.SearchRequest {
		text := ix.textQuery(q.Text, present)
		var bq query.Query = text
		if text == nil {
			bq = query.NewMatchAllQuery()
		}
		if filter := filterQuery(sel, except, q.Status, q.Quality, q.ECTSMin, q.ECTSMax); filter != nil {
			bq = &query.BooleanQuery{Must: bq, Filter: filter}
		}
		req := blevesearch.NewSearchRequest(bq)
		if text == nil {
			req.Score = blevesearch.ScoreNone
		}
		return req
	}

	main := request("")
	main.From, main.Size = pageWindow(q.Page, q.Limit)
	if main.Score == blevesearch.ScoreNone {
		main.SortBy([]string{fieldSort, "_id"})
	} else {
		main.SortBy([]string{"-_score", fieldSort, "_id"})
	}
	if q.After != nil {
		main.From, main.SearchAfter = 0, q.After
	}
	reqs := []*blevesearch.SearchRequest{main}
	for _, f := range search.Facets {
		facet := blevesearch.NewFacetRequest(string(f), facetSize)
		if sel[f] == nil {
			main.AddFacet(string(f), facet)
			continue
		}
		req := request(f)
		req.Size, req.Score = 0, blevesearch.ScoreNone
		req.AddFacet(string(f), facet)
		reqs = append(reqs, req)
	}
	return reqs
}

// hitKey is a hit's sort values, with the score in place of bleve's
// "_score" placeholder, written so that it parses back to the same float.
func hitKey(h *bsearch.DocumentMatch) search.SortKey {
	key := slices.Clone(h.Sort)
	for i, v := range key {
		if v == "_score" {
			key[i] = strconv.FormatFloat(h.Score, 'g', -1, 64)
		}
	}
	return key
}

// checkAfter refuses a key that does not fit the request's sort order:
// one value per sort field, the score a number. (bleve would read a bad
// score as 0 and start the walk in the wrong place.)
func checkAfter(after search.SortKey, req *blevesearch.SearchRequest) error {
	if after == nil {
		return nil
	}
	if len(after) != len(req.Sort) {
		return fmt.Errorf("search/bleve: a key of %d values for an order of %d: %w", len(after), len(req.Sort), search.ErrSortKey)
	}
	for i, s := range req.Sort {
		if _, scored := s.(*bsearch.SortScore); scored {
			if _, err := strconv.ParseFloat(after[i], 64); err != nil {
				return fmt.Errorf("search/bleve: score %q in the key is no number: %w", after[i], search.ErrSortKey)
			}
		}
	}
	return nil
}

// pageWindow turns a page (from 1) and page size into bleve's offset and
// size: size defaults to defaultLimit and is capped at maxLimit.
func pageWindow(page, limit int) (from, size int) {
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	return min(max(page, 1)-1, maxFrom/limit) * limit, limit
}

// addFacets copies bleve's facet results, ordered by count then value.
func addFacets(dst map[search.Facet][]search.FacetCount, res *blevesearch.SearchResult) {
	for name, fr := range res.Facets {
		counts := []search.FacetCount{}
		if fr.Terms != nil {
			for _, t := range fr.Terms.Terms() {
				counts = append(counts, search.FacetCount{Value: t.Term, Count: t.Count})
			}
		}
		slices.SortFunc(counts, func(a, b search.FacetCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
		})
		dst[search.Facet(name)] = counts
	}
}

// selections cleans the query's filters: known facets only, blank and
// repeated values dropped, facets left without values unselected.
func selections(filters map[search.Facet][]string) (map[search.Facet][]string, error) {
	sel := map[search.Facet][]string{}
	for f, values := range filters {
		if !slices.Contains(search.Facets, f) {
			return nil, fmt.Errorf("search/bleve: unknown facet %q", f)
		}
		if values = nonEmpty(values); len(values) > 0 {
			sel[f] = values
		}
	}
	return sel, nil
}

// status checks the query's status; "" is active.
func status(s search.Status) (search.Status, error) {
	st, ok := search.ParseStatus(string(s))
	if !ok {
		return "", fmt.Errorf("search/bleve: unknown status %q", s)
	}
	return st, nil
}

// filterQuery ANDs the selection of every facet but except (values of one
// facet ORed), the status, the quality flag and the ECTS range; nil when
// nothing filters. Status and quality apply to every facet's counts too.
func filterQuery(sel map[search.Facet][]string, except search.Facet, st search.Status, qf search.QualityFilter,
	ectsMin, ectsMax *float64) query.Query {
	var conj []query.Query
	if st != search.StatusAll {
		conj = append(conj, termQuery(fieldStatus, string(st), 1))
	}
	if q := qualityQuery(qf); q != nil {
		conj = append(conj, q)
	}
	for _, f := range search.Facets {
		if f == except || sel[f] == nil {
			continue
		}
		terms := make([]query.Query, len(sel[f]))
		for i, v := range sel[f] {
			terms[i] = termQuery(string(f), v, 1)
		}
		conj = append(conj, query.NewDisjunctionQuery(terms))
	}
	if ects := ectsFilter(ectsMin, ectsMax); ects != nil {
		conj = append(conj, ects)
	}
	if len(conj) == 0 {
		return nil
	}
	return query.NewConjunctionQuery(conj)
}

// qualityQuery selects by the quality flag. Only flagged documents carry
// the field, so "valid" is "not flagged": a course never checked is valid.
func qualityQuery(qf search.QualityFilter) query.Query {
	flagged := termQuery(fieldQuality, string(search.QualityFlagged), 1)
	switch qf {
	case search.QualityFlagged:
		return flagged
	case search.QualityValid:
		return query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, []query.Query{flagged})
	}
	return nil
}

// ectsFilter is the inclusive ECTS range; documents without ECTS never
// match it.
func ectsFilter(lo, hi *float64) query.Query {
	if lo == nil && hi == nil {
		return nil
	}
	inclusive := true
	q := query.NewNumericRangeInclusiveQuery(lo, hi, &inclusive, &inclusive)
	q.SetField(fieldECTS)
	return q
}

// presentFields returns the fields the index holds, so queries skip
// languages no document has.
func (ix *Index) presentFields() (map[string]bool, error) {
	names, err := ix.idx.Fields()
	if err != nil {
		return nil, fmt.Errorf("search/bleve: fields: %w", err)
	}
	present := make(map[string]bool, len(names))
	for _, n := range names {
		present[n] = true
	}
	return present, nil
}

// textQuery requires every word of text (AND), each in any field of any
// language (see wordQuery). It returns nil when text has no words.
func (ix *Index) textQuery(text string, present map[string]bool) query.Query {
	words := ix.words(text)
	if len(words) == 0 {
		return nil
	}
	conj := make([]query.Query, len(words))
	for i, w := range words {
		conj[i] = ix.wordQuery(w, present)
	}
	return query.NewConjunctionQuery(conj)
}

// words splits text as the generic analyser does: folded, lower-cased,
// distinct, at most maxWords. A run of adjacent CJK characters stays one
// word, so the CJK analyser can pair them into the bigrams it indexed.
func (ix *Index) words(text string) []string {
	var words []string
	var prev *analysis.Token
	for _, tok := range ix.analyzers[generic].Analyze([]byte(text)) {
		if prev != nil && tok.Type == analysis.Ideographic && prev.Type == analysis.Ideographic && tok.Start == prev.End {
			words[len(words)-1] += string(tok.Term)
		} else if w := string(tok.Term); !slices.Contains(words, w) {
			if len(words) == maxWords {
				break
			}
			words = append(words, w)
		}
		prev = tok
	}
	return words
}

// wordQuery matches one query word wherever it can occur: in every
// language's title, description and outcomes (analysed, so stemmed, by that
// language), in the language-neutral extra text, and with one typo in any
// text. A word that is a stop word in a language is also satisfied by any
// document with text in that language, since such text never indexed it.
// The word scores by its best field plus a little for the others
// (dis_max), so a word matched in three languages does not outweigh a
// title match.
func (ix *Index) wordQuery(w string, present map[string]bool) query.Query {
	var alts []query.Query
	for _, lang := range fieldLangs() {
		if !langPresent(lang, present) {
			continue
		}
		terms := ix.analyse(lang, w)
		if len(terms) == 0 {
			alts = append(alts, termQuery(fieldTextLang, lang, boostStop))
			continue
		}
		for _, part := range textFields {
			if field := textField(part, lang); present[field] {
				alts = append(alts, termsQuery(field, terms, partBoost[part]))
			}
		}
	}
	if terms := ix.analyse(generic, w); present[fieldExtra] && len(terms) > 0 {
		alts = append(alts, termsQuery(fieldExtra, terms, boostExtra))
	}
	if present[fieldAll] && utf8.RuneCountInString(w) >= fuzzyMinRunes {
		fq := query.NewFuzzyQuery(w)
		fq.SetField(fieldAll)
		fq.SetFuzziness(1)
		fq.SetPrefix(1)
		fq.SetBoost(boostFuzzy)
		alts = append(alts, fq)
	}
	if len(alts) == 0 {
		return query.NewMatchNoneQuery()
	}
	dq := query.NewDisjunctionQuery(alts)
	dq.RetrieveScoreBreakdown(true)
	return query.NewCustomScoreQueryWithScorer(dq, disMax, nil, nil)
}

// disMax scores a word disjunction by its best clause plus tieBreaker of
// the rest. (bleve's own disjunction sums its clauses and multiplies by
// the share that matched, which rewards repetition across languages.)
//
// The breakdown is a map: its values are summed in sorted order, since
// float addition in map order differs in the last bits from one search
// to the next, and a score that wobbles moves a hit across page and
// cursor boundaries.
func disMax(_ context.Context, d *bsearch.DocumentMatch) (float64, error) {
	var best, sum float64
	for _, s := range slices.Sorted(maps.Values(d.ScoreBreakdown)) {
		sum += s
		best = max(best, s)
	}
	clear(d.ScoreBreakdown)
	return best + tieBreaker*(sum-best), nil
}

// analyse returns the terms a field language indexes for word w.
func (ix *Index) analyse(lang, w string) []string {
	var terms []string
	for _, tok := range ix.analyzers[lang].Analyze([]byte(w)) {
		terms = append(terms, string(tok.Term))
	}
	return terms
}

func langPresent(lang string, present map[string]bool) bool {
	return slices.ContainsFunc(textFields, func(part string) bool { return present[textField(part, lang)] })
}

func termQuery(field, term string, boost float64) query.Query {
	q := query.NewTermQuery(term)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

// termsQuery matches all terms one word analysed into (usually one).
func termsQuery(field string, terms []string, boost float64) query.Query {
	if len(terms) == 1 {
		return termQuery(field, terms[0], boost)
	}
	conj := make([]query.Query, len(terms))
	for i, t := range terms {
		conj[i] = termQuery(field, t, boost)
	}
	return query.NewConjunctionQuery(conj)
}
