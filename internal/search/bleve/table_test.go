package bleve

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/sync/errgroup"

	"qlink/internal/search"
	"qlink/internal/search/searchtest"
)

// The facet table must answer exactly as the index did before it had one:
// these tests compare Search with a reference made of two straightforward
// parts. Counts and totals are computed in Go over the documents (bleve
// only says which documents the text matches); pages come from a single
// bleve request with the filters as a query and bleve's own sorting, as
// Search made them before (refPage).

// randomDocs makes n documents over small value sets, so random filters
// select something: repeated and missing titles, facets with no value,
// unstated ECTS, inactive and flagged documents.
func randomDocs(r *rand.Rand, n int) []search.Document {
	words := []string{"data", "science", "history", "law", "design", "biology", "methods", "ethics"}
	pick := func(vs []string) string { return vs[r.IntN(len(vs))] }
	some := func(vs []string, most int) []string {
		var out []string
		for range r.IntN(most + 1) {
			out = append(out, pick(vs))
		}
		return out
	}
	docs := make([]search.Document, n)
	for i := range docs {
		d := search.Document{
			ID:          fmt.Sprintf("r%03d", r.IntN(10*n)), // some IDs repeat: later ones replace earlier
			Title:       map[string]string{},
			Description: map[string]string{"en": pick(words) + " " + pick(words)},
			Institution: pick([]string{"i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8", "i9", ""}),
			Country:     pick([]string{"DE", "FR", "NL", "PL", ""}),
			Alliances:   some([]string{"a1", "a2", "a3"}, 2),
			Languages:   some([]string{"en", "de", "fr", "nl", "pl"}, 3),
			EQF:         pick([]string{"5", "6", "7", "8", ""}),
			Fields:      some([]string{"01", "02", "03", "04", "05"}, 2),
			Type:        pick([]string{"course", "module", "programme", ""}),
			Modes:       some([]string{"online", "presential", "blended"}, 2),
			Inactive:    r.IntN(5) == 0,
			Flagged:     r.IntN(5) == 0,
		}
		if r.IntN(8) > 0 {
			// Few distinct titles: ties on the sort key are common.
			d.Title["en"] = pick(words) + " " + pick([]string{"I", "II", "basics"})
		}
		if r.IntN(4) > 0 {
			e := []float64{2.5, 3, 5, 6, 7.5, 10, math.NaN()}[r.IntN(7)]
			d.ECTS = &e
		}
		docs[i] = d
	}
	return docs
}

// randomQuery makes a query over randomDocs' values, sometimes naming
// values no document has.
func randomQuery(r *rand.Rand) search.Query {
	q := search.Query{
		Text:    []string{"", "", "", "data", "history methods", "sience", "law", "zzz"}[r.IntN(8)],
		Filters: map[search.Facet][]string{},
		Status:  []search.Status{"", search.StatusActive, search.StatusInactive, search.StatusAll}[r.IntN(4)],
		Quality: []search.QualityFilter{search.QualityAll, search.QualityValid, search.QualityFlagged}[r.IntN(3)],
		Page:    1 + r.IntN(3),
		Limit:   1 + r.IntN(25),
	}
	values := map[search.Facet][]string{
		search.FacetInstitution: {"i1", "i2", "i3", "i4", "i9", "nobody"},
		search.FacetAlliance:    {"a1", "a2", "a3"},
		search.FacetCountry:     {"DE", "FR", "NL", "PL", "XX"},
		search.FacetLanguage:    {"en", "de", "fr", "nl", "pl"},
		search.FacetEQF:         {"5", "6", "7", "8"},
		search.FacetField:       {"01", "02", "03", "04", "05"},
		search.FacetType:        {"course", "module", "programme"},
		search.FacetMode:        {"online", "presential", "blended"},
	}
	for range r.IntN(4) {
		f := search.Facets[r.IntN(len(search.Facets))]
		for range 1 + r.IntN(2) {
			v := values[f][r.IntN(len(values[f]))]
			if !slices.Contains(q.Filters[f], v) {
				q.Filters[f] = append(q.Filters[f], v)
			}
		}
	}
	bounds := []float64{2.5, 4, 6, 7.5, 10}
	if r.IntN(3) == 0 {
		q.ECTSMin = ptr(bounds[r.IntN(len(bounds))])
	}
	if r.IntN(3) == 0 {
		q.ECTSMax = ptr(bounds[r.IntN(len(bounds))])
	}
	return q
}

