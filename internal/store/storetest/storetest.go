// Package storetest is the contract every store.Store implementation must
// pass. Each implementation's tests call Run with a constructor for a
// fresh, migrated, empty store.
package storetest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// Run runs the contract against fresh stores made by open.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"providers", testProviders},
		{"discoveries", testDiscoveries},
		{"manifest versions and stable sources", testSources},
		{"runs and source health", testRuns},
		{"apply courses", testApplyCourses},
		{"last seen", testLastSeen},
		{"partial run removes nothing", testPartialRun},
		{"conflicting sources", testConflicts},
		{"a renamed source keeps its courses", testRenamedSource},
		{"oauth clients", testOAuthClients},
		{"index backlog follows the index", testIndexBacklog},
		{"course history", testCourseHistory},
		{"interrupted and found runs", testInterruptAndFind},
		{"snapshot retention", testPruneSnapshots},
		{"revalidated pages", testRevalidatedPages},
		{"runs of a provider, paged", testProviderRuns},
		{"provider states", testProviderStates},
		{"next scheduled run", testNextRun},
		{"course quality and run summaries", testQuality},
		{"quality reports written with their courses", testQualityWithCourses},
		{"courses by their other identifiers", testCourseIdentifiers},
		{"discoveries and manifest of an institution", testInstitutionRecords},
		{"alliances and their members", testAlliances},
		{"run progress and refreshes", func(t *testing.T, s store.Store) { testRunProgress(t, s); testRefreshes(t, s) }},
		{"blocked providers", testBlocks},
		{"accounts, sessions, challenges, audit", testAccounts},
		{"operations: schema and course counts", testOperations},
		{"concurrent: sources publishing the same new courses", testConcurrentApply},
		{"concurrent: manifests of one provider", testConcurrentManifests},
		{"concurrent: refreshes of one provider", testConcurrentRefreshes},
		{"concurrent: failed sign-ins", testConcurrentLoginFailures},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each test has a store of its own
			tc.fn(t, open(t))
		})
	}
}

var t0 = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

func provider(id string) model.Provider {
	return model.Provider{ID: id, SCHAC: id + ".test", Name: model.Text{"en": "University " + id, "de": "Universität " + id}, Country: "DE"}
}

