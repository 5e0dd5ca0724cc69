package quality

import (
	"cmp"
	"math"
	"slices"
)

// MaxExamples bounds the example records a summary keeps per rule.
const MaxExamples = 5

// Summary aggregates the reports of one source or provider: what a
// harvest run stores, and what a provider reads first.
type Summary struct {
	Provider string `json:"provider,omitempty"`
	Source   string `json:"source,omitempty"`
	// Records counts the reports summarised; Courses those about courses,
	// which alone have a completeness score.
	Records    int `json:"records"`
	Courses    int `json:"courses"`
	Conforming int `json:"conforming"` // records with no violation-severity finding
	// AverageScore is the mean completeness of the courses, 0–100.
	AverageScore float64     `json:"averageScore"`
	Rules        []RuleCount `json:"rules,omitempty"`
}

// RuleCount is one rule's share of a summary.
type RuleCount struct {
	Rule        string            `json:"rule"`
	Component   string            `json:"component,omitempty"`
	Severity    string            `json:"severity"`
	Explanation string            `json:"explanation"`
	Property    string            `json:"property"`
	Fields      map[string]string `json:"fields,omitempty"`
	Violations  int               `json:"violations"`
	Records     int               `json:"records"`  // records with at least one
	Examples    []string          `json:"examples"` // up to MaxExamples record IDs, in report order
}

// Summarise aggregates reports for one provider and source (either may be
// empty). Rules are ordered by the number of records they affect, most
// first.
func Summarise(provider, source string, reports []CourseReport) Summary {
	s := Summary{Provider: provider, Source: source, Records: len(reports)}
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
				s.Rules = append(s.Rules, RuleCount{Rule: v.Rule, Component: v.Component, Severity: v.Severity,
					Explanation: v.Explanation, Property: v.Property, Fields: v.Fields, Examples: []string{}})
			}
			rc := &s.Rules[i]
			rc.Violations++
			if !counted[i] {
				counted[i] = true
				rc.Records++
				if len(rc.Examples) < MaxExamples {
					rc.Examples = append(rc.Examples, c.Record)
				}
			}
		}
	}
	if s.Courses > 0 {
		s.AverageScore = math.Round(10*float64(total)/float64(s.Courses)) / 10
	}
	slices.SortStableFunc(s.Rules, func(a, b RuleCount) int { return cmp.Compare(b.Records, a.Records) })
	return s
}