func randomQueries(r *rand.Rand, n int) []search.Query {
	queries := make([]search.Query, n)
	for i := range queries {
		queries[i] = randomQuery(r)
	}
	return queries
}

// refTextHits is the set of documents bleve matches q's text against, nil
// when the text has no words.
func refTextHits(t *testing.T, ix *Index, text string) map[string]bool {
	t.Helper()
	present, err := ix.presentFields()
	if err != nil {
		t.Fatal(err)
	}
	tq := ix.textQuery(ix.words(text), present)
	if tq == nil {
		return nil
	}
	hits := map[string]bool{}
	for id := range allScores(t, ix, tq) {
		hits[id] = true
	}
	return hits
}

// refBase returns the documents that pass q's text, status, quality and
// ECTS range: what facet selections then filter further.
func refBase(docs []search.Document, q search.Query, textHits map[string]bool) []search.Document {
	var out []search.Document
	for _, d := range docs {
		if textHits != nil && !textHits[d.ID] {
			continue
		}
		switch q.Status {
		case "", search.StatusActive:
			if d.Inactive {
				continue
			}
		case search.StatusInactive:
			if !d.Inactive {
				continue
			}
		}
		if q.Quality == search.QualityValid && d.Flagged || q.Quality == search.QualityFlagged && !d.Flagged {
			continue
		}
		if q.ECTSMin != nil || q.ECTSMax != nil {
			if d.ECTS == nil || math.IsNaN(*d.ECTS) || q.ECTSMin != nil && *d.ECTS < *q.ECTSMin || q.ECTSMax != nil && *d.ECTS > *q.ECTSMax {
				continue
			}
		}
		out = append(out, d)
	}
	return out
}

// refPage runs q as Search did before the facet table: one bleve request,
// the filters as a query, bleve sorting and paging.
func refPage(t *testing.T, ix *Index, q search.Query) (int, []search.Hit) {
	t.Helper()
	present, err := ix.presentFields()
	if err != nil {
		t.Fatal(err)
	}
	text := ix.textQuery(ix.words(q.Text), present)
	var bq query.Query = text
	if text == nil {
		bq = query.NewMatchAllQuery()
	}
	sel, err := selections(q.Filters)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := search.ParseStatus(string(q.Status))
	if filter := refFilter(sel, st, q.Quality, q.ECTSMin, q.ECTSMax); filter != nil {
		bq = &query.BooleanQuery{Must: bq, Filter: filter}
	}
	req := blevesearch.NewSearchRequest(bq)
	req.From, req.Size = pageWindow(q.Page, q.Limit)
	if text == nil {
		req.Score = blevesearch.ScoreNone
		req.SortBy([]string{fieldSort, "_id"})
	} else {
		req.SortBy([]string{"-_score", fieldSort, "_id"})
	}
	if q.After != nil {
		req.From, req.SearchAfter = 0, q.After
	}
	res, err := ix.idx.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	hits := []search.Hit{}
	for _, h := range res.Hits {
		key := slices.Clone(h.Sort)
		for i, v := range key {
			if v == "_score" {
				key[i] = strconv.FormatFloat(h.Score, 'g', -1, 64)
			}
		}
		hits = append(hits, search.Hit{ID: h.ID, Score: h.Score, Key: key})
	}
	return int(res.Total), hits
}

// refFilter is the filter query Search used before the facet table.
func refFilter(sel map[search.Facet][]string, st search.Status, qf search.QualityFilter, lo, hi *float64) query.Query {
	var conj []query.Query
	if st != search.StatusAll {
		conj = append(conj, termQuery(fieldStatus, string(st), 1))
	}
	flagged := termQuery(fieldQuality, string(search.QualityFlagged), 1)
	switch qf {
	case search.QualityFlagged:
		conj = append(conj, flagged)
	case search.QualityValid:
		conj = append(conj, query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, []query.Query{flagged}))
	}
	for _, f := range search.Facets {
		if sel[f] == nil {
			continue
		}
		terms := make([]query.Query, len(sel[f]))
		for i, v := range sel[f] {
			terms[i] = termQuery(string(f), v, 1)
		}
		conj = append(conj, query.NewDisjunctionQuery(terms))
	}
	if lo != nil || hi != nil {
		inclusive := true
		q := query.NewNumericRangeInclusiveQuery(lo, hi, &inclusive, &inclusive)
		q.SetField(fieldECTS)
		conj = append(conj, q)
	}
	if len(conj) == 0 {
		return nil
	}
	return query.NewConjunctionQuery(conj)
}

