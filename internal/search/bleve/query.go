package bleve

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"

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

// Search runs one catalogue query: a page of hits plus facet counts.
// Filters, counts and the order of queries without text come from the
// facet table (table.go); text is matched and scored by bleve, its hits
// collected as ordinals (match).
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
	words := ix.words(q.Text)
	if err := checkAfter(q.After, len(words) > 0); err != nil {
		return search.Result{}, err
	}
	from, size := pageWindow(q.Page, q.Limit)
	if q.After != nil {
		from = 0
	}

	t := ix.table
	t.mu.RLock()
	defer t.mu.RUnlock()
	fs := t.filters(sel, q.Status, q.Quality, q.ECTSMin, q.ECTSMax)
	out := search.Result{Hits: []search.Hit{}}
	if len(words) == 0 {
		pass := fs.except(-1)
		start := 0
		if q.After != nil {
			start = t.after(q.After[0], q.After[1])
		}
		out.Total = int(pass.GetCardinality())
		for _, o := range t.page(pass, start, from, size) {
			out.Hits = append(out.Hits, search.Hit{ID: t.ids.get(o), Key: search.SortKey{t.sortKeys.get(o), t.ids.get(o)}})
		}
	} else {
		m, err := ix.textMatches(ctx, q.Text, words, fs.except(-1), q.After, from+size)
		if err != nil {
			return search.Result{}, err
		}
		fs.narrow(m.hits)
		out.Total = m.total
		for _, s := range m.best.sorted()[min(from, len(m.best.items)):] {
			key := search.SortKey{strconv.FormatFloat(s.score, 'g', -1, 64), t.sortKeys.get(s.o), t.ids.get(s.o)}
			out.Hits = append(out.Hits, search.Hit{ID: t.ids.get(s.o), Score: s.score, Key: key})
		}
	}
	out.Facets = ix.facetCounts(fs, countKey(q, sel))
	return out, nil
}

// matches is what a text query found: every hit, whatever the filters, and
// the best of those that pass them.
type matches struct {
	hits  *roaring.Bitmap
	total int // hits that pass the filters
	best  *topHits
}

// textMatches answers the query of text's words from the matches the
// cache keeps for that text (textcache.go), or else builds the query,
// runs it in bleve and keeps what it found. (Building it analyses each
// word in every language: a tenth of the CPU of a search answered from
// the cache.) The caller holds the table's read lock.
func (ix *Index) textMatches(ctx context.Context, text string, words []string, pass *roaring.Bitmap, after search.SortKey,
	keep int) (*matches, error) {
	t := ix.table
	e, ok := ix.texts.Get(t.gen, text)
	if !ok {
		present, err := ix.presentFields()
		if err != nil {
			return nil, err
		}
		if e, err = ix.match(ctx, ix.textQuery(words, present)); err != nil {
			return nil, err
		}
		ix.texts.Put(t.gen, text, e, e.size())
	}
	return e.answer(t, pass, after, keep), nil
}

// match runs the text query q in bleve and collects its hits as ordinals
// with their scores. No hit's doc values nor its ID are read: bleve hands
// over each hit's number in the index snapshot and its score, and the
// number gives the ordinal (hitords.go). Filters and pages are left to
// the entry's answer, which meets only the hits that pass, where testing
// each hit here took a tenth of a new text's search. The caller holds the
// table's read lock.
func (ix *Index) match(ctx context.Context, q query.Query) (*textEntry, error) {
	t := ix.table
	buf := scoredBuffer(0)
	defer scoredBuffers.Put(buf)
	each := *buf
	collect := func(sctx *bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error) {
		ords, err := t.forSnapshot(sctx.IndexReader)
		if err != nil {
			return nil, false, err
		}
		return func(d *bsearch.DocumentMatch) error {
			if d == nil {
				return nil
			}
			o, ok, err := ords.ordinal(d.IndexInternalID.Value())
			if err != nil {
				return err
			}
			if ok {
				each = append(each, scored{d.Score, o})
			}
			sctx.DocumentMatchPool.Put(d)
			return nil
		}, false, nil
	}
	req := blevesearch.NewSearchRequest(q)
	req.Size = 0
	ctx = context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, bsearch.MakeDocumentMatchHandler(collect))
	if _, err := ix.idx.SearchInContext(ctx, req); err != nil {
		return nil, fmt.Errorf("search/bleve: search: %w", err)
	}
	*buf = each // the grown slice goes back
	return newTextEntry(each, t.rank), nil
}

// scored is one text hit.
type scored struct {
	score float64
	o     uint32
}

// topHits keeps the best keep hits seen: higher score first, ties by rank
// (sort key, then ID). It is a heap with the worst kept hit on top.
type topHits struct {
	keep  int
	rank  []uint32
	items []scored
}

func (h *topHits) better(a, b scored) bool {
	return a.score > b.score || a.score == b.score && h.rank[a.o] < h.rank[b.o]
}

