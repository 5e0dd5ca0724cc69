package web

import (
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// "Refresh now": anyone may ask for a provider's data to be read again.
// The request queues discovery and a refresh of every source for the
// process that harvests (Options.Refresher) and records the refresh in the
// store, so that its progress page, served by any process, can list the
// runs it started and follow them (the harvest writes its progress on
// each run's row). One refresh per provider per RefreshMinInterval: a
// press while one is queued or running joins it; a press after it ended
// but within the interval is refused with 429 and the time the next one
// is allowed.

// Refresher queues the work of a refresh for the process that harvests:
// in qlink serve, the instance's job queue.
type Refresher interface {
	// RefreshProvider queues discovery of a provider and a refresh of
	// each of its active sources; the tag names the queued work.
	RefreshProvider(ctx context.Context, providerID string) (tag string, err error)
	// Pending counts the jobs of the tagged work not finished yet,
	// including the jobs they queued in turn.
	Pending(ctx context.Context, tag string) (int, error)
}

// defaultRefreshMinInterval is the least time between two refreshes of
// one provider when Options leave it unset.
const defaultRefreshMinInterval = 10 * time.Minute

// maxProviderIDBytes bounds an ID taken from a path before any lookup: provider
// IDs are short registry codes.
const maxProviderIDBytes = 200

// refreshState is the refresh machinery's share of the Server.
type refreshState struct {
	// mu makes asking for a refresh one at a time in this process, so
	// two quick presses cannot both pass the rate limit.
	mu sync.Mutex

	// streamsMu guards stopping and watched: progress streams end when
	// the HTTP server shuts down (see streamsStopping).
	streamsMu sync.Mutex
	stopping  chan struct{}
	watched   map[*http.Server]bool
}

func (s *Server) refreshRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /institutions/{id}/refresh", s.askRefresh)
	mux.HandleFunc("GET /refreshes/{id}", s.refreshPage)
	mux.HandleFunc("GET /refreshes/{id}/events", s.refreshEvents)
	mux.HandleFunc("GET /runs/{id}", s.runPage)
}

func (s *Server) refreshMinInterval() time.Duration {
	if s.opts.RefreshMinInterval > 0 {
		return s.opts.RefreshMinInterval
	}
	return defaultRefreshMinInterval
}

// refreshStanding is where a provider stands for a refresh asked for on
// the web.
type refreshStanding struct {
	// Latest is the provider's newest refresh (ID 0: none).
	Latest store.Refresh
	// Running: the latest refresh's work is queued or under way.
	Running bool
	// NextAt is when another refresh may be asked for (zero: now).
	NextAt time.Time
}

func (s *Server) refreshStanding(ctx context.Context, providerID string) (refreshStanding, error) {
	var st refreshStanding
	latest, err := s.opts.Store.LatestRefresh(ctx, providerID)
	if errors.Is(err, store.ErrNotFound) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.Latest = latest
	if done, err := s.refreshDone(ctx, latest, nil); err != nil {
		return st, err
	} else if !done {
		st.Running = true
	}
	if next := latest.RequestedAt.Add(s.refreshMinInterval()); time.Now().Before(next) {
		st.NextAt = next
	}
	return st, nil
}

// askRefresh answers POST /institutions/{id}/refresh.
func (s *Server) askRefresh(w http.ResponseWriter, r *http.Request) {
	p, ok := s.providerOfPath(w, r)
	if !ok {
		return
	}
	if s.opts.Refresher == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, s.tr(r, "This server does not refresh data on request; it is refreshed on schedule."))
		return
	}
	ctx := r.Context()
	s.refreshes.mu.Lock()
	defer s.refreshes.mu.Unlock()
	standing, err := s.refreshStanding(ctx, p.ID)
	if err != nil {
		s.failurePage(w, r, "reading the refreshes", err)
		return
	}
	switch {
	case standing.Running: // join it
		http.Redirect(w, r, refreshURL(standing.Latest.ID), http.StatusSeeOther)
		return
	case !standing.NextAt.IsZero():
		s.refreshLimited(w, r, p, standing)
		return
	}
	after, err := s.opts.Store.FindRuns(ctx, store.RunFilter{ProviderID: p.ID, Limit: 1})
	if err != nil {
		s.failurePage(w, r, "reading the runs", err)
		return
	}
	ref := store.Refresh{ProviderID: p.ID, RequestedAt: time.Now()}
	if len(after) > 0 {
		ref.AfterRunID = after[0].ID
	}
	if ref.Tag, err = s.opts.Refresher.RefreshProvider(ctx, p.ID); err != nil {
		s.failurePage(w, r, "queueing the refresh", err)
		return
	}
	if ref, err = s.opts.Store.AddRefresh(ctx, ref); err != nil {
		s.failurePage(w, r, "recording the refresh", err)
		return
	}
	s.log.Info("refresh asked for", "provider_id", p.ID, "refresh_id", ref.ID, "tag", ref.Tag)
	http.Redirect(w, r, refreshURL(ref.ID), http.StatusSeeOther)
}

