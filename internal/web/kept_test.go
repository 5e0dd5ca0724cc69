package web

import (
	"context"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
	"qlink/internal/vocab"
)

// unversioned hides the store's version, as a store that cannot name it.
type unversioned struct{ store.Store }

// keptAndFresh serves o twice: as it is, and over a store that cannot name
// its version, so that everything is made afresh.
func keptAndFresh(t *testing.T, o Options) (kept *Server, keptBase, freshBase string) {
	serve := func(o Options) (*Server, string) {
		srv, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		t.Cleanup(ts.Close)
		return srv, ts.URL
	}
	kept, keptBase = serve(o)
	fresh := o
	fresh.Store = unversioned{o.Store}
	_, freshBase = serve(fresh)
	return kept, keptBase, freshBase
}

// TestAPIItemsFollowEveryWrite checks the encoded items kept for the API
// (kept.go): kept while nothing is written, never served after a
// write, and the answers the same as those made afresh.
func TestAPIItemsFollowEveryWrite(t *testing.T) {
	ctx := context.Background()
	var o Options
	newTestServer(t, func(opts *Options) { o = *opts })
	p := model.Provider{ID: "P3", SCHAC: "uni-c.test", Name: model.Text{"en": "University C"}, Country: "AT"}
	spec := func(title string) model.Specification {
		return model.Specification{ID: "urn:schac:uniqueCourseId:uni-c.test:K1", Title: model.Text{"en": title}, Active: true,
			Languages: []string{"de"}, Type: vocab.LearningOpportunityTypes.URI("course"), PublisherID: p.ID}
	}
	addCourses(t, &o, p, []model.Specification{spec("Kept one")})
	srcs, err := o.Store.ListSources(ctx, p.ID)
	if err != nil || len(srcs) != 1 {
		t.Fatalf("sources: %v, %v", srcs, err)
	}
	srv, base, freshBase := keptAndFresh(t, o)

	list := "/api/v1/courses?q=kept&facet_limit=3"
	one := "/api/v1/courses/" + url.PathEscape(spec("").ID)
	answer := func(base, path, want string) string {
		t.Helper()
		resp, body := get(t, base+path)
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Fatalf("%s: %d %s, want %s in it", path, resp.StatusCode, body, want)
		}
		return body
	}
	answer(base, list, `"title":{"en":"Kept one"}`)
	served := srv.kept.items.Served()
	for _, path := range []string{list, one} {
		if got, want := answer(base, path, `"title":{"en":"Kept one"}`), answer(freshBase, path, `"title":{"en":"Kept one"}`); got != want {
			t.Errorf("%s: the kept items answer\n%s\nand the fresh ones\n%s", path, got, want)
		}
	}
	if srv.kept.items.Served() == served {
		t.Error("nothing written, yet the items were made again")
	}

	if _, err := o.Store.ApplyCourses(ctx, srcs[0].ID, 0, []model.Specification{spec("Kept two")}, true, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	answer(base, list, `"title":{"en":"Kept two"}`)
	answer(base, one, `"title":{"en":"Kept two"}`)

	// A harvest that changes nothing moves the last sight on.
	seen := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := o.Store.MarkSeen(ctx, srcs[0].ID, seen); err != nil {
		t.Fatal(err)
	}
	answer(base, list, `"lastSeen":"2031-01-02T03:04:05Z"`)
	answer(base, one, `"lastSeen":"2031-01-02T03:04:05Z"`)
	if _, body := get(t, base+"/api/v1/courses/urn:nope"); !strings.Contains(body, "no course with id urn:nope") {
		t.Errorf("an unknown course: %s", body)
	}
}

// TestAPIItemsFollowProviderNames checks that an item names its provider
// as the providers' snapshot does: a renamed provider shows in the items
// once the snapshot is read again, though the course did not change.
func TestAPIItemsFollowProviderNames(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	p := model.Provider{ID: "P3", SCHAC: "uni-c.test", Name: model.Text{"en": "University C"}, Country: "AT"}
	var st store.Store
	ts := newTestServer(t, func(o *Options) {
		o.Now = func() time.Time { return now }
		addCourses(t, o, p, []model.Specification{{ID: "urn:schac:uniqueCourseId:uni-c.test:K1", Title: model.Text{"en": "Kept"},
			Active: true, PublisherID: p.ID}})
		st = o.Store
	})
	for range 2 {
		if _, body := get(t, ts.URL+"/api/v1/courses?q=kept"); !strings.Contains(body, `"name":{"en":"University C"}`) {
			t.Fatalf("before the rename: %s", body)
		}
	}
	p.Name = model.Text{"en": "Renamed University C"}
	if err := st.UpsertProviders(context.Background(), []model.Provider{p}); err != nil {
		t.Fatal(err)
	}
	// Within the snapshot's time, items are made with the names it has.
	get(t, ts.URL+"/api/v1/courses?q=kept")
	now = now.Add(providerCacheTTL + time.Second)
	if _, body := get(t, ts.URL+"/api/v1/courses?q=kept"); !strings.Contains(body, `"name":{"en":"Renamed University C"}`) {
		t.Errorf("after the rename and the snapshot's time: %s", body)
	}
}

