package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

type storedCourse struct {
	sourceID string
	hash     string
	removed  bool
}

// ApplyCourses upserts a source's specifications in one transaction and,
// for a complete run, marks the source's vanished courses removed.
func (s *Store) ApplyCourses(ctx context.Context, sourceID string, specs []model.Specification, complete bool, at time.Time) (store.Change, error) {
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
		seen := map[string]bool{}
		for i := range specs {
			spec := &specs[i]
			if seen[spec.ID] {
				continue // the harvest reports duplicates; keep the first
			}
			seen[spec.ID] = true
			if err := applyOne(ctx, tx, sourceID, providerID, spec, existing, at, &ch); err != nil {
				return err
			}
		}
		if complete {
			return removeMissing(ctx, tx, sourceID, seen, at, &ch)
		}
		return nil
	})
	if err != nil {
		return store.Change{}, err
	}
	return ch, nil
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
			if err := rows.Scan(&id, &c.sourceID, &c.hash, &c.removed); err != nil {
				return fmt.Errorf("sqlite: courses: %w", err)
			}
			out[id] = c
		}
		return rows.Err()
	}
	if err := scan(tx.QueryContext(ctx, `SELECT id, source_id, hash, removed FROM courses WHERE source_id = ?`, sourceID)); err != nil {
		return nil, err
	}
	const chunk = 500
	for start := 0; start < len(specs); start += chunk {
		end := min(start+chunk, len(specs))
		args := make([]any, 0, end-start)
		for _, sp := range specs[start:end] {
			args = append(args, sp.ID)
		}
		q := `SELECT id, source_id, hash, removed FROM courses WHERE id IN (?` + strings.Repeat(",?", len(args)-1) + `)`
		if err := scan(tx.QueryContext(ctx, q, args...)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func applyOne(ctx context.Context, tx *sql.Tx, sourceID, providerID string, spec *model.Specification,
	existing map[string]storedCourse, at time.Time, ch *store.Change) error {
	doc, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("sqlite: course %s: %w", spec.ID, err)
	}
	hash := digest(doc)
	old, found := existing[spec.ID]
	switch {
	case found && old.sourceID != sourceID && !old.removed:
		ch.Conflicts = append(ch.Conflicts, spec.ID)
		return nil
	case found && old.sourceID == sourceID && !old.removed && old.hash == hash:
		ch.Unchanged = append(ch.Unchanged, spec.ID)
		_, err = tx.ExecContext(ctx, `UPDATE courses SET last_seen = ? WHERE id = ?`, at, spec.ID)
	case found:
		if old.removed {
			ch.Added = append(ch.Added, spec.ID)
		} else {
			ch.Updated = append(ch.Updated, spec.ID)
		}
		_, err = tx.ExecContext(ctx, `UPDATE courses SET provider_id = ?, source_id = ?, doc = ?, hash = ?, changed_at = ?,
			last_seen = ?, removed = 0 WHERE id = ?`, providerID, sourceID, string(doc), hash, at, at, spec.ID)
	default:
		ch.Added = append(ch.Added, spec.ID)
		_, err = tx.ExecContext(ctx, `INSERT INTO courses (id, provider_id, source_id, doc, hash, first_seen, changed_at, last_seen)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, spec.ID, providerID, sourceID, string(doc), hash, at, at, at)
	}
	if err != nil {
		return fmt.Errorf("sqlite: course %s: %w", spec.ID, err)
	}
	return nil
}

func removeMissing(ctx context.Context, tx *sql.Tx, sourceID string, seen map[string]bool, at time.Time, ch *store.Change) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM courses WHERE source_id = ? AND removed = 0`, sourceID)
	if err != nil {
		return fmt.Errorf("sqlite: courses of %s: %w", sourceID, err)
	}
	var gone []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: courses of %s: %w", sourceID, err)
		}
		if !seen[id] {
			gone = append(gone, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: courses of %s: %w", sourceID, err)
	}
	for _, id := range gone {
		if _, err := tx.ExecContext(ctx, `UPDATE courses SET removed = 1, changed_at = ? WHERE id = ?`, at, id); err != nil {
			return fmt.Errorf("sqlite: course %s: %w", id, err)
		}
	}
	ch.Removed = gone
	return nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

const courseColumns = `id, provider_id, source_id, doc, hash, indexed_hash, first_seen, changed_at, last_seen, removed`

func scanCourse(row interface{ Scan(...any) error }) (store.Course, error) {
	var c store.Course
	var id, doc string
	if err := row.Scan(&id, &c.ProviderID, &c.SourceID, &doc, &c.Hash, &c.IndexedHash, &c.FirstSeen, &c.Changed, &c.LastSeen,
		&c.Removed); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(doc), &c.Spec); err != nil {
		return c, fmt.Errorf("course %s document: %w", id, err)
	}
	return c, nil
}

// Course returns one course, removed or not.
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

// CoursesByID returns live courses in the order of ids.
func (s *Store) CoursesByID(ctx context.Context, ids []string) ([]store.Course, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+courseColumns+` FROM courses WHERE removed = 0 AND id IN (?`+
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

// EachCourse streams every live course in ID order.
func (s *Store) EachCourse(ctx context.Context, fn func(store.Course) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+courseColumns+` FROM courses WHERE removed = 0 ORDER BY id`)
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

// CountCourses counts live courses per provider.
func (s *Store) CountCourses(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT provider_id, COUNT(*) FROM courses WHERE removed = 0 GROUP BY provider_id`)
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

// LiveCourseIDs lists the live courses of a source, or of all sources.
func (s *Store) LiveCourseIDs(ctx context.Context, sourceID string) ([]string, error) {
	return s.ids(ctx, `SELECT id FROM courses WHERE removed = 0 AND (?1 = '' OR source_id = ?1) ORDER BY id`, sourceID)
}

// IndexBacklog lists the courses whose indexed state lags their content.
func (s *Store) IndexBacklog(ctx context.Context, sourceID string) (store.IndexBacklog, error) {
	var b store.IndexBacklog
	var err error
	const ofSource = ` AND (?1 = '' OR source_id = ?1) ORDER BY id`
	if b.Stale, err = s.ids(ctx, `SELECT id FROM courses WHERE removed = 0 AND indexed_hash != hash`+ofSource, sourceID); err != nil {
		return b, err
	}
	b.Gone, err = s.ids(ctx, `SELECT id FROM courses WHERE removed = 1 AND indexed_hash != ''`+ofSource, sourceID)
	return b, err
}

// MarkIndexed records the index's new state of the courses: their hash
// when live, nothing when removed.
func (s *Store) MarkIndexed(ctx context.Context, ids []string) error {
	const chunk = 500
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(ids); start += chunk {
			part := ids[start:min(start+chunk, len(ids))]
			args := make([]any, len(part))
			for i, id := range part {
				args[i] = id
			}
			_, err := tx.ExecContext(ctx, `UPDATE courses SET indexed_hash = CASE WHEN removed = 1 THEN '' ELSE hash END
				WHERE id IN (?`+strings.Repeat(",?", len(part)-1)+`)`, args...)
			if err != nil {
				return fmt.Errorf("sqlite: mark indexed: %w", err)
			}
		}
		return nil
	})
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
