package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
	"qlink/internal/store/storetest"
)

// TestCoursesByIDSeesEveryWrite reads courses again after each kind of
// write, by this store and by another process's, so that no kept row is
// ever served once the database has moved on; and checks that rows are
// kept between writes, and that callers get courses of their own.
func TestCoursesByIDSeesEveryWrite(t *testing.T) {
	ctx := context.Background()
	s, path, src := newFileStore(t, model.Provider{ID: "a", Name: model.Text{"en": "A"}})
	spec := func(title string) model.Specification {
		return model.Specification{ID: "c1", Title: model.Text{"en": title}, Active: true, PublisherID: "a"}
	}
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	read := func(step string) store.Course {
		t.Helper()
		cs, err := s.CoursesByID(ctx, []string{"c1", "nope", "c1"})
		if err != nil || len(cs) != 2 || cs[0].Spec.ID != "c1" {
			t.Fatalf("%s: CoursesByID = %+v, %v", step, cs, err)
		}
		return cs[0]
	}

	_, err := s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("one")}, true, at, nil)
	must(t, err)
	read("first")
	served := s.rows.rows.Served()
	c := read("again")
	if s.rows.rows.Served() == served {
		t.Error("nothing written, yet the rows were read again")
	}
	c.Spec.Title["en"] = "changed by a caller"
	if got := read("after a caller's change").Spec.Title["en"]; got != "one" {
		t.Fatalf("a caller's change reached the next caller: %q", got)
	}

	_, err = s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("two")}, true, at.Add(time.Hour), nil)
	must(t, err)
	if got := read("after this store wrote").Spec.Title["en"]; got != "two" {
		t.Fatalf("after this store wrote: %q", got)
	}

	// Another process writes: nothing this store does tells it.
	other, err := Open(path)
	must(t, err)
	_, err = other.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("three")}, true, at.Add(2*time.Hour), nil)
	must(t, err)
	must(t, other.Close())
	if got := read("after another process wrote").Spec.Title["en"]; got != "three" {
		t.Fatalf("after another process wrote: %q", got)
	}
	if c, err := s.Course(ctx, "c1"); err != nil || c.Spec.Title["en"] != "three" {
		t.Fatalf("Course after another process wrote: %q, %v", c.Spec.Title["en"], err)
	}
	if _, err := s.Course(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Course of no course: %v", err)
	}

	// A harvest that changes nothing moves the source's last sight on.
	before := read("before an unchanged harvest").LastSeen
	_, err = s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("three")}, true, at.Add(3*time.Hour), nil)
	must(t, err)
	if got := read("after an unchanged harvest").LastSeen; !got.After(before) {
		t.Fatalf("last seen %v after an unchanged harvest, %v before", got, before)
	}

	// The course goes: it is inactive.
	_, err = s.ApplyCourses(ctx, src.ID, 0, nil, true, at.Add(4*time.Hour), nil)
	must(t, err)
	if !read("after the course went").Inactive {
		t.Fatal("the course went, yet it is read as active")
	}
}

// TestVersionMovesWithTheContent checks the store's content version: it
// moves with every write to what the catalogue shows, from this process
// or another, and stays when only other tables change, as the job queue's
// every few seconds.
func TestVersionMovesWithTheContent(t *testing.T) {
	ctx := context.Background()
	provider := model.Provider{ID: "a", Name: model.Text{"en": "A"}}
	s, path, src := newFileStore(t, provider)
	version := s.Version()
	if version == "" {
		t.Fatal("no version")
	}
	check := func(step storetest.VersionStep) {
		t.Helper()
		must(t, step.Write())
		v := s.Version()
		if v == "" || (v != version) != step.Moves {
			t.Errorf("%s: version %q after %q, want it to move: %v", step.Name, v, version, step.Moves)
		}
		version = v
	}
	for _, step := range storetest.VersionSteps(s, provider, src, func() (store.Store, error) { return Open(path) }) {
		check(step)
	}
	check(storetest.VersionStep{Name: "the job queue's own table", Write: func() error {
		_, err := s.w.ExecContext(ctx, `CREATE TABLE queue_like (n INTEGER); INSERT INTO queue_like VALUES (1)`)
		return err
	}})
}

// TestVersionTriggerNamesEveryCourseColumn keeps the courses' update
// trigger (migration 00017) in step with the table: every column but the
// index's bookkeeping moves the version.
func TestVersionTriggerNamesEveryCourseColumn(t *testing.T) {
	s, _, _ := newFileStore(t, model.Provider{ID: "a"})
	var columns []string
	rows, err := s.db.Query(`SELECT name FROM pragma_table_info('courses') WHERE name != 'indexed_hash' ORDER BY cid`)
	must(t, err)
	for rows.Next() {
		var name string
		must(t, rows.Scan(&name))
		columns = append(columns, name)
	}
	must(t, rows.Err())
	var trigger string
	must(t, s.db.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'courses_update_version'`).Scan(&trigger))
	if want := "AFTER UPDATE OF " + strings.Join(columns, ", ") + " ON courses"; !strings.Contains(trigger, want) {
		t.Errorf("the courses' update trigger\n%s\ndoes not name the columns as %q", trigger, want)
	}
}

// newFileStore opens a migrated store in a file of its own, the path for
// a second process to open, with provider p and one source of it.
func newFileStore(t *testing.T, p model.Provider) (*Store, string, store.Source) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "qlink.db")
	s, err := Open(path)
	must(t, err)
	t.Cleanup(func() { s.Close() })
	must(t, s.Migrate(ctx))
	must(t, s.UpsertProviders(ctx, []model.Provider{p}))
	srcs, err := s.SyncManifest(ctx, store.Manifest{ProviderID: p.ID, URL: "https://a.test/m", FetchedAt: time.Now(), Body: []byte("a")},
		[]store.Source{{Key: "k", Type: "ooapi", URL: "https://a.test/"}})
	must(t, err)
	return s, path, srcs[0]
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
