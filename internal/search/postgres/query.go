package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"qlink/internal/search"
)

// maxFrom bounds the offset of absurd page numbers; such pages are empty
// anyway.
const maxFrom = 1 << 30

// plan is one query, checked.
type plan struct {
	q        search.Query
	sel      map[search.Facet][]string
	words    []string
	from     int
	size     int
	afterKey *sortKey
}

// sortKey is a hit's place in the order: score only with text.
type sortKey struct {
	score float32
	title string
	id    string
}

// Search runs one catalogue query in one read-only snapshot: a page of
// hits plus facet counts (see the package documentation for how they are
// counted).
func (ix *Index) Search(ctx context.Context, q search.Query) (search.Result, error) {
	p, err := newPlan(q)
	if err != nil {
		return search.Result{}, err
	}
	var res search.Result
	err = pgx.BeginTxFunc(ctx, ix.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			var err error
			if len(p.words) == 0 && len(p.sel) == 0 && q.ECTSMin == nil && q.ECTSMax == nil {
				res, err = p.browse(ctx, tx)
			} else {
				res, err = p.filtered(ctx, tx)
			}
			return err
		})
	if err != nil {
		return search.Result{}, fmt.Errorf("search/postgres: search: %w", err)
	}
	return res, nil
}

func newPlan(q search.Query) (*plan, error) {
	p := &plan{q: q, sel: map[search.Facet][]string{}, words: queryWords(q.Text)}
	for f, values := range q.Filters {
		if !slices.Contains(search.Facets, f) {
			return nil, fmt.Errorf("search/postgres: unknown facet %q", f)
		}
		values = slices.Compact(slices.Sorted(slices.Values(values)))
		if values = slices.DeleteFunc(values, func(v string) bool { return v == "" }); len(values) > 0 {
			p.sel[f] = values
		}
	}
	st, ok := search.ParseStatus(string(q.Status))
	if !ok {
		return nil, fmt.Errorf("search/postgres: unknown status %q", q.Status)
	}
	p.q.Status = st
	if _, ok := search.ParseQuality(string(q.Quality)); !ok {
		return nil, fmt.Errorf("search/postgres: unknown quality filter %q", q.Quality)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = search.DefaultLimit
	}
	p.size = min(limit, search.MaxLimit)
	p.from = min(max(q.Page, 1)-1, maxFrom/p.size) * p.size
	if q.After != nil {
		k, err := p.parseKey(q.After)
		if err != nil {
			return nil, err
		}
		p.afterKey, p.from = &k, 0
	}
	return p, nil
}

// parseKey reads a SortKey this query's order could have given.
func (p *plan) parseKey(after search.SortKey) (sortKey, error) {
	want := 2
	if len(p.words) > 0 {
		want = 3
	}
	if len(after) != want {
		return sortKey{}, fmt.Errorf("search/postgres: a key of %d values for an order of %d: %w", len(after), want, search.ErrSortKey)
	}
	k := sortKey{title: after[want-2], id: after[want-1]}
	if want == 3 {
		s, err := strconv.ParseFloat(after[0], 32)
		if err != nil {
			return sortKey{}, fmt.Errorf("search/postgres: score %q in the key is no number: %w", after[0], search.ErrSortKey)
		}
		k.score = float32(s)
	}
	return k, nil
}

func (k sortKey) external(text bool) search.SortKey {
	if text {
		return search.SortKey{strconv.FormatFloat(float64(k.score), 'g', -1, 32), k.title, k.id}
	}
	return search.SortKey{k.title, k.id}
}

func (k sortKey) hit(text bool) search.Hit {
	return search.Hit{ID: k.id, Score: float64(k.score), Key: k.external(text)}
}

