package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// pageSize is the courses in a harvested page of the benchmarks.
const pageSize = 100

// Benchmark measures the store's hot paths on the engine open gives: a
// harvested page of courses applied (all new, all changed, all unchanged)
// and courses read by ID, one (a course page) and 20 (a page of search
// results), among 1,000 stored.
func Benchmark(b *testing.B, open func(testing.TB) store.Store) {
	ctx := context.Background()
	setup := func(b *testing.B) (store.Store, store.Source) {
		s := open(b)
		mustProviders(b, s, "uni")
		return s, mustSource(b, s, "uni", "main")
	}
	apply := func(b *testing.B, s store.Store, src store.Source, page []model.Specification, at time.Time) store.Change {
		ch, err := s.ApplyCourses(ctx, src.ID, 1, page, false, at, nil)
		if err != nil {
			b.Fatal(err)
		}
		return ch
	}
	perCourse := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*pageSize), "µs/course")
	}
	b.Run("apply page of 100 new", func(b *testing.B) {
		s, src := setup(b)
		for i := 0; b.Loop(); i++ {
			if ch := apply(b, s, src, benchPage(i*pageSize, "v1"), t0); len(ch.Added) != pageSize {
				b.Fatalf("added %d of %d", len(ch.Added), pageSize)
			}
		}
		perCourse(b)
	})
	b.Run("apply page of 100 changed", func(b *testing.B) {
		s, src := setup(b)
		apply(b, s, src, benchPage(0, "v0"), t0)
		for i := 0; b.Loop(); i++ {
			if ch := apply(b, s, src, benchPage(0, fmt.Sprint("v", i+1)), t0.Add(time.Duration(i+1)*time.Second)); len(ch.Updated) != pageSize {
				b.Fatalf("updated %d of %d", len(ch.Updated), pageSize)
			}
		}
		perCourse(b)
	})
	b.Run("apply page of 100 unchanged", func(b *testing.B) {
		s, src := setup(b)
		page := benchPage(0, "v1")
		apply(b, s, src, page, t0)
		for i := 0; b.Loop(); i++ {
			if ch := apply(b, s, src, page, t0.Add(time.Duration(i+1)*time.Second)); len(ch.Unchanged) != pageSize {
				b.Fatalf("unchanged %d of %d", len(ch.Unchanged), pageSize)
			}
		}
		perCourse(b)
	})
	b.Run("read", func(b *testing.B) {
		s, src := setup(b)
		const stored = 1000
		var ids []string
		for start := 0; start < stored; start += pageSize {
			page := benchPage(start, "v1")
			apply(b, s, src, page, t0)
			for _, sp := range page {
				ids = append(ids, sp.ID)
			}
		}
		b.Run("a course", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := s.Course(ctx, ids[(i*7919)%stored]); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("20 courses by ID", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				start := (i * 20) % stored
				if cs, err := s.CoursesByID(ctx, ids[start:start+20]); err != nil || len(cs) != 20 {
					b.Fatalf("CoursesByID = %d courses, %v", len(cs), err)
				}
			}
		})
	})
}

// benchPage returns a page of courses numbered from first, as a source
// publishes them (about 2.5 KB of JSON each: titles and descriptions in
// three languages, outcomes, identifiers and two offerings); version
// changes every description.
func benchPage(first int, version string) []model.Specification {
	page := make([]model.Specification, pageSize)
	for i := range page {
		n := first + i
		id := model.CourseID("uni.test", "uni", fmt.Sprint("C", n))
		sp := model.Specification{
			ID:          id,
			Identifiers: []model.Identifier{{Scheme: "ooapi:courseId", Value: fmt.Sprintf("9c4e-%08d", n)}, {Scheme: "code", Value: fmt.Sprint("C", n)}},
			Type:        "http://data.europa.eu/snb/learning-opp/05053c1cbe",
			Title:       model.Text{"en": fmt.Sprint("Soil science ", n), "de": fmt.Sprint("Bodenkunde ", n), "fr": fmt.Sprint("Pédologie ", n)},
			Description: model.Text{
				"en": "How soils form, what they are made of and how they are sampled, described and mapped in the field (" + version + ").",
				"de": "Wie Böden entstehen, woraus sie bestehen und wie man sie im Gelände beprobt, beschreibt und kartiert (" + version + ").",
				"fr": "Comment les sols se forment, de quoi ils sont faits et comment on les échantillonne et les cartographie (" + version + ").",
			},
			LearningOutcomes: []model.Text{{"en": "Can sample a soil profile."}, {"en": "Can classify soils by the WRB."}},
			Languages:        []string{"en", "de"},
			ISCEDF:           []string{"0812"},
			EQFLevel:         6,
			Credits:          []model.Credit{{System: "http://data.europa.eu/snb/education-credit/6fcec5c5af", Value: 5}},
			Homepage:         fmt.Sprint("https://www.uni.test/courses/C", n),
			PublisherID:      "uni",
			Active:           true,
		}
		for _, term := range []string{"2026-winter", "2027-summer"} {
			sp.Instances = append(sp.Instances, model.Instance{ID: id + ":" + term, SpecificationID: id, DefaultLanguage: "en",
				Start: t0, End: t0.Add(120 * 24 * time.Hour), Modes: []string{"http://data.europa.eu/snb/learning-assessment/920fbb3cbe"},
				ProviderIDs: []string{"uni"}, RegistrationPortal: fmt.Sprint("https://apply.uni.test/C", n)})
		}
		page[i] = sp
	}
	return page
}
