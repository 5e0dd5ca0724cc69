package occapi

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"qlink/internal/fetch"
	"qlink/internal/model"
	"qlink/internal/source/sourcetest"
	"qlink/internal/testfed"
)

// watch records every URL an adapter asks its Getter for.
type watch struct {
	sourcetest.HTTPGetter
	asked []string
}

func (w *watch) Get(ctx context.Context, raw string) (*fetch.Response, error) {
	w.asked = append(w.asked, raw)
	return w.HTTPGetter.Get(ctx, raw)
}

// TestHostileServers harvests the simulated federation's misbehaving
// OCCAPI servers over HTTP.
func TestHostileServers(t *testing.T) {
	fed, client := sourcetest.StartFederation(t,
		testfed.Hostile{Misbehavior: testfed.MalformedItem, Format: testfed.FormatOCCAPI},
		testfed.Hostile{Misbehavior: testfed.ForeignLinks, Format: testfed.FormatOCCAPI})
	insts := fed.Institutions()

	t.Run("malformed item", func(t *testing.T) {
		in := insts[len(insts)-2]
		src := in.Sources[0]
		out, err := sourcetest.HarvestSource(Adapter{}, client, in, src)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Specs) != len(src.Courses)+len(src.Programs) {
			t.Errorf("%d specs, want %d", len(out.Specs), len(src.Courses)+len(src.Programs))
		}
		broken := src.Courses[1]
		if !broken.HasQuirk(testfed.QuirkMalformedField) || !out.Warned(broken.Code, "lastModified", "is not a date") ||
			!out.Warned("/course item 1", "", "not a valid course") {
			t.Errorf("warnings:\n%s", out.WarningList())
		}
		if s := out.ByID(model.CourseID(in.SCHAC, in.DEQARID, broken.Code)); s == nil || !s.Modified.IsZero() || len(s.Instances) == 0 {
			t.Errorf("broken course: %+v", s)
		}
	})

	t.Run("foreign links", func(t *testing.T) {
		in := insts[len(insts)-1]
		src := in.Sources[0]
		u, _ := url.Parse(src.Path)
		get := &watch{HTTPGetter: sourcetest.HTTPGetter{Client: client, Host: u.Host}}
		out := &sourcetest.Collector{}
		err := Adapter{}.Harvest(context.Background(), sourcetest.Config(in, src), get, out)
		if err == nil || !strings.Contains(err.Error(), "points to another host") {
			t.Fatalf("error %v", err)
		}
		for _, a := range get.asked {
			if !strings.Contains(a, u.Host) {
				t.Errorf("asked for %s", a)
			}
		}
		// Courses with a foreign instance link are left out (the run is
		// incomplete, so nothing stored is removed); the rest arrive.
		want := 0
		for _, c := range src.Courses {
			s := out.ByID(model.CourseID(in.SCHAC, in.DEQARID, c.Code))
			if foreign := c.HasQuirk(testfed.QuirkForeignLink); foreign != (s == nil) {
				t.Errorf("%s: foreign link %v, harvested %v", c.Code, foreign, s != nil)
			} else if !foreign {
				want++
			}
		}
		if len(out.Specs) != want || want == len(src.Courses) {
			t.Errorf("%d specs, want %d of %d", len(out.Specs), want, len(src.Courses))
		}
	})
}
