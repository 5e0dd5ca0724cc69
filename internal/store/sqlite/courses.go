package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// ApplyCourses applies a source's specifications in one transaction (see
// store.ApplyBatch).
func (s *Store) ApplyCourses(ctx context.Context, sourceID string, runID int64, specs []model.Specification, complete bool, at time.Time,
	quality map[string]store.CourseQuality) (store.Change, error) {
	var ch store.Change
	at = at.UTC()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var providerID string
		var sourceSeen sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT provider_id, courses_seen_at FROM sources WHERE id = ?`, sourceID).Scan(&providerID, &sourceSeen)
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("source %s: %w", sourceID, store.ErrNotFound)
			}
			return fmt.Errorf("sqlite: source %s: %w", sourceID, err)
		}
		existing, err := loadExisting(ctx, tx, sourceID, specs, complete)
		if err != nil {
			return err
		}
		w := &courseWriter{tx: tx, sourceID: sourceID, providerID: providerID, runID: runID, at: at, sourceSeen: sourceSeen}
		ch, err = store.ApplyBatch(ctx, w, sourceID, providerID, existing, specs, complete, quality)
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		return nil
	})
	if err != nil {
		return store.Change{}, err
	}
	return ch, nil
}

// MarkSeen sets the last-seen time of a source's active courses: on the
// source (courses_seen_at), which course reads take when it is later
// than the course's own.
func (s *Store) MarkSeen(ctx context.Context, sourceID string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE sources SET courses_seen_at = ? WHERE id = ?`, at.UTC(), sourceID)
	if err != nil {
		return fmt.Errorf("sqlite: mark seen %s: %w", sourceID, err)
	}
	return nil
}

// loadExisting reads the stored state of any course in the batch,
// whichever source holds it, and for a complete run that of all the
// source's courses (those the run did not see become inactive).
func loadExisting(ctx context.Context, tx *sql.Tx, sourceID string, specs []model.Specification, complete bool) (map[string]store.StoredCourse, error) {
	out := map[string]store.StoredCourse{}
	scan := func(rows *sql.Rows, err error) error {
		if err != nil {
			return fmt.Errorf("sqlite: courses: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var c store.StoredCourse
			if err := rows.Scan(&id, &c.SourceID, &c.ProviderID, &c.Hash, &c.Inactive, &c.Retired); err != nil {
				return fmt.Errorf("sqlite: courses: %w", err)
			}
			out[id] = c
		}
		return rows.Err()
	}
	const columns = `SELECT c.id, c.source_id, c.provider_id, c.hash, c.inactive, s.active = 0
		FROM courses c JOIN sources s ON s.id = c.source_id`
	if complete {
		if err := scan(tx.QueryContext(ctx, columns+` WHERE c.source_id = ?`, sourceID)); err != nil {
			return nil, err
		}
	}
	ids := make([]string, len(specs))
	for i, sp := range specs {
		ids[i] = sp.ID
	}
	err := inChunks(ids, func(args []any, marks string) error {
		return scan(tx.QueryContext(ctx, columns+` WHERE c.id IN (`+marks+`)`, args...))
	})
	return out, err
}

// inChunks calls fn for successive chunks of ids, with the IDs as query
// arguments and as many comma-separated placeholders: SQLite caps the
// arguments of one statement.
func inChunks(ids []string, fn func(args []any, marks string) error) error {
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		if err := fn(args, "?"+strings.Repeat(",?", len(part)-1)); err != nil {
			return err
		}
	}
	return nil
}

// courseWriter is store.CourseWriter on one SQLite transaction; it writes
// at once.
type courseWriter struct {
	tx                   *sql.Tx
	sourceID, providerID string
	runID                int64
	at                   time.Time
	// sourceSeen is the source's courses_seen_at before this batch.
	sourceSeen sql.NullTime
	// stmts are the statements prepared in the transaction, by query (the
	// transaction's end closes them): a batch runs each once or more per
	// course, and a statement run without preparing is compiled anew every
	// time, a sixth of a first harvest's store writes.
	stmts map[string]*sql.Stmt
}

