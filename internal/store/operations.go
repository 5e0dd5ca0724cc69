package store

import "context"

// Operations answers the operator's monitoring: whether the database is
// usable with this code, and how much it holds.
type Operations interface {
	// Pending reports how many migrations have not been applied; it reads
	// the database, so an error also says the database is unreachable. A
	// database a newer qlink migrated gives an error wrapping
	// migration.ErrSchemaAhead.
	Pending(ctx context.Context) (int, error)
	// CountCoursesByStatus counts all courses per status (active and
	// inactive); a status without courses counts 0.
	CountCoursesByStatus(ctx context.Context) (map[CourseStatus]int, error)
}
