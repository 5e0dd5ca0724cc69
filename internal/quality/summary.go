package quality

import (
	"cmp"
	"math"
	"slices"

	"qlink/internal/model"
)

// Summarise aggregates reports for one provider and source (either may be
// empty). Rules are ordered by the number of records they affect, most
// first.
func Summarise(provider, source string, reports []CourseReport) model.QualitySummary {
	s := model.QualitySummary{Provider: provider, Source: source, Records: len(reports)}
	index := map[[2]string]int{}
	total := 0
	for _, c := range reports {
		if c.Conforms() {
			s.Conforming++
		}
		if c.Completeness != nil {
			s.Courses++
			total += c.Completeness.Score
		}
		counted := map[int]bool{}
		for _, v := range c.Violations {
			key := [2]string{v.Rule, v.Component}
			i, ok := index[key]
			if !ok {
				i = len(s.Rules)
				index[key] = i
				s.Rules = append(s.Rules, model.QualityRule{Rule: v.Rule, Component: v.Component, Severity: v.Severity,
					Explanation: v.Explanation, Property: v.Property, Fields: v.Fields, Examples: []string{}})
			}
			rc := &s.Rules[i]
			rc.Violations++
			if !counted[i] {
				counted[i] = true
				rc.Records++
				if len(rc.Examples) < model.MaxQualityExamples {
					rc.Examples = append(rc.Examples, c.Record)
				}
			}
		}
	}
	if s.Courses > 0 {
		s.AverageScore = math.Round(10*float64(total)/float64(s.Courses)) / 10
	}
	slices.SortStableFunc(s.Rules, func(a, b model.QualityRule) int { return cmp.Compare(b.Records, a.Records) })
	return s
}
