package sqlite

import (
	"context"

	"qlink/internal/model"
)

// CoursesByIdentifier looks value up among the identifiers ApplyCourses
// recorded.
func (s *Store) CoursesByIdentifier(ctx context.Context, value string, limit int) ([]string, error) {
	return s.ids(ctx, `SELECT course_id FROM course_identifiers WHERE value = ? ORDER BY course_id LIMIT ?`, value, limit)
}

// saveIdentifiers replaces what course_identifiers holds for a course by
// the identifiers of its new document (see migration 00012).
func (a *applier) saveIdentifiers(ctx context.Context, spec *model.Specification) error {
	if _, err := a.tx.ExecContext(ctx, `DELETE FROM course_identifiers WHERE course_id = ?`, spec.ID); err != nil {
		return err
	}
	for _, v := range otherIdentifiers(spec) {
		if _, err := a.tx.ExecContext(ctx, `INSERT OR IGNORE INTO course_identifiers (value, course_id) VALUES (?, ?)`, v, spec.ID); err != nil {
			return err
		}
	}
	return nil
}

// otherIdentifiers lists the values a course can be found by besides its
// ID: its identifiers' values and its offerings' IDs.
func otherIdentifiers(spec *model.Specification) []string {
	var vs []string
	add := func(v string) {
		if v != "" && v != spec.ID {
			vs = append(vs, v)
		}
	}
	for _, id := range spec.Identifiers {
		add(id.Value)
	}
	for _, in := range spec.Instances {
		add(in.ID)
	}
	return vs
}