// refreshLimited answers a refresh asked for too soon: 429, with when
// the next one is allowed in words and in Retry-After.
func (s *Server) refreshLimited(w http.ResponseWriter, r *http.Request, p model.Provider, st refreshStanding) {
	wait := time.Until(st.NextAt)
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	msg := s.tr(r, "%s was refreshed on request at %s. To spare the institution's servers, the next refresh is allowed at %s (in %s).",
		p.Name.String(), utcMinute(st.Latest.RequestedAt), utcMinute(st.NextAt), roughDuration(wait))
	s.render(w, r, http.StatusTooManyRequests, "refresh", refreshView{
		layoutData: layoutData{Title: s.tr(r, "Refresh not allowed yet"), Notice: s.opts.Notice},
		Provider:   p, Limited: msg, LatestURL: refreshURL(st.Latest.ID)})
}

// providerOfPath reads the provider of the path, answering 404 for an
// unknown or absurd ID.
func (s *Server) providerOfPath(w http.ResponseWriter, r *http.Request) (model.Provider, bool) {
	id := r.PathValue("id")
	if len(id) > maxProviderIDBytes {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "There is no institution with this ID."))
		return model.Provider{}, false
	}
	p, err := s.opts.Store.Provider(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "There is no institution with this ID."))
		return p, false
	}
	if err != nil {
		s.failurePage(w, r, "reading the institution", err)
		return p, false
	}
	return p, true
}

// pathNumber reads a positive run or refresh number from the path: 400
// for anything else (a word, a number past int64), with the reason given.
func (s *Server) pathNumber(w http.ResponseWriter, r *http.Request, reason string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.errorPage(w, r, http.StatusBadRequest, reason)
		return 0, false
	}
	return id, true
}

// failurePage logs an internal error and answers 500 without its details.
func (s *Server) failurePage(w http.ResponseWriter, r *http.Request, doing string, err error) {
	s.log.Error(doing, "path", r.URL.Path, "error", err)
	s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "Something went wrong on our side. Please try again later."))
}

func refreshURL(id int64) string { return "/refreshes/" + strconv.FormatInt(id, 10) }

// refreshView is the progress page of a refresh, and the 429 page.
type refreshView struct {
	layoutData
	Provider model.Provider
	Refresh  store.Refresh
	// Requested is when the refresh was asked for, for people.
	Requested string
	Progress  refreshProgress
	// Button offers the next refresh once this one is over.
	Button refreshButton
	// Limited says why a refresh is refused (the 429 page); LatestURL is
	// the progress page of the refresh that stands in the way.
	Limited   string
	LatestURL string
}

// refreshPage answers GET /refreshes/{id}: the runs the refresh started
// with their progress, live through the event stream with JavaScript, by
// reloading every few seconds without.
func (s *Server) refreshPage(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.pathRefresh(w, r)
	if !ok {
		return
	}
	p, err := s.opts.Store.Provider(r.Context(), ref.ProviderID)
	if err != nil {
		s.failurePage(w, r, "reading the institution", err)
		return
	}
	prog, err := s.refreshProgress(r, ref)
	if err != nil {
		s.failurePage(w, r, "reading the refresh's runs", err)
		return
	}
	v := refreshView{layoutData: layoutData{Title: s.tr(r, "Refresh of %s", p.Name.String()), Notice: s.opts.Notice},
		Provider: p, Refresh: ref, Requested: utcMinute(ref.RequestedAt), Progress: prog}
	if v.Button, err = s.refreshButtonFor(r, p.ID, s.csrfToken(r)); err != nil {
		s.failurePage(w, r, "reading the refreshes", err)
		return
	}
	s.render(w, r, http.StatusOK, "refresh", v)
}

func (s *Server) pathRefresh(w http.ResponseWriter, r *http.Request) (store.Refresh, bool) {
	id, ok := s.pathNumber(w, r, s.tr(r, "A refresh number is a positive whole number."))
	if !ok {
		return store.Refresh{}, false
	}
	ref, err := s.opts.Store.Refresh(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "There is no refresh with this number (only the latest of each institution are kept)."))
		return ref, false
	}
	if err != nil {
		s.failurePage(w, r, "reading the refresh", err)
		return ref, false
	}
	return ref, true
}

// refreshProgress is what a refresh has done so far.
type refreshProgress struct {
	RefreshID int64
	// Done: no job of the refresh is left and none of its runs runs.
	Done bool
	// Discovery is the outcome of the discovery the refresh started (nil:
	// not finished yet).
	Discovery *refreshDiscovery
	Runs      []runProgressLine
	// Expired: the event stream's time ran out before the refresh ended.
	Expired bool
}

type refreshDiscovery struct {
	ManifestURL string
	Error       string
}

// runProgressLine is one run of a refresh as its progress shows it.
type runProgressLine struct {
	Run    store.Run
	Source store.Source
	// Status is the run's status in words; Duration how long it took or
	// has taken so far.
	Status   string
	Duration string
	Running  bool
}

// refreshRunsWindow is how many of the provider's newest runs are
// searched for a refresh's own.
const refreshRunsWindow = 200