// browse answers a query without text, filters or ECTS bounds: counts
// from the ones kept per bitmap, hits from the title index.
func (p *plan) browse(ctx context.Context, tx pgx.Tx) (search.Result, error) {
	rows, err := tx.Query(ctx, `SELECT facet, value, active_valid, active_flagged, inactive_valid, inactive_flagged
		FROM search_bitmaps WHERE facet = ANY($1) OR (facet, value) = ('#all', '')`, facetNames())
	if err != nil {
		return search.Result{}, err
	}
	res := search.Result{Facets: emptyFacets()}
	var facet, value string
	var counts [4]int
	_, err = pgx.ForEachRow(rows, []any{&facet, &value, &counts[0], &counts[1], &counts[2], &counts[3]}, func() error {
		n := p.kept(counts)
		switch {
		case facet+"="+value == keyAll:
			res.Total = n
		case n > 0:
			res.Facets[search.Facet(facet)] = append(res.Facets[search.Facet(facet)], search.FacetCount{Value: value, Count: n})
		}
		return nil
	})
	if err != nil {
		return search.Result{}, err
	}
	sortFacets(res.Facets)
	wantInactive := []bool{false, true}
	switch p.q.Status {
	case search.StatusActive:
		wantInactive = []bool{false}
	case search.StatusInactive:
		wantInactive = []bool{true}
	}
	wantFlagged := []bool{false, true}
	switch p.q.Quality {
	case search.QualityValid:
		wantFlagged = []bool{false}
	case search.QualityFlagged:
		wantFlagged = []bool{true}
	}
	res.Hits, err = p.page(ctx, tx, `inactive = ANY($1) AND flagged = ANY($2)`, wantInactive, wantFlagged)
	return res, err
}

// kept sums the counts [active valid, active flagged, inactive valid,
// inactive flagged] the query's status and quality keep.
func (p *plan) kept(c [4]int) int {
	n := 0
	for i, v := range c {
		inactive, flagged := i >= 2, i%2 == 1
		if (p.q.Status == search.StatusActive && inactive) || (p.q.Status == search.StatusInactive && !inactive) ||
			(p.q.Quality == search.QualityValid && flagged) || (p.q.Quality == search.QualityFlagged && !flagged) {
			continue
		}
		n += v
	}
	return n
}

// page reads one page of hits without text in (title, ID) order, among
// the documents cond selects ($1, $2 its arguments).
func (p *plan) page(ctx context.Context, tx pgx.Tx, cond string, arg1, arg2 any) ([]search.Hit, error) {
	after := sortKey{}
	if p.afterKey != nil {
		after = *p.afterKey
	}
	rows, err := tx.Query(ctx, `SELECT sort_title, id FROM search_documents
		WHERE `+cond+` AND (sort_title, id) > ($3, $4)
		ORDER BY sort_title, id OFFSET $5 LIMIT $6`, arg1, arg2, after.title, after.id, p.from, p.size)
	if err != nil {
		return nil, err
	}
	hits := []search.Hit{}
	var k sortKey
	_, err = pgx.ForEachRow(rows, []any{&k.title, &k.id}, func() error {
		hits = append(hits, k.hit(false))
		return nil
	})
	return hits, err
}

// filters holds the bitmaps a filtered query reads.
type filters struct {
	nbits int
	base  bitmap                  // status, quality, ECTS and text
	sel   map[search.Facet]bitmap // per selected facet, its values ORed
}

// filtered answers a query with text, filters or ECTS bounds: masks of
// bitmaps, counts by bit_count, hits from the text search or the title
// index.
func (p *plan) filtered(ctx context.Context, tx pgx.Tx) (search.Result, error) {
	f, err := p.loadFilters(ctx, tx)
	if err != nil || f == nil {
		return search.Result{Hits: []search.Hit{}, Facets: emptyFacets()}, err
	}
	var hits []search.Hit
	if len(p.words) > 0 {
		ordinals, page, err := p.textSearch(ctx, tx, f.within(""), f.nbits)
		if err != nil {
			return search.Result{}, err
		}
		text := newBitmap(f.nbits)
		for _, o := range ordinals {
			text.set(int(o))
		}
		f.base, hits = f.base.and(text), page
	}
	main := f.within("")
	masks := map[search.Facet]bitmap{}
	for _, facet := range search.Facets {
		masks[facet] = main
		if _, ok := f.sel[facet]; ok {
			masks[facet] = f.within(facet)
		}
	}
	res := search.Result{Total: main.count()}
	if res.Facets, err = countFacets(ctx, tx, masks, f.nbits); err != nil {
		return search.Result{}, err
	}
	if len(p.words) > 0 {
		res.Hits = hits
		return res, nil
	}
	res.Hits, err = p.maskPage(ctx, tx, main, res.Total, f.nbits)
	return res, err
}