// current returns the documents the index holds after docs were indexed
// in order: the last of each ID.
func current(docs []search.Document) []search.Document {
	var out []search.Document
	seen := map[string]bool{}
	for i := len(docs) - 1; i >= 0; i-- {
		if !seen[docs[i].ID] {
			seen[docs[i].ID] = true
			out = append(out, docs[i])
		}
	}
	return out
}

// checkAgainstReference runs queries on ix, which holds docs, and compares
// every answer with the reference.
func checkAgainstReference(t *testing.T, ix *Index, docs []search.Document, queries []search.Query) {
	t.Helper()
	ctx := context.Background()
	for _, q := range queries {
		res, err := ix.Search(ctx, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		base := refBase(docs, q, refTextHits(t, ix, q.Text))
		sel, _ := selections(q.Filters)
		if want := len(searchtest.OracleIDs(base, sel, "")); res.Total != want {
			t.Errorf("%+v: Total %d, want %d", q, res.Total, want)
		}
		for _, f := range search.Facets {
			if diff := cmp.Diff(searchtest.OracleCounts(base, sel, f), res.Facets[f]); diff != "" {
				t.Errorf("%+v: facet %s (-want +got):\n%s", q, f, diff)
			}
		}
		total, hits := refPage(t, ix, q)
		if total != res.Total {
			t.Errorf("%+v: Total %d, the reference request %d", q, res.Total, total)
		}
		if diff := cmp.Diff(hits, res.Hits); diff != "" {
			t.Errorf("%+v: hits (-reference +got):\n%s", q, diff)
		}
	}
}

// TestSearchAgainstReference: random corpora, random queries (text,
// selections, status, quality, ECTS, pages), and a walk with After.
func TestSearchAgainstReference(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 14))
			docs := randomDocs(r, 300)
			ix := openCorpus(t, docs)
			queries := randomQueries(r, 150)
			checkAgainstReference(t, ix, current(docs), queries)
			checkWalks(t, ix, queries[:20])
		})
	}
}

// checkWalks follows After through every hit of each query, a few at a
// time, and compares each step with the reference request.
func checkWalks(t *testing.T, ix *Index, queries []search.Query) {
	t.Helper()
	for _, q := range queries {
		q.Page, q.Limit = 0, 7
		for step := 0; step < 100; step++ {
			res, err := ix.Search(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			_, want := refPage(t, ix, q)
			if diff := cmp.Diff(want, res.Hits); diff != "" {
				t.Fatalf("%+v: walk step %d (-reference +got):\n%s", q, step, diff)
			}
			if len(res.Hits) == 0 {
				break
			}
			q.After = res.Hits[len(res.Hits)-1].Key
		}
	}
}

// TestUpdatesAgainstReference re-indexes and deletes documents, in
// batches, between rounds of queries: ordinals are freed and reused, values
// appear and vanish, sort keys move.
func TestUpdatesAgainstReference(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 14))
	docs := randomDocs(r, 200)
	ix := openCorpus(t, docs)
	held := current(docs)
	for round := range 6 {
		// Replace some documents (same IDs, new values), add new ones,
		// delete others and some unknown IDs.
		changed := randomDocs(r, 40)
		for i := range changed[:20] {
			changed[i].ID = held[r.IntN(len(held))].ID
		}
		var gone []string
		for range 30 {
			gone = append(gone, held[r.IntN(len(held))].ID)
		}
		gone = append(gone, "unknown")
		held = write(t, ix, held, changed, gone)
		if n, err := ix.Count(ctx); err != nil || n != len(held) {
			t.Fatalf("round %d: Count %d, %v; want %d", round, n, err, len(held))
		}
		queries := []search.Query{{}, {Status: search.StatusAll, Limit: maxLimit}, {Status: search.StatusAll, Page: 2, Limit: maxLimit}}
		queries = append(queries, randomQueries(r, 40)...)
		checkAgainstReference(t, ix, held, queries)
	}
	if err := checkTable(ix.table); err != nil {
		t.Error(err)
	}
}

