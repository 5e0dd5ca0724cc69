package ooapi

import (
	"testing"

	"qlink/internal/model"
	"qlink/internal/source/sourcetest"
	"qlink/internal/testfed"
)

// TestHostileServers harvests the simulated federation's misbehaving
// OOAPI servers over HTTP.
func TestHostileServers(t *testing.T) {
	sourcetest.HarvestHostile(t, Adapter{}, testfed.FormatOOAPI,
		sourcetest.Hostile{Misbehavior: testfed.RepeatedPages, WantErr: "same page again"},
		sourcetest.Hostile{Misbehavior: testfed.EndlessPages, WantErr: "same page again"},
		sourcetest.Hostile{Misbehavior: testfed.MalformedItem, Check: func(t *testing.T, h sourcetest.HostileRun) {
			// This adapter skips a record it cannot decode whole; the
			// warning names the record and the field, the rest arrives.
			// The broken course's education specification, which no
			// readable course now stands for, arrives in its place.
			broken := h.Src.Courses[1]
			want := len(h.Src.Courses) + len(h.Src.Programs)
			if len(h.Out.Specs) != want || h.Out.ByID(model.CourseID(h.In.SCHAC, h.In.DEQARID, broken.Code)) == nil {
				t.Errorf("%d specs, want %d", len(h.Out.Specs), want)
			}
			if !h.Out.Warned("item 3", "", "validFrom") || !h.Out.Warned("item 1", "", "not a valid course") {
				t.Errorf("warnings:\n%s", h.Out.WarningList())
			}
		}})
}
