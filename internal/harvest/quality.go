package harvest

import (
	"encoding/json"
	"fmt"
	"time"

	"qlink/internal/model"
	"qlink/internal/quality"
	"qlink/internal/store"
)

// Every record a run reads is checked against the QualityLink profile
// (internal/quality) and the policy checks over the run's record set.
// Records that break rules are stored all the same, flagged: the
// provider learns what to fix, the catalogue may hide them, nothing is
// dropped. The run keeps its source's summary and how long the checks
// took, so their cost stays visible.

// checkQuality validates the run's specifications, puts the source's
// summary on the run and returns each course's report, by ID.
func (h *Harvester) checkQuality(src store.Source, p model.Provider, specs []model.Specification,
	run *store.Run) (map[string]store.CourseQuality, error) {
	start := time.Now()
	reports := quality.CheckRecords(specs, p, h.PublishFor[p.ID])
	summary, err := json.Marshal(quality.Summarise(p.ID, src.URL, reports))
	if err != nil {
		return nil, fmt.Errorf("quality summary of run %d: %w", run.ID, err)
	}
	run.Quality, run.ValidationTime = summary, time.Since(start)
	byCourse := make(map[string]store.CourseQuality, len(reports))
	for _, r := range reports {
		byCourse[r.Record] = courseQuality(r, src.Type)
	}
	h.log.Info("quality checked", "source_id", src.ID, "run_id", run.ID, "records", len(reports),
		"flagged", len(reports)-countConforming(reports), "took", run.ValidationTime)
	return byCourse, nil
}

// courseQuality is what the store keeps of a report: the score and each
// finding, its field named as the source's format (the manifest's source
// type) calls it.
func courseQuality(r quality.CourseReport, format string) store.CourseQuality {
	q := store.CourseQuality{Flagged: !r.Conforms(), Violations: make([]store.QualityFinding, 0, len(r.Violations))}
	if r.Completeness != nil {
		q.Score = r.Completeness.Score
	}
	for _, v := range r.Violations {
		field, ok := v.Fields[format]
		if !ok {
			field = v.Property
		}
		q.Violations = append(q.Violations, store.QualityFinding{Rule: v.Rule, Severity: v.Severity,
			Message: v.Explanation, Field: field})
	}
	return q
}

func countConforming(reports []quality.CourseReport) int {
	n := 0
	for _, r := range reports {
		if r.Conforms() {
			n++
		}
	}
	return n
}