// write indexes changed and deletes gone, and returns the documents ix
// then holds, given that it held held.
func write(t *testing.T, ix *Index, held, changed []search.Document, gone []string) []search.Document {
	t.Helper()
	if err := ix.Index(context.Background(), changed); err != nil {
		t.Fatal(err)
	}
	if err := ix.Delete(context.Background(), gone); err != nil {
		t.Fatal(err)
	}
	held = current(append(held, current(changed)...))
	return slices.DeleteFunc(held, func(d search.Document) bool { return slices.Contains(gone, d.ID) })
}

// checkTable checks the table's parts agree, as a table read from a file
// must, and that what updates kept up (ranks, active documents, codes)
// equals what a file's reader derives.
func checkTable(t *table) error {
	c := newTable()
	c.ids, c.sortKeys, c.order, c.values, c.ects = t.ids, t.sortKeys, t.order, t.values, t.ects
	c.live, c.inactive, c.flagged = t.live, t.inactive, t.flagged
	if err := c.index(); err != nil {
		return err
	}
	if !c.active.Equals(t.active) {
		return fmt.Errorf("active documents differ")
	}
	for _, o := range t.order {
		if c.rank[o] != t.rank[o] {
			return fmt.Errorf("ordinal %d: rank %d, want %d", o, t.rank[o], c.rank[o])
		}
		for f := range t.codes {
			if oneValue[f] && c.names[f][c.codes[f][o]] != t.names[f][t.codes[f][o]] {
				return fmt.Errorf("ordinal %d: facet %s code of %q, want %q", o, search.Facets[f], t.names[f][t.codes[f][o]], c.names[f][c.codes[f][o]])
			}
			if t.masks[f] != nil && c.masks[f] != nil {
				if got, want := maskValues(t, f, o), maskValues(c, f, o); !slices.Equal(got, want) {
					return fmt.Errorf("ordinal %d: facet %s mask of %q, want %q", o, search.Facets[f], got, want)
				}
			}
		}
	}
	return nil
}

// maskValues lists the values of facet f that ordinal o's mask holds.
func maskValues(t *table, f int, o uint32) []string {
	var vs []string
	for m := t.masks[f][o]; m != 0; m &= m - 1 {
		vs = append(vs, t.names[f][bits.TrailingZeros64(m)])
	}
	slices.Sort(vs)
	return vs
}

// TestTableOnDisk: the table saved at Close is what the next Open uses; a
// missing, damaged or stale file, or one from another mapping, is rebuilt
// from the index, with the same answers.
func TestTableOnDisk(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 14))
	docs := randomDocs(r, 250)
	path := filepath.Join(t.TempDir(), "index")
	tablePath := filepath.Join(path, tableFile)
	queries := []search.Query{{}, {Status: search.StatusAll, Limit: maxLimit}}
	for range 40 {
		queries = append(queries, randomQuery(r))
	}
	open := func(wantFrom string) *Index {
		t.Helper()
		ix, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if ix.tableFrom != wantFrom {
			t.Errorf("table from %q, want %q", ix.tableFrom, wantFrom)
		}
		return ix
	}
	closeIndex := func(ix *Index) {
		t.Helper()
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
	}

	ix, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Index(ctx, docs[:150]); err != nil {
		t.Fatal(err)
	}
	closeIndex(ix)
	firstFile, err := os.ReadFile(tablePath)
	if err != nil {
		t.Fatalf("no table saved at Close: %v", err)
	}

	ix = open("file")
	checkAgainstReference(t, ix, current(docs[:150]), queries)
	if err := ix.Index(ctx, docs[150:]); err != nil {
		t.Fatal(err)
	}
	if err := ix.Delete(ctx, []string{docs[0].ID, docs[1].ID}); err != nil {
		t.Fatal(err)
	}
	closeIndex(ix)
	held := slices.DeleteFunc(current(docs), func(d search.Document) bool { return d.ID == docs[0].ID || d.ID == docs[1].ID })

	ix = open("file")
	checkAgainstReference(t, ix, held, queries)
	closeIndex(ix) // unchanged: the file stays as it is

	for _, tc := range []struct {
		name  string
		spoil func() error
	}{
		{"missing", func() error { return os.Remove(tablePath) }},
		// The first file mirrors an index of 150 documents: stale.
		{"stale", func() error { return os.WriteFile(tablePath, firstFile, 0o600) }},
		{"damaged", func() error {
			b, err := os.ReadFile(tablePath)
			if err != nil {
				return err
			}
			b[len(b)/2] ^= 0x40
			return os.WriteFile(tablePath, b, 0o600)
		}},
		{"truncated", func() error {
			b, err := os.ReadFile(tablePath)
			if err != nil {
				return err
			}
			return os.WriteFile(tablePath, b[:len(b)/3], 0o600)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.spoil(); err != nil {
				t.Fatal(err)
			}
			ix := open("index")
			checkAgainstReference(t, ix, held, queries)
			closeIndex(ix) // saves the rebuilt table
			ix = open("file")
			checkAgainstReference(t, ix, held, queries[:5])
			closeIndex(ix)
		})
	}

	// A file written under another mapping version is not used.
	ix = open("file")
	gen := ix.table.gen
	closeIndex(ix)
	if _, _, err := readTable(tablePath, "another version", gen); err == nil {
		t.Error("a table of another mapping version was read")
	}
}

