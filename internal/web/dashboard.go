package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"qlink/internal/model"
	"qlink/internal/store"
)

// The provider dashboard: what a signed-in institution may do with its
// own data. Every route sits behind requireProvider, and every handler
// also checks that the source or run it touches is the provider's.

// dashboardRuns is how many of the latest runs the dashboard lists.
const dashboardRuns = 10

// maxExtraRefreshes bounds a provider's own refreshes per hour: each one
// rediscovers and harvests all its sources.
const maxExtraRefreshes = 6

type dashboardPage struct {
	layoutData
	Provider  model.Provider
	Sources   []store.Source
	Runs      []dashboardRun
	Done      string
	CanFetch  bool
	CanQueue  bool
	RefreshAt string
}

type dashboardRun struct {
	store.Run
	Pages []store.RunPage
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.claimProvider(w, r)
	if !ok {
		return
	}
	sources, err := s.opts.Store.ListSources(ctx, p.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	runs, err := s.opts.Store.FindRuns(ctx, store.RunFilter{ProviderID: p.ID, Limit: dashboardRuns})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	page := dashboardPage{layoutData: layoutData{Title: s.tr(r, "Dashboard of %s", p.Name.String()), Notice: s.opts.Notice},
		Provider: p, Sources: sources, CanFetch: s.opts.Accounts.Snapshots != nil, CanQueue: s.opts.Accounts.Refresher != nil}
	switch r.URL.Query().Get("done") {
	case "refresh":
		page.Done = s.tr(r, "A refresh of all your sources is queued.")
	case "pause":
		page.Done = s.tr(r, "The source is paused: it is not refreshed on schedule until you resume it.")
	case "resume":
		page.Done = s.tr(r, "The source is resumed.")
	}
	for _, run := range runs {
		pages, err := s.opts.Store.RunPages(ctx, run.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		page.Runs = append(page.Runs, dashboardRun{Run: run, Pages: pages})
	}
	s.render(w, r, http.StatusOK, "dashboard", page)
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("serving page", "path", r.URL.Path, "error", err)
	s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "Something went wrong on the server; please try again."))
}

func (s *Server) backToDashboard(w http.ResponseWriter, r *http.Request, done string) {
	http.Redirect(w, r, "/dashboard/"+url.PathEscape(r.PathValue("provider"))+"?done="+done, http.StatusSeeOther)
}

// dashboardRefresh queues an extra refresh: the public per-provider limit
// does not apply to the provider itself, but the work still goes through
// the job queue like any other.
func (s *Server) dashboardRefresh(w http.ResponseWriter, r *http.Request) {
	providerID := r.PathValue("provider")
	if s.opts.Accounts.Refresher == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, s.tr(r, "This server does not harvest, so it cannot refresh anything."))
		return
	}
	if _, ok := s.ownRefreshes.take(providerID); !ok {
		s.errorPage(w, r, http.StatusTooManyRequests, s.tr(r, "Your sources were refreshed %d times in the last hour; wait a little before the next.", maxExtraRefreshes))
		return
	}
	if err := s.opts.Accounts.Refresher.RefreshProvider(r.Context(), providerID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, "provider.refresh", providerID, nil)
	s.backToDashboard(w, r, "refresh")
}

// ownSource loads the path's source if it is the path's provider's,
// answering 404 itself otherwise.
func (s *Server) ownSource(w http.ResponseWriter, r *http.Request) (store.Source, bool) {
	src, err := s.opts.Store.Source(r.Context(), r.PathValue("source"))
	if err != nil || src.ProviderID != r.PathValue("provider") {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log.Error("loading source", "error", err)
		}
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "This institution has no such source."))
		return src, false
	}
	return src, true
}

// dashboardPause pauses or resumes (by the path's last segment) one of
// the provider's sources.
func (s *Server) dashboardPause(w http.ResponseWriter, r *http.Request) {
	src, ok := s.ownSource(w, r)
	if !ok {
		return
	}
	pause := strings.HasSuffix(r.URL.Path, "/pause")
	if err := s.opts.Store.SetSourcePaused(r.Context(), src.ID, pause); err != nil {
		s.serverError(w, r, err)
		return
	}
	action := map[bool]string{true: "pause", false: "resume"}[pause]
	s.audit(r, "source."+action, src.ID, map[string]any{"provider": src.ProviderID, "url": src.URL})
	s.backToDashboard(w, r, action)
}

// dashboardSnapshot downloads one raw page of one of the provider's runs,
// as fetched. It is served as an attachment with nosniff, so a browser
// never renders what an institution's server sent.
func (s *Server) dashboardSnapshot(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	runID, err1 := strconv.ParseInt(r.PathValue("run"), 10, 64)
	seq, err2 := strconv.Atoi(r.PathValue("seq"))
	notFound := func() {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "This institution has no such snapshot."))
	}
	if err1 != nil || err2 != nil || s.opts.Accounts.Snapshots == nil {
		notFound()
		return
	}
	run, err := s.opts.Store.Run(ctx, runID)
	if err != nil {
		notFound()
		return
	}
	src, err := s.opts.Store.Source(ctx, run.SourceID)
	if err != nil || src.ProviderID != r.PathValue("provider") {
		notFound()
		return
	}
	pages, err := s.opts.Store.RunPages(ctx, runID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, pg := range pages {
		if pg.Seq != seq || pg.Blob == "" {
			continue
		}
		body, err := s.opts.Accounts.Snapshots.Get(ctx, pg.Blob)
		if err != nil {
			notFound() // pruned since the run
			return
		}
		s.audit(r, "snapshot.download", fmt.Sprintf("run %d page %d", runID, seq), map[string]any{"url": pg.URL})
		ct := snapshotType(pg.ContentType)
		w.Header().Set("Content-Type", ct)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="run-%d-page-%d%s"`, runID, seq, snapshotExt(ct)))
		w.Header().Set("Cache-Control", "private, no-store")
		w.Write(body)
		return
	}
	notFound()
}

// snapshotType is the stored content type when it parses, plain text
// otherwise.
func snapshotType(stored string) string {
	mt, params, err := mime.ParseMediaType(stored)
	if err != nil || mt == "" {
		return "text/plain; charset=utf-8"
	}
	return mime.FormatMediaType(mt, params)
}

func snapshotExt(ct string) string {
	switch mt, _, _ := mime.ParseMediaType(ct); {
	case strings.HasSuffix(mt, "json"):
		return ".json"
	case strings.HasSuffix(mt, "xml"):
		return ".xml"
	case strings.Contains(mt, "turtle"):
		return ".ttl"
	case strings.Contains(mt, "yaml"):
		return ".yaml"
	}
	return ".txt"
}
