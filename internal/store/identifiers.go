package store

import "context"

// CourseIdentifiers finds courses by the other identifiers they carry, so
// that an identifier a source gave a course (an OOAPI or Edu-API id, a
// code, the IRI of an ELM file's node, an offering's IRI) resolves to the
// course's canonical ID.
type CourseIdentifiers interface {
	// CoursesByIdentifier returns the IDs of at most limit courses, active
	// or inactive, that carry value, ordered by ID: as the value of one of
	// their identifiers (any scheme) or as the ID of one of their
	// offerings. A course's own ID is not looked up here: Course finds it.
	// Several institutions may use the same local code, so there may be
	// more than one.
	CoursesByIdentifier(ctx context.Context, value string, limit int) ([]string, error)
}
