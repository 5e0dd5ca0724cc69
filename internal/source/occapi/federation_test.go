package occapi

import (
	"testing"

	"qlink/internal/model"
	"qlink/internal/source/sourcetest"
	"qlink/internal/testfed"
)

// TestSimulatedFederation harvests every OCCAPI source of the simulated
// federation over HTTP and holds the result against its ground truth.
func TestSimulatedFederation(t *testing.T) {
	sourcetest.EachSource(t, Adapter{}, testfed.FormatOCCAPI, func(t *testing.T, in testfed.Institution, src testfed.Source,
		out *sourcetest.Collector, err error) {
		if err != nil {
			t.Errorf("%s: %v\n%s", src.Path, err, out.WarningList())
		}
		for _, w := range out.Warnings {
			// Some servers publish no instance links, some link only their
			// units; the truth knows which.
			if w.Field != "links.instance" && w.Field != "links.course" && w.Field != "links.programme" {
				t.Errorf("%s: warning %s", src.Path, w)
			}
		}
		if len(out.Specs) != len(src.Courses)+len(src.Programs) {
			t.Errorf("%s: %d specs, want %d", src.Path, len(out.Specs), len(src.Courses)+len(src.Programs))
		}
		for _, c := range src.Courses {
			if s := out.ByID(model.CourseID(in.SCHAC, in.DEQARID, c.Code)); s == nil {
				t.Errorf("%s: course %s missing", src.Path, c.Code)
			} else {
				checkCourse(t, c, s)
			}
		}
		for _, p := range src.Programs {
			s := out.ByID(model.CourseID(in.SCHAC, in.DEQARID, p.Code))
			if s == nil || s.EQFLevel != p.EQF || len(s.HasPart) != len(p.Courses) || len(s.LearningOutcomes) != len(p.LearningOutcomes) {
				t.Errorf("%s: programme %+v, truth %+v", src.Path, s, p)
			}
		}
	})
}

func checkCourse(t *testing.T, c testfed.Course, s *model.Specification) {
	t.Helper()
	for _, ls := range c.Name {
		norm := model.TextKey(ls.Language)
		if s.Title[norm] != ls.Value || len(s.Title) != len(c.Name) {
			t.Errorf("%s: title %v, want %v", c.Code, s.Title, c.Name)
		}
	}
	for i, lo := range c.LearningOutcomes {
		for _, ls := range lo {
			norm := model.TextKey(ls.Language)
			if i >= len(s.LearningOutcomes) || s.LearningOutcomes[i][norm] != ls.Value {
				t.Errorf("%s: outcome %d %v, want %v", c.Code, i, s.LearningOutcomes, lo)
			}
		}
	}
	if e, _ := s.ECTS(); e != c.ECTS || s.EQFLevel != c.EQF || len(s.LearningOutcomes) != len(c.LearningOutcomes) ||
		len(s.ISCEDF) != 1 || s.ISCEDF[0] != c.ISCED || len(s.Instances) != len(c.Offerings) {
		t.Errorf("%s: ects %v eqf %d outcomes %d isced %v instances %d; truth %+v", c.Code, e, s.EQFLevel, len(s.LearningOutcomes),
			s.ISCEDF, len(s.Instances), c)
	}
	for i, o := range c.Offerings {
		if i < len(s.Instances) && (!s.Instances[i].Start.Equal(o.Start) || len(s.Instances[i].Modes) == 0) {
			t.Errorf("%s: instance %+v, truth %+v", c.Code, s.Instances[i], o)
		}
	}
}
