package store

import (
	"context"
	"errors"
)

// ErrSchemaAhead reports a database migrated by a newer qlink: this
// binary does not know its newest tables, so it must not write to it.
var ErrSchemaAhead = errors.New("store: the database schema is newer than this qlink")

// Operations answers the operator's monitoring: whether the database is
// usable with this code, and how much it holds.
type Operations interface {
	// Pending reports how many migrations have not been applied; it reads
	// the database, so an error also says the database is unreachable. A
	// database a newer qlink migrated gives an error wrapping
	// ErrSchemaAhead.
	Pending(ctx context.Context) (int, error)
	// CountCoursesByStatus counts all courses per status (active and
	// inactive); a status without courses counts 0.
	CountCoursesByStatus(ctx context.Context) (map[CourseStatus]int, error)
}
