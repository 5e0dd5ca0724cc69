package export_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"qlink/internal/export"
	"qlink/internal/export/exporttest"
	"qlink/internal/model"
	"qlink/internal/store"
	"qlink/internal/store/sqlite"
	"qlink/internal/vocab"
)

// BenchmarkNQuadsDump100k writes the whole N-Quads dump of a generated
// store of 100,000 courses (50 institutions, two offerings each). The
// store is generated once into the temporary directory and reused by
// later runs (delete qlink-export-bench-* there to make it again).
//
//	go test -run '^$' -bench NQuadsDump100k -benchtime 3x ./internal/export
func BenchmarkNQuadsDump100k(b *testing.B) {
	st := generatedStore(b, 100_000, 50)
	exporttest.MeasureDump(b, st)
}

func generatedStore(b *testing.B, courses, providers int) store.Store {
	b.Helper()
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("qlink-export-bench-v1-%d", courses))
	ready := filepath.Join(dir, "ready")
	if _, err := os.Stat(ready); err != nil {
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		st := openBenchStore(b, dir)
		fill(b, ctx, st, courses, providers)
		st.Close()
		if err := os.WriteFile(ready, nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	st := openBenchStore(b, dir)
	b.Cleanup(func() { st.Close() })
	return st
}

func openBenchStore(b *testing.B, dir string) *sqlite.Store {
	st, err := sqlite.Open(filepath.Join(dir, "db"))
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return st
}

// fill stores courses spread over providers, each course about the size
// of a real one: two languages, a description, outcomes, two offerings.
func fill(b *testing.B, ctx context.Context, st store.Store, courses, providers int) {
	countries := []string{"DE", "FR", "NL", "IT", "ES", "PL", "BE", "AT", "PT", "SE"}
	for p := range providers {
		id := fmt.Sprintf("uni-%02d", p)
		prov := model.Provider{ID: id, SCHAC: id + ".example", DEQAR: fmt.Sprintf("DEQARINST%04d", 100+p),
			Name: model.Text{"en": "University " + id}, Country: countries[p%len(countries)]}
		if err := st.UpsertProviders(ctx, []model.Provider{prov}); err != nil {
			b.Fatal(err)
		}
		srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: id, URL: "https://" + id + ".example/m", FetchedAt: time.Now(), Body: []byte(id)},
			[]store.Source{{Key: "k", Type: "ooapi", URL: "https://" + id + ".example/"}})
		if err != nil {
			b.Fatal(err)
		}
		var specs []model.Specification
		for i := range courses / providers {
			specs = append(specs, benchCourse(id, i))
		}
		if _, err := st.ApplyCourses(ctx, srcs[0].ID, 0, specs, true, time.Now(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

func benchCourse(provider string, i int) model.Specification {
	id := fmt.Sprintf("urn:schac:uniqueCourseId:%s.example:C%06d", provider, i)
	s := model.Specification{ID: id, Active: true, PublisherID: provider,
		Title:            model.Text{"en": fmt.Sprintf("Introduction to topic %d", i), "de": fmt.Sprintf("Einführung in Thema %d", i)},
		Description:      model.Text{"en": fmt.Sprintf("Course %d covers the foundations of its field: methods, history and current research, with weekly exercises and a final project that students present to the group.", i)},
		LearningOutcomes: []model.Text{{"en": "Explain the main concepts"}, {"en": "Apply the methods to new problems"}, {"en": "Present results to peers"}},
		Languages:        []string{"en"}, ISCEDF: []string{"0613"}, EQFLevel: 6, Homepage: "https://" + provider + ".example/courses/" + fmt.Sprint(i),
		Type:    vocab.LearningOpportunityTypes.URI("course"),
		Credits: []model.Credit{{System: model.CreditECTS, Value: 6}}}
	for k := range 2 {
		s.Instances = append(s.Instances, model.Instance{ID: fmt.Sprintf("%s-%d", id, k), SpecificationID: id,
			Start: time.Date(2027, time.Month(2+6*k), 1, 0, 0, 0, 0, time.UTC), End: time.Date(2027, time.Month(7+6*k), 1, 0, 0, 0, 0, time.UTC),
			Modes: []string{vocab.Modes.URI("online")}, DefaultLanguage: "en", RegistrationPortal: "https://" + provider + ".example/apply"})
	}
	return s
}

// BenchmarkGenerate20k generates the whole dataset (every scope in every
// format) of a generated store of 20,000 courses of 50 institutions in 10
// countries, reused as BenchmarkNQuadsDump100k's store is.
//
//	go test -run '^$' -bench Generate20k -benchtime 1x -count 3 ./internal/export
func BenchmarkGenerate20k(b *testing.B) {
	st := generatedStore(b, 20_000, 50)
	dir := b.TempDir()
	for b.Loop() {
		ms, err := export.Generate(context.Background(), st, dir)
		if err != nil {
			b.Fatal(err)
		}
		if len(ms) != (1+50+10)*len(export.Formats) {
			b.Fatalf("%d files", len(ms))
		}
	}
}
