package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"qlink/internal/model"
	"qlink/internal/store"
)

// ApplyCourses applies a source's specifications in one transaction (see
// store.ApplyBatch). The source's row is locked first, so that batches of
// one source apply one after another, then every course the batch may
// write, in ID order, so that sources sharing course IDs cannot both
// decide on the same stored state. The writes go to the server in one
// round trip at the end.
func (s *Store) ApplyCourses(ctx context.Context, sourceID string, runID int64, specs []model.Specification, complete bool, at time.Time,
	quality map[string]store.CourseQuality) (store.Change, error) {
	var ch store.Change
	at = at.UTC()
	ids := make([]string, len(specs))
	for i, sp := range specs {
		ids[i] = sp.ID
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var providerID string
		if err := tx.QueryRow(ctx, `SELECT provider_id FROM sources WHERE id = $1 FOR NO KEY UPDATE`, sourceID).Scan(&providerID); err != nil {
			return notFound(err, "source "+sourceID)
		}
		existing, err := lockExisting(ctx, tx, sourceID, ids, complete)
		if err != nil {
			return err
		}
		w := &courseWriter{tx: tx, sourceID: sourceID, providerID: providerID, runID: runID, at: at}
		if ch, err = store.ApplyBatch(ctx, w, sourceID, providerID, existing, specs, complete, quality); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		return w.flush(ctx)
	})
	if err != nil {
		return store.Change{}, err
	}
	return ch, nil
}

