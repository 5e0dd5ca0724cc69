package postgres

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"qlink/internal/search"
)

// batchSize is how many documents one transaction writes: each rewrites
// the bitmaps of every value its documents have, so larger batches
// rewrite each bitmap less often.
const batchSize = 2000

// capacityStep rounds the bitmaps' length up (bits): growing them
// rewrites every bitmap.
const capacityStep = 8192

// Hidden bitmaps beside the facets': their facet names start with "#",
// which no search.Facet does.
const (
	keyAll      = "#all="            // every document
	keyInactive = "#status=inactive" // Document.Inactive
	keyFlagged  = "#quality=flagged" // Document.Flagged
	facetECTS   = "#ects"            // one bitmap per ECTS value
	facetConfig = "#config"          // documents with text in a configuration
)

// Index adds or replaces documents, in batches.
func (ix *Index) Index(ctx context.Context, docs []search.Document) error {
	for _, d := range docs {
		if d.ID == "" {
			return errNoID
		}
	}
	// The last of several documents with one ID wins, as in bleve.
	last := map[string]search.Document{}
	var order []string
	for _, d := range docs {
		if _, seen := last[d.ID]; !seen {
			order = append(order, d.ID)
		}
		last[d.ID] = d
	}
	for chunk := range slices.Chunk(order, batchSize) {
		batch := make([]search.Document, len(chunk))
		for i, id := range chunk {
			batch[i] = last[id]
		}
		if err := ix.write(ctx, batch, nil); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes documents; unknown IDs are ignored.
func (ix *Index) Delete(ctx context.Context, ids []string) error {
	for chunk := range slices.Chunk(ids, batchSize) {
		if err := ix.write(ctx, nil, chunk); err != nil {
			return err
		}
	}
	return nil
}

// keys returns the bitmaps a document is set in, as "facet=value".
func keys(d search.Document, a analysed) []string {
	out := []string{keyAll}
	for f, vs := range d.FacetValues() {
		for _, v := range vs {
			out = append(out, string(f)+"="+v)
		}
	}
	if d.Inactive {
		out = append(out, keyInactive)
	}
	if d.Flagged {
		out = append(out, keyFlagged)
	}
	if d.ECTS != nil && !math.IsNaN(*d.ECTS) && !math.IsInf(*d.ECTS, 0) {
		out = append(out, facetECTS+"="+strconv.FormatFloat(*d.ECTS, 'g', -1, 64))
	}
	for _, c := range a.configs {
		out = append(out, facetConfig+"="+c)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// write indexes docs and deletes the documents named by gone in one
// transaction, keeping the bitmaps in step.
func (ix *Index) write(ctx context.Context, docs []search.Document, gone []string) error {
	err := pgx.BeginFunc(ctx, ix.pool, func(tx pgx.Tx) error {
		var capacity int
		// Writers take turns: they rewrite shared bitmaps.
		if err := tx.QueryRow(ctx, `SELECT bits FROM search_capacity FOR UPDATE`).Scan(&capacity); err != nil {
			return err
		}
		w := &writer{tx: tx, capacity: capacity, bitmaps: map[string]*bitmapRow{}}
		return w.run(ctx, docs, gone)
	})
	if err != nil {
		return fmt.Errorf("search/postgres: write: %w", err)
	}
	return nil
}

// writer is one write transaction.
type writer struct {
	tx       pgx.Tx
	capacity int
	bitmaps  map[string]*bitmapRow // by key, the ones this batch touches
}

type bitmapRow struct {
	bits    bitmap
	ects    *float64
	changed bool
}

// stored is what the index holds of a document already there.
type stored struct {
	ordinal int
	keys    []string
}

func (w *writer) run(ctx context.Context, docs []search.Document, gone []string) error {
	ids := slices.Clone(gone)
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	old, err := w.stored(ctx, ids)
	if err != nil {
		return err
	}
	ordinals, err := w.ordinals(ctx, docs, old)
	if err != nil {
		return err
	}
	analysedDocs := make([]analysed, len(docs))
	newKeys := make([][]string, len(docs))
	touched := map[string]bool{keyInactive: true, keyFlagged: true}
	for i, d := range docs {
		analysedDocs[i] = analyse(d)
		newKeys[i] = keys(d, analysedDocs[i])
		for _, k := range newKeys[i] {
			touched[k] = true
		}
	}
	for _, o := range old {
		for _, k := range o.keys {
			touched[k] = true
		}
	}
	if err := w.grow(ctx, slices.Max(append(slices.Collect(maps.Values(ordinals)), -1))+1); err != nil {
		return err
	}
	if err := w.load(ctx, slices.Collect(maps.Keys(touched))); err != nil {
		return err
	}
	for _, o := range old {
		for _, k := range o.keys {
			w.row(k).bits.clear(o.ordinal)
		}
	}
	for i, d := range docs {
		for _, k := range newKeys[i] {
			w.row(k).bits.set(ordinals[d.ID])
		}
	}
	if err := w.saveBitmaps(ctx); err != nil {
		return err
	}
	return w.saveDocuments(ctx, docs, analysedDocs, newKeys, ordinals, gone)
}

// stored reads the ordinals and bitmaps of the documents already indexed.
func (w *writer) stored(ctx context.Context, ids []string) (map[string]stored, error) {
	rows, err := w.tx.Query(ctx, `SELECT d.id, d.ordinal, k.bitmaps
		FROM search_documents d JOIN search_document_keys k USING (ordinal) WHERE d.id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]stored{}
	var id string
	var s stored
	_, err = pgx.ForEachRow(rows, []any{&id, &s.ordinal, &s.keys}, func() error {
		out[id] = s
		return nil
	})
	return out, err
}

// ordinals keeps the ordinal of each document already indexed and draws
// new ones for the others.
func (w *writer) ordinals(ctx context.Context, docs []search.Document, old map[string]stored) (map[string]int, error) {
	out := map[string]int{}
	var fresh []string
	for _, d := range docs {
		if o, ok := old[d.ID]; ok {
			out[d.ID] = o.ordinal
		} else {
			fresh = append(fresh, d.ID)
		}
	}
	if len(fresh) == 0 {
		return out, nil
	}
	rows, err := w.tx.Query(ctx, `SELECT nextval('search_ordinals')::integer FROM generate_series(1, $1)`, len(fresh))
	if err != nil {
		return nil, err
	}
	drawn, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, err
	}
	for i, id := range fresh {
		out[id] = drawn[i]
	}
	return out, nil
}

// grow lengthens every bitmap to hold need ordinals, by half again at
// least, so that growing stays rare.
func (w *writer) grow(ctx context.Context, need int) error {
	if need <= w.capacity {
		return nil
	}
	next := max(need, w.capacity+w.capacity/2)
	next = (next + capacityStep - 1) / capacityStep * capacityStep
	if _, err := w.tx.Exec(ctx, `UPDATE search_bitmaps SET bits = bits || repeat('0', $1)::bit varying`, next-w.capacity); err != nil {
		return err
	}
	if _, err := w.tx.Exec(ctx, `UPDATE search_capacity SET bits = $1`, next); err != nil {
		return err
	}
	w.capacity = next
	return nil
}

// load reads the bitmaps of keys; those not stored yet start empty.
func (w *writer) load(ctx context.Context, keys []string) error {
	facets, values := splitKeys(keys)
	rows, err := w.tx.Query(ctx, `SELECT facet, value, bits FROM search_bitmaps
		WHERE (facet, value) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, facets, values)
	if err != nil {
		return err
	}
	var facet, value string
	var bits pgtype.Bits
	_, err = pgx.ForEachRow(rows, []any{&facet, &value, &bits}, func() error {
		w.bitmaps[facet+"="+value] = &bitmapRow{bits: bitmap(slices.Clone(bits.Bytes))}
		return nil
	})
	return err
}

// row returns the bitmap of key, marked changed.
func (w *writer) row(key string) *bitmapRow {
	r := w.bitmaps[key]
	if r == nil {
		r = &bitmapRow{bits: newBitmap(w.capacity)}
		w.bitmaps[key] = r
	}
	if f, v, _ := strings.Cut(key, "="); f == facetECTS {
		e, _ := strconv.ParseFloat(v, 64)
		r.ects = &e
	}
	r.changed = true
	return r
}

// saveBitmaps writes the changed bitmaps with their counts per status and
// quality; a bitmap left empty goes.
func (w *writer) saveBitmaps(ctx context.Context) error {
	inactive, flagged := w.row(keyInactive).bits, w.row(keyFlagged).bits
	var facets, values, emptyF, emptyV []string
	var ects []*float64
	var bits []pgtype.Bits
	var av, af, iv, ifl []int32
	for key, r := range w.bitmaps {
		if !r.changed {
			continue
		}
		f, v, _ := strings.Cut(key, "=")
		active := r.bits.andNot(inactive)
		inact := r.bits.and(inactive)
		counts := [4]int32{
			int32(active.andNot(flagged).count()), int32(active.and(flagged).count()),
			int32(inact.andNot(flagged).count()), int32(inact.and(flagged).count()),
		}
		if counts == [4]int32{} && key != keyInactive && key != keyFlagged {
			emptyF, emptyV = append(emptyF, f), append(emptyV, v)
			continue
		}
		facets, values, ects = append(facets, f), append(values, v), append(ects, r.ects)
		bits = append(bits, r.bits.varbit(w.capacity))
		av, af, iv, ifl = append(av, counts[0]), append(af, counts[1]), append(iv, counts[2]), append(ifl, counts[3])
	}
	if _, err := w.tx.Exec(ctx, `DELETE FROM search_bitmaps
		WHERE (facet, value) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, emptyF, emptyV); err != nil {
		return err
	}
	_, err := w.tx.Exec(ctx, `INSERT INTO search_bitmaps AS b
			(facet, value, ects, bits, active_valid, active_flagged, inactive_valid, inactive_flagged)
		SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::bit varying[], $5::int[], $6::int[], $7::int[], $8::int[])
		ON CONFLICT (facet, value) DO UPDATE SET bits = excluded.bits,
			active_valid = excluded.active_valid, active_flagged = excluded.active_flagged,
			inactive_valid = excluded.inactive_valid, inactive_flagged = excluded.inactive_flagged`,
		facets, values, ects, bits, av, af, iv, ifl)
	return err
}

// saveDocuments writes the documents' rows and vocabulary and deletes
// the rows of gone.
func (w *writer) saveDocuments(ctx context.Context, docs []search.Document, texts []analysed, keys [][]string,
	ordinals map[string]int, gone []string) error {
	if _, err := w.tx.Exec(ctx, `DELETE FROM search_documents WHERE id = ANY($1)`, gone); err != nil {
		return err
	}
	var b pgx.Batch
	vocabulary := map[string]bool{}
	for i, d := range docs {
		a := texts[i]
		b.Queue(`INSERT INTO search_documents (ordinal, id, sort_title, inactive, flagged, tsv, title_terms)
			SELECT $1, $2, unaccent($3), $4, $5, v, length(ts_filter(v, '{a}'))
			FROM search_tsv($6::regconfig[], $7, $8) AS v
			ON CONFLICT (id) DO UPDATE SET sort_title = excluded.sort_title, inactive = excluded.inactive,
				flagged = excluded.flagged, tsv = excluded.tsv, title_terms = excluded.title_terms`,
			ordinals[d.ID], d.ID, sortTitle(d), d.Inactive, d.Flagged, a.configs, a.texts, a.weights)
		b.Queue(`INSERT INTO search_document_keys (ordinal, bitmaps) VALUES ($1, $2)
			ON CONFLICT (ordinal) DO UPDATE SET bitmaps = excluded.bitmaps`, ordinals[d.ID], keys[i])
		terms(d, vocabulary)
	}
	b.Queue(`INSERT INTO search_terms SELECT DISTINCT unaccent(w) FROM unnest($1::text[]) AS w ON CONFLICT DO NOTHING`,
		slices.Sorted(maps.Keys(vocabulary)))
	return w.tx.SendBatch(ctx, &b).Close()
}

// splitKeys splits "facet=value" keys into parallel lists.
func splitKeys(keys []string) (facets, values []string) {
	for _, k := range keys {
		f, v, _ := strings.Cut(k, "=")
		facets, values = append(facets, f), append(values, v)
	}
	return facets, values
}
