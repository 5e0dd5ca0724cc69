package sqlite

import (
	"context"
	"slices"
	"testing"
)

// TestMigrateFillsCourseIdentifiers: courses stored before migration 00012
// are found by their identifiers and their offerings' IDs after it.
func TestMigrateFillsCourseIdentifiers(t *testing.T) {
	ctx := context.Background()
	s := fresh(t)
	p, err := s.migrator()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 11); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`INSERT INTO providers (id, doc, updated_at) VALUES ('a', '{"id":"a"}', '2026-01-01')`,
		`INSERT INTO sources (id, provider_id, key, type, url, manifest_version, created_at, updated_at)
			VALUES ('s', 'a', 'k', 'ooapi', 'https://a.test/', 1, '2026-01-01', '2026-01-01')`,
		`INSERT INTO courses (id, provider_id, source_id, doc, hash, first_seen, changed_at, last_seen, inactive)
			VALUES ('urn:c1', 'a', 's', '{"id":"urn:c1","identifiers":[{"scheme":"ooapi:courseId","value":"uuid-1"},
			{"scheme":"iri","value":"urn:c1"},{"scheme":"x","value":""}],"instances":[{"id":"urn:c1:offering:1"}]}',
			'h', '2026-01-01', '2026-01-01', '2026-01-01', 1)`,
		`INSERT INTO courses (id, provider_id, source_id, doc, hash, first_seen, changed_at, last_seen)
			VALUES ('urn:c2', 'a', 's', '{"id":"urn:c2"}', 'h', '2026-01-01', '2026-01-01', '2026-01-01')`,
	} {
		if _, err := s.w.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for value, want := range map[string][]string{"uuid-1": {"urn:c1"}, "urn:c1:offering:1": {"urn:c1"}, "urn:c1": nil, "": nil} {
		if got, err := s.CoursesByIdentifier(ctx, value, 10); err != nil || !slices.Equal(got, want) {
			t.Errorf("CoursesByIdentifier(%q) = %v, %v; want %v", value, got, err, want)
		}
	}
}