// refreshRuns lists the runs a refresh started, oldest first: the runs of
// the provider's sources after the refresh was asked for, except those
// the schedule started.
func (s *Server) refreshRuns(ctx context.Context, ref store.Refresh) ([]store.Run, error) {
	runs, err := s.opts.Store.FindRuns(ctx, store.RunFilter{ProviderID: ref.ProviderID, Limit: refreshRunsWindow})
	if err != nil {
		return nil, err
	}
	var out []store.Run
	for _, run := range slices.Backward(runs) {
		if run.ID > ref.AfterRunID && !strings.HasPrefix(run.Trigger, "schedule") {
			out = append(out, run)
		}
	}
	return out, nil
}

// refreshDone reports whether a refresh is over: none of its jobs is
// left and none of its runs (runs, when already read) is running.
func (s *Server) refreshDone(ctx context.Context, ref store.Refresh, runs []store.Run) (bool, error) {
	if s.opts.Refresher != nil {
		pending, err := s.opts.Refresher.Pending(ctx, ref.Tag)
		if err != nil || pending > 0 {
			return false, err
		}
	}
	if runs == nil {
		var err error
		if runs, err = s.refreshRuns(ctx, ref); err != nil {
			return false, err
		}
	}
	for _, run := range runs {
		if run.Status == store.RunRunning {
			return false, nil
		}
	}
	return true, nil
}

func (s *Server) refreshProgress(r *http.Request, ref store.Refresh) (refreshProgress, error) {
	ctx := r.Context()
	out := refreshProgress{RefreshID: ref.ID}
	runs, err := s.refreshRuns(ctx, ref)
	if err != nil {
		return out, err
	}
	// Asked first: a job finishing between the two reads then shows as
	// still running for one more poll, never as done without its run.
	if out.Done, err = s.refreshDone(ctx, ref, runs); err != nil {
		return out, err
	}
	if out.Done {
		// Read again: the last run may have ended since.
		if runs, err = s.refreshRuns(ctx, ref); err != nil {
			return out, err
		}
	}
	d, err := s.opts.Store.LatestDiscovery(ctx, ref.ProviderID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return out, err
	}
	if err == nil && !d.StartedAt.Before(ref.RequestedAt.Truncate(time.Second)) {
		out.Discovery = &refreshDiscovery{ManifestURL: d.ManifestURL, Error: d.Error}
	}
	for _, run := range runs {
		src, err := s.opts.Store.Source(ctx, run.SourceID)
		if err != nil {
			return out, err
		}
		out.Runs = append(out.Runs, runProgressLine{Run: run, Source: src, Status: s.runStatusText(r, run.Status),
			Duration: roughDuration(runDuration(run)), Running: run.Status == store.RunRunning})
	}
	return out, nil
}

// runDuration is how long a run took, or has been running.
func runDuration(run store.Run) time.Duration {
	if run.FinishedAt.IsZero() {
		return time.Since(run.StartedAt)
	}
	return run.FinishedAt.Sub(run.StartedAt)
}

// runStatusText says a run's status in words.
func (s *Server) runStatusText(r *http.Request, st store.RunStatus) string {
	switch st {
	case store.RunRunning:
		return s.tr(r, "running")
	case store.RunOK:
		return s.tr(r, "done")
	case store.RunPartial:
		return s.tr(r, "partly read")
	case store.RunFailed:
		return s.tr(r, "failed")
	case store.RunNotModified:
		return s.tr(r, "not modified since the last run")
	case store.RunSuspicious:
		return s.tr(r, "held back as suspicious")
	case store.RunInterrupted:
		return s.tr(r, "interrupted")
	}
	return string(st)
}

// refreshButton is what the "refresh-button" partial needs.
type refreshButton struct {
	ProviderID string
	// Available: this server refreshes on request.
	Available bool
	// RunningURL is the progress page of a refresh under way ("" none).
	RunningURL string
	// NextAt is when a refresh is allowed again (empty: now).
	NextAt string
	CSRF   string
}

// refreshButtonFor builds the "refresh-button" partial's data for a
// provider; csrf is the page's anti-forgery token.
func (s *Server) refreshButtonFor(r *http.Request, providerID, csrf string) (refreshButton, error) {
	b := refreshButton{ProviderID: providerID, Available: s.opts.Refresher != nil, CSRF: csrf}
	if !b.Available {
		return b, nil
	}
	st, err := s.refreshStanding(r.Context(), providerID)
	if err != nil {
		return b, err
	}
	if st.Running {
		b.RunningURL = refreshURL(st.Latest.ID)
	}
	if !st.NextAt.IsZero() {
		b.NextAt = utcMinute(st.NextAt)
	}
	return b, nil
}

// utcMinute shows a time for people, to the minute, in UTC.
func utcMinute(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

// roughDuration shows a duration to the second (to the tenth below ten
// seconds), as people read it.
func roughDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d < time.Hour:
		return d.Round(time.Second).String()
	}
	return d.Round(time.Minute).String()
}
