package ooapi

import (
	"strings"
	"testing"

	"qlink/internal/model"
	"qlink/internal/source/sourcetest"
	"qlink/internal/testfed"
)

// TestHostileServers harvests the simulated federation's misbehaving
// OOAPI servers over HTTP.
func TestHostileServers(t *testing.T) {
	tests := []struct {
		mb      testfed.Misbehavior
		wantErr string
	}{
		{testfed.RepeatedPages, "same page again"},
		{testfed.EndlessPages, "same page again"},
		{testfed.MalformedItem, ""},
	}
	var hostile []testfed.Hostile
	for _, tt := range tests {
		hostile = append(hostile, testfed.Hostile{Misbehavior: tt.mb, Format: testfed.FormatOOAPI})
	}
	fed, client := sourcetest.StartFederation(t, hostile...)
	insts := fed.Institutions()
	for i, tt := range tests {
		t.Run(string(tt.mb), func(t *testing.T) {
			in := insts[len(insts)-len(tests)+i]
			src := in.Sources[0]
			out, err := sourcetest.HarvestSource(Adapter{}, client, in, src)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if tt.mb != testfed.MalformedItem {
				return
			}
			// This adapter skips a record it cannot decode whole; the
			// warning names the record and the field, the rest arrives.
			broken := src.Courses[1]
			if len(out.Specs) != len(src.Courses)+len(src.Programs)-1 || out.ByID(model.CourseID(in.SCHAC, in.DEQARID, broken.Code)) != nil {
				t.Errorf("%d specs, want %d", len(out.Specs), len(src.Courses)+len(src.Programs)-1)
			}
			if !out.Warned("item 3", "", "validFrom") || !out.Warned("item 1", "", "not a valid course") {
				t.Errorf("warnings:\n%s", out.WarningList())
			}
		})
	}
}
