package eduapi

import (
	"testing"

	"qlink/internal/model"
	"qlink/internal/source/sourcetest"
	"qlink/internal/testfed"
)

// TestHostileServers harvests the simulated federation's misbehaving
// Edu-API servers over HTTP.
func TestHostileServers(t *testing.T) {
	sourcetest.HarvestHostile(t, Adapter{}, testfed.FormatEduAPI,
		sourcetest.Hostile{Misbehavior: testfed.RepeatedPages, WantErr: "same page again"},
		sourcetest.Hostile{Misbehavior: testfed.EndlessPages, WantErr: "same page again"},
		sourcetest.Hostile{Misbehavior: testfed.MalformedItem, Check: func(t *testing.T, h sourcetest.HostileRun) {
			// One bad record is a warning naming it; the rest arrives.
			if len(h.Out.Specs) != len(h.Src.Courses)+len(h.Src.Programs) {
				t.Errorf("%d specs, want %d", len(h.Out.Specs), len(h.Src.Courses)+len(h.Src.Programs))
			}
			broken := h.Src.Courses[1]
			if !broken.HasQuirk(testfed.QuirkMalformedField) || !h.Out.Warned(broken.ID, "dateLastModified", "number") ||
				!h.Out.Warned("offset=0 item 1", "", "not a valid template") {
				t.Errorf("warnings:\n%s", h.Out.WarningList())
			}
			if s := h.Out.ByID(model.CourseID(h.In.SCHAC, h.In.DEQARID, broken.Code)); s == nil || s.Title.IsEmpty() || !s.Modified.IsZero() {
				t.Errorf("broken course: %+v", s)
			}
		}})
}