// exec runs query, prepared the first time.
func (w *courseWriter) exec(ctx context.Context, query string, args ...any) error {
	st, ok := w.stmts[query]
	if !ok {
		var err error
		if st, err = w.tx.PrepareContext(ctx, query); err != nil {
			return err
		}
		if w.stmts == nil {
			w.stmts = map[string]*sql.Stmt{}
		}
		w.stmts[query] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return err
}

func (w *courseWriter) StoredDocs(ctx context.Context, ids []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	err := inChunks(ids, func(args []any, marks string) error {
		rows, err := w.tx.QueryContext(ctx, `SELECT id, doc FROM courses WHERE id IN (`+marks+`)`, args...)
		if err != nil {
			return err
		}
		return eachRow(rows, func() error {
			var id string
			var doc []byte
			err := rows.Scan(&id, &doc)
			out[id] = doc
			return err
		})
	})
	return out, err
}

func (w *courseWriter) KeepCourse(ctx context.Context, id string) error {
	return w.exec(ctx, `UPDATE courses SET last_seen = ?, source_id = ? WHERE id = ?`, w.at, w.sourceID, id)
}

// WriteCourse passes a missing report as NULL, which keeps the stored one
// (or the columns' defaults).
func (w *courseWriter) WriteCourse(ctx context.Context, c store.CourseWrite) error {
	var quality, flagged any
	if c.Quality != nil {
		quality, flagged = string(c.Quality), c.Flagged
	}
	if c.New {
		return w.exec(ctx, `INSERT INTO courses (id, provider_id, source_id, doc, hash, first_seen, changed_at, last_seen, quality, flagged)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, ''), COALESCE(?, 0))`,
			c.ID, w.providerID, w.sourceID, string(c.Doc), c.Hash, w.at, w.at, w.at, quality, flagged)
	}
	return w.exec(ctx, `UPDATE courses SET provider_id = ?, source_id = ?, doc = ?, hash = ?, changed_at = ?,
		last_seen = ?, inactive = 0, quality = COALESCE(?, quality), flagged = COALESCE(?, flagged) WHERE id = ?`,
		w.providerID, w.sourceID, string(c.Doc), c.Hash, w.at, w.at, quality, flagged, c.ID)
}

// InactivateCourse also makes the course's last-seen time its own: the
// source's courses_seen_at stops applying to it.
func (w *courseWriter) InactivateCourse(ctx context.Context, id string) error {
	var seen time.Time
	if err := w.tx.QueryRowContext(ctx, `SELECT last_seen FROM courses WHERE id = ?`, id).Scan(&seen); err != nil {
		return err
	}
	if w.sourceSeen.Valid && w.sourceSeen.Time.After(seen) {
		seen = w.sourceSeen.Time
	}
	return w.exec(ctx, `UPDATE courses SET inactive = 1, changed_at = ?, last_seen = ? WHERE id = ?`, w.at, seen, id)
}

func (w *courseWriter) SourceSeen(ctx context.Context) error {
	_, err := w.tx.ExecContext(ctx, `UPDATE sources SET courses_seen_at = ? WHERE id = ?`, w.at, w.sourceID)
	return err
}

func (w *courseWriter) RecordHistory(ctx context.Context, id string, kind store.HistoryKind, changes []byte) error {
	return w.exec(ctx, `INSERT INTO course_history (course_id, run_id, at, kind, changes) VALUES (?, ?, ?, ?, ?)`,
		id, w.runID, w.at, string(kind), string(changes))
}

// selectCourses reads whole courses (scanCourse) from courses c, joined
// with their source s for its courses_seen_at.
const selectCourses = `SELECT c.id, c.provider_id, c.source_id, c.doc, c.hash, c.first_seen, c.changed_at,
	c.last_seen, s.courses_seen_at, c.inactive, c.quality, c.flagged FROM courses c LEFT JOIN sources s ON s.id = c.source_id`

// courseRow is a row of selectCourses as stored, the course's document
// not yet decoded.
type courseRow struct {
	id, providerID, sourceID, hash string
	doc, quality                   []byte
	firstSeen, changed, lastSeen   time.Time
	sourceSeen                     sql.NullTime
	inactive, flagged              bool
}

func scanRow(row interface{ Scan(...any) error }) (*courseRow, error) {
	r := &courseRow{}
	err := row.Scan(&r.id, &r.providerID, &r.sourceID, &r.doc, &r.hash, &r.firstSeen, &r.changed, &r.lastSeen,
		&r.sourceSeen, &r.inactive, &r.quality, &r.flagged)
	return r, err
}

// course decodes the row into a course of its own: rows are shared
// (rowcache.go), courses are not.
func (r *courseRow) course() (store.Course, error) {
	c := store.Course{ProviderID: r.providerID, SourceID: r.sourceID, Hash: r.hash,
		FirstSeen: r.firstSeen, Changed: r.changed, LastSeen: r.lastSeen, Inactive: r.inactive}
	if !c.Inactive && r.sourceSeen.Valid && r.sourceSeen.Time.After(c.LastSeen) {
		c.LastSeen = r.sourceSeen.Time
	}
	return c, store.DecodeCourse(&c, r.id, r.doc, r.quality, r.flagged)
}

// size is about the memory the row takes.
func (r *courseRow) size() int {
	return len(r.id) + len(r.providerID) + len(r.sourceID) + len(r.hash) + len(r.doc) + len(r.quality) + 200
}

func scanCourse(row interface{ Scan(...any) error }) (store.Course, error) {
	r, err := scanRow(row)
	if err != nil {
		return store.Course{}, err
	}
	return r.course()
}

// Course returns one course, active or inactive. It reads through the
// rows kept for CoursesByID: a course's page is mostly asked for from a
// search page that has just shown it.
func (s *Store) Course(ctx context.Context, id string) (store.Course, error) {
	cs, err := s.CoursesByID(ctx, []string{id})
	if err != nil {
		return store.Course{}, err
	}
	if len(cs) == 0 {
		return store.Course{}, fmt.Errorf("course %s: %w", id, store.ErrNotFound)
	}
	return cs[0], nil
}

// CoursesByID returns courses, active or inactive, in the order of ids.
// The rows of recent pages are kept until the database changes
// (rowcache.go).
func (s *Store) CoursesByID(ctx context.Context, ids []string) ([]store.Course, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	version := s.rows.version()
	byID := make(map[string]*courseRow, len(ids)) // nil: not kept, to read
	var missing []any
	for _, id := range ids {
		if _, seen := byID[id]; seen {
			continue
		}
		byID[id], _ = s.rows.get(version, id)
		if byID[id] == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		if err := s.readRows(ctx, missing, func(r *courseRow) {
			byID[r.id] = r
			s.rows.put(version, r)
		}); err != nil {
			return nil, fmt.Errorf("sqlite: courses: %w", err)
		}
	}
	out := make([]store.Course, 0, len(ids))
	for _, id := range ids {
		r := byID[id]
		if r == nil { // no such course
			continue
		}
		c, err := r.course()
		if err != nil {
			return nil, fmt.Errorf("sqlite: courses: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// readRows reads the rows of the courses ids.
func (s *Store) readRows(ctx context.Context, ids []any, fn func(*courseRow)) error {
	rows, err := s.db.QueryContext(ctx, selectCourses+` WHERE c.id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return err
		}
		fn(r)
	}
	return rows.Err()
}

// EachCourse streams the active courses of providers (all when nil) in ID
// order.
func (s *Store) EachCourse(ctx context.Context, providers []string, fn func(store.Course) error) error {
	where, args := ` WHERE c.inactive = 0`, []any{}
	if providers != nil {
		if len(providers) == 0 {
			return nil
		}
		where += ` AND c.provider_id IN (?` + strings.Repeat(",?", len(providers)-1) + `)`
		for _, p := range providers {
			args = append(args, p)
		}
	}
	rows, err := s.db.QueryContext(ctx, selectCourses+where+` ORDER BY c.id`, args...)
	if err != nil {
		return fmt.Errorf("sqlite: courses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCourse(rows)
		if err != nil {
			return fmt.Errorf("sqlite: courses: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CountCourses counts active courses per provider.
func (s *Store) CountCourses(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT provider_id, COUNT(*) FROM courses WHERE inactive = 0 GROUP BY provider_id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: course counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("sqlite: course counts: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// CourseIDs lists the courses of a source, or of all sources, with a
// status or any.
func (s *Store) CourseIDs(ctx context.Context, sourceID string, status store.CourseStatus) ([]string, error) {
	var where conditions
	if sourceID != "" {
		where.add("source_id = ?", sourceID)
	}
	switch status {
	case store.StatusActive:
		where.add("inactive = 0")
	case store.StatusInactive:
		where.add("inactive = 1")
	case "":
	default:
		return nil, fmt.Errorf("sqlite: unknown course status %q", status)
	}
	return s.ids(ctx, `SELECT id FROM courses WHERE `+where.clause()+` ORDER BY id`, where.args...)
}

// indexedState is what indexed_hash holds once the index has a course's
// current state: its hash, marked when the document says inactive and
// when it is flagged for quality. The partial index courses_index_backlog
// uses the same expression.
const indexedState = `(CASE WHEN inactive = 1 THEN 'inactive:' || hash ELSE hash END)
	|| (CASE WHEN flagged = 1 THEN ':flagged' ELSE '' END)`

// IndexBacklog lists the courses whose indexed state lags their content
// or status.
func (s *Store) IndexBacklog(ctx context.Context, sourceID string) (store.IndexBacklog, error) {
	const columns = `SELECT id, hash, inactive, flagged FROM courses `
	var rows *sql.Rows
	var err error
	// One query per case: SQLite uses the partial index only for a plain
	// source_id term (see conditions). Without one it would rather scan
	// the whole table in id order (about 8 s of CPU at a million
	// courses, at every start-up), so the query names the index: it holds
	// only the backlog, usually nothing.
	if sourceID == "" {
		rows, err = s.db.QueryContext(ctx, columns+`INDEXED BY courses_index_backlog WHERE indexed_hash != `+indexedState+` ORDER BY id`)
	} else {
		rows, err = s.db.QueryContext(ctx, columns+`WHERE source_id = ? AND indexed_hash != `+indexedState+` ORDER BY id`, sourceID)
	}
	if err != nil {
		return store.IndexBacklog{}, fmt.Errorf("sqlite: index backlog: %w", err)
	}
	var b store.IndexBacklog
	err = eachRow(rows, func() error {
		var c store.CourseState
		err := rows.Scan(&c.ID, &c.Hash, &c.Inactive, &c.Flagged)
		b.Stale = append(b.Stale, c)
		return err
	})
	if err != nil {
		return store.IndexBacklog{}, fmt.Errorf("sqlite: index backlog: %w", err)
	}
	return b, nil
}

// MarkIndexed records the index's state of the courses, where it is
// still their current one.
func (s *Store) MarkIndexed(ctx context.Context, courses []store.CourseState) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE courses SET indexed_hash = `+indexedState+`
			WHERE id = ? AND hash = ? AND inactive = ? AND flagged = ?`)
		if err != nil {
			return fmt.Errorf("sqlite: mark indexed: %w", err)
		}
		defer stmt.Close()
		for _, c := range courses {
			if _, err := stmt.ExecContext(ctx, c.ID, c.Hash, c.Inactive, c.Flagged); err != nil {
				return fmt.Errorf("sqlite: mark indexed %s: %w", c.ID, err)
			}
		}
		return nil
	})
}

// SetCourseQuality stores the quality reports of a source's courses.
func (s *Store) SetCourseQuality(ctx context.Context, sourceID string, reports map[string]store.CourseQuality) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// A report unchanged since the last run is not written again.
		stmt, err := tx.PrepareContext(ctx, `UPDATE courses SET quality = ?1, flagged = ?2
			WHERE id = ?3 AND source_id = ?4 AND (quality != ?1 OR flagged != ?2)`)
		if err != nil {
			return fmt.Errorf("sqlite: course quality: %w", err)
		}
		defer stmt.Close()
		for id, q := range reports {
			doc, err := store.EncodeQuality(q)
			if err != nil {
				return fmt.Errorf("sqlite: quality of course %s: %w", id, err)
			}
			if _, err := stmt.ExecContext(ctx, string(doc), q.Flagged, id, sourceID); err != nil {
				return fmt.Errorf("sqlite: quality of course %s: %w", id, err)
			}
		}
		return nil
	})
}

// CourseHistory returns a page of a course's history, newest first.
func (s *Store) CourseHistory(ctx context.Context, id string, limit, offset int) ([]store.HistoryEntry, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM course_history WHERE course_id = ?`, id).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("sqlite: history of %s: %w", id, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT run_id, at, kind, changes FROM course_history WHERE course_id = ?
		ORDER BY id DESC LIMIT ? OFFSET ?`, id, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: history of %s: %w", id, err)
	}
	defer rows.Close()
	var out []store.HistoryEntry
	for rows.Next() {
		e := store.HistoryEntry{CourseID: id}
		var kind, changes string
		if err := rows.Scan(&e.RunID, &e.At, &kind, &changes); err != nil {
			return nil, 0, fmt.Errorf("sqlite: history of %s: %w", id, err)
		}
		e.Kind = store.HistoryKind(kind)
		if err := json.Unmarshal([]byte(changes), &e.Changes); err != nil {
			return nil, 0, fmt.Errorf("sqlite: history of %s: changes: %w", id, err)
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

func (s *Store) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: course ids: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: course ids: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
