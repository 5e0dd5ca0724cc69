package sqlite

import (
	"context"
	"fmt"

	"qlink/internal/store"
)

// CountCoursesByStatus counts all courses per status.
func (s *Store) CountCoursesByStatus(ctx context.Context) (map[store.CourseStatus]int, error) {
	var active, inactive int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(inactive = 0), 0), COALESCE(SUM(inactive <> 0), 0) FROM courses`).Scan(&active, &inactive)
	if err != nil {
		return nil, fmt.Errorf("sqlite: course counts by status: %w", err)
	}
	return map[store.CourseStatus]int{store.StatusActive: active, store.StatusInactive: inactive}, nil
}
