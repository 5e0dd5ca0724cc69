package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// testCourseIdentifiers: a course is found by its identifiers' values and
// its offerings' IDs, inactive too; a changed course is found by its new
// identifiers only; a code two institutions share finds both.
func testCourseIdentifiers(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a", "b")
	srcA, srcB := mustSource(t, s, "a", "main"), mustSource(t, s, "b", "main")
	c1 := spec("c1", "One")
	c1.Identifiers = []model.Identifier{{Scheme: "ooapi:courseId", Value: "uuid-1"}, {Scheme: "code", Value: "CS101"}, {Scheme: "iri", Value: "c1"}}
	c1.Instances = []model.Instance{{ID: "c1:offering:2026"}}
	c2 := spec("c2", "Two")
	c2.Identifiers = []model.Identifier{{Scheme: "code", Value: "CS101"}}
	if _, err := s.ApplyCourses(ctx, srcA.ID, 0, []model.Specification{c1}, true, t0, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyCourses(ctx, srcB.ID, 0, []model.Specification{c2}, true, t0, nil); err != nil {
		t.Fatal(err)
	}
	find := func(value string, limit int, want ...string) {
		t.Helper()
		got, err := s.CoursesByIdentifier(ctx, value, limit)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("CoursesByIdentifier(%q, %d) = %v, %v; want %v", value, limit, got, err, want)
		}
	}
	find("uuid-1", 10, "c1")
	find("c1:offering:2026", 10, "c1")
	find("CS101", 10, "c1", "c2")
	find("CS101", 1, "c1")
	find("c1", 10) // its own ID is no other identifier
	find("nothing", 10)

	// A new document replaces the identifiers; an inactive course keeps them.
	c1.Identifiers = []model.Identifier{{Scheme: "ooapi:courseId", Value: "uuid-1b"}}
	if _, err := s.ApplyCourses(ctx, srcA.ID, 0, []model.Specification{c1}, true, t0.Add(time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	find("uuid-1", 10)
	find("uuid-1b", 10, "c1")
	if _, err := s.ApplyCourses(ctx, srcB.ID, 0, nil, true, t0.Add(2*time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Course(ctx, "c2"); err != nil || !c.Inactive {
		t.Fatalf("c2 should be inactive: %+v, %v", c, err)
	}
	find("CS101", 10, "c2")
}