func testProviders(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.UpsertProviders(ctx, []model.Provider{provider("b"), provider("a")}); err != nil {
		t.Fatal(err)
	}
	p := provider("a")
	p.Website = "https://www.a.test/"
	if err := s.UpsertProviders(ctx, []model.Provider{p}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Provider(ctx, "a")
	if err != nil || got.Website != p.Website || got.Name["de"] != "Universität a" {
		t.Fatalf("Provider(a) = %+v, %v", got, err)
	}
	list, err := s.ListProviders(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "a" {
		t.Fatalf("ListProviders = %+v, %v", list, err)
	}
	if _, err := s.Provider(ctx, "zz"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing provider: %v", err)
	}
}

func testDiscoveries(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	if _, err := s.LatestDiscovery(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no discovery yet: %v", err)
	}
	for i, e := range []string{"no manifest found", ""} {
		_, err := s.AddDiscovery(ctx, store.Discovery{ProviderID: "a", StartedAt: t0.Add(time.Duration(i) * time.Hour),
			Duration: 1500 * time.Millisecond, Error: e, Probes: []byte(`[{"step":1}]`)})
		if err != nil {
			t.Fatal(err)
		}
	}
	d, err := s.LatestDiscovery(ctx, "a")
	if err != nil || d.Error != "" || d.Duration != 1500*time.Millisecond || string(d.Probes) != `[{"step":1}]` {
		t.Fatalf("LatestDiscovery = %+v, %v", d, err)
	}
}

func mustProviders(t testing.TB, s store.Store, ids ...string) {
	t.Helper()
	var ps []model.Provider
	for _, id := range ids {
		ps = append(ps, provider(id))
	}
	if err := s.UpsertProviders(context.Background(), ps); err != nil {
		t.Fatal(err)
	}
}

func mustSource(t testing.TB, s store.Store, providerID, key string) store.Source {
	t.Helper()
	srcs, err := s.SyncManifest(context.Background(), store.Manifest{ProviderID: providerID, URL: "https://x/m.json", FetchedAt: t0,
		Body: []byte(`{"sources":[` + key + `]}`)}, []store.Source{{Key: key, Type: "ooapi", URL: "https://api/" + key}})
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range srcs {
		if src.Key == key {
			return src
		}
	}
	t.Fatalf("source %s not returned", key)
	return store.Source{}
}

func testSources(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	m := store.Manifest{ProviderID: "a", URL: "https://a.test/.well-known/quality-link-manifest", FetchedAt: t0, Body: []byte("v1")}
	first, err := s.SyncManifest(ctx, m, []store.Source{
		{Key: "main", Type: "ooapi", URL: "https://api.a.test/ooapi/v5/", Entry: []byte(`{"type":"ooapi"}`)},
		{Key: "elm https://a.test/x.ttl", Type: "elm", URL: "https://a.test/x.ttl"},
	})
	if err != nil || len(first) != 2 {
		t.Fatalf("SyncManifest = %+v, %v", first, err)
	}
	// Same body: same version. New body moving the source's path: same ID.
	if again, _ := s.SyncManifest(ctx, m, []store.Source{{Key: "main", Type: "ooapi", URL: "https://api.a.test/ooapi/v5/"},
		{Key: "elm https://a.test/x.ttl", Type: "elm", URL: "https://a.test/x.ttl"}}); again[0].ManifestVersion != 1 {
		t.Errorf("identical manifest made version %d", again[0].ManifestVersion)
	}
	m.Body, m.FetchedAt = []byte("v2"), t0.Add(time.Hour)
	second, err := s.SyncManifest(ctx, m, []store.Source{{Key: "main", Type: "ooapi", URL: "https://new-api.a.test/ooapi/v5/"}})
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]store.Source{}
	for _, src := range second {
		byKey[src.Key] = src
	}
	main := byKey["main"]
	if main.ID != store.SourceID("a", "main") || main.URL != "https://new-api.a.test/ooapi/v5/" || !main.Active || main.ManifestVersion != 2 {
		t.Errorf("moved source = %+v", main)
	}
	if old := byKey["elm https://a.test/x.ttl"]; old.Active {
		t.Errorf("source dropped from the manifest is still active: %+v", old)
	}
	if got, err := s.Source(ctx, main.ID); err != nil || got.URL != main.URL {
		t.Errorf("Source = %+v, %v", got, err)
	}
	all, _ := s.ListSources(ctx, "")
	if len(all) != 2 || !all[0].Active {
		t.Errorf("ListSources: active first, got %+v", all)
	}
}

func testRuns(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	src := mustSource(t, s, "a", "main")
	for i, status := range []store.RunStatus{store.RunFailed, store.RunFailed} {
		r, err := s.StartRun(ctx, src.ID, "test", "", t0.Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		r.Status, r.Error, r.FinishedAt = status, "connection refused", r.StartedAt.Add(time.Second)
		if err := s.FinishRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.Source(ctx, src.ID); got.ErrorCount != 2 || got.LastStatus != store.RunFailed || got.LastError == "" {
		t.Errorf("after two failures: %+v", got)
	}
	r, _ := s.StartRun(ctx, src.ID, "test", "", t0.Add(time.Hour))
	if err := s.AddRunPages(ctx, []store.RunPage{{RunID: r.ID, Seq: 1, URL: "https://api/courses?pageNumber=1", Status: 200,
		ContentType: "application/json", Bytes: 10, Blob: "k", FetchedAt: t0, ETag: `"v1"`, LastModified: "Sun, 01 Nov 2026 10:00:00 GMT"}}); err != nil {
		t.Fatal(err)
	}
	if last, err := s.LastPages(ctx, src.ID); err != nil || len(last) != 0 {
		t.Errorf("pages of a run still running count as read: %v %v", last, err)
	}
	r.Status, r.FinishedAt, r.Pages, r.Added = store.RunOK, t0.Add(time.Hour+time.Second), 1, 5
	r.Warnings, r.WarningCount = []store.Warning{{Record: "c1", Field: "name", Message: "empty"}}, 1
	if err := s.FinishRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Source(ctx, src.ID); got.ErrorCount != 0 || got.LastRunID != r.ID {
		t.Errorf("a good run must reset the error count: %+v", got)
	}
	runs, err := s.ListRuns(ctx, src.ID, 10)
	if err != nil || len(runs) != 3 || runs[0].ID != r.ID || runs[0].Warnings[0].Field != "name" || runs[0].Added != 5 {
		t.Fatalf("ListRuns = %+v, %v", runs, err)
	}
	pages, err := s.RunPages(ctx, r.ID)
	if err != nil || len(pages) != 1 || pages[0].Blob != "k" || pages[0].ETag != `"v1"` {
		t.Fatalf("RunPages = %+v, %v", pages, err)
	}
	last, err := s.LastPages(ctx, src.ID)
	if p := last["https://api/courses?pageNumber=1"]; err != nil || p.LastModified != "Sun, 01 Nov 2026 10:00:00 GMT" {
		t.Fatalf("LastPages = %+v, %v", last, err)
	}
	// A failed run does not replace the pages to revalidate against.
	failed, _ := s.StartRun(ctx, src.ID, "test", "", t0.Add(2*time.Hour))
	failed.Status, failed.FinishedAt = store.RunFailed, t0.Add(2*time.Hour)
	s.FinishRun(ctx, failed)
	if last, _ := s.LastPages(ctx, src.ID); len(last) != 1 {
		t.Errorf("LastPages after a failed run: %v", last)
	}
}

func spec(id, title string) model.Specification {
	return model.Specification{ID: id, Title: model.Text{"en": title}, Active: true, PublisherID: "a"}
}

func testApplyCourses(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	src := mustSource(t, s, "a", "main")
	ch, err := s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", "One"), spec("c2", "Two"), spec("c3", "Three")}, true, t0, nil)
	if err != nil || len(ch.Added) != 3 {
		t.Fatalf("first apply: %+v, %v", ch, err)
	}
	ch, err = s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", "One"), spec("c2", "Two, revised")}, true, t0.Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ch.Unchanged, []string{"c1"}) || !slices.Equal(ch.Updated, []string{"c2"}) || !slices.Equal(ch.Removed, []string{"c3"}) {
		t.Fatalf("second apply: %+v", ch)
	}
	c1, err := s.Course(ctx, "c1")
	if err != nil || !c1.Changed.Equal(t0) || !c1.LastSeen.Equal(t0.Add(time.Hour)) || c1.ProviderID != "a" {
		t.Errorf("unchanged course bookkeeping: %+v, %v", c1, err)
	}
	// A vanished course becomes inactive, never deleted: its content
	// stays and its last-seen time is the last run that saw it.
	c3, err := s.Course(ctx, "c3")
	if err != nil || !c3.Inactive || c3.Status() != store.StatusInactive || c3.Spec.Title["en"] != "Three" || !c3.LastSeen.Equal(t0) {
		t.Errorf("c3 should be inactive, last seen at t0, with its content: %+v, %v", c3, err)
	}
	got, err := s.CoursesByID(ctx, []string{"c2", "c3", "nope", "c1"})
	if err != nil || len(got) != 3 || got[0].Spec.Title["en"] != "Two, revised" || !got[1].Inactive || got[2].Spec.ID != "c1" {
		t.Fatalf("CoursesByID = %+v, %v", got, err)
	}
	for status, want := range map[store.CourseStatus][]string{store.StatusActive: {"c1", "c2"}, store.StatusInactive: {"c3"}, "": {"c1", "c2", "c3"}} {
		if ids, err := s.CourseIDs(ctx, src.ID, status); err != nil || !slices.Equal(ids, want) {
			t.Errorf("CourseIDs(%q) = %v, %v; want %v", status, ids, err, want)
		}
	}
	for _, tc := range []struct {
		providers []string
		want      []string
	}{{nil, []string{"c1", "c2"}}, {[]string{"a"}, []string{"c1", "c2"}}, {[]string{"b", "a"}, []string{"c1", "c2"}}, {[]string{"b"}, nil}, {[]string{}, nil}} {
		var ids []string
		if err := s.EachCourse(ctx, tc.providers, func(c store.Course) error { ids = append(ids, c.Spec.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("EachCourse(%q) = %v, want %v", tc.providers, ids, tc.want)
		}
	}
	counts, _ := s.CountCourses(ctx)
	if counts["a"] != 2 {
		t.Errorf("CountCourses = %v", counts)
	}
	// An inactive course that comes back counts as added.
	ch, _ = s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", "One"), spec("c2", "Two, revised"), spec("c3", "Three")}, true, t0.Add(2*time.Hour), nil)
	if !slices.Equal(ch.Added, []string{"c3"}) {
		t.Errorf("returning course: %+v", ch)
	}
	if c3, _ := s.Course(ctx, "c3"); c3.Inactive || !c3.LastSeen.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("returning course is still inactive: %+v", c3)
	}
	if _, err := s.Course(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing course: %v", err)
	}
}

// testLastSeen: a course's last-seen time is the last run that saw it,
// whether the run read it, found its source unchanged (MarkSeen) or saw
// all the source's courses (a complete run), through every way of reading
// courses; an inactive course keeps the time it was last seen.
func testLastSeen(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	src := mustSource(t, s, "a", "main")
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	apply := func(h int, complete bool, ids ...string) {
		t.Helper()
		var specs []model.Specification
		for _, id := range ids {
			specs = append(specs, spec(id, "Course "+id))
		}
		if _, err := s.ApplyCourses(ctx, src.ID, 0, specs, complete, at(h), nil); err != nil {
			t.Fatal(err)
		}
	}
	want := func(step string, seen map[string]int) {
		t.Helper()
		ids := slices.Sorted(maps.Keys(seen))
		byID, err := s.CoursesByID(ctx, ids)
		if err != nil || len(byID) != len(ids) {
			t.Fatalf("%s: CoursesByID: %d courses, %v", step, len(byID), err)
		}
		each := map[string]store.Course{}
		if err := s.EachCourse(ctx, nil, func(c store.Course) error { each[c.Spec.ID] = c; return nil }); err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			c, err := s.Course(ctx, id)
			if err != nil || !c.LastSeen.Equal(at(seen[id])) {
				t.Errorf("%s: %s last seen %v, want %v (%v)", step, id, c.LastSeen, at(seen[id]), err)
			}
			if !byID[i].LastSeen.Equal(c.LastSeen) {
				t.Errorf("%s: CoursesByID says %s was last seen %v, Course %v", step, id, byID[i].LastSeen, c.LastSeen)
			}
			if e, ok := each[id]; ok != !c.Inactive || ok && !e.LastSeen.Equal(c.LastSeen) {
				t.Errorf("%s: EachCourse has %s: %v, last seen %v; Course %v", step, id, ok, e.LastSeen, c.LastSeen)
			}
		}
	}
	apply(0, true, "c1", "c2", "c3")
	want("first run", map[string]int{"c1": 0, "c2": 0, "c3": 0})
	if err := s.MarkSeen(ctx, src.ID, at(1)); err != nil {
		t.Fatal(err)
	}
	want("source unchanged", map[string]int{"c1": 1, "c2": 1, "c3": 1})
	apply(2, false, "c1")
	want("partial run", map[string]int{"c1": 2, "c2": 1, "c3": 1})
	apply(3, true, "c1", "c2")
	want("complete run without c3", map[string]int{"c1": 3, "c2": 3, "c3": 1})
	if err := s.MarkSeen(ctx, src.ID, at(4)); err != nil {
		t.Fatal(err)
	}
	want("source unchanged again", map[string]int{"c1": 4, "c2": 4, "c3": 1})
	apply(5, true, "c1", "c2", "c3")
	want("c3 back", map[string]int{"c1": 5, "c2": 5, "c3": 5})
}

func testPartialRun(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	src := mustSource(t, s, "a", "main")
	if _, err := s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", "One"), spec("c2", "Two")}, true, t0, nil); err != nil {
		t.Fatal(err)
	}
	ch, err := s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", "One")}, false, t0.Add(time.Hour), nil)
	if err != nil || len(ch.Removed) != 0 {
		t.Fatalf("partial apply removed: %+v, %v", ch, err)
	}
	if c2, _ := s.Course(ctx, "c2"); c2.Inactive {
		t.Error("partial run lost c2")
	}
}

func testConflicts(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a", "b")
	srcs, err := s.SyncManifest(ctx, store.Manifest{ProviderID: "a", URL: "https://x/m.json", FetchedAt: t0, Body: []byte(`{"sources":[1,2]}`)},
		[]store.Source{{Key: "one", Type: "ooapi", URL: "https://api/one"}, {Key: "two", Type: "ooapi", URL: "https://api/two"}})
	if err != nil || len(srcs) != 2 {
		t.Fatalf("SyncManifest = %+v, %v", srcs, err)
	}
	one, two := srcs[0], srcs[1]
	if one.Key != "one" {
		one, two = two, one
	}
	if _, err := s.ApplyCourses(ctx, one.ID, 0, []model.Specification{spec("c1", "From one")}, true, t0, nil); err != nil {
		t.Fatal(err)
	}
	ch, err := s.ApplyCourses(ctx, two.ID, 0, []model.Specification{spec("c1", "From two"), spec("c2", "Two")}, true, t0, nil)
	if err != nil || !slices.Equal(ch.Conflicts, []string{"c1"}) || !slices.Equal(ch.Added, []string{"c2"}) {
		t.Fatalf("conflict: %+v, %v", ch, err)
	}
	if c1, _ := s.Course(ctx, "c1"); c1.Spec.Title["en"] != "From one" || c1.SourceID != one.ID {
		t.Errorf("a second source overwrote c1: %+v", c1)
	}
	if _, err := s.ApplyCourses(ctx, "no-such-source", 0, nil, true, t0, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown source: %v", err)
	}
	// Another provider's source never takes a course over, retired or not.
	other := mustSource(t, s, "b", "main")
	if ch, err := s.ApplyCourses(ctx, other.ID, 0, []model.Specification{spec("c1", "From b")}, true, t0, nil); err != nil || len(ch.Conflicts) != 1 {
		t.Errorf("another provider's source: %+v, %v; want a conflict", ch, err)
	}
}

// A source renamed in its manifest (the old key retired, a new one
// publishing the same courses) takes its courses over instead of meeting
// them as conflicts forever.
func testRenamedSource(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	old := mustSource(t, s, "a", "catalogue")
	if _, err := s.ApplyCourses(ctx, old.ID, 0, []model.Specification{spec("c1", "One"), spec("c2", "Two")}, true, t0, nil); err != nil {
		t.Fatal(err)
	}
	renamed := mustSource(t, s, "a", "catalogue-v2") // retires the old key
	ch, err := s.ApplyCourses(ctx, renamed.ID, 0, []model.Specification{spec("c1", "One"), spec("c2", "Two, edited")}, true, t0.Add(time.Hour), nil)
	if err != nil || len(ch.Conflicts) != 0 || !slices.Equal(ch.Unchanged, []string{"c1"}) || !slices.Equal(ch.Updated, []string{"c2"}) {
		t.Fatalf("renamed source: %+v, %v; want c1 unchanged and c2 updated, no conflicts", ch, err)
	}
	for _, id := range []string{"c1", "c2"} {
		if c, _ := s.Course(ctx, id); c.SourceID != renamed.ID || c.Inactive {
			t.Errorf("%s held by %s (inactive %v), want the renamed source %s", id, c.SourceID, c.Inactive, renamed.ID)
		}
	}
}

func testOAuthClients(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a", "b")
	c := store.OAuthClient{ProviderID: "a", TokenEndpoint: "https://auth.a.test/token", ClientID: "qlink", SecretEncrypted: "c2VjcmV0", UpdatedAt: t0}
	if err := s.SetOAuthClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	c.ClientID = "qlink-2"
	if err := s.SetOAuthClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.OAuthClient(ctx, "a", "https://auth.a.test/token")
	if err != nil || got.ClientID != "qlink-2" || got.SecretEncrypted != "c2VjcmV0" {
		t.Fatalf("OAuthClient = %+v, %v", got, err)
	}
	// Bound to provider and endpoint: no other pair gets it.
	for _, pair := range [][2]string{{"b", "https://auth.a.test/token"}, {"a", "https://evil.test/token"}} {
		if _, err := s.OAuthClient(ctx, pair[0], pair[1]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%v: %v", pair, err)
		}
	}
	if list, _ := s.ListOAuthClients(ctx, ""); len(list) != 1 {
		t.Errorf("list: %+v", list)
	}
	if err := s.DeleteOAuthClient(ctx, "a", "https://auth.a.test/token"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteOAuthClient(ctx, "a", "https://auth.a.test/token"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func testIndexBacklog(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	src := mustSource(t, s, "a", "main")
	backlog := func() store.IndexBacklog {
		t.Helper()
		b, err := s.IndexBacklog(ctx, src.ID)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", "One"), spec("c2", "Two")}, true, t0, nil)
	if b := backlog(); !slices.Equal(staleIDs(b), []string{"c1", "c2"}) || len(b.Gone) != 0 {
		t.Fatalf("new courses are not in the index yet: %+v", b)
	}
	markIndexed(t, s, "c1", "c2")
	if b := backlog(); len(b.Stale)+len(b.Gone) != 0 {
		t.Fatalf("after MarkIndexed: %+v", b)
	}
	// A change and an inactivation committed, the index not told (a
	// crash): both are stale, since the index holds inactive courses with
	// their status.
	s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", "One, revised")}, true, t0.Add(time.Hour), nil)
	if b := backlog(); !slices.Equal(staleIDs(b), []string{"c1", "c2"}) || len(b.Gone) != 0 {
		t.Fatalf("after an unindexed change: %+v", b)
	}
	if all, _ := s.IndexBacklog(ctx, ""); !slices.Equal(staleIDs(all), []string{"c1", "c2"}) {
		t.Errorf("backlog of all sources: %+v", all)
	}
	markIndexed(t, s, "c1", "c2")
	if b := backlog(); len(b.Stale)+len(b.Gone) != 0 {
		t.Fatalf("after indexing the change: %+v", b)
	}
	// A change that lands between the index's read and its mark: the
	// mark of the state read must not hide it.
	revise := func(title string, at time.Duration) {
		s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", title)}, false, t0.Add(at), nil)
	}
	revise("One, revised twice", 90*time.Minute)
	read := backlog()
	revise("One, revised thrice", 100*time.Minute)
	if err := s.MarkIndexed(ctx, read.Stale); err != nil {
		t.Fatal(err)
	}
	if b := backlog(); !slices.Equal(staleIDs(b), []string{"c1"}) {
		t.Fatalf("the mark of an outdated state hid a change: %+v", b)
	}
	revise("One, revised", 110*time.Minute)
	markIndexed(t, s, "c1")
	// Reactivated with the same content: the index must learn the status.
	s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", "One, revised"), spec("c2", "Two")}, true, t0.Add(2*time.Hour), nil)
	if b := backlog(); !slices.Equal(staleIDs(b), []string{"c2"}) {
		t.Fatalf("after reactivation: %+v", b)
	}
	if ids, err := s.CourseIDs(ctx, "", store.StatusActive); err != nil || !slices.Equal(ids, []string{"c1", "c2"}) {
		t.Errorf("CourseIDs = %v, %v", ids, err)
	}
}

func testCourseHistory(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	src := mustSource(t, s, "a", "main")
	one := spec("c1", "One")
	one.Description = model.Text{"en": "First", "de": "Erste"}
	apply := func(run int64, at time.Time, specs ...model.Specification) {
		t.Helper()
		if _, err := s.ApplyCourses(ctx, src.ID, run, specs, true, at, nil); err != nil {
			t.Fatal(err)
		}
	}
	apply(1, t0, one, spec("c2", "Two"))
	revised := one
	revised.Title = model.Text{"en": "One, revised", "fr": "Un"}
	revised.Description = model.Text{"en": "First"}
	revised.EQFLevel = 6
	apply(2, t0.Add(time.Hour), revised, spec("c2", "Two"))
	apply(3, t0.Add(2*time.Hour), spec("c2", "Two")) // c1 withdrawn
	apply(4, t0.Add(3*time.Hour), revised, spec("c2", "Two"))
	apply(5, t0.Add(4*time.Hour), revised, spec("c2", "Two")) // nothing changed

	items, total, err := s.CourseHistory(ctx, "c1", 10, 0)
	if err != nil || total != 4 || len(items) != 4 {
		t.Fatalf("CourseHistory = %+v, %d, %v", items, total, err)
	}
	var kinds []store.HistoryKind
	var runs []int64
	for _, e := range items {
		kinds, runs = append(kinds, e.Kind), append(runs, e.RunID)
	}
	wantKinds := []store.HistoryKind{store.HistoryReactivated, store.HistoryInactive, store.HistoryChanged, store.HistoryAdded}
	if !slices.Equal(kinds, wantKinds) || !slices.Equal(runs, []int64{4, 3, 2, 1}) || !items[1].At.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("history newest first: kinds %v, runs %v, %+v", kinds, runs, items)
	}
	changes := map[string][2]string{}
	for _, c := range items[2].Changes {
		changes[c.Field] = [2]string{string(c.Old), string(c.New)}
	}
	want := map[string][2]string{
		"title.en":       {`"One"`, `"One, revised"`},
		"title.fr":       {"", `"Un"`},
		"description.de": {`"Erste"`, ""},
		"eqfLevel":       {"", "6"},
	}
	if !maps.Equal(changes, want) {
		t.Errorf("changed fields = %v, want %v", changes, want)
	}
	if len(items[0].Changes) != 0 || len(items[1].Changes) != 0 {
		t.Errorf("reactivated with its last content, or inactivated, changes nothing: %+v", items[:2])
	}
	page, total, err := s.CourseHistory(ctx, "c1", 2, 2)
	if err != nil || total != 4 || len(page) != 2 || page[0].Kind != store.HistoryChanged {
		t.Errorf("second page = %+v, %d, %v", page, total, err)
	}
	if items, total, err := s.CourseHistory(ctx, "nope", 10, 0); err != nil || total != 0 || len(items) != 0 {
		t.Errorf("history of an unknown course = %+v, %d, %v", items, total, err)
	}
}

func testInterruptAndFind(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	src := mustSource(t, s, "a", "main")
	done, _ := s.StartRun(ctx, src.ID, "test", "", t0)
	done.Status, done.FinishedAt, done.Reason, done.Digest = store.RunSuspicious, t0, "would remove 2 of 2 courses", "d1"
	s.FinishRun(ctx, done)
	// Three runs in progress on a shared database: this process's own,
	// left by its previous life; a live one of another process, whose
	// heartbeat is fresh; one of a process that died, whose is not.
	staleBefore := t0.Add(30 * time.Minute)
	started := func(at time.Time, owner string, beat time.Time) store.Run {
		t.Helper()
		r, err := s.StartRun(ctx, src.ID, "test", "", at)
		if err == nil {
			err = s.HeartbeatRun(ctx, r.ID, owner, beat)
		}
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	left := started(t0.Add(time.Minute), "me", t0)
	live := started(t0.Add(2*time.Minute), "other", t0.Add(50*time.Minute))
	dead := started(t0.Add(3*time.Minute), "dead", t0.Add(5*time.Minute))
	// Started by this process, which stopped before its first heartbeat:
	// the run names it all the same (its heartbeat is its start, fresh).
	unbeaten, err := s.StartRun(ctx, src.ID, "test", "me", t0.Add(4*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if oldest, err := s.OldestRunStart(ctx, staleBefore); err != nil || !oldest.Equal(live.StartedAt) {
		t.Errorf("OldestRunStart = %v, %v, want the live run's start %v", oldest, err, live.StartedAt)
	}
	n, err := s.InterruptRuns(ctx, t0.Add(time.Hour), "the process stopped", "me", staleBefore)
	if err != nil || n != 3 {
		t.Fatalf("InterruptRuns = %d, %v, want this process's two runs and the dead one's", n, err)
	}
	for _, r := range []store.Run{left, dead, unbeaten} {
		got, _ := s.Run(ctx, r.ID)
		if got.Status != store.RunInterrupted || !got.FinishedAt.Equal(t0.Add(time.Hour)) || got.Reason != "the process stopped" {
			t.Errorf("interrupted run: %+v", got)
		}
	}
	if got, _ := s.Run(ctx, live.ID); got.Status != store.RunRunning {
		t.Errorf("another live process's run: %+v, want left running", got)
	}
	// A heartbeat does not bring a finished run back.
	if err := s.HeartbeatRun(ctx, left.ID, "me", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if oldest, err := s.OldestRunStart(ctx, t0.Add(90*time.Minute)); err != nil || !oldest.IsZero() {
		t.Errorf("OldestRunStart with every heartbeat stale = %v, %v, want none", oldest, err)
	}
	runs, err := s.FindRuns(ctx, store.RunFilter{Status: store.RunSuspicious})
	if err != nil || len(runs) != 1 || runs[0].ID != done.ID || runs[0].Digest != "d1" || runs[0].Reason == "" {
		t.Errorf("FindRuns(suspicious) = %+v, %v", runs, err)
	}
	if runs, _ := s.FindRuns(ctx, store.RunFilter{SourceID: "other"}); len(runs) != 0 {
		t.Errorf("FindRuns of another source: %+v", runs)
	}
}

func testPruneSnapshots(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	src := mustSource(t, s, "a", "main")
	run := func(status store.RunStatus, blobs ...string) store.Run {
		t.Helper()
		r, _ := s.StartRun(ctx, src.ID, "test", "", t0)
		var pages []store.RunPage
		for i, b := range blobs {
			pages = append(pages, store.RunPage{RunID: r.ID, Seq: i + 1, URL: "https://api/" + b, Status: 200, Blob: b, FetchedAt: t0})
		}
		if err := s.AddRunPages(ctx, pages); err != nil {
			t.Fatal(err)
		}
		r.Status, r.FinishedAt = status, t0
		if status == store.RunSuspicious {
			r.RecordsBlob = "records"
		}
		s.FinishRun(ctx, r)
		return r
	}
	first := run(store.RunOK, "a1", "shared")
	run(store.RunOK, "a2", "shared")
	ok := run(store.RunOK, "a3", "shared")
	again := run(store.RunNotModified, "a3", "shared") // the same snapshot as the run before
	run(store.RunSuspicious, "s1")
	run(store.RunFailed, "f1")
	released, err := s.PruneSnapshots(ctx, src.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Kept: f1, s1 (the two newest), a3 (the latest run that read data,
	// twice); released: the pages of the two oldest runs.
	slices.Sort(released)
	if !slices.Equal(released, []string{"a1", "a2", "shared", "shared"}) {
		t.Fatalf("released %v", released)
	}
	for key, want := range map[string]bool{"a1": false, "a2": false, "shared": true, "a3": true, "s1": true, "records": true} {
		if got, err := s.BlobReferenced(ctx, key); err != nil || got != want {
			t.Errorf("BlobReferenced(%s) = %v, %v", key, got, err)
		}
	}
	// A store that lists its referenced blobs at once (for the start-up
	// sweep) lists exactly those.
	if l, ok := s.(interface {
		ReferencedBlobs(context.Context) (map[string]struct{}, error)
	}); ok {
		keys, err := l.ReferencedBlobs(ctx)
		if got := slices.Sorted(maps.Keys(keys)); err != nil || !slices.Equal(got, []string{"a3", "f1", "records", "s1", "shared"}) {
			t.Errorf("ReferencedBlobs = %v, %v", got, err)
		}
	}
	if last, _ := s.LastPages(ctx, src.ID); last["https://api/a3"].Blob != "a3" {
		t.Errorf("the pages to revalidate against were pruned: %+v (latest ok run %d)", last, ok.ID)
	}
	// The pruned runs' page rows are gone, and so are those of an older
	// run with the same snapshot as a kept one; the runs themselves stay.
	// The kept runs keep their pages.
	for _, r := range []store.Run{first, ok} {
		if pages, err := s.RunPages(ctx, r.ID); err != nil || len(pages) != 0 {
			t.Errorf("pages of run %d: %+v, %v; want none", r.ID, pages, err)
		}
		if got, err := s.Run(ctx, r.ID); err != nil || got.Status != store.RunOK {
			t.Errorf("run %d after pruning: %+v, %v", r.ID, got, err)
		}
	}
	if pages, err := s.RunPages(ctx, again.ID); err != nil || len(pages) != 2 || pages[0].Blob != "a3" {
		t.Errorf("pages of a kept run: %+v, %v", pages, err)
	}
	// A later run that read the source supersedes the suspicious records.
	run(store.RunOK, "a4")
	released, _ = s.PruneSnapshots(ctx, src.ID, 2)
	if !slices.Contains(released, "records") {
		t.Errorf("superseded records kept: %v", released)
	}
	if got, _ := s.BlobReferenced(ctx, "records"); got {
		t.Error("superseded records still referenced")
	}
}

// testRevalidatedPages: a run that found every page of an earlier one
// unchanged records no pages but points at them (Run.PagesOf); it reads
// as having read each as a 304, the next run revalidates the earlier
// run's, and retention keeps them while it is the latest.
func testRevalidatedPages(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	src := mustSource(t, s, "a", "main")
	run := func(h int, status store.RunStatus, pagesOf int64, blobs ...string) store.Run {
		t.Helper()
		r, _ := s.StartRun(ctx, src.ID, "test", "", t0.Add(time.Duration(h)*time.Hour))
		var pages []store.RunPage
		for i, b := range blobs {
			pages = append(pages, store.RunPage{RunID: r.ID, Seq: i + 1, URL: "https://api/" + strconv.Itoa(i), Status: 200,
				Bytes: 100, Blob: b, FetchedAt: r.StartedAt, ETag: `"` + b + `"`})
		}
		if err := s.AddRunPages(ctx, pages); err != nil {
			t.Fatal(err)
		}
		r.Status, r.FinishedAt, r.PagesOf = status, r.StartedAt.Add(time.Minute), pagesOf
		if err := s.FinishRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	run(0, store.RunOK, 0, "z0")
	read := run(1, store.RunOK, 0, "a1", "b1")
	again := run(2, store.RunNotModified, read.ID)
	if got, err := s.Run(ctx, again.ID); err != nil || got.PagesOf != read.ID {
		t.Fatalf("Run = %+v, %v; want its pages of run %d", got, err, read.ID)
	}
	pages, err := s.RunPages(ctx, again.ID)
	if err != nil || len(pages) != 2 {
		t.Fatalf("RunPages of the revalidating run = %+v, %v", pages, err)
	}
	for i, p := range pages {
		if p.RunID != again.ID || p.Seq != i+1 || p.Status != 304 || p.Bytes != 0 || !p.FetchedAt.Equal(again.StartedAt) ||
			p.Blob != []string{"a1", "b1"}[i] || p.ETag != `"`+p.Blob+`"` {
			t.Errorf("page %d of the revalidating run: %+v", i+1, p)
		}
	}
	last, err := s.LastPages(ctx, src.ID)
	if p := last["https://api/0"]; err != nil || len(last) != 2 || p.RunID != read.ID || p.Blob != "a1" || p.Status != 200 {
		t.Errorf("LastPages = %+v, %v; want run %d's", last, err, read.ID)
	}
	// Kept while the latest run reads them, the older snapshot goes.
	if released, err := s.PruneSnapshots(ctx, src.ID, 1); err != nil || !slices.Equal(released, []string{"z0"}) {
		t.Errorf("released %v, %v; want z0 only", released, err)
	}
	run(3, store.RunOK, 0, "c1")
	released, err := s.PruneSnapshots(ctx, src.ID, 1)
	if slices.Sort(released); err != nil || !slices.Equal(released, []string{"a1", "b1"}) {
		t.Errorf("released %v, %v; want a1 and b1", released, err)
	}
	// With the snapshots went the rows of the pages (older than every
	// snapshot left), and so the revalidating run's list.
	if pages, err := s.RunPages(ctx, again.ID); err != nil || len(pages) != 0 {
		t.Errorf("the revalidating run's pages after their snapshots went: %+v, %v", pages, err)
	}
}

// finishedRun records a run of src that ended with status at.
func finishedRun(t *testing.T, s store.Store, src store.Source, status store.RunStatus, at time.Time) store.Run {
	t.Helper()
	r, err := s.StartRun(context.Background(), src.ID, "test", "", at)
	if err != nil {
		t.Fatal(err)
	}
	r.Status, r.FinishedAt = status, at.Add(time.Second)
	if err := s.FinishRun(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

func testProviderRuns(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a", "b")
	a1, a2, b1 := mustSource(t, s, "a", "one"), mustSource(t, s, "a", "two"), mustSource(t, s, "b", "one")
	var want []int64 // a's runs, oldest first
	for i := range 5 {
		src := a1
		if i%2 == 1 {
			src = a2
		}
		want = append(want, finishedRun(t, s, src, store.RunOK, t0.Add(time.Duration(i)*time.Minute)).ID)
		finishedRun(t, s, b1, store.RunOK, t0)
	}
	f := store.RunFilter{ProviderID: "a", Limit: 2, Offset: 2}
	if n, err := s.CountRuns(ctx, f); err != nil || n != 5 {
		t.Errorf("CountRuns(provider a) = %d, %v; want 5", n, err)
	}
	runs, err := s.FindRuns(ctx, f)
	if err != nil || len(runs) != 2 || runs[0].ID != want[2] || runs[1].ID != want[1] {
		t.Errorf("FindRuns(provider a, second page of 2) = %+v, %v; want runs %d and %d", runs, err, want[2], want[1])
	}
	if n, _ := s.CountRuns(ctx, store.RunFilter{ProviderID: "a", SourceID: a2.ID}); n != 2 {
		t.Errorf("CountRuns(provider a, source two) = %d; want 2", n)
	}
	if n, _ := s.CountRuns(ctx, store.RunFilter{ProviderID: "nobody"}); n != 0 {
		t.Errorf("CountRuns(unknown provider) = %d", n)
	}
}

func testProviderStates(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a", "b", "c")
	s.AddDiscovery(ctx, store.Discovery{ProviderID: "a", StartedAt: t0, Error: "no manifest"})
	s.AddDiscovery(ctx, store.Discovery{ProviderID: "a", StartedAt: t0.Add(time.Hour), ManifestURL: "https://a.test/m.json"})
	s.AddDiscovery(ctx, store.Discovery{ProviderID: "b", StartedAt: t0, ManifestURL: "https://b.test/m.json"})
	s.AddDiscovery(ctx, store.Discovery{ProviderID: "b", StartedAt: t0.Add(time.Hour), Error: "gone"})
	one, two := mustSource(t, s, "a", "one"), mustSource(t, s, "a", "two")
	finishedRun(t, s, one, store.RunOK, t0.Add(2*time.Hour))
	finishedRun(t, s, two, store.RunNotModified, t0.Add(3*time.Hour))
	finishedRun(t, s, two, store.RunFailed, t0.Add(4*time.Hour)) // reads nothing: not a refresh
	states, err := s.ProviderStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := states["a"]
	if a.ManifestURL != "https://a.test/m.json" || !a.DiscoveredAt.Equal(t0.Add(time.Hour)) || !a.Refreshed.Equal(t0.Add(3*time.Hour+time.Second)) {
		t.Errorf("state of a = %+v", a)
	}
	if b := states["b"]; b.ManifestURL != "" || !b.DiscoveredAt.Equal(t0.Add(time.Hour)) || !b.Refreshed.IsZero() {
		t.Errorf("state of b (latest discovery found nothing, never harvested) = %+v", b)
	}
	if _, ok := states["c"]; ok {
		t.Errorf("c was never discovered nor harvested, yet has a state: %+v", states["c"])
	}
}

func testNextRun(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	src := mustSource(t, s, "a", "k")
	if !src.NextRunAt.IsZero() {
		t.Fatalf("a new source has next run %v, want none", src.NextRunAt)
	}
	at := t0.Add(36 * time.Hour)
	if err := s.SetNextRun(ctx, src.ID, at); err != nil {
		t.Fatal(err)
	}
	got, err := s.Source(ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.NextRunAt.Equal(at) {
		t.Errorf("next run = %v, want %v", got.NextRunAt, at)
	}
	if err := s.SetNextRun(ctx, "no-such-source", at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("next run of a missing source: err = %v, want ErrNotFound", err)
	}
}

func testQualityWithCourses(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a", "b")
	src := mustSource(t, s, "a", "main")
	other := mustSource(t, s, "b", "main")
	s.ApplyCourses(ctx, other.ID, 0, []model.Specification{spec("x1", "Other")}, true, t0, nil)
	bad := store.CourseQuality{Score: 43, Flagged: true, Violations: []store.QualityFinding{
		{Rule: "course-title", Severity: "violation", Message: "the course has no title", Field: "name"}}}
	good := store.CourseQuality{Score: 100}
	quality := func(id string) *store.CourseQuality {
		t.Helper()
		c, err := s.Course(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Quality
	}
	// A new course and a conflict: the report goes with the course
	// written, not onto another source's.
	reports := map[string]store.CourseQuality{"c1": bad, "c2": good, "x1": bad}
	ch, err := s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", "One"), spec("c2", "Two"), spec("x1", "Mine")},
		true, t0, reports)
	if err != nil || len(ch.Added) != 2 || len(ch.Conflicts) != 1 {
		t.Fatalf("apply: %+v %v", ch, err)
	}
	if q := quality("c1"); q == nil || !q.Flagged || q.Score != 43 || !slices.Equal(q.Violations, bad.Violations) {
		t.Errorf("c1 written with %+v", q)
	}
	if q := quality("c2"); q == nil || q.Flagged || q.Score != 100 || len(q.Violations) != 0 {
		t.Errorf("c2 written with %+v", q)
	}
	if q := quality("x1"); q != nil {
		t.Errorf("another source's course got a report: %+v", q)
	}
	// The index must hold the flag it was written with.
	b, err := s.IndexBacklog(ctx, src.ID)
	if err != nil || len(b.Stale) != 2 || !b.Stale[0].Flagged || b.Stale[1].Flagged {
		t.Fatalf("backlog: %+v %v", b, err)
	}
	// A change without a report keeps the stored one; with one, it is
	// replaced.
	s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", "One, revised"), spec("c2", "Two, revised")}, true,
		t0.Add(time.Hour), map[string]store.CourseQuality{"c2": bad})
	if q := quality("c1"); q == nil || !q.Flagged || q.Score != 43 {
		t.Errorf("c1 rewritten without a report lost its own: %+v", q)
	}
	if q := quality("c2"); q == nil || !q.Flagged || q.Score != 43 {
		t.Errorf("c2 rewritten with a new report: %+v", q)
	}
	// A reactivated course takes its report too.
	s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c2", "Two, revised")}, true, t0.Add(2*time.Hour), nil)
	s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", "One, revised"), spec("c2", "Two, revised")}, true,
		t0.Add(3*time.Hour), map[string]store.CourseQuality{"c1": good})
	if q := quality("c1"); q == nil || q.Flagged || q.Score != 100 {
		t.Errorf("c1 reactivated with a new report: %+v", q)
	}
}

func testQuality(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a", "b")
	src := mustSource(t, s, "a", "main")
	other := mustSource(t, s, "b", "main")
	s.ApplyCourses(ctx, src.ID, 0, []model.Specification{spec("c1", "One"), spec("c2", "Two")}, true, t0, nil)
	s.ApplyCourses(ctx, other.ID, 0, []model.Specification{spec("x1", "Other")}, true, t0, nil)
	if c, _ := s.Course(ctx, "c1"); c.Quality != nil {
		t.Errorf("a course never checked has a report: %+v", c.Quality)
	}
	markIndexed(t, s, "c1", "c2", "x1")
	bad := store.CourseQuality{Score: 43, Flagged: true, Violations: []store.QualityFinding{
		{Rule: "course-title", Severity: "violation", Message: "the course has no title", Field: "name"}}}
	good := store.CourseQuality{Score: 100}
	reports := map[string]store.CourseQuality{"c1": bad, "c2": good, "x1": bad}
	if err := s.SetCourseQuality(ctx, src.ID, reports); err != nil {
		t.Fatal(err)
	}
	c1, err := s.Course(ctx, "c1")
	if err != nil || c1.Quality == nil || !c1.Quality.Flagged || c1.Quality.Score != 43 ||
		!slices.Equal(c1.Quality.Violations, bad.Violations) {
		t.Fatalf("c1 quality = %+v, %v", c1.Quality, err)
	}
	if c2, _ := s.Course(ctx, "c2"); c2.Quality == nil || c2.Quality.Flagged || c2.Quality.Score != 100 {
		t.Errorf("c2 quality = %+v", c2.Quality)
	}
	if x1, _ := s.Course(ctx, "x1"); x1.Quality != nil {
		t.Errorf("another source's course got a report: %+v", x1.Quality)
	}
	// The index holds the flag: flagging c1 makes it stale, c2's
	// unflagged report does not.
	if b, _ := s.IndexBacklog(ctx, ""); !slices.Equal(staleIDs(b), []string{"c1"}) {
		t.Fatalf("after flagging c1: backlog %+v", b)
	}
	markIndexed(t, s, "c1")
	if b, _ := s.IndexBacklog(ctx, ""); len(b.Stale) != 0 {
		t.Fatalf("after indexing the flag: backlog %+v", b)
	}
	s.SetCourseQuality(ctx, src.ID, map[string]store.CourseQuality{"c1": good})
	if b, _ := s.IndexBacklog(ctx, ""); !slices.Equal(staleIDs(b), []string{"c1"}) {
		t.Fatalf("after c1 was fixed: backlog %+v", b)
	}

	run, err := s.StartRun(ctx, src.ID, "test", "", t0)
	if err != nil {
		t.Fatal(err)
	}
	run.Status, run.FinishedAt = store.RunOK, t0.Add(time.Minute)
	run.Quality, run.ValidationTime = []byte(`{"records":2}`), 1500*time.Millisecond
	if err := s.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	got, err := s.Run(ctx, run.ID)
	if err != nil || string(got.Quality) != `{"records":2}` || got.ValidationTime != 1500*time.Millisecond {
		t.Errorf("run quality = %q, %v, %v", got.Quality, got.ValidationTime, err)
	}
}
