package testfed

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
)

// recordURL is where a source publishes one course on its own, or the
// whole ELM file.
func recordURL(src Source, id string) string {
	switch src.Type {
	case FormatEduAPI:
		return src.Path + "courseTemplates/" + id
	case FormatOCCAPI:
		return src.Path + "/course/" + id
	case FormatELM:
		return src.Path
	}
	return src.Path + "courses/" + id
}

func sourceOf(t *testing.T, f *Federation, ch Change) Source {
	t.Helper()
	for _, in := range f.Institutions() {
		for _, src := range in.Sources {
			if in.SCHAC == ch.SCHAC && src.ID == ch.Source {
				return src
			}
		}
	}
	t.Fatalf("no source %s of %s", ch.Source, ch.SCHAC)
	return Source{}
}

func courseOf(src Source, id string) *Course {
	for i := range src.Courses {
		if src.Courses[i].ID == id {
			return &src.Courses[i]
		}
	}
	return nil
}

// Each round's changes show in what the changed sources publish, in
// every format, and the failing institution answers 503 for one round.
func TestEvolveChangesPublishedData(t *testing.T) {
	f, err := Start(context.Background(), Options{Institutions: 8, Now: testNow,
		Formats: []string{FormatOOAPI, FormatEduAPI, FormatOCCAPI, FormatELM}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := client(t, f)
	before := f.Institutions()
	counts := courseCounts(before)
	formats := map[string]bool{}
	var failingBefore string
	for round := 1; round <= 6; round++ {
		ev := f.Evolve()
		if ev.Round != round {
			t.Fatalf("round %d numbered %d", round, ev.Round)
		}
		schacs := map[string]bool{ev.Edited.SCHAC: true, ev.Withdrawn.SCHAC: true, ev.Added.SCHAC: true, ev.Failing: true}
		if len(schacs) != 4 {
			t.Errorf("round %d: changes not in four institutions: %+v", round, ev)
		}
		// The failing institution is read first, the others after: it
		// fails now, and what failed last round answers again.
		for _, in := range f.Institutions() {
			if in.SCHAC != ev.Failing && in.SCHAC != failingBefore {
				continue
			}
			src := in.Sources[0]
			resp, _ := get(t, c, recordURL(src, src.Courses[0].ID))
			if want := http.StatusServiceUnavailable; in.SCHAC != ev.Failing {
				want = http.StatusOK
				if resp.StatusCode != want {
					t.Errorf("round %d: %s, failing last round, answers %d", round, in.SCHAC, resp.StatusCode)
				}
			} else if resp.StatusCode != want || resp.Header.Get("Retry-After") == "" {
				t.Errorf("round %d: failing %s answers %d", round, in.SCHAC, resp.StatusCode)
			}
		}
		failingBefore = ev.Failing

		edited := sourceOf(t, f, ev.Edited)
		course := courseOf(edited, ev.Edited.CourseID)
		if course == nil || !strings.HasSuffix(course.Name[0].Value, ")") {
			t.Fatalf("round %d: edited course in the truth: %+v", round, course)
		}
		resp, body := get(t, c, recordURL(edited, course.ID))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), fmt.Sprintf(" (%d)", round)) {
			t.Errorf("round %d: %s does not publish the edited title %q", round, edited.Type, course.Name[0].Value)
		}

		withdrawn := sourceOf(t, f, ev.Withdrawn)
		if courseOf(withdrawn, ev.Withdrawn.CourseID) != nil {
			t.Errorf("round %d: withdrawn course still in the truth", round)
		}
		resp, body = get(t, c, recordURL(withdrawn, ev.Withdrawn.CourseID))
		if resp.StatusCode == http.StatusOK && strings.Contains(string(body), ev.Withdrawn.CourseID) {
			t.Errorf("round %d: %s still publishes the withdrawn course", round, withdrawn.Type)
		}

		added := sourceOf(t, f, ev.Added)
		course = courseOf(added, ev.Added.CourseID)
		if course == nil {
			t.Fatalf("round %d: added course not in the truth", round)
		}
		resp, body = get(t, c, recordURL(added, course.ID))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), course.ID) {
			t.Errorf("round %d: %s does not publish the added course", round, added.Type)
		}
		for _, ch := range []Change{ev.Edited, ev.Withdrawn, ev.Added} {
			formats[ch.Format] = true
		}
	}
	if len(formats) != 4 {
		t.Errorf("six rounds changed only %v", formats)
	}
	// What a caller was given before stays as it was.
	if got := courseCounts(before); !maps.Equal(got, counts) {
		t.Errorf("Evolve changed the institutions given out before it")
	}
	if maps.Equal(courseCounts(f.Institutions()), counts) {
		t.Errorf("six rounds left every source's course count alone")
	}
}

func courseCounts(insts []Institution) map[string]int {
	out := map[string]int{}
	for _, in := range insts {
		for _, src := range in.Sources {
			out[in.SCHAC+"/"+src.ID] = len(src.Courses)
		}
	}
	return out
}

// Evolve depends on the seed and the round only.
func TestEvolveIsDeterministic(t *testing.T) {
	var got [2][]Evolution
	for k := range got {
		f, err := Start(context.Background(), Options{Institutions: 6, Now: testNow, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			got[k] = append(got[k], f.Evolve())
		}
		f.Close()
	}
	for i := range got[0] {
		if got[0][i] != got[1][i] {
			t.Errorf("round %d: %+v then %+v", i+1, got[0][i], got[1][i])
		}
	}
}

// A federation too small for four changed institutions still evolves (the
// demo runs with as few as one), and none of its servers fails.
func TestEvolveSmallFederation(t *testing.T) {
	f, err := Start(context.Background(), Options{Institutions: 2, Now: testNow, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for range 3 {
		ev := f.Evolve()
		if ev.Edited.CourseID == "" || ev.Withdrawn.CourseID == "" || ev.Added.CourseID == "" || ev.Failing != "" {
			t.Fatalf("round %d: %+v", ev.Round, ev)
		}
	}
}
