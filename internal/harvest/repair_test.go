package harvest

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"qlink/internal/model"
	modelelm "qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/search"
	"qlink/internal/sharedtest"
	"qlink/internal/store"
)

// A run indexes the specifications it holds rather than reading them
// back: the documents must be those the stored courses give, field by
// field, for real published data (texts in several languages, instances,
// credits) and for a duplicate ID, of which the store keeps the first.
func TestIndexedAsStored(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, `{"type":"ooapi","path":"SRV/ooapi/v5"}`)
	p, err := f.st.Provider(ctx, "P1")
	if err != nil {
		t.Fatal(err)
	}
	var specs []model.Specification
	for _, file := range []string{"AT0002.ttl", "SI0001.ttl"} {
		body := sharedtest.ReadFile(t, "samples", "elm", "quality-link", file)
		g, err := rdfio.LoadGraph(bytes.NewReader(body), rdf.FormatTurtle, rdf.Options{})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		specs = append(specs, modelelm.Read(g, modelelm.ReadOptions{Provider: p}).Specs...)
	}
	if len(specs) < 4 {
		t.Fatalf("the samples gave %d specifications", len(specs))
	}
	unique := map[string]bool{}
	for _, s := range specs {
		unique[s.ID] = true
	}
	dup := specs[0]
	dup.Title = model.Text{"en": "Published twice"}
	f.adapter.specs = append(specs, dup)

	run, err := f.h.Source(ctx, f.src, "test")
	if err != nil || run.Added != len(unique) {
		t.Fatalf("run: %+v %v", run, err)
	}
	ids, err := f.st.CourseIDs(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	courses, err := f.st.CoursesByID(ctx, ids)
	if err != nil || len(courses) != len(unique) {
		t.Fatalf("%d courses read: %v", len(courses), err)
	}
	for _, c := range courses {
		want := search.NewDocument(c.Spec, p)
		want.Inactive, want.Flagged = c.Inactive, c.Quality != nil && c.Quality.Flagged
		if got := f.idx.docs[c.Spec.ID]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s indexed as\n%+v\nstored as\n%+v", c.Spec.ID, got, want)
		}
	}
	if b, err := f.st.IndexBacklog(ctx, ""); err != nil || len(b.Stale) != 0 {
		t.Errorf("backlog after the run: %+v %v", b, err)
	}
}

// A held specification that is no longer what the store holds (its hash
// differs) is not indexed: the stored course is.
func TestHeldSpecsGiveWayToTheStore(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, `{"type":"ooapi","path":"SRV/ooapi/v5"}`)
	f.adapter.specs = []model.Specification{spec("c1", "Stored", "P1")}
	if _, err := f.h.Source(ctx, f.src, "test"); err != nil {
		t.Fatal(err)
	}
	c, err := f.st.Course(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	held := spec("c1", "Held but not stored", "P1")
	stale := store.IndexBacklog{Stale: []store.CourseState{c.State()}}
	err = f.h.applyBacklog(ctx, stale, map[string]model.Provider{}, heldSpecs{providerID: "P1", specs: map[string]heldSpec{"c1": {spec: &held, hash: "other"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.idx.docs["c1"].Title["en"]; got != "Stored" {
		t.Errorf("indexed title %q, want the stored one", got)
	}
	held.Title = model.Text{"en": "Held and stored"}
	err = f.h.applyBacklog(ctx, stale, map[string]model.Provider{}, heldSpecs{providerID: "P1", specs: map[string]heldSpec{"c1": {spec: &held, hash: c.Hash}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.idx.docs["c1"].Title["en"]; got != "Held and stored" {
		t.Errorf("indexed title %q: a held specification with the stored hash was not used", got)
	}
}
