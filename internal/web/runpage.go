package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"qlink/internal/model"
	"qlink/internal/store"
)

// The run page: one harvest run of one source, as an IT officer checks
// it: what was read (pages), what changed (counts), what the quality
// checks found and what went wrong on the way (warnings grouped by field).

// runPagesShown caps the pages listed; a run may read thousands.
const runPagesShown = 100

// warningExamples is how many warnings each group shows.
const warningExamples = 3

type runPageView struct {
	layoutData
	Run      store.Run
	Source   store.Source
	Provider model.Provider
	Status   string
	Started  string
	Finished string
	Duration string
	Running  bool
	Pages    []runPageLine
	// MorePages counts the pages not listed.
	MorePages int
	Quality   *model.QualitySummary
	Warnings  []warningGroup
	// WarningsKept is how many warnings the run kept of Run.WarningCount.
	WarningsKept int
	// Button offers a refresh of the run's institution.
	Button refreshButton
}

type runPageLine struct {
	store.RunPage
	NotModified bool
}

// warningGroup is the warnings about one field, with a few examples.
type warningGroup struct {
	Field    string
	Total    int
	Examples []store.Warning
	// More counts the group's warnings beyond the examples.
	More int
}

// runPage answers GET /runs/{id}.
func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathNumber(w, r, s.tr(r, "A run number is a positive whole number."))
	if !ok {
		return
	}
	ctx := r.Context()
	run, err := s.opts.Store.Run(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "There is no run with this number."))
		return
	}
	if err != nil {
		s.failurePage(w, r, "reading the run", err)
		return
	}
	src, err := s.opts.Store.Source(ctx, run.SourceID)
	if err != nil {
		s.failurePage(w, r, "reading the run's source", err)
		return
	}
	pages, err := s.opts.Store.RunPages(ctx, run.ID)
	if err != nil {
		s.failurePage(w, r, "reading the run's pages", err)
		return
	}
	v := runPageView{layoutData: layoutData{Title: s.tr(r, "Run %d", run.ID), Notice: s.opts.Notice},
		Run: run, Source: src, Provider: s.provider(ctx, src.ProviderID), Status: s.runStatusText(r, run.Status),
		Started: utcMinute(run.StartedAt), Duration: roughDuration(runDuration(run)), Running: run.Status == store.RunRunning,
		Warnings: groupWarnings(run.Warnings), WarningsKept: len(run.Warnings)}
	if !run.FinishedAt.IsZero() {
		v.Finished = utcMinute(run.FinishedAt)
	}
	for i, p := range pages {
		if i == runPagesShown {
			v.MorePages = len(pages) - i
			break
		}
		v.Pages = append(v.Pages, runPageLine{RunPage: p, NotModified: p.Status == http.StatusNotModified})
	}
	if len(run.Quality) > 0 {
		var q model.QualitySummary
		if err := json.Unmarshal(run.Quality, &q); err != nil {
			s.log.Warn("run quality summary", "run_id", run.ID, "error", err)
		} else {
			v.Quality = &q
		}
	}
	if v.Button, err = s.refreshButtonFor(r, src.ProviderID, s.csrfToken(r)); err != nil {
		s.failurePage(w, r, "reading the refreshes", err)
		return
	}
	s.render(w, r, http.StatusOK, "run", v)
}

// groupWarnings groups warnings by field, the largest group first, each
// with its first few warnings as examples.
func groupWarnings(ws []store.Warning) []warningGroup {
	var groups []warningGroup
	index := map[string]int{}
	for _, w := range ws {
		i, ok := index[w.Field]
		if !ok {
			i = len(groups)
			index[w.Field] = i
			groups = append(groups, warningGroup{Field: w.Field})
		}
		g := &groups[i]
		g.Total++
		if len(g.Examples) < warningExamples {
			g.Examples = append(g.Examples, w)
		} else {
			g.More++
		}
	}
	slices.SortStableFunc(groups, func(a, b warningGroup) int { return cmp.Compare(b.Total, a.Total) })
	return groups
}