// within returns the base mask ANDed with the selection of every facet
// but except: the documents a facet's counts are taken among.
func (f *filters) within(except search.Facet) bitmap {
	m := f.base
	for facet, s := range f.sel {
		if facet != except {
			m = m.and(s)
		}
	}
	return m
}

// loadFilters reads the bitmaps of every document, of the status and
// quality flags, of the selected values and of the ECTS values in range,
// and combines all but the selections into the base mask. It returns nil
// for an empty index.
func (p *plan) loadFilters(ctx context.Context, tx pgx.Tx) (*filters, error) {
	keys := []string{keyAll, keyInactive, keyFlagged}
	for facet, values := range p.sel {
		for _, v := range values {
			keys = append(keys, string(facet)+"="+v)
		}
	}
	facets, values := splitKeys(keys)
	lo, hi := math.Inf(-1), math.Inf(1)
	if p.q.ECTSMin != nil {
		lo = *p.q.ECTSMin
	}
	if p.q.ECTSMax != nil {
		hi = *p.q.ECTSMax
	}
	ranged := p.q.ECTSMin != nil || p.q.ECTSMax != nil
	rows, err := tx.Query(ctx, `SELECT facet, value, bits FROM search_bitmaps
		WHERE (facet, value) IN (SELECT * FROM unnest($1::text[], $2::text[]))
		   OR ($3 AND facet = '#ects' AND ects BETWEEN $4 AND $5)`, facets, values, ranged, lo, hi)
	if err != nil {
		return nil, err
	}
	byKey := map[string]bitmap{}
	ects := bitmap(nil)
	var facet, value string
	var bits pgtype.Bits
	_, err = pgx.ForEachRow(rows, []any{&facet, &value, &bits}, func() error {
		b := bitmap(slices.Clone(bits.Bytes))
		if facet == facetECTS {
			if ects == nil {
				ects = newBitmap(int(bits.Len))
			}
			ects.or(b)
		} else {
			byKey[facet+"="+value] = b
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	all, ok := byKey[keyAll]
	if !ok {
		return nil, nil
	}
	f := &filters{nbits: len(all) * 8, base: all, sel: map[search.Facet]bitmap{}}
	zero := newBitmap(f.nbits)
	orZero := func(b bitmap) bitmap {
		if b == nil {
			return zero
		}
		return b
	}
	switch p.q.Status {
	case search.StatusActive:
		f.base = f.base.andNot(orZero(byKey[keyInactive]))
	case search.StatusInactive:
		f.base = f.base.and(orZero(byKey[keyInactive]))
	}
	switch p.q.Quality {
	case search.QualityValid:
		f.base = f.base.andNot(orZero(byKey[keyFlagged]))
	case search.QualityFlagged:
		f.base = f.base.and(orZero(byKey[keyFlagged]))
	}
	if ranged {
		f.base = f.base.and(orZero(ects))
	}
	for facet, values := range p.sel {
		s := newBitmap(f.nbits)
		for _, v := range values {
			if b, ok := byKey[string(facet)+"="+v]; ok {
				s.or(b)
			}
		}
		f.sel[facet] = s
	}
	return f, nil
}

// textSearch finds the documents matching the words. It returns the
// ordinal of every match, for the counts, and the page of the matches in
// mask, by score, title and ID. Only the matches in mask are scored, on
// the stored vector, and PostgreSQL keeps the best page in a bounded heap
// instead of sorting them all.
func (p *plan) textSearch(ctx context.Context, tx pgx.Tx, mask bitmap, nbits int) ([]int32, []search.Hit, error) {
	words, err := p.wordQueries(ctx, tx)
	if err != nil || words == nil {
		return nil, []search.Hit{}, err
	}
	matches := make([]string, len(words))
	for i, w := range words {
		matches[i] = "(" + w.match + ")"
	}
	args := []any{strings.Join(matches, " & "), mask.varbit(nbits), p.from, p.size}
	score := scoreSQL(words, &args)
	after := "true"
	if k := p.afterKey; k != nil {
		n := len(args)
		args = append(args, k.score, k.title, k.id)
		after = fmt.Sprintf("(score < $%d::real OR (score = $%[1]d::real AND (sort_title, id) > ($%d, $%d)))", n+1, n+2, n+3)
	}
	// The matches are read once (MATERIALIZED): the ordinals of all and
	// the page of those in mask come from the same rows. The query is a
	// sub-select so that the planner does not see it: seeing a common
	// word, it would read the whole table rather than the GIN index,
	// which is slower even for a word in 60 % of the documents.
	rows, err := tx.Query(ctx, `WITH hits AS MATERIALIZED (
			SELECT ordinal, id, sort_title,
				CASE WHEN get_bit($2::bit varying, ordinal) <> 0 THEN (`+score+`)::real END AS score
			FROM search_documents WHERE tsv @@ (SELECT $1::tsquery)),
		page AS (
			SELECT id, sort_title, score FROM hits WHERE score IS NOT NULL AND `+after+`
			ORDER BY score DESC, sort_title, id OFFSET $3 LIMIT $4)
		SELECT (SELECT array_agg(ordinal) FROM hits),
			array_agg(id ORDER BY score DESC, sort_title, id),
			array_agg(sort_title ORDER BY score DESC, sort_title, id),
			array_agg(score ORDER BY score DESC, sort_title, id)
		FROM page`, args...)
	if err != nil {
		return nil, nil, err
	}
	var ordinals []int32
	var ids, titles []string
	var scores []float32
	if _, err := pgx.ForEachRow(rows, []any{&ordinals, &ids, &titles, &scores}, func() error { return nil }); err != nil {
		return nil, nil, err
	}
	hits := []search.Hit{}
	for i := range ids {
		hits = append(hits, sortKey{score: scores[i], title: titles[i], id: ids[i]}.hit(true))
	}
	return ordinals, hits, nil
}

// scoreSQL is a matching document's score as an SQL expression: the sum,
// over the words, of the best part each occurs in (title 4, more for a
// short title; extra 2; description 1.5; outcomes 1; only as a stop word
// 0.01), as the bleve index boosts them. Repeating a word, in one part or
// in several languages, adds nothing: it does not make a course more
// relevant. Each word's parts are weighted queries, appended to args.
func scoreSQL(words []wordQuery, args *[]any) string {
	var sum []string
	for _, w := range words {
		n := len(*args)
		*args = append(*args, w.parts[0], w.parts[1], w.parts[2], w.parts[3])
		sum = append(sum, fmt.Sprintf(`CASE WHEN tsv @@ $%d::tsquery THEN 4 * (1 + 1 / (1 + title_terms::float8))
			WHEN tsv @@ $%d::tsquery THEN 2 WHEN tsv @@ $%d::tsquery THEN 1.5 WHEN tsv @@ $%d::tsquery THEN 1
			ELSE 0.01 END`, n+1, n+2, n+3, n+4))
	}
	return strings.Join(sum, " + ")
}

// wordQuery is one query word as text search queries: what a match
// satisfies, and its stems in each part (title, extra, description,
// outcomes; nil for a word that is only a stop word).
type wordQuery struct {
	match string
	parts [4]*string
}

// wordQueries returns the queries of the words, in order, or nil when a
// word can match nothing (an index without text). Words of typoMinRunes
// or more are ORed with the vocabulary's words one edit away.
func (p *plan) wordQueries(ctx context.Context, tx pgx.Tx) ([]wordQuery, error) {
	corrections, err := p.corrections(ctx, tx)
	if err != nil {
		return nil, err
	}
	var wordOf []int32
	var spellings []string
	var isCorrection []bool
	for i, w := range p.words {
		wordOf, spellings, isCorrection = append(wordOf, int32(i)), append(spellings, w), append(isCorrection, false)
		for _, c := range corrections[w] {
			wordOf, spellings, isCorrection = append(wordOf, int32(i)), append(spellings, c), append(isCorrection, true)
		}
	}
	rows, err := tx.Query(ctx, `SELECT * FROM search_query($1, $2, $3,
		ARRAY(SELECT value::regconfig FROM search_bitmaps WHERE facet = '#config'))`, wordOf, spellings, isCorrection)
	if err != nil {
		return nil, err
	}
	var out []wordQuery
	var match *string
	var w wordQuery
	_, err = pgx.ForEachRow(rows, []any{&match, &w.parts[0], &w.parts[1], &w.parts[2], &w.parts[3]}, func() error {
		if match == nil {
			out = nil
			return errNoMatch
		}
		w.match = *match
		out = append(out, w)
		return nil
	})
	if errors.Is(err, errNoMatch) {
		return nil, nil
	}
	return out, err
}

// errNoMatch stops reading word queries once one can match nothing.
var errNoMatch = errors.New("a word matches nothing")

// corrections finds, for each word long enough, the indexed words one
// edit away that share its first letter (pg_trgm narrows the vocabulary
// to similar words, Go counts the edits).
func (p *plan) corrections(ctx context.Context, tx pgx.Tx) (map[string][]string, error) {
	var long []string
	for _, w := range p.words {
		if utf8.RuneCountInString(w) >= typoMinRunes {
			long = append(long, w)
		}
	}
	out := map[string][]string{}
	if len(long) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, `SELECT w.word, f.folded, t.term
		FROM unnest($1::text[]) AS w(word), LATERAL (SELECT unaccent(w.word) AS folded) AS f,
		LATERAL (SELECT term FROM search_terms
			WHERE term % f.folded AND left(term, 1) = left(f.folded, 1) AND term <> f.folded
			ORDER BY similarity(term, f.folded) DESC LIMIT 20) AS t`, long)
	if err != nil {
		return nil, err
	}
	var word, folded, term string
	_, err = pgx.ForEachRow(rows, []any{&word, &folded, &term}, func() error {
		if oneEdit(folded, term) {
			out[word] = append(out[word], term)
		}
		return nil
	})
	return out, err
}

// maskPage reads a page of the documents in main, in title order. When
// main holds most documents, walking the title index and testing each
// row's bit finds a page soonest; when it holds few, reading those by
// ordinal and sorting them is cheaper than walking past the others.
func (p *plan) maskPage(ctx context.Context, tx pgx.Tx, main bitmap, total, nbits int) ([]search.Hit, error) {
	if total == 0 {
		return []search.Hit{}, nil
	}
	walk := (p.from + p.size) * (nbits / max(total, 1))
	if walk <= total {
		// "<> 0" rather than "= 1": the planner guesses that an equality
		// keeps few rows and would sort them all instead of walking the
		// index to the first page.
		return p.page(ctx, tx, `get_bit($1::bit varying, ordinal) <> 0 AND $2::bool`, main.varbit(nbits), true)
	}
	return p.page(ctx, tx, `ordinal = ANY($1) AND $2::bool`, main.ordinals(), true)
}

func facetNames() []string {
	names := make([]string, len(search.Facets))
	for i, f := range search.Facets {
		names[i] = string(f)
	}
	return names
}

func emptyFacets() map[search.Facet][]search.FacetCount {
	out := make(map[search.Facet][]search.FacetCount, len(search.Facets))
	for _, f := range search.Facets {
		out[f] = []search.FacetCount{}
	}
	return out
}

// countFacets counts each value of each facet within the facet's mask, in
// one statement.
func countFacets(ctx context.Context, tx pgx.Tx, masks map[search.Facet]bitmap, nbits int) (map[search.Facet][]search.FacetCount, error) {
	var names []string
	var bits []pgtype.Bits
	for _, f := range search.Facets {
		names, bits = append(names, string(f)), append(bits, masks[f].varbit(nbits))
	}
	rows, err := tx.Query(ctx, `SELECT b.facet, b.value, bit_count(b.bits & m.mask)
		FROM unnest($1::text[], $2::bit varying[]) AS m(facet, mask)
		JOIN search_bitmaps b ON b.facet = m.facet`, names, bits)
	if err != nil {
		return nil, err
	}
	out := emptyFacets()
	var facet, value string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&facet, &value, &n}, func() error {
		if n > 0 {
			out[search.Facet(facet)] = append(out[search.Facet(facet)], search.FacetCount{Value: value, Count: n})
		}
		return nil
	})
	sortFacets(out)
	return out, err
}

// sortFacets orders each facet's values by count, then value.
func sortFacets(facets map[search.Facet][]search.FacetCount) {
	for _, counts := range facets {
		slices.SortFunc(counts, func(a, b search.FacetCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
		})
	}
}
