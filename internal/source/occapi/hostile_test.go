package occapi

import (
	"strings"
	"testing"

	"qlink/internal/model"
	"qlink/internal/source/sourcetest"
	"qlink/internal/testfed"
)

// TestHostileServers harvests the simulated federation's misbehaving
// OCCAPI servers over HTTP.
func TestHostileServers(t *testing.T) {
	sourcetest.HarvestHostile(t, Adapter{}, testfed.FormatOCCAPI,
		sourcetest.Hostile{Misbehavior: testfed.MalformedItem, Check: func(t *testing.T, h sourcetest.HostileRun) {
			if len(h.Out.Specs) != len(h.Src.Courses)+len(h.Src.Programs) {
				t.Errorf("%d specs, want %d", len(h.Out.Specs), len(h.Src.Courses)+len(h.Src.Programs))
			}
			broken := h.Src.Courses[1]
			if !broken.HasQuirk(testfed.QuirkMalformedField) || !h.Out.Warned(broken.Code, "lastModified", "is not a date") ||
				!h.Out.Warned("/course item 1", "", "not a valid course") {
				t.Errorf("warnings:\n%s", h.Out.WarningList())
			}
			if s := h.Out.ByID(model.CourseID(h.In.SCHAC, h.In.DEQARID, broken.Code)); s == nil || !s.Modified.IsZero() || len(s.Instances) == 0 {
				t.Errorf("broken course: %+v", s)
			}
		}},
		sourcetest.Hostile{Misbehavior: testfed.ForeignLinks, WantErr: "points to another host", Check: func(t *testing.T, h sourcetest.HostileRun) {
			host := strings.Split(strings.TrimPrefix(h.Src.Path, "http://"), "/")[0]
			for _, a := range h.Asked {
				if !strings.Contains(a, host) {
					t.Errorf("asked for %s", a)
				}
			}
			// Courses with a foreign instance link are left out (the run is
			// incomplete, so nothing stored is removed); the rest arrive.
			want := 0
			for _, c := range h.Src.Courses {
				s := h.Out.ByID(model.CourseID(h.In.SCHAC, h.In.DEQARID, c.Code))
				if foreign := c.HasQuirk(testfed.QuirkForeignLink); foreign != (s == nil) {
					t.Errorf("%s: foreign link %v, harvested %v", c.Code, foreign, s != nil)
				} else if !foreign {
					want++
				}
			}
			if len(h.Out.Specs) != want || want == len(h.Src.Courses) {
				t.Errorf("%d specs, want %d of %d", len(h.Out.Specs), want, len(h.Src.Courses))
			}
		}})
}
