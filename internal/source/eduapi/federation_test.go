package eduapi

import (
	"strings"
	"testing"

	"qlink/internal/model"
	"qlink/internal/source/sourcetest"
	"qlink/internal/testfed"
	"qlink/internal/vocab"
)

// TestSimulatedFederation harvests every Edu-API source of the simulated
// federation over HTTP and holds the result against its ground truth.
func TestSimulatedFederation(t *testing.T) {
	sourcetest.EachSource(t, Adapter{}, testfed.FormatEduAPI, func(t *testing.T, in testfed.Institution, src testfed.Source,
		out *sourcetest.Collector, err error) {
		if err != nil || len(out.Warnings) > 0 {
			t.Errorf("%s: %v\n%s", src.Path, err, out.WarningList())
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
	})
}

func checkCourse(t *testing.T, c testfed.Course, s *model.Specification) {
	t.Helper()
	for _, ls := range c.Name {
		norm, _ := vocabNorm(ls.Language)
		if s.Title[norm] != ls.Value {
			t.Errorf("%s: title %v, want %v", c.Code, s.Title, c.Name)
		}
	}
	if e, _ := s.ECTS(); e != c.ECTS || s.EQFLevel != c.EQF || len(s.LearningOutcomes) != len(c.LearningOutcomes) ||
		(c.ISCED == "") != (len(s.ISCEDF) == 0) || len(s.Instances) != len(c.Offerings) {
		t.Errorf("%s: ects %v eqf %d outcomes %d isced %v instances %d; truth %+v", c.Code, e, s.EQFLevel, len(s.LearningOutcomes),
			s.ISCEDF, len(s.Instances), c)
	}
	for i, o := range c.Offerings {
		if i < len(s.Instances) && (!s.Instances[i].Start.Equal(o.Start) || len(s.Instances[i].Modes) != 1) {
			t.Errorf("%s: instance %+v, truth %+v", c.Code, s.Instances[i], o)
		}
	}
	if strings.Contains(s.ID, " ") {
		t.Errorf("%s: id %s", c.Code, s.ID)
	}
}

func vocabNorm(tag string) (string, bool) { return vocab.NormalizeLang(tag) }
