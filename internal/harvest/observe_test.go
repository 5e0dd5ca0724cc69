package harvest

import (
	"context"
	"slices"
	"testing"

	"qlink/internal/fetch"
	"qlink/internal/model"
	"qlink/internal/store"
)

func TestRunFinishedIsToldEveryOutcome(t *testing.T) {
	f := newFixture(t, `{"type":"ooapi","path":"SRV/ooapi/v5"}`)
	var outcomes []store.RunStatus
	f.h.RunFinished = func(s store.RunStatus) { outcomes = append(outcomes, s) }
	f.adapter.paths = []string{"/courses"}
	f.adapter.specs = []model.Specification{spec("c1", "One", "P1")}
	if _, err := f.h.Source(context.Background(), f.src, "test"); err != nil {
		t.Fatal(err)
	}
	f.adapter.err, f.adapter.specs = &fetch.Error{Kind: fetch.KindTimeout, URL: "x"}, nil
	if _, err := f.h.Source(context.Background(), f.src, "test"); err != nil {
		t.Fatal(err)
	}
	if want := []store.RunStatus{store.RunOK, store.RunFailed}; !slices.Equal(outcomes, want) {
		t.Errorf("outcomes %v, want %v", outcomes, want)
	}
}
