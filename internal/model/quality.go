package model

import (
	"cmp"
	"math"
	"slices"
)

// The data-quality summary of a set of records (a source's run, a
// provider): what the harvest stores with each run and what the API and
// `qlink quality` show. The checks themselves live in internal/quality;
// the shape lives here so that the web can read stored summaries without
// importing the checks.

// MaxQualityExamples bounds the example records a summary keeps per rule.
const MaxQualityExamples = 5

// QualitySummary aggregates the quality reports of a set of records.
type QualitySummary struct {
	Provider string `json:"provider,omitempty"`
	Source   string `json:"source,omitempty"`
	// Records counts the reports summarised; Courses those about courses,
	// which alone have a completeness score.
	Records    int `json:"records"`
	Courses    int `json:"courses"`
	Conforming int `json:"conforming"` // records with no violation-severity finding
	// AverageScore is the mean completeness of the courses, 0–100.
	AverageScore float64       `json:"averageScore"`
	Rules        []QualityRule `json:"rules"`
}

// QualityRule is one broken rule with how often it is broken.
type QualityRule struct {
	Rule      string `json:"rule"`
	Component string `json:"component,omitempty"`
	Severity  string `json:"severity"`
	// Explanation says in plain words what is wrong.
	Explanation string `json:"explanation"`
	Property    string `json:"property"`
	// Fields names the property per source format.
	Fields     map[string]string `json:"fields,omitempty"`
	Violations int               `json:"violations"`
	Records    int               `json:"records"`  // records with at least one
	Examples   []string          `json:"examples"` // up to MaxQualityExamples record IDs
}

// CombineQuality adds up the summaries of several sources (a provider's): counts
// summed, the score averaged over all courses, rules merged, most records
// first.
func CombineQuality(sums []QualitySummary) QualitySummary {
	out := QualitySummary{Rules: []QualityRule{}}
	index := map[[2]string]int{}
	var scoreTotal float64
	for _, s := range sums {
		out.Records += s.Records
		out.Courses += s.Courses
		out.Conforming += s.Conforming
		scoreTotal += s.AverageScore * float64(s.Courses)
		for _, r := range s.Rules {
			key := [2]string{r.Rule, r.Component}
			i, ok := index[key]
			if !ok {
				i = len(out.Rules)
				index[key] = i
				first := r
				first.Violations, first.Records, first.Examples = 0, 0, []string{}
				out.Rules = append(out.Rules, first)
			}
			c := &out.Rules[i]
			c.Violations += r.Violations
			c.Records += r.Records
			for _, ex := range r.Examples {
				if len(c.Examples) < MaxQualityExamples {
					c.Examples = append(c.Examples, ex)
				}
			}
		}
	}
	if out.Courses > 0 {
		out.AverageScore = math.Round(10*scoreTotal/float64(out.Courses)) / 10
	}
	slices.SortStableFunc(out.Rules, func(a, b QualityRule) int { return cmp.Compare(b.Records, a.Records) })
	return out
}
