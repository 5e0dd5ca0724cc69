package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

type storedCourse struct {
	sourceID, providerID string
	hash                 string
	inactive             bool
	// retired: the source holding it is no longer in its manifest.
	retired bool
}

// takesOver reports whether a course held by another source passes to
// this provider's source: its holder was retired from the same
// provider's manifest (a source renamed there keeps its courses).
func (c storedCourse) takesOver(providerID string) bool {
	return c.retired && c.providerID == providerID
}

// ApplyCourses upserts a source's specifications in one transaction,
// recording each change in the course's history, and, for a complete run,
// makes the source's vanished courses inactive.
func (s *Store) ApplyCourses(ctx context.Context, sourceID string, runID int64, specs []model.Specification, complete bool, at time.Time) (store.Change, error) {
	var ch store.Change
	at = at.UTC()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var providerID string
		if err := tx.QueryRowContext(ctx, `SELECT provider_id FROM sources WHERE id = ?`, sourceID).Scan(&providerID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("source %s: %w", sourceID, store.ErrNotFound)
			}
			return fmt.Errorf("sqlite: source %s: %w", sourceID, err)
		}
		existing, err := loadExisting(ctx, tx, sourceID, specs)
		if err != nil {
			return err
		}
		ap := applier{tx: tx, sourceID: sourceID, providerID: providerID, runID: runID, at: at, existing: existing, ch: &ch}
		seen := map[string]bool{}
		for i := range specs {
			spec := &specs[i]
			if seen[spec.ID] {
				continue // the harvest reports duplicates; keep the first
			}
			seen[spec.ID] = true
			if err := ap.one(ctx, spec); err != nil {
				return err
			}
		}
		if complete {
			return ap.inactivateMissing(ctx, seen)
		}
		return nil
	})
	if err != nil {
		return store.Change{}, err
	}
	return ch, nil
}

// MarkSeen sets the last-seen time of a source's active courses.
func (s *Store) MarkSeen(ctx context.Context, sourceID string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE courses SET last_seen = ? WHERE source_id = ? AND inactive = 0`, at.UTC(), sourceID)
	if err != nil {
		return fmt.Errorf("sqlite: mark seen %s: %w", sourceID, err)
	}
	return nil
}

// loadExisting reads the stored state of the source's courses and of any
// course in the batch, whichever source holds it.
func loadExisting(ctx context.Context, tx *sql.Tx, sourceID string, specs []model.Specification) (map[string]storedCourse, error) {
	out := map[string]storedCourse{}
	scan := func(rows *sql.Rows, err error) error {
		if err != nil {
			return fmt.Errorf("sqlite: courses: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var c storedCourse
			if err := rows.Scan(&id, &c.sourceID, &c.providerID, &c.hash, &c.inactive, &c.retired); err != nil {
				return fmt.Errorf("sqlite: courses: %w", err)
			}
			out[id] = c
		}
		return rows.Err()
	}
	const columns = `SELECT c.id, c.source_id, c.provider_id, c.hash, c.inactive, s.active = 0
		FROM courses c JOIN sources s ON s.id = c.source_id`
	if err := scan(tx.QueryContext(ctx, columns+` WHERE c.source_id = ?`, sourceID)); err != nil {
		return nil, err
	}
	const chunk = 500
	for start := 0; start < len(specs); start += chunk {
		end := min(start+chunk, len(specs))
		args := make([]any, 0, end-start)
		for _, sp := range specs[start:end] {
			args = append(args, sp.ID)
		}
		q := columns + ` WHERE c.id IN (?` + strings.Repeat(",?", len(args)-1) + `)`
		if err := scan(tx.QueryContext(ctx, q, args...)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// applier applies one batch of a source inside its transaction.
type applier struct {
	tx                   *sql.Tx
	sourceID, providerID string
	runID                int64
	at                   time.Time
	existing             map[string]storedCourse
	ch                   *store.Change
}

func (a *applier) one(ctx context.Context, spec *model.Specification) error {
	doc, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("sqlite: course %s: %w", spec.ID, err)
	}
	hash := digest(doc)
	old, found := a.existing[spec.ID]
	switch {
	case found && old.sourceID != a.sourceID && !old.inactive && !old.takesOver(a.providerID):
		a.ch.Conflicts = append(a.ch.Conflicts, spec.ID)
		return nil
	case found && !old.inactive && old.hash == hash:
		a.ch.Unchanged = append(a.ch.Unchanged, spec.ID)
		_, err = a.tx.ExecContext(ctx, `UPDATE courses SET last_seen = ?, source_id = ? WHERE id = ?`, a.at, a.sourceID, spec.ID)
	case found:
		kind := store.HistoryChanged
		if old.inactive {
			kind = store.HistoryReactivated
			a.ch.Added = append(a.ch.Added, spec.ID)
		} else {
			a.ch.Updated = append(a.ch.Updated, spec.ID)
		}
		changes, derr := a.diff(ctx, spec.ID, doc)
		if derr != nil {
			return derr
		}
		if _, err = a.tx.ExecContext(ctx, `UPDATE courses SET provider_id = ?, source_id = ?, doc = ?, hash = ?, changed_at = ?,
			last_seen = ?, inactive = 0 WHERE id = ?`, a.providerID, a.sourceID, string(doc), hash, a.at, a.at, spec.ID); err == nil {
			err = a.record(ctx, spec.ID, kind, changes)
		}
		if err == nil {
			err = a.saveIdentifiers(ctx, spec)
		}
	default:
		a.ch.Added = append(a.ch.Added, spec.ID)
		if _, err = a.tx.ExecContext(ctx, `INSERT INTO courses (id, provider_id, source_id, doc, hash, first_seen, changed_at, last_seen)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, spec.ID, a.providerID, a.sourceID, string(doc), hash, a.at, a.at, a.at); err == nil {
			err = a.record(ctx, spec.ID, store.HistoryAdded, nil)
		}
		if err == nil {
			err = a.saveIdentifiers(ctx, spec)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlite: course %s: %w", spec.ID, err)
	}
	return nil
}