func (h *topHits) add(s scored) {
	if len(h.items) < h.keep {
		h.items = append(h.items, s)
		for i := len(h.items) - 1; i > 0; {
			parent := (i - 1) / 2
			if !h.better(h.items[parent], h.items[i]) {
				break
			}
			h.items[parent], h.items[i] = h.items[i], h.items[parent]
			i = parent
		}
		return
	}
	if !h.better(s, h.items[0]) {
		return
	}
	h.items[0] = s
	for i := 0; ; {
		worst := i
		for _, c := range []int{2*i + 1, 2*i + 2} {
			if c < len(h.items) && h.better(h.items[worst], h.items[c]) {
				worst = c
			}
		}
		if worst == i {
			return
		}
		h.items[i], h.items[worst] = h.items[worst], h.items[i]
		i = worst
	}
}

// sorted returns the kept hits best first.
func (h *topHits) sorted() []scored {
	slices.SortFunc(h.items, func(a, b scored) int {
		switch {
		case h.better(a, b):
			return -1
		case h.better(b, a):
			return 1
		}
		return 0
	})
	return h.items
}

// checkAfter refuses a key that does not fit the query's order: sort key
// and ID without text; score, sort key and ID with text, the score a
// number.
func checkAfter(after search.SortKey, scoredOrder bool) error {
	if after == nil {
		return nil
	}
	want := 2
	if scoredOrder {
		want = 3
	}
	if len(after) != want {
		return fmt.Errorf("search/bleve: a key of %d values for an order of %d: %w", len(after), want, search.ErrSortKey)
	}
	if scoredOrder {
		if _, err := strconv.ParseFloat(after[0], 64); err != nil {
			return fmt.Errorf("search/bleve: score %q in the key is no number: %w", after[0], search.ErrSortKey)
		}
	}
	return nil
}

// pageWindow turns a page (from 1) and page size into an offset and a
// size: size defaults to defaultLimit and is capped at maxLimit.
func pageWindow(page, limit int) (from, size int) {
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	return min(max(page, 1)-1, maxFrom/limit) * limit, limit
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

// fieldSet is the fields the index held after a number of writes.
type fieldSet struct {
	writes  uint64
	present map[string]bool
}

// presentFields returns the fields the index holds, so queries skip
// languages no document has. They change only with writes, and asking
// bleve costs a snapshot of the index and a map (1.4 % of serve's CPU
// under load), so the set is kept until the next write. A set read while
// a write lands is kept under the count from before it, so the next
// search asks again.
func (ix *Index) presentFields() (map[string]bool, error) {
	writes := ix.writes.Load()
	if f := ix.fields.Load(); f != nil && f.writes == writes {
		return f.present, nil
	}
	names, err := ix.idx.Fields()
	if err != nil {
		return nil, fmt.Errorf("search/bleve: fields: %w", err)
	}
	present := make(map[string]bool, len(names))
	for _, n := range names {
		present[n] = true
	}
	ix.fields.Store(&fieldSet{writes, present})
	return present, nil
}

// textQuery requires every one of words (AND), each in any field of any
// language (see wordQuery). It returns nil when there are no words.
func (ix *Index) textQuery(words []string, present map[string]bool) query.Query {
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
		alts = append(alts, typoQuery{word: w})
	}
	if len(alts) == 0 {
		return query.NewMatchNoneQuery()
	}
	return disMaxQuery{alts}
}

// typoQuery matches the words of every text (fieldAll) that differ from
// word by one edit, not in the first letter, at boostFuzzy halved (as
// bleve's fuzzy query scores one edit). Unlike bleve's fuzzy query it
// leaves out the word itself: the other clauses match it exactly, and its
// postings, the longest of the query, made a third of a text search's
// work for a tie-breaker's share of the score.
type typoQuery struct{ word string }

func (q typoQuery) Searcher(ctx context.Context, i index.IndexReader, _ mapping.IndexMapping,
	options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	ir, ok := i.(index.IndexReaderFuzzy)
	if !ok {
		return nil, fmt.Errorf("search/bleve: %T has no fuzzy dictionary", i)
	}
	_, first := utf8.DecodeRuneInString(q.word)
	dict, err := ir.FieldDictFuzzy(fieldAll, q.word, 1, q.word[:first])
	if err != nil {
		return nil, fmt.Errorf("search/bleve: words like %q: %w", q.word, err)
	}
	var terms []string
	var edits []uint8
	e, err := dict.Next()
	for ; err == nil && e != nil; e, err = dict.Next() {
		if e.Term != q.word {
			terms, edits = append(terms, e.Term), append(edits, e.EditDistance)
		}
	}
	if cerr := dict.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("search/bleve: words like %q: %w", q.word, err)
	}
	if len(terms) == 0 {
		return searcher.NewMatchNoneSearcher(i)
	}
	return searcher.NewMultiTermSearcherBoosted(ctx, i, terms, fieldAll, boostFuzzy, edits, options, true)
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
