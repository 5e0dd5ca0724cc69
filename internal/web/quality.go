package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// The data-quality report of a provider is read from what the harvest
// stored: each run keeps its source's summary (a model.QualitySummary as JSON;
// web reads the store, not the checks, so it decodes the fields it shows).

// QualityTrendRuns is how many of a provider's latest checked runs the
// trend covers.
const QualityTrendRuns = 20

// ProviderQuality is a provider's latest data-quality report: GET
// /api/v1/providers/{id}/quality and `qlink quality`.
type ProviderQuality struct {
	Provider string `json:"provider"`
	// Summary combines the latest checked run of every active source.
	Summary model.QualitySummary `json:"summary"`
	Sources []SourceQuality      `json:"sources"`
	// Trend is the provider's quality over its latest checked runs,
	// newest first.
	Trend []QualityPoint `json:"trend"`
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
	model.QualitySummary
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
	var latest []model.QualitySummary
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
	out.Summary = model.CombineQuality(latest)
	if out.Trend, err = qualityTrend(ctx, st, providerID); err != nil {
		return out, err
	}
	return out, nil
}

// checkedRunsScanned bounds the runs read to find a source's latest
// checked one: failed runs check nothing, but fifty in a row is a source
// with no recent report.
const checkedRunsScanned = 50

func latestChecked(ctx context.Context, st store.Store, sourceID string) (store.Run, model.QualitySummary, bool, error) {
	runs, err := st.FindRuns(ctx, store.RunFilter{SourceID: sourceID, Limit: checkedRunsScanned})
	if err != nil {
		return store.Run{}, model.QualitySummary{}, false, err
	}
	for _, r := range runs {
		if len(r.Quality) > 0 {
			sum, err := decodeSummary(r)
			return r, sum, err == nil, err
		}
	}
	return store.Run{}, model.QualitySummary{}, false, nil
}

func decodeSummary(r store.Run) (model.QualitySummary, error) {
	var sum model.QualitySummary
	if err := json.Unmarshal(r.Quality, &sum); err != nil {
		return sum, fmt.Errorf("quality summary of run %d: %w", r.ID, err)
	}
	if sum.Rules == nil {
		sum.Rules = []model.QualityRule{}
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