// TestTextHitsUnknownToTheTable: a hit bleve has but the table lacks, as
// while a batch is half written, is left out, not an error.
func TestTextHitsUnknownToTheTable(t *testing.T) {
	ix := openCorpus(t, corpus())
	ghost := search.Document{ID: "ghost", Title: map[string]string{"en": "Statistics"}}
	b := ix.idx.NewBatch()
	f := fields(ghost)
	if err := b.Index(ghost.ID, f); err != nil {
		t.Fatal(err)
	}
	if err := ix.idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	// Twice: the second search no longer sees the text "statistics" in
	// the text cache, but it finds the segment's ordinals kept by the first.
	for _, q := range []search.Query{{Text: "statistics"}, {Text: "Statistics!"}} {
		res, err := ix.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"d1"}, hitIDs(res)); diff != "" {
			t.Errorf("%q: hits (-want +got):\n%s", q.Text, diff)
		}
	}
	// Once the table holds it (as when a batch's table update catches up),
	// the same hit in the same segment is found.
	ix.table.update([]row{ix.row(ghost, f)}, nil, "caught-up")
	res, err := ix.Search(context.Background(), search.Query{Text: "statistics"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"d1", "ghost"}, slices.Sorted(slices.Values(hitIDs(res)))); diff != "" {
		t.Errorf("after the table caught up: hits (-want +got):\n%s", diff)
	}
}

