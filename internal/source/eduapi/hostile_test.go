package eduapi

import (
	"strings"
	"testing"

	"qlink/internal/model"
	"qlink/internal/source/sourcetest"
	"qlink/internal/testfed"
)

// TestHostileServers harvests the simulated federation's misbehaving
// Edu-API servers over HTTP.
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
		hostile = append(hostile, testfed.Hostile{Misbehavior: tt.mb, Format: testfed.FormatEduAPI})
	}
	fed, client := sourcetest.StartFederation(t, hostile...)
	insts := fed.Institutions()
	for i, tt := range tests {
		t.Run(string(tt.mb), func(t *testing.T) {
			in := insts[len(insts)-len(tests)+i]
			src := in.Sources[0]
			if in.Misbehavior != tt.mb || src.Type != testfed.FormatEduAPI {
				t.Fatalf("institution %s: %s %s", in.SCHAC, in.Misbehavior, src.Type)
			}
			out, err := sourcetest.HarvestSource(Adapter{}, client, in, src)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if tt.mb != testfed.MalformedItem {
				return
			}
			// One bad record is a warning naming it; the rest arrives.
			if len(out.Specs) != len(src.Courses)+len(src.Programs) {
				t.Errorf("%d specs, want %d", len(out.Specs), len(src.Courses)+len(src.Programs))
			}
			broken := src.Courses[1]
			if !broken.HasQuirk(testfed.QuirkMalformedField) || !out.Warned(broken.ID, "dateLastModified", "number") ||
				!out.Warned("offset=0 item 1", "", "not a valid template") {
				t.Errorf("warnings:\n%s", out.WarningList())
			}
			if s := out.ByID(model.CourseID(in.SCHAC, in.DEQARID, broken.Code)); s == nil || s.Title.IsEmpty() || !s.Modified.IsZero() {
				t.Errorf("broken course: %+v", s)
			}
		})
	}
}
