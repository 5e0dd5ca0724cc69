package sqlite

import (
	"context"
	"fmt"

	"qlink/internal/store"
)

const countByStatus = `SELECT (SELECT COUNT(*) FROM courses), (SELECT COUNT(*) FROM courses WHERE inactive = 0)`

// CountCoursesByStatus counts all courses per status. Both counts come
// from indexes (all courses from courses_source, the active ones from the
// partial index courses_provider): inactive is stored after the course's
// document, so reading it from the table reads every document, some 6 GB
// and 12 s of CPU at a million courses, for every scrape of /metrics
// after a write. One statement, so both counts see the same snapshot.
func (s *Store) CountCoursesByStatus(ctx context.Context) (map[store.CourseStatus]int, error) {
	var all, active int
	err := s.db.QueryRowContext(ctx, countByStatus).Scan(&all, &active)
	if err != nil {
		return nil, fmt.Errorf("sqlite: course counts by status: %w", err)
	}
	return map[store.CourseStatus]int{store.StatusActive: active, store.StatusInactive: all - active}, nil
}
