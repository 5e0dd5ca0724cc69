package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"qlink/internal/store"
)

// apiRun is one harvest run of one source.
type apiRun struct {
	ID     int64           `json:"id"`
	Source string          `json:"source"`
	Status store.RunStatus `json:"status"`
	// Trigger says what started the run (a command, the schedule).
	Trigger string    `json:"trigger"`
	Started time.Time `json:"started"`
	// Finished is null while the run is running.
	Finished *time.Time   `json:"finished"`
	Counts   apiRunCounts `json:"counts"`
	// Warnings counts every warning the run raised.
	Warnings int `json:"warnings"`
	// Reason says why a run is suspicious or interrupted.
	Reason string `json:"reason"`
	Error  string `json:"error"`
	// ValidationMS is how long the run's quality checks took.
	ValidationMS float64 `json:"validationMs"`
}

type apiRunCounts struct {
	Seen      int `json:"seen"`
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Removed   int `json:"removed"`
	Conflicts int `json:"conflicts"`
}

type apiRunList struct {
	Items []apiRun `json:"items"`
	Total int      `json:"total"`
	Page  int      `json:"page"`
	Limit int      `json:"limit"`
}

// apiRunDetail is one run with its warnings.
type apiRunDetail struct {
	apiRun
	Provider string `json:"provider"`
	Pages    int    `json:"pages"`
	Bytes    int64  `json:"bytes"`
	// WarningList pages through the warnings the run kept: a harvest keeps
	// only the first ones (Kept of Total).
	WarningList apiWarnings `json:"warningList"`
}

type apiWarnings struct {
	Total int             `json:"total"`
	Kept  int             `json:"kept"`
	Page  int             `json:"page"`
	Limit int             `json:"limit"`
	Items []store.Warning `json:"items"`
}

func presentRun(r store.Run) apiRun {
	return apiRun{ID: r.ID, Source: r.SourceID, Status: r.Status, Trigger: r.Trigger, Started: r.StartedAt,
		Finished: timeOrNil(r.FinishedAt), Warnings: r.WarningCount, Reason: r.Reason, Error: r.Error,
		ValidationMS: millis(r.ValidationTime),
		Counts: apiRunCounts{Seen: r.Seen, Added: r.Added, Updated: r.Updated, Unchanged: r.Unchanged, Removed: r.Removed,
			Conflicts: r.Conflicts}}
}

// millis shows a duration in milliseconds, to the microsecond.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// apiProviderRuns answers GET /api/v1/providers/{id}/runs: the runs of all
// the provider's sources, newest first, paged.
func (s *Server) apiProviderRuns(w http.ResponseWriter, r *http.Request) {
	limit, page, refused := parsePage(r.URL.Query())
	if refused != nil {
		writeJSON(w, http.StatusBadRequest, refused)
		return
	}
	p, ok := s.findProvider(w, r)
	if !ok {
		return
	}
	f := store.RunFilter{ProviderID: p.ID, Limit: limit, Offset: (page - 1) * limit}
	total, err := s.opts.Store.CountRuns(r.Context(), f)
	if err != nil {
		s.apiFailure(w, "loading the runs failed", err)
		return
	}
	runs, err := s.opts.Store.FindRuns(r.Context(), f)
	if err != nil {
		s.apiFailure(w, "loading the runs failed", err)
		return
	}
	out := apiRunList{Items: make([]apiRun, 0, len(runs)), Total: total, Page: page, Limit: limit}
	for _, run := range runs {
		out.Items = append(out.Items, presentRun(run))
	}
	writeJSON(w, http.StatusOK, out)
}

// apiRunByID answers GET /api/v1/runs/{id}: the run, with a page of its
// warnings.
func (s *Server) apiRunByID(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		writeJSON(w, http.StatusBadRequest, paramErrorf("id", 0, "a run id is a positive whole number, not %q", raw))
		return
	}
	limit, page, refused := parsePage(r.URL.Query())
	if refused != nil {
		writeJSON(w, http.StatusBadRequest, refused)
		return
	}
	run, err := s.opts.Store.Run(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeJSONError(w, http.StatusNotFound, "no run with id "+raw)
		return
	}
	if err != nil {
		s.apiFailure(w, "loading the run failed", err)
		return
	}
	src, err := s.opts.Store.Source(r.Context(), run.SourceID)
	if err != nil {
		s.apiFailure(w, "loading the run's source failed", err)
		return
	}
	kept := run.Warnings
	from := min((page-1)*limit, len(kept))
	items := kept[from:min(from+limit, len(kept))]
	if items == nil {
		items = []store.Warning{}
	}
	writeJSON(w, http.StatusOK, apiRunDetail{apiRun: presentRun(run), Provider: src.ProviderID, Pages: run.Pages, Bytes: run.Bytes,
		WarningList: apiWarnings{Total: run.WarningCount, Kept: len(kept), Page: page, Limit: limit, Items: items}})
}
