package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"qlink/internal/model"
	"qlink/internal/store"
)

func testAlliances(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b := provider("a"), provider("b")
	a.DEQAR = "DEQARINST0357"
	if err := s.UpsertProviders(ctx, []model.Provider{a, b}); err != nil {
		t.Fatal(err)
	}
	src := mustSource(t, s, "a", "main")
	s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", "One")}, true, t0, nil)
	markIndexed(t, s, "c1")

	eciu := model.Alliance{ID: "INT6006", Name: model.Text{"en": "ECIU University"},
		Members: []string{"deqar:DEQARINST0357", "schac:b.test", "deqar:DEQARINST9999"}}
	if err := s.SaveAlliances(ctx, "alliance.ttl", []model.Alliance{eciu}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Alliance(ctx, "INT6006")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Providers, []string{"a", "b"}) || !slices.Equal(got.Unmatched, []string{"deqar:DEQARINST9999"}) ||
		got.Origin != "alliance.ttl" || got.Name["en"] != "ECIU University" {
		t.Fatalf("alliance read back as %+v", got)
	}
	p, _ := s.Provider(ctx, "a")
	if !slices.Equal(p.Alliances, []string{"INT6006"}) {
		t.Errorf("provider a's alliances = %v, want INT6006", p.Alliances)
	}
	if b := backlogOf(t, s, src.ID); !slices.Equal(b, []string{"c1"}) {
		t.Errorf("a member's courses must be re-indexed with the alliance, backlog %v", b)
	}
	markIndexed(t, s, "c1")

	// A registry import that knows nothing of alliances keeps membership.
	if err := s.UpsertProviders(ctx, []model.Provider{a}); err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.ListProviders(ctx); !slices.Equal(ps[0].Alliances, []string{"INT6006"}) {
		t.Errorf("after a registry import, a's alliances = %v", ps[0].Alliances)
	}
	// Saving the same members again re-indexes nothing.
	s.SaveAlliances(ctx, "alliance.ttl", []model.Alliance{eciu})
	if b := backlogOf(t, s, src.ID); len(b) != 0 {
		t.Errorf("unchanged membership re-queued %v", b)
	}
	if err := s.DeleteAlliances(ctx, []string{"INT6006"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Alliance(ctx, "INT6006"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted alliance: %v", err)
	}
	if p, _ := s.Provider(ctx, "a"); len(p.Alliances) != 0 {
		t.Errorf("after deletion a's alliances = %v", p.Alliances)
	}
	if b := backlogOf(t, s, src.ID); !slices.Equal(b, []string{"c1"}) {
		t.Errorf("leaving an alliance must re-index, backlog %v", b)
	}
	if all, _ := s.ListAlliances(ctx); len(all) != 0 {
		t.Errorf("alliances left: %+v", all)
	}
}

func backlogOf(t *testing.T, s store.Store, sourceID string) []string {
	t.Helper()
	b, err := s.IndexBacklog(context.Background(), sourceID)
	if err != nil {
		t.Fatal(err)
	}
	return staleIDs(b)
}

// staleIDs lists the IDs of the backlog's stale courses.
func staleIDs(b store.IndexBacklog) []string {
	ids := make([]string, len(b.Stale))
	for i, c := range b.Stale {
		ids[i] = c.ID
	}
	return ids
}

// markIndexed marks the courses indexed in their current states, as a
// harvest does once the index took them.
func markIndexed(t *testing.T, s store.Store, ids ...string) {
	t.Helper()
	ctx := context.Background()
	courses, err := s.CoursesByID(ctx, ids)
	if err != nil || len(courses) != len(ids) {
		t.Fatalf("courses %v: %d read, %v", ids, len(courses), err)
	}
	states := make([]store.CourseState, len(courses))
	for i, c := range courses {
		states[i] = c.State()
	}
	if err := s.MarkIndexed(ctx, states); err != nil {
		t.Fatal(err)
	}
}