// diff compares a course's stored document with its new one. The stored
// one is read only here, for the few courses that changed.
func (a *applier) diff(ctx context.Context, id string, doc []byte) ([]store.FieldChange, error) {
	var old string
	if err := a.tx.QueryRowContext(ctx, `SELECT doc FROM courses WHERE id = ?`, id).Scan(&old); err != nil {
		return nil, fmt.Errorf("sqlite: course %s: %w", id, err)
	}
	changes, err := store.DiffSpecs([]byte(old), doc)
	if err != nil {
		return nil, fmt.Errorf("sqlite: course %s: %w", id, err)
	}
	return changes, nil
}

// record adds a history entry for a course.
func (a *applier) record(ctx context.Context, id string, kind store.HistoryKind, changes []store.FieldChange) error {
	if changes == nil {
		changes = []store.FieldChange{}
	}
	js, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	_, err = a.tx.ExecContext(ctx, `INSERT INTO course_history (course_id, run_id, at, kind, changes) VALUES (?, ?, ?, ?, ?)`,
		id, a.runID, a.at, string(kind), string(js))
	return err
}

// inactivateMissing makes the source's active courses the run did not
// see inactive; their last_seen stays the last time a run saw them.
func (a *applier) inactivateMissing(ctx context.Context, seen map[string]bool) error {
	var gone []string
	for id, c := range a.existing {
		if c.sourceID == a.sourceID && !c.inactive && !seen[id] {
			gone = append(gone, id)
		}
	}
	slices.Sort(gone)
	for _, id := range gone {
		_, err := a.tx.ExecContext(ctx, `UPDATE courses SET inactive = 1, changed_at = ? WHERE id = ?`, a.at, id)
		if err == nil {
			err = a.record(ctx, id, store.HistoryInactive, nil)
		}
		if err != nil {
			return fmt.Errorf("sqlite: course %s: %w", id, err)
		}
	}
	a.ch.Removed = gone
	return nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

const courseColumns = `id, provider_id, source_id, doc, hash, indexed_hash, first_seen, changed_at, last_seen, inactive, quality, flagged`

func scanCourse(row interface{ Scan(...any) error }) (store.Course, error) {
	var c store.Course
	var id, doc, quality string
	var flagged bool
	if err := row.Scan(&id, &c.ProviderID, &c.SourceID, &doc, &c.Hash, &c.IndexedHash, &c.FirstSeen, &c.Changed, &c.LastSeen,
		&c.Inactive, &quality, &flagged); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(doc), &c.Spec); err != nil {
		return c, fmt.Errorf("course %s document: %w", id, err)
	}
	if quality != "" {
		c.Quality = &store.CourseQuality{}
		if err := json.Unmarshal([]byte(quality), c.Quality); err != nil {
			return c, fmt.Errorf("course %s quality report: %w", id, err)
		}
		c.Quality.Flagged = flagged
	}
	return c, nil
}

// Course returns one course, active or inactive.
func (s *Store) Course(ctx context.Context, id string) (store.Course, error) {
	c, err := scanCourse(s.db.QueryRowContext(ctx, `SELECT `+courseColumns+` FROM courses WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("course %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("sqlite: course %s: %w", id, err)
	}
	return c, nil
}

// CoursesByID returns courses, active or inactive, in the order of ids.
func (s *Store) CoursesByID(ctx context.Context, ids []string) ([]store.Course, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+courseColumns+` FROM courses WHERE id IN (?`+
		strings.Repeat(",?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: courses: %w", err)
	}
	defer rows.Close()
	byID := map[string]store.Course{}
	for rows.Next() {
		c, err := scanCourse(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: courses: %w", err)
		}
		byID[c.Spec.ID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: courses: %w", err)
	}
	out := make([]store.Course, 0, len(ids))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// EachCourse streams every active course in ID order.
func (s *Store) EachCourse(ctx context.Context, fn func(store.Course) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+courseColumns+` FROM courses WHERE inactive = 0 ORDER BY id`)
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
	var b store.IndexBacklog
	var err error
	// One query per case: SQLite uses the partial index only for a plain
	// source_id term (see conditions).
	if sourceID == "" {
		b.Stale, err = s.ids(ctx, `SELECT id FROM courses WHERE indexed_hash != `+indexedState+` ORDER BY id`)
	} else {
		b.Stale, err = s.ids(ctx, `SELECT id FROM courses WHERE source_id = ? AND indexed_hash != `+indexedState+
			` ORDER BY id`, sourceID)
	}
	return b, err
}

// MarkIndexed records the index's new state of the courses.
func (s *Store) MarkIndexed(ctx context.Context, ids []string) error {
	const chunk = 500
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(ids); start += chunk {
			part := ids[start:min(start+chunk, len(ids))]
			args := make([]any, len(part))
			for i, id := range part {
				args[i] = id
			}
			_, err := tx.ExecContext(ctx, `UPDATE courses SET indexed_hash = `+indexedState+`
				WHERE id IN (?`+strings.Repeat(",?", len(part)-1)+`)`, args...)
			if err != nil {
				return fmt.Errorf("sqlite: mark indexed: %w", err)
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
			if q.Violations == nil {
				q.Violations = []store.QualityFinding{}
			}
			doc, err := json.Marshal(q)
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