func TestWriteSpliced(t *testing.T) {
	for _, tc := range []struct {
		items []string
		want  string
	}{
		{nil, `{"total":0,"items":[],"facets":{}}`},
		{[]string{`{"id":"a"}`}, `{"total":0,"items":[{"id":"a"}],"facets":{}}`},
		{[]string{`{"id":"a"}`, `{"id":"b"}`}, `{"total":0,"items":[{"id":"a"},{"id":"b"}],"facets":{}}`},
	} {
		var items [][]byte
		for _, it := range tc.items {
			items = append(items, []byte(it))
		}
		var got strings.Builder
		writeSpliced(&got, []byte(`{"total":0,"items":[],"facets":{}}`), items)
		if got.String() != tc.want {
			t.Errorf("%v: %s, want %s", tc.items, got.String(), tc.want)
		}
	}
}

// TestCataloguePagesSameWithKeptCards compares the catalogue's pages made
// from kept cards with those made afresh, in two languages.
func TestCataloguePagesSameWithKeptCards(t *testing.T) {
	var o Options
	newTestServer(t, func(opts *Options) { o = *opts })
	srv, base, freshBase := keptAndFresh(t, o)
	for _, lang := range []string{"en", "nl,en;q=0.5", "de"} {
		for _, path := range []string{"/", "/?q=data", "/?country=DE"} {
			for round := range 2 {
				_, got := get(t, base+path, "Accept-Language", lang)
				_, want := get(t, freshBase+path, "Accept-Language", lang)
				if got, want := withoutCSRF(got), withoutCSRF(want); got != want {
					t.Errorf("%s in %s, round %d: the page from kept cards\n%s\ndiffers from the one made afresh\n%s", path, lang, round, got, want)
				}
			}
		}
	}
	// The card's snippet is the description's text, in the reader's
	// language.
	for lang, want := range map[string]string{"en": "Learn data.", "nl": "Leer data."} {
		if _, page := get(t, base+"/?q=data", "Accept-Language", lang); !strings.Contains(page, want) || strings.Contains(page, "alert") {
			t.Errorf("in %s, the snippet is not %q:\n%s", lang, want, page)
		}
	}
	if srv.kept.cards.Served() == 0 || srv.kept.shown.Served() == 0 {
		t.Errorf("cards kept %d times, their HTML %d times: want both", srv.kept.cards.Served(), srv.kept.shown.Served())
	}
}

// TestResultEntriesFollowTheDay checks that a course's kept entry in a
// result list is made again on the next day, when its next start may
// have passed.
func TestResultEntriesFollowTheDay(t *testing.T) {
	day := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	now := day
	var o Options
	newTestServer(t, func(opts *Options) { o = *opts })
	o.Now = func() time.Time { return now }
	p := model.Provider{ID: "P4", SCHAC: "uni-d.test", Name: model.Text{"en": "University D"}, Country: "BE"}
	spec := model.Specification{ID: "urn:schac:uniqueCourseId:uni-d.test:T1", Title: model.Text{"en": "Tidal physics"}, Active: true,
		Type: vocab.LearningOpportunityTypes.URI("course"), PublisherID: p.ID,
		Instances: []model.Instance{{ID: "urn:schac:uniqueCourseId:uni-d.test:T1:i", Start: day.Add(24 * time.Hour)}}}
	spec.Instances[0].SpecificationID = spec.ID
	addCourses(t, &o, p, []model.Specification{spec})
	srv, base, _ := keptAndFresh(t, o)
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{day, `datetime="2026-03-03"`},
		{day.Add(2 * time.Hour), `datetime="2026-03-03"`}, // the same day: kept
		{day.Add(48 * time.Hour), "No upcoming start date"},
	} {
		now = tc.now
		if _, page := get(t, base+"/?q=tidal", "Accept-Language", "en"); !strings.Contains(page, tc.want) {
			t.Errorf("on %s the entry does not show %s:\n%s", tc.now, tc.want, page)
		}
	}
	if srv.kept.shown.Served() != 1 {
		t.Errorf("the entry was served from what was kept %d times, want once (the same day)", srv.kept.shown.Served())
	}
}

// withoutCSRF drops the lines with a CSRF token, which each server signs
// with a key of its own.
func withoutCSRF(page string) string {
	lines := strings.Split(page, "\n")
	return strings.Join(slices.DeleteFunc(lines, func(l string) bool { return strings.Contains(l, "csrf") }), "\n")
}
