package web

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"

	"qlink/internal/store"
)

// The data-quality report of a provider is read from what the harvest
// stored: each run keeps its source's summary (a quality.Summary as JSON;
// web reads the store, not the checks, so it decodes the fields it shows).

// QualityTrendRuns is how many of a provider's latest checked runs the
// trend covers.
const QualityTrendRuns = 20

// maxQualityExamples bounds the example records per rule in the
// provider's combined summary, as the harvest bounds them per source.
const maxQualityExamples = 5

// ProviderQuality is a provider's latest data-quality report: GET
// /api/v1/providers/{id}/quality and `qlink quality`.
type ProviderQuality struct {
	Provider string `json:"provider"`
	// Summary combines the latest checked run of every active source.
	Summary QualitySummary  `json:"summary"`
	Sources []SourceQuality `json:"sources"`
	// Trend is the provider's quality over its latest checked runs,
	// newest first.
	Trend []QualityPoint `json:"trend"`
}

// QualitySummary aggregates the quality reports of a set of records.
type QualitySummary struct {
	Records    int `json:"records"`
	Courses    int `json:"courses"`
	Conforming int `json:"conforming"` // records that break no rule at violation severity
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
	Records    int               `json:"records"`
	Examples   []string          `json:"examples"`
}

// SourceQuality is the summary of a source's latest checked run.
type SourceQuality struct {
	Source string    `json:"source"`
	Type   string    `json:"type"`
	Path   string    `json:"path"`
	Run    int64     `json:"run"`
	At     time.Time `json:"at"`
	// ValidationMS is how long the run's quality checks took.
	ValidationMS float64 `json:"validationMs"`
	QualitySummary
}

// QualityPoint is one run in the trend.
type QualityPoint struct {
	Run          int64     `json:"run"`
	Source       string    `json:"source"`
	At           time.Time `json:"at"`
	AverageScore float64   `json:"averageScore"`
	Records      int       `json:"records"`
	Conforming   int       `json:"conforming"`
	// Violations counts every finding of the run, all rules together.
	Violations int `json:"violations"`
}

// LoadProviderQuality builds a provider's report from the store.
func LoadProviderQuality(ctx context.Context, st store.Store, providerID string) (ProviderQuality, error) {
	out := ProviderQuality{Provider: providerID, Sources: []SourceQuality{}, Trend: []QualityPoint{}}
	sources, err := st.ListSources(ctx, providerID)
	if err != nil {
		return out, err
	}
	var latest []QualitySummary
	for _, src := range sources {
		if !src.Active {
			continue
		}
		run, sum, found, err := latestChecked(ctx, st, src.ID)
		if err != nil {
			return out, err
		}
		if !found {
			continue
		}
		latest = append(latest, sum)
		out.Sources = append(out.Sources, SourceQuality{Source: src.ID, Type: src.Type, Path: src.URL, Run: run.ID,
			At: run.FinishedAt, ValidationMS: millis(run.ValidationTime), QualitySummary: sum})
	}
	out.Summary = combineSummaries(latest)
	if out.Trend, err = qualityTrend(ctx, st, providerID); err != nil {
		return out, err
	}
	return out, nil
}

// checkedRunsScanned bounds the runs read to find a source's latest
// checked one: failed runs check nothing, but fifty in a row is a source
// with no recent report.
const checkedRunsScanned = 50

func latestChecked(ctx context.Context, st store.Store, sourceID string) (store.Run, QualitySummary, bool, error) {
	runs, err := st.FindRuns(ctx, store.RunFilter{SourceID: sourceID, Limit: checkedRunsScanned})
	if err != nil {
		return store.Run{}, QualitySummary{}, false, err
	}
	for _, r := range runs {
		if len(r.Quality) > 0 {
			sum, err := decodeSummary(r)
			return r, sum, err == nil, err
		}
	}
	return store.Run{}, QualitySummary{}, false, nil
}

func decodeSummary(r store.Run) (QualitySummary, error) {
	var sum QualitySummary
	if err := json.Unmarshal(r.Quality, &sum); err != nil {
		return sum, fmt.Errorf("quality summary of run %d: %w", r.ID, err)
	}
	if sum.Rules == nil {
		sum.Rules = []QualityRule{}
	}
	return sum, nil
}

// qualityTrend lists the provider's latest checked runs, newest first.
func qualityTrend(ctx context.Context, st store.Store, providerID string) ([]QualityPoint, error) {
	runs, err := st.FindRuns(ctx, store.RunFilter{ProviderID: providerID, Limit: QualityTrendRuns * 3})
	if err != nil {
		return nil, err
	}
	trend := []QualityPoint{}
	for _, r := range runs {
		if len(r.Quality) == 0 || len(trend) == QualityTrendRuns {
			continue
		}
		sum, err := decodeSummary(r)
		if err != nil {
			return nil, err
		}
		p := QualityPoint{Run: r.ID, Source: r.SourceID, At: r.FinishedAt, AverageScore: sum.AverageScore,
			Records: sum.Records, Conforming: sum.Conforming}
		for _, rule := range sum.Rules {
			p.Violations += rule.Violations
		}
		trend = append(trend, p)
	}
	return trend, nil
}

// combineSummaries adds up the summaries of a provider's sources: counts
// summed, the score averaged over all courses, rules merged, most records
// first.
func combineSummaries(sums []QualitySummary) QualitySummary {
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
				if len(c.Examples) < maxQualityExamples {
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

// apiProviderQuality answers GET /api/v1/providers/{id}/quality.
func (s *Server) apiProviderQuality(w http.ResponseWriter, r *http.Request) {
	p, ok := s.findProvider(w, r)
	if !ok {
		return
	}
	rep, err := LoadProviderQuality(r.Context(), s.opts.Store, p.ID)
	if err != nil {
		s.apiFailure(w, "loading the quality report failed", err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