// TestReadersSeeWholeBatches: while batches move 100 documents from one
// country to another and back, and delete and restore 50 others, searches
// without text (answered by the table alone) see each batch wholly or not
// at all.
func TestReadersSeeWholeBatches(t *testing.T) {
	ctx := context.Background()
	docs := make([]search.Document, 200)
	for i := range docs {
		docs[i] = search.Document{ID: fmt.Sprintf("b%03d", i), Title: map[string]string{"en": fmt.Sprint("course ", i)}, Country: "ZZ"}
		if i < 100 {
			docs[i].Country = "AA"
		}
	}
	ix := openCorpus(t, docs)
	moved := slices.Clone(docs[:100])
	var g errgroup.Group
	g.Go(func() error {
		for round := range 20 {
			country := []string{"BB", "AA"}[round%2]
			for i := range moved {
				moved[i].Country = country
			}
			if err := ix.Index(ctx, moved); err != nil {
				return err
			}
			ids := make([]string, 0, 50)
			for _, d := range docs[150:] {
				ids = append(ids, d.ID)
			}
			if err := ix.Delete(ctx, ids); err != nil {
				return err
			}
			if err := ix.Index(ctx, docs[150:]); err != nil {
				return err
			}
		}
		return nil
	})
	for range 2 {
		g.Go(func() error {
			for range 200 {
				res, err := ix.Search(ctx, search.Query{Limit: maxLimit})
				if err != nil {
					return err
				}
				counts := map[string]int{}
				for _, c := range res.Facets[search.FacetCountry] {
					counts[c.Value] = c.Count
				}
				if counts["AA"]+counts["BB"] != 100 || counts["AA"]%100 != 0 {
					return fmt.Errorf("a half-applied batch: %v", counts)
				}
				if res.Total != 200 && res.Total != 150 || counts["ZZ"] != res.Total-100 {
					return fmt.Errorf("a half-applied deletion: %d hits, %v", res.Total, counts)
				}
			}
			return nil
		})
	}
	// Text searches share the cache of texts' matches with each other
	// and with the writes that make it stale (the race detector watches).
	g.Go(func() error {
		for i := range 200 {
			q := search.Query{Text: []string{"course", "course 1", "7"}[i%3], Page: 1 + i%2, Limit: 10}
			res, err := ix.Search(ctx, q)
			if err != nil {
				return err
			}
			if len(res.Hits) > res.Total || res.Total > 200 {
				return fmt.Errorf("%q: %d hits of %d", q.Text, len(res.Hits), res.Total)
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if ix.texts.Served() == 0 {
		t.Error("no text search was answered from the cache")
	}
}

// An index no batch has written yet (its table's generation empty) keeps
// and serves text entries too.
func TestTextCacheOnANewIndex(t *testing.T) {
	ix, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for range 2 {
		if res, err := ix.Search(context.Background(), search.Query{Text: "data"}); err != nil || res.Total != 0 {
			t.Fatalf("text search of a new index: %+v, %v", res, err)
		}
	}
	if ix.texts.Served() != 1 {
		t.Errorf("the second search was not answered from the first one's entry")
	}
}

// TestTextCacheAgainstReference runs the reference checks with entries
// that keep only the best three hits of a text in order, so that answers
// come from those and from the scores of every hit that passes, through
// pages, walks with After and a write between rounds.
func TestTextCacheAgainstReference(t *testing.T) {
	kept := topKept
	topKept = 3
	t.Cleanup(func() { topKept = kept })
	r := rand.New(rand.NewPCG(11, 14))
	docs := randomDocs(r, 300)
	ix := openCorpus(t, docs)
	queries := randomQueries(r, 200)
	checkAgainstReference(t, ix, current(docs), queries)
	checkWalks(t, ix, queries[:30])
	if ix.texts.Served() == 0 {
		t.Fatal("no query was answered from the text cache")
	}
	// Asked again, every query's counts come from the count cache; a
	// caller that changes its copy changes nothing kept.
	counted := ix.counts.Served()
	for _, q := range queries[:20] {
		res, err := ix.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Facets {
			clear(c)
		}
	}
	checkAgainstReference(t, ix, current(docs), queries)
	if served := ix.counts.Served() - counted; served < int64(len(queries)) {
		t.Fatalf("%d of %d queries asked again had their counts from the cache", served, len(queries)+20)
	}
	// A write makes every entry stale: the same queries see the change,
	// among them documents that newly match a cached text and one that
	// matched it and is gone.
	ctx := context.Background()
	asked := search.Query{Text: "data", Status: search.StatusAll, Limit: maxLimit}
	before, err := ix.Search(ctx, asked)
	if err != nil || before.Total == 0 {
		t.Fatalf("search for data: %d hits, %v", before.Total, err)
	}
	held := current(docs)
	gone := []string{before.Hits[0].ID, held[1].ID, held[2].ID}
	changed := randomDocs(r, 30)
	for i := range changed[:10] {
		changed[i].ID = held[3+i].ID
	}
	for i := range changed[20:] {
		changed[20+i].ID, changed[20+i].Title = fmt.Sprintf("new-%d", i), map[string]string{"en": "Data and more data"}
	}
	held = write(t, ix, held, changed, gone)
	// First a page the entry kept before the write could answer.
	first := search.Query{Text: "data", Status: search.StatusAll, Limit: 1}
	checkAgainstReference(t, ix, held, append([]search.Query{first}, append(queries, asked)...))
	after, err := ix.Search(ctx, asked)
	if err != nil || !slices.ContainsFunc(after.Hits, func(h search.Hit) bool { return h.ID == "new-0" }) ||
		slices.ContainsFunc(after.Hits, func(h search.Hit) bool { return h.ID == gone[0] }) {
		t.Errorf("after the write, data finds %d (%v): the new documents or the deleted one are not seen", after.Total, err)
	}
}

// TestByOrdinal: the radix sort of large hit lists orders as a comparison
// sort does, keeping each hit's score with its ordinal.
func TestByOrdinal(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 14))
	for _, n := range []int{0, 5, 1023, 1024, 70000} {
		hits := make([]scored, n)
		for i := range hits {
			o := r.Uint32N(1 << 22)
			if i%3 == 0 {
				o = r.Uint32()
			}
			hits[i] = scored{float64(o) / 7, o}
		}
		want := slices.Clone(hits)
		slices.SortFunc(want, func(a, b scored) int { return int(a.o) - int(b.o) })
		if byOrdinal(hits); !slices.Equal(hits, want) {
			t.Errorf("%d hits: not sorted by ordinal", n)
		}
	}
}

// TestCountsByMask: facet counts over filters of every density, sparse
// ones counted through the mask columns and dense ones by AND, equal each
// value's AND-cardinality with the filter; also for a facet whose values
// outgrew the masks.
func TestCountsByMask(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 14))
	ix := openCorpus(t, randomDocs(r, 400))
	check := func(t *testing.T) {
		t.Helper()
		tb := ix.table
		live := slices.Collect(roaring.Values(tb.live))
		for _, n := range []int{1, 2, 5, 10, 20, 40, len(live) / 2, len(live) - 20, len(live) - 2, len(live)} {
			r.Shuffle(len(live), func(i, j int) { live[i], live[j] = live[j], live[i] })
			filter := roaring.BitmapOf(live[:n]...)
			all := make([]int, numFacets)
			for f := range all {
				all[f] = f
			}
			c := tb.counter(filter, all)
			for f := range numFacets {
				want := map[string]int{}
				for v, bm := range tb.values[f] {
					if k := int(bm.AndCardinality(filter)); k > 0 {
						want[v] = k
					}
				}
				got := map[string]int{}
				for _, fc := range c.count(f) {
					got[fc.Value] = fc.Count
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("%d documents, facet %s (-AND +counted):\n%s", n, search.Facets[f], diff)
				}
			}
		}
	}
	check(t)
	alliance := facetIndex(search.FacetAlliance)
	if ix.table.masks[alliance] == nil {
		t.Fatal("three alliances have no mask column")
	}
	var many []search.Document
	for i := range maxMaskCode + 5 {
		many = append(many, search.Document{ID: fmt.Sprintf("m%02d", i), Title: map[string]string{"en": "data"},
			Alliances: []string{fmt.Sprintf("x%02d", i), "a1"}, Languages: []string{"en"}})
	}
	if err := ix.Index(context.Background(), many); err != nil {
		t.Fatal(err)
	}
	if ix.table.masks[alliance] != nil {
		t.Fatalf("%d alliances kept a mask column", len(ix.table.values[alliance]))
	}
	check(t)
	if err := checkTable(ix.table); err != nil {
		t.Error(err)
	}
}

