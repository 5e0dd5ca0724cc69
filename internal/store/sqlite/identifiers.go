package sqlite

import (
	"context"
)

// CoursesByIdentifier looks value up among the identifiers ApplyCourses
// recorded.
func (s *Store) CoursesByIdentifier(ctx context.Context, value string, limit int) ([]string, error) {
	return s.ids(ctx, `SELECT course_id FROM course_identifiers WHERE value = ? ORDER BY course_id LIMIT ?`, value, limit)
}

// SetIdentifiers replaces what course_identifiers holds for a course (see
// migration 00012).
func (w *courseWriter) SetIdentifiers(ctx context.Context, id string, values []string) error {
	if err := w.exec(ctx, `DELETE FROM course_identifiers WHERE course_id = ?`, id); err != nil {
		return err
	}
	for _, v := range values {
		if err := w.exec(ctx, `INSERT OR IGNORE INTO course_identifiers (value, course_id) VALUES (?, ?)`, v, id); err != nil {
			return err
		}
	}
	return nil
}