// lockExisting reads and locks the stored state of the courses with the
// given IDs, whichever source holds them, and for a complete run that of
// all the source's courses (those the run did not see become inactive).
func lockExisting(ctx context.Context, tx pgx.Tx, sourceID string, ids []string, complete bool) (map[string]store.StoredCourse, error) {
	query, args := `SELECT c.id, c.source_id, c.provider_id, c.hash, c.inactive, NOT s.active
		FROM courses c JOIN sources s ON s.id = c.source_id WHERE c.id = ANY($1)`, []any{ids}
	if complete {
		query, args = query+` OR c.source_id = $2`, append(args, sourceID)
	}
	rows, _ := tx.Query(ctx, query+` ORDER BY c.id FOR UPDATE OF c`, args...)
	out := map[string]store.StoredCourse{}
	var id string
	var c store.StoredCourse
	_, err := pgx.ForEachRow(rows, []any{&id, &c.SourceID, &c.ProviderID, &c.Hash, &c.Inactive, &c.Retired}, func() error {
		out[id] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: courses of %s: %w", sourceID, err)
	}
	return out, nil
}

// courseWriter is store.CourseWriter on one transaction. It gathers the
// writes and sends them at the end, a few statements over arrays (unnest)
// in one pipelined batch.
type courseWriter struct {
	tx                   pgx.Tx
	sourceID, providerID string
	runID                int64
	at                   time.Time

	inserted, rewritten writes
	kept, inactivated   []string
	sourceSeen          bool // the run saw every active course of the source
	history             struct{ ids, kinds, changes []string }
	identified          []string                       // courses whose identifiers are replaced
	identifiers         struct{ values, ids []string } // their new identifiers
}

func (w *courseWriter) StoredDocs(ctx context.Context, ids []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, _ := w.tx.Query(ctx, `SELECT id, doc FROM courses WHERE id = ANY($1)`, ids)
	var id string
	var doc []byte
	_, err := pgx.ForEachRow(rows, []any{&id, &doc}, func() error {
		out[id] = doc
		return nil
	})
	return out, err
}

func (w *courseWriter) KeepCourse(_ context.Context, id string) error {
	w.kept = append(w.kept, id)
	return nil
}

// writes are the columns of courses written, one array each; a NULL
// report keeps the stored one (or the columns' defaults).
type writes struct {
	ids, docs, hashes []string
	quality           []*string
	flagged           []*bool
}

func (w *courseWriter) WriteCourse(_ context.Context, c store.CourseWrite) error {
	to := &w.rewritten
	if c.New {
		to = &w.inserted
	}
	to.ids, to.docs, to.hashes = append(to.ids, c.ID), append(to.docs, string(c.Doc)), append(to.hashes, c.Hash)
	var quality *string
	var flagged *bool
	if c.Quality != nil {
		q, f := string(c.Quality), c.Flagged
		quality, flagged = &q, &f
	}
	to.quality, to.flagged = append(to.quality, quality), append(to.flagged, flagged)
	return nil
}

func (w *courseWriter) InactivateCourse(_ context.Context, id string) error {
	w.inactivated = append(w.inactivated, id)
	return nil
}

func (w *courseWriter) SourceSeen(context.Context) error {
	w.sourceSeen = true
	return nil
}

func (w *courseWriter) RecordHistory(_ context.Context, id string, kind store.HistoryKind, changes []byte) error {
	h := &w.history
	h.ids, h.kinds, h.changes = append(h.ids, id), append(h.kinds, string(kind)), append(h.changes, string(changes))
	return nil
}

func (w *courseWriter) SetIdentifiers(_ context.Context, id string, values []string) error {
	w.identified = append(w.identified, id)
	for _, v := range values {
		w.identifiers.values, w.identifiers.ids = append(w.identifiers.values, v), append(w.identifiers.ids, id)
	}
	return nil
}

// chunkRows bounds the rows one statement carries, so that a source of
// tens of thousands of courses does not build one huge message.
const chunkRows = 1000

// flush sends the gathered writes. A course inserted meanwhile by another
// source's transaction (its ID was free when this one locked) makes the
// insert come short: the transaction is then run again (errRaced), and
// meets the course as stored.
func (w *courseWriter) flush(ctx context.Context) error {
	b := &pgx.Batch{}
	each(len(w.inserted.ids), func(lo, hi int) {
		want := int64(hi - lo)
		b.Queue(`INSERT INTO courses (id, provider_id, source_id, doc, hash, first_seen, changed_at, last_seen, quality, flagged)
			SELECT u.id, $1, $2, u.doc, u.hash, $3, $3, $3, COALESCE(u.quality, ''), COALESCE(u.flagged, false)
			FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::bool[]) AS u (id, doc, hash, quality, flagged)
			ON CONFLICT (id) DO NOTHING`, w.providerID, w.sourceID, w.at,
			w.inserted.ids[lo:hi], w.inserted.docs[lo:hi], w.inserted.hashes[lo:hi], w.inserted.quality[lo:hi], w.inserted.flagged[lo:hi]).
			Exec(func(tag pgconn.CommandTag) error {
				if tag.RowsAffected() != want {
					return errRaced
				}
				return nil
			})
	})
	each(len(w.rewritten.ids), func(lo, hi int) {
		b.Queue(`UPDATE courses c SET provider_id = $1, source_id = $2, doc = u.doc, hash = u.hash, changed_at = $3, last_seen = $3,
				inactive = false, quality = COALESCE(u.quality, c.quality), flagged = COALESCE(u.flagged, c.flagged)
			FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::bool[]) AS u (id, doc, hash, quality, flagged)
			WHERE c.id = u.id`,
			w.providerID, w.sourceID, w.at, w.rewritten.ids[lo:hi], w.rewritten.docs[lo:hi], w.rewritten.hashes[lo:hi],
			w.rewritten.quality[lo:hi], w.rewritten.flagged[lo:hi])
	})
	each(len(w.kept), func(lo, hi int) {
		b.Queue(`UPDATE courses SET last_seen = $1, source_id = $2 WHERE id = ANY($3)`, w.at, w.sourceID, w.kept[lo:hi])
	})
	each(len(w.inactivated), func(lo, hi int) {
		// The source's courses_seen_at stops applying: the course keeps
		// the later of the two as its own.
		b.Queue(`UPDATE courses c SET inactive = true, changed_at = $1, last_seen = GREATEST(c.last_seen, s.courses_seen_at)
			FROM sources s WHERE s.id = c.source_id AND c.id = ANY($2)`, w.at, w.inactivated[lo:hi])
	})
	h := w.history
	each(len(h.ids), func(lo, hi int) {
		// WITH ORDINALITY keeps the batch's order in the history's IDs.
		b.Queue(`INSERT INTO course_history (course_id, run_id, at, kind, changes)
			SELECT u.id, $1, $2, u.kind, u.changes FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u (id, kind, changes, n)
			ORDER BY u.n`, w.runID, w.at, h.ids[lo:hi], h.kinds[lo:hi], h.changes[lo:hi])
	})
	each(len(w.identified), func(lo, hi int) {
		b.Queue(`DELETE FROM course_identifiers WHERE course_id = ANY($1)`, w.identified[lo:hi])
	})
	each(len(w.identifiers.ids), func(lo, hi int) {
		b.Queue(`INSERT INTO course_identifiers (value, course_id) SELECT * FROM unnest($1::text[], $2::text[])
			ON CONFLICT DO NOTHING`, w.identifiers.values[lo:hi], w.identifiers.ids[lo:hi])
	})
	if w.sourceSeen { // after the inactivations, which read the previous time
		b.Queue(`UPDATE sources SET courses_seen_at = $1 WHERE id = $2`, w.at, w.sourceID)
	}
	if b.Len() == 0 {
		return nil
	}
	if err := w.tx.SendBatch(ctx, b).Close(); err != nil {
		if err == errRaced {
			return err
		}
		return fmt.Errorf("postgres: courses of %s: %w", w.sourceID, err)
	}
	return nil
}

// each calls fn with the bounds of successive chunks of n rows.
func each(n int, fn func(lo, hi int)) {
	for lo := 0; lo < n; lo += chunkRows {
		fn(lo, min(lo+chunkRows, n))
	}
}

// MarkSeen sets the last-seen time of a source's active courses: on the
// source (courses_seen_at), which course reads take when it is later
// than the course's own.
func (s *Store) MarkSeen(ctx context.Context, sourceID string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE sources SET courses_seen_at = $1 WHERE id = $2`, at.UTC(), sourceID)
	if err != nil {
		return fmt.Errorf("postgres: mark seen %s: %w", sourceID, err)
	}
	return nil
}

// selectCourses reads whole courses (scanCourse) from courses c, joined
// with their source s: an active course was last seen at the later of
// its own time and its source's courses_seen_at.
const selectCourses = `SELECT c.id, c.provider_id, c.source_id, c.doc, c.hash, c.first_seen, c.changed_at,
	CASE WHEN c.inactive THEN c.last_seen ELSE GREATEST(c.last_seen, s.courses_seen_at) END,
	c.inactive, c.quality, c.flagged FROM courses c LEFT JOIN sources s ON s.id = c.source_id`

func scanCourse(row pgx.CollectableRow) (store.Course, error) {
	var c store.Course
	var id string
	var doc, quality []byte
	var flagged bool
	if err := row.Scan(&id, &c.ProviderID, &c.SourceID, &doc, &c.Hash, &c.FirstSeen, &c.Changed, &c.LastSeen,
		&c.Inactive, &quality, &flagged); err != nil {
		return c, err
	}
	return c, store.DecodeCourse(&c, id, doc, quality, flagged)
}

// Course returns one course, active or inactive.
func (s *Store) Course(ctx context.Context, id string) (store.Course, error) {
	rows, _ := s.pool.Query(ctx, selectCourses+` WHERE c.id = $1`, id)
	c, err := pgx.CollectExactlyOneRow(rows, scanCourse)
	if err != nil {
		return c, notFound(err, "course "+id)
	}
	return c, nil
}

// CoursesByID returns courses, active or inactive, in the order of ids.
func (s *Store) CoursesByID(ctx context.Context, ids []string) ([]store.Course, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, _ := s.pool.Query(ctx, selectCourses+` WHERE c.id = ANY($1)`, ids)
	found, err := collect(rows, scanCourse)
	if err != nil {
		return nil, fmt.Errorf("postgres: courses: %w", err)
	}
	byID := make(map[string]store.Course, len(found))
	for _, c := range found {
		byID[c.Spec.ID] = c
	}
	out := make([]store.Course, 0, len(ids))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// EachCourse streams the active courses of providers (all when nil) in ID
// order.
func (s *Store) EachCourse(ctx context.Context, providers []string, fn func(store.Course) error) error {
	query, args := selectCourses+` WHERE NOT c.inactive ORDER BY c.id`, []any{}
	if providers != nil {
		query, args = selectCourses+` WHERE NOT c.inactive AND c.provider_id = ANY($1) ORDER BY c.id`, []any{providers}
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("postgres: courses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCourse(rows)
		if err != nil {
			return fmt.Errorf("postgres: courses: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CountCourses counts active courses per provider.
func (s *Store) CountCourses(ctx context.Context) (map[string]int, error) {
	rows, _ := s.pool.Query(ctx, `SELECT provider_id, COUNT(*) FROM courses WHERE NOT inactive GROUP BY provider_id`)
	out := map[string]int{}
	var id string
	var n int
	_, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error {
		out[id] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: course counts: %w", err)
	}
	return out, nil
}

// CourseIDs lists the courses of a source, or of all sources, with a
// status or any.
func (s *Store) CourseIDs(ctx context.Context, sourceID string, status store.CourseStatus) ([]string, error) {
	where, args := "true", []any{}
	switch status {
	case store.StatusActive:
		where = "NOT inactive"
	case store.StatusInactive:
		where = "inactive"
	case "":
	default:
		return nil, fmt.Errorf("postgres: unknown course status %q", status)
	}
	if sourceID != "" {
		where, args = where+" AND source_id = $1", append(args, sourceID)
	}
	return s.ids(ctx, `SELECT id FROM courses WHERE `+where+` ORDER BY id`, args...)
}

// indexedState is what indexed_hash holds once the index has a course's
// current state: its hash, marked when the document says inactive and
// when it is flagged for quality. The partial index courses_index_backlog
// repeats the expression, so that the backlog queries can use it.
const indexedState = `(CASE WHEN inactive THEN 'inactive:' || hash ELSE hash END)
        || (CASE WHEN flagged THEN ':flagged' ELSE '' END)`

// IndexBacklog lists the courses whose indexed state lags their content
// or status.
func (s *Store) IndexBacklog(ctx context.Context, sourceID string) (store.IndexBacklog, error) {
	const columns = `SELECT id, hash, inactive, flagged FROM courses WHERE `
	var rows pgx.Rows
	if sourceID == "" {
		rows, _ = s.pool.Query(ctx, columns+`indexed_hash <> `+indexedState+` ORDER BY id`)
	} else {
		rows, _ = s.pool.Query(ctx, columns+`source_id = $1 AND indexed_hash <> `+indexedState+` ORDER BY id`, sourceID)
	}
	stale, err := collect(rows, pgx.RowToStructByPos[store.CourseState])
	if err != nil {
		return store.IndexBacklog{}, fmt.Errorf("postgres: index backlog: %w", err)
	}
	return store.IndexBacklog{Stale: stale}, nil
}

// MarkIndexed records the index's state of the courses, where it is
// still their current one. The rows are locked in ID order, as
// ApplyCourses locks them, so that the two do not deadlock; the state is
// compared once the lock is held, on the row as it is then. The marks'
// columns have names of their own: indexedState names c's bare.
func (s *Store) MarkIndexed(ctx context.Context, courses []store.CourseState) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		each(len(courses), func(lo, hi int) {
			if err != nil {
				return
			}
			part := courses[lo:hi]
			ids, hashes := make([]string, len(part)), make([]string, len(part))
			inactive, flagged := make([]bool, len(part)), make([]bool, len(part))
			for i, c := range part {
				ids[i], hashes[i], inactive[i], flagged[i] = c.ID, c.Hash, c.Inactive, c.Flagged
			}
			_, err = tx.Exec(ctx, `UPDATE courses c SET indexed_hash = `+indexedState+`
				FROM (SELECT m.* FROM courses l JOIN unnest($1::text[], $2::text[], $3::bool[], $4::bool[])
					AS m(m_id, m_hash, m_inactive, m_flagged) ON l.id = m.m_id ORDER BY l.id FOR UPDATE OF l) m
				WHERE c.id = m_id AND c.hash = m_hash AND c.inactive = m_inactive AND c.flagged = m_flagged`,
				ids, hashes, inactive, flagged)
		})
		if err != nil {
			return fmt.Errorf("postgres: mark indexed: %w", err)
		}
		return nil
	})
}

// SetCourseQuality stores the quality reports of a source's courses; a
// report unchanged since the last run is not written again.
func (s *Store) SetCourseQuality(ctx context.Context, sourceID string, reports map[string]store.CourseQuality) error {
	ids, docs, flags := make([]string, 0, len(reports)), make([]string, 0, len(reports)), make([]bool, 0, len(reports))
	for _, id := range slices.Sorted(maps.Keys(reports)) {
		doc, err := store.EncodeQuality(reports[id])
		if err != nil {
			return fmt.Errorf("postgres: quality of course %s: %w", id, err)
		}
		ids, docs, flags = append(ids, id), append(docs, string(doc)), append(flags, reports[id].Flagged)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		each(len(ids), func(lo, hi int) {
			if err == nil {
				_, err = tx.Exec(ctx, `UPDATE courses c SET quality = u.quality, flagged = u.flagged
					FROM unnest($1::text[], $2::text[], $3::boolean[]) AS u (id, quality, flagged)
					WHERE c.id = u.id AND c.source_id = $4 AND (c.quality <> u.quality OR c.flagged <> u.flagged)`,
					ids[lo:hi], docs[lo:hi], flags[lo:hi], sourceID)
			}
		})
		if err != nil {
			return fmt.Errorf("postgres: course quality of %s: %w", sourceID, err)
		}
		return nil
	})
}

// CourseHistory returns a page of a course's history, newest first.
func (s *Store) CourseHistory(ctx context.Context, id string, limit, offset int) ([]store.HistoryEntry, int, error) {
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM course_history WHERE course_id = $1`, id).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("postgres: history of %s: %w", id, err)
	}
	rows, _ := s.pool.Query(ctx, `SELECT run_id, at, kind, changes FROM course_history WHERE course_id = $1
		ORDER BY id DESC LIMIT $2 OFFSET $3`, id, limit, offset)
	out, err := collect(rows, func(row pgx.CollectableRow) (store.HistoryEntry, error) {
		e := store.HistoryEntry{CourseID: id}
		var kind string
		var changes []byte
		if err := row.Scan(&e.RunID, &e.At, &kind, &changes); err != nil {
			return e, err
		}
		e.Kind = store.HistoryKind(kind)
		return e, json.Unmarshal(changes, &e.Changes)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: history of %s: %w", id, err)
	}
	return out, total, nil
}

// CoursesByIdentifier looks value up among the identifiers ApplyCourses
// recorded.
func (s *Store) CoursesByIdentifier(ctx context.Context, value string, limit int) ([]string, error) {
	return s.ids(ctx, `SELECT course_id FROM course_identifiers WHERE value = $1 ORDER BY course_id LIMIT $2`, value, limit)
}

// CountCoursesByStatus counts all courses per status.
func (s *Store) CountCoursesByStatus(ctx context.Context) (map[store.CourseStatus]int, error) {
	var active, inactive int
	err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FILTER (WHERE NOT inactive), COUNT(*) FILTER (WHERE inactive) FROM courses`).
		Scan(&active, &inactive)
	if err != nil {
		return nil, fmt.Errorf("postgres: course counts by status: %w", err)
	}
	return map[store.CourseStatus]int{store.StatusActive: active, store.StatusInactive: inactive}, nil
}

func (s *Store) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, _ := s.pool.Query(ctx, query, args...)
	out, err := collect(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: course ids: %w", err)
	}
	return out, nil
}