// TestCountKey: queries whose counts may differ never share a key; the
// order and repetition of a facet's values do not matter.
func TestCountKey(t *testing.T) {
	five, six := 5.0, 6.0
	distinct := []search.Query{
		{},
		{Text: "data"},
		{Text: "data science"},
		{Status: search.StatusAll},
		{Quality: search.QualityFlagged},
		{ECTSMin: &five},
		{ECTSMax: &five},
		{ECTSMin: &five, ECTSMax: &six},
		{ECTSMin: &six, ECTSMax: &five},
		{Filters: map[search.Facet][]string{search.FacetCountry: {"DE"}}},
		{Filters: map[search.Facet][]string{search.FacetLanguage: {"DE"}}},
		{Filters: map[search.Facet][]string{search.FacetCountry: {"DE", "FR"}}},
		{Filters: map[search.Facet][]string{search.FacetCountry: {"DE\x00FR"}}},
		{Filters: map[search.Facet][]string{search.FacetCountry: {"DE"}, search.FacetLanguage: {"FR"}}},
		{Filters: map[search.Facet][]string{search.FacetCountry: {"FR"}, search.FacetLanguage: {"DE"}}},
		{Text: "1:a", Filters: map[search.Facet][]string{search.FacetCountry: {"DE"}}},
	}
	seen := map[string]int{}
	for i, q := range distinct {
		sel, err := selections(q.Filters)
		if err != nil {
			t.Fatal(err)
		}
		k := countKey(q, sel)
		if j, dup := seen[k]; dup {
			t.Errorf("queries %d and %d share the key %q", j, i, k)
		}
		seen[k] = i
	}
	a := search.Query{Filters: map[search.Facet][]string{search.FacetCountry: {"FR", "DE", "FR"}, search.FacetEQF: {"7", "6"}}}
	b := search.Query{Filters: map[search.Facet][]string{search.FacetEQF: {"6", "7"}, search.FacetCountry: {"DE", "FR"}}}
	selA, _ := selections(a.Filters)
	selB, _ := selections(b.Filters)
	if countKey(a, selA) != countKey(b, selB) {
		t.Errorf("the same selection in another order has another key: %q, %q", countKey(a, selA), countKey(b, selB))
	}
}
