package storetest

import (
	"context"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// VersionStep is one write of the store.Versioned contract and whether it
// must move the content's version.
type VersionStep struct {
	Name  string
	Moves bool
	Write func() error
}

// VersionSteps are the writes both engines' version tests make, in order,
// on s, whose source src belongs to provider: what the catalogue shows
// (a course, its last sight, a provider, another process's course, which
// open gives a second store on the same database for) moves the version;
// the index's bookkeeping, the source's schedule and nothing do not.
func VersionSteps(s store.Store, provider model.Provider, src store.Source, open func() (store.Store, error)) []VersionStep {
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	course := func(title string) []model.Specification {
		return []model.Specification{{ID: "c1", Title: model.Text{"en": title}, Active: true, PublisherID: provider.ID}}
	}
	return []VersionStep{
		{"a course written", true, func() error {
			_, err := s.ApplyCourses(ctx, src.ID, 0, course("One"), true, at, nil)
			return err
		}},
		{"the courses seen unchanged", true, func() error { return s.MarkSeen(ctx, src.ID, at.Add(time.Hour)) }},
		{"the index's bookkeeping", false, func() error {
			c, err := s.Course(ctx, "c1")
			if err != nil {
				return err
			}
			return s.MarkIndexed(ctx, []store.CourseState{c.State()})
		}},
		{"the source's next run", false, func() error { return s.SetNextRun(ctx, src.ID, at.Add(2*time.Hour)) }},
		{"a provider renamed", true, func() error {
			renamed := provider
			renamed.Name = model.Text{"en": provider.Name.String() + " renamed"}
			return s.UpsertProviders(ctx, []model.Provider{renamed})
		}},
		{"another process's course", true, func() error {
			other, err := open()
			if err != nil {
				return err
			}
			defer other.Close()
			_, err = other.ApplyCourses(ctx, src.ID, 0, course("Two"), true, at.Add(3*time.Hour), nil)
			return err
		}},
		{"nothing", false, func() error { return nil }},
	}
}
