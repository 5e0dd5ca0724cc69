package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// The operator's pages under /admin: the registry import, providers and
// their sources (block, allow, pause), out-of-band OAuth credentials, key
// rotation, the job queue and the audit log. Every page needs an operator
// session; every change is recorded in the audit log.

// AdminOptions wire the operator's pages to what only cmd/qlink may
// touch (the job queue, the harvest's credential store, the key ring's
// rotation); nil fields switch their part off with a note on the page.
type AdminOptions struct {
	Jobs JobQueue
	// SetCredentials stores an OAuth client of a provider, its secret
	// encrypted for the aggregator's key.
	SetCredentials func(ctx context.Context, providerID, tokenEndpoint, clientID, secret string) error
	// RotateKeys makes new keys current (only: "", "secrets" or
	// "signing"), re-encrypts the stored OAuth secrets, and returns the
	// new keys' IDs.
	RotateKeys func(ctx context.Context, overlap time.Duration, only string) ([]string, error)
	// RegistryURL and AlliancesURL are shown (redacted) where the
	// registry import is started.
	RegistryURL, AlliancesURL string
}

// JobQueue is the instance's job queue as the operator's pages use it.
type JobQueue interface {
	Jobs(ctx context.Context, state string, limit int) ([]Job, error)
	CountJobs(ctx context.Context) (map[string]int, error)
	RetryJob(ctx context.Context, id int64) error
	// ImportRegistry queues an import of the registry and alliance data.
	ImportRegistry(ctx context.Context) error
	// SyncIndex queues bringing the search index up to the store, as
	// after a change of alliances.
	SyncIndex(ctx context.Context) error
}

// Job is a job of the queue.
type Job struct {
	ID                   int64
	Kind, State          string
	Attempt, MaxAttempts int
	Args                 string
	Errors               []string
	CreatedAt            time.Time
	FinalizedAt          time.Time
}

// JobStates are the queue's states, as the jobs page lists them.
var JobStates = []string{"available", "scheduled", "running", "retryable", "completed", "discarded", "cancelled"}

// retryableStates are the states from which an operator may run a job again.
var retryableStates = []string{"retryable", "discarded", "cancelled", "completed"}

const (
	adminPageSize = 50
	// maxSecretBytes bounds a client secret typed into the form.
	maxSecretBytes = 4096
	// maxReasonRunes bounds a block's reason.
	maxReasonRunes = 500
)

func (s *Server) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin", s.requireAdmin(s.adminOverview))
	mux.HandleFunc("POST /admin/registry/import", s.requireAdmin(s.adminImport))
	mux.HandleFunc("GET /admin/providers", s.requireAdmin(s.adminProviders))
	mux.HandleFunc("GET /admin/providers/{provider}", s.requireAdmin(s.adminProvider))
	mux.HandleFunc("POST /admin/providers/{provider}/block", s.requireAdmin(s.adminBlock))
	mux.HandleFunc("POST /admin/providers/{provider}/allow", s.requireAdmin(s.adminBlock))
	mux.HandleFunc("POST /admin/providers/{provider}/sources/{source}/pause", s.requireAdmin(s.adminPause))
	mux.HandleFunc("POST /admin/providers/{provider}/sources/{source}/resume", s.requireAdmin(s.adminPause))
	mux.HandleFunc("POST /admin/providers/{provider}/credentials", s.requireAdmin(s.adminSetCredentials))
	mux.HandleFunc("POST /admin/providers/{provider}/credentials/delete", s.requireAdmin(s.adminDeleteCredentials))
	mux.HandleFunc("GET /admin/keys", s.requireAdmin(s.adminKeys))
	mux.HandleFunc("POST /admin/keys/rotate", s.requireAdmin(s.adminRotate))
	mux.HandleFunc("GET /admin/jobs", s.requireAdmin(s.adminJobs))
	mux.HandleFunc("POST /admin/jobs/{job}/retry", s.requireAdmin(s.adminRetry))
	mux.HandleFunc("GET /admin/audit", s.requireAdmin(s.adminAudit))
	s.adminAllianceRoutes(mux)
}

// adminView is every operator page; Section says which part it shows.
type adminView struct {
	layoutData
	Section string
	// Done confirms the change just made (adminDone).
	Done      string
	Overview  *adminOverviewData
	Providers *adminProvidersData
	Provider  *adminProviderData
	Keys      *adminKeysData
	Jobs      *adminJobsData
	Audit     *adminAuditData
	Alliances *adminAlliancesData
}

// adminDone says what the "done" code of a redirect confirms; codes come
// from a fixed list, never text from the request.
func (s *Server) adminDone(r *http.Request, code string) string {
	switch code {
	case "import":
		return s.tr(r, "The registry import is queued; providers appear when it has run.")
	case "block":
		return s.tr(r, "The provider is blocked: it is no longer discovered nor harvested.")
	case "allow":
		return s.tr(r, "The provider is allowed again: it is discovered and harvested on the schedule.")
	case "pause":
		return s.tr(r, "The source is paused.")
	case "resume":
		return s.tr(r, "The source is resumed.")
	case "credentials":
		return s.tr(r, "The OAuth client is stored; its secret is encrypted and is not shown again.")
	case "deleted":
		return s.tr(r, "The OAuth client is deleted.")
	case "rotate":
		return s.tr(r, "New keys are current. The previous ones stay accepted for the overlap you chose.")
	case "retry":
		return s.tr(r, "The job is queued to run again.")
	case "alliance-saved":
		return s.tr(r, "The alliance is saved; the catalogue's alliance filter follows within a minute.")
	case "alliance-import":
		return s.tr(r, "The alliance data is imported; the catalogue's alliance filter follows within a minute.")
	case "alliance-deleted":
		return s.tr(r, "The alliance is removed.")
	}
	return ""
}

func (s *Server) adminPage(w http.ResponseWriter, r *http.Request, title string, v adminView) {
	v.layoutData = layoutData{Title: title, Notice: s.opts.Notice}
	v.Done = s.adminDone(r, r.URL.Query().Get("done"))
	s.render(w, r, http.StatusOK, "admin", v)
}

func adminRedirect(w http.ResponseWriter, r *http.Request, path, done string) {
	http.Redirect(w, r, path+"?done="+done, http.StatusSeeOther)
}

type adminOverviewData struct {
	Providers, Blocked, Sources, Paused, Failing int
	Courses                                      int
	Jobs                                         map[string]int
	JobsOff                                      bool
	RegistryURL, AlliancesURL                    string
}

func (s *Server) adminOverview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d := &adminOverviewData{RegistryURL: s.opts.Admin.RegistryURL, AlliancesURL: s.opts.Admin.AlliancesURL}
	ps, err := s.opts.Store.ListProviders(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	blocks, err := s.opts.Store.ListBlocks(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	sources, err := s.opts.Store.ListSources(ctx, "")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	counts, err := s.opts.Store.CountCourses(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Providers, d.Blocked = len(ps), len(blocks)
	for _, src := range sources {
		if !src.Active {
			continue
		}
		d.Sources++
		if src.Paused {
			d.Paused++
		}
		if src.ErrorCount > 0 {
			d.Failing++
		}
	}
	for _, n := range counts {
		d.Courses += n
	}
	if d.JobsOff = s.opts.Admin.Jobs == nil; !d.JobsOff {
		if d.Jobs, err = s.opts.Admin.Jobs.CountJobs(ctx); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.adminPage(w, r, s.tr(r, "Administration"), adminView{Section: "overview", Overview: d})
}

func (s *Server) adminImport(w http.ResponseWriter, r *http.Request) {
	if s.opts.Admin.Jobs == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, s.tr(r, "This server runs no job queue, so it cannot import the registry."))
		return
	}
	if err := s.opts.Admin.Jobs.ImportRegistry(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, "registry.import", "", nil)
	adminRedirect(w, r, "/admin", "import")
}

type adminProvidersData struct {
	Query string
	Items []adminProviderRow
	Total int
	Page  int
	Prev  string
	Next  string
}

type adminProviderRow struct {
	ID, Name, Country, SCHAC string
	Sources, Paused, Failing int
	Courses                  int
	Blocked                  bool
}

// adminProviders lists the registry, filtered by a plain substring of
// the ID, SCHAC code or names (the registry holds a few thousand).
func (s *Server) adminProviders(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len([]rune(q)) > maxTextRunes {
		s.errorPage(w, r, http.StatusBadRequest, s.tr(r, "The search text is too long."))
		return
	}
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 || page > 10_000 { // past 10,000 the offset could overflow
		page = 1
	}
	ps, err := s.opts.Store.ListProviders(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var found []model.Provider
	for _, p := range ps {
		if q == "" || providerMentions(p, q) {
			found = append(found, p)
		}
	}
	d := &adminProvidersData{Query: q, Total: len(found), Page: page}
	from := min((page-1)*adminPageSize, len(found))
	found = found[from:min(from+adminPageSize, len(found))]
	if err := s.fillProviderRows(ctx, d, found); err != nil {
		s.serverError(w, r, err)
		return
	}
	link := func(p int) string {
		v := url.Values{"page": {strconv.Itoa(p)}}
		if q != "" {
			v.Set("q", q)
		}
		return "/admin/providers?" + v.Encode()
	}
	if page > 1 {
		d.Prev = link(page - 1)
	}
	if page*adminPageSize < d.Total {
		d.Next = link(page + 1)
	}
	s.adminPage(w, r, s.tr(r, "Providers"), adminView{Section: "providers", Providers: d})
}

func providerMentions(p model.Provider, q string) bool {
	q = strings.ToLower(q)
	if strings.Contains(strings.ToLower(p.ID), q) || strings.Contains(strings.ToLower(p.SCHAC), q) {
		return true
	}
	for _, n := range p.Name {
		if strings.Contains(strings.ToLower(n), q) {
			return true
		}
	}
	return false
}

func (s *Server) fillProviderRows(ctx context.Context, d *adminProvidersData, ps []model.Provider) error {
	blocks, err := s.opts.Store.ListBlocks(ctx)
	if err != nil {
		return err
	}
	counts, err := s.opts.Store.CountCourses(ctx)
	if err != nil {
		return err
	}
	sources, err := s.opts.Store.ListSources(ctx, "")
	if err != nil {
		return err
	}
	for _, p := range ps {
		_, blocked := blocks[p.ID]
		row := adminProviderRow{ID: p.ID, Name: p.Name.String(), Country: p.Country, SCHAC: p.SCHAC, Courses: counts[p.ID], Blocked: blocked}
		for _, src := range sources {
			if src.ProviderID == p.ID && src.Active {
				row.Sources++
				if src.Paused {
					row.Paused++
				}
				if src.ErrorCount > 0 {
					row.Failing++
				}
			}
		}
		d.Items = append(d.Items, row)
	}
	return nil
}

type adminProviderData struct {
	Provider model.Provider
	Block    *store.Block
	Sources  []store.Source
	Clients  []store.OAuthClient
	// CredentialsOff says this server cannot store OAuth clients.
	CredentialsOff bool
}

func (s *Server) adminProvider(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.adminFindProvider(w, r)
	if !ok {
		return
	}
	d := &adminProviderData{Provider: p, CredentialsOff: s.opts.Admin.SetCredentials == nil}
	b, err := s.opts.Store.ProviderBlock(ctx, p.ID)
	switch {
	case err == nil:
		d.Block = &b
	case !errors.Is(err, store.ErrNotFound):
		s.serverError(w, r, err)
		return
	}
	if d.Sources, err = s.opts.Store.ListSources(ctx, p.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Clients, err = s.opts.Store.ListOAuthClients(ctx, p.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.adminPage(w, r, p.Name.String(), adminView{Section: "provider", Provider: d})
}

func (s *Server) adminFindProvider(w http.ResponseWriter, r *http.Request) (model.Provider, bool) {
	p, err := s.opts.Store.Provider(r.Context(), r.PathValue("provider"))
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "There is no provider with this identifier."))
		return p, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return p, false
	}
	return p, true
}

func providerAdminPath(id string) string { return "/admin/providers/" + url.PathEscape(id) }

// adminBlock blocks (with a reason) or allows, by the path's last segment.
func (s *Server) adminBlock(w http.ResponseWriter, r *http.Request) {
	p, ok := s.adminFindProvider(w, r)
	if !ok {
		return
	}
	if strings.HasSuffix(r.URL.Path, "/allow") {
		if err := s.opts.Store.AllowProvider(r.Context(), p.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.audit(r, "provider.allow", p.ID, nil)
		adminRedirect(w, r, providerAdminPath(p.ID), "allow")
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" || len([]rune(reason)) > maxReasonRunes {
		s.errorPage(w, r, http.StatusBadRequest, s.tr(r, "Give a reason for the block, up to %d characters: it is shown to the institution.", maxReasonRunes))
		return
	}
	b := store.Block{ProviderID: p.ID, Reason: reason, By: s.session(r).Subject, At: s.now()}
	if err := s.opts.Store.BlockProvider(r.Context(), b); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, "provider.block", p.ID, map[string]string{"reason": reason})
	adminRedirect(w, r, providerAdminPath(p.ID), "block")
}

func (s *Server) adminPause(w http.ResponseWriter, r *http.Request) {
	src, err := s.opts.Store.Source(r.Context(), r.PathValue("source"))
	if err != nil || src.ProviderID != r.PathValue("provider") {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "This institution has no such source."))
		return
	}
	pause := strings.HasSuffix(r.URL.Path, "/pause")
	if err := s.opts.Store.SetSourcePaused(r.Context(), src.ID, pause); err != nil {
		s.serverError(w, r, err)
		return
	}
	action := map[bool]string{true: "pause", false: "resume"}[pause]
	s.audit(r, "source."+action, src.ID, map[string]string{"provider": src.ProviderID, "url": src.URL})
	adminRedirect(w, r, providerAdminPath(src.ProviderID), action)
}

func (s *Server) adminSetCredentials(w http.ResponseWriter, r *http.Request) {
	p, ok := s.adminFindProvider(w, r)
	if !ok {
		return
	}
	if s.opts.Admin.SetCredentials == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, s.tr(r, "This server cannot store OAuth clients."))
		return
	}
	endpoint := strings.TrimSpace(r.PostFormValue("token_endpoint"))
	clientID := strings.TrimSpace(r.PostFormValue("client_id"))
	secret := r.PostFormValue("client_secret")
	if u, err := url.Parse(endpoint); err != nil || u.Scheme != "https" || u.Host == "" || len(endpoint) > 2048 {
		s.errorPage(w, r, http.StatusBadRequest, s.tr(r, "The token endpoint must be an https URL, exactly as the manifest names it."))
		return
	}
	if clientID == "" || len(clientID) > 512 || secret == "" || len(secret) > maxSecretBytes {
		s.errorPage(w, r, http.StatusBadRequest, s.tr(r, "Give the client ID and the client secret (up to %d bytes).", maxSecretBytes))
		return
	}
	if err := s.opts.Admin.SetCredentials(r.Context(), p.ID, endpoint, clientID, secret); err != nil {
		s.serverError(w, r, err)
		return
	}
	// The secret itself never reaches the log or the audit trail.
	s.audit(r, "credentials.set", p.ID, map[string]string{"token_endpoint": endpoint, "client_id": clientID})
	adminRedirect(w, r, providerAdminPath(p.ID), "credentials")
}

func (s *Server) adminDeleteCredentials(w http.ResponseWriter, r *http.Request) {
	p, ok := s.adminFindProvider(w, r)
	if !ok {
		return
	}
	endpoint := r.PostFormValue("token_endpoint")
	clients, err := s.opts.Store.ListOAuthClients(r.Context(), p.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !slices.ContainsFunc(clients, func(c store.OAuthClient) bool { return c.TokenEndpoint == endpoint }) {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "This provider has no OAuth client at that token endpoint."))
		return
	}
	if err := s.opts.Store.DeleteOAuthClient(r.Context(), p.ID, endpoint); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, "credentials.delete", p.ID, map[string]string{"token_endpoint": endpoint})
	adminRedirect(w, r, providerAdminPath(p.ID), "deleted")
}

type adminKeysData struct {
	Keys       []adminKey
	RotateOff  bool
	OverlapDef string
}

type adminKey struct {
	ID, Alg  string
	Created  time.Time
	RetireAt time.Time
	Current  bool
}

func (s *Server) adminKeys(w http.ResponseWriter, r *http.Request) {
	d := &adminKeysData{RotateOff: s.opts.Admin.RotateKeys == nil || s.opts.Keys == nil, OverlapDef: "720h"}
	if s.opts.Keys != nil {
		for _, k := range s.opts.Keys.Keys() {
			d.Keys = append(d.Keys, adminKey{ID: k.ID, Alg: k.Alg, Created: k.Created, RetireAt: k.RetireAt, Current: k.Current()})
		}
	}
	s.adminPage(w, r, s.tr(r, "Keys"), adminView{Section: "keys", Keys: d})
}

// maxOverlap bounds the rotation's overlap window: a year.
const maxOverlap = 366 * 24 * time.Hour

func (s *Server) adminRotate(w http.ResponseWriter, r *http.Request) {
	if s.opts.Admin.RotateKeys == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, s.tr(r, "This server cannot rotate keys."))
		return
	}
	overlap, err := time.ParseDuration(r.PostFormValue("overlap"))
	only := r.PostFormValue("only")
	if err != nil || overlap < 0 || overlap > maxOverlap || !slices.Contains([]string{"", "secrets", "signing"}, only) {
		s.errorPage(w, r, http.StatusBadRequest, s.tr(r, "The overlap must be a duration such as 720h, at most a year; the keys are all, secrets or signing."))
		return
	}
	ids, err := s.opts.Admin.RotateKeys(r.Context(), overlap, only)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, "keys.rotate", strings.Join(ids, ","), map[string]string{"overlap": overlap.String(), "only": only})
	adminRedirect(w, r, "/admin/keys", "rotate")
}

type adminJobsData struct {
	State  string
	States []string
	Counts map[string]int
	Items  []Job
	Off    bool
	// Retryable says whether jobs in this state can be run again.
	Retryable bool
}

func (s *Server) adminJobs(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	if state == "" {
		state = "retryable"
	}
	if !slices.Contains(JobStates, state) {
		s.errorPage(w, r, http.StatusBadRequest, s.tr(r, "Unknown job state; choose one of the tabs."))
		return
	}
	d := &adminJobsData{State: state, States: JobStates, Off: s.opts.Admin.Jobs == nil, Retryable: slices.Contains(retryableStates, state)}
	if !d.Off {
		var err error
		if d.Counts, err = s.opts.Admin.Jobs.CountJobs(r.Context()); err == nil {
			d.Items, err = s.opts.Admin.Jobs.Jobs(r.Context(), state, adminPageSize)
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.adminPage(w, r, s.tr(r, "Job queue"), adminView{Section: "jobs", Jobs: d})
}

func (s *Server) adminRetry(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("job"), 10, 64)
	if err != nil || id <= 0 {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "There is no such job."))
		return
	}
	if s.opts.Admin.Jobs == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, s.tr(r, "This server runs no job queue."))
		return
	}
	if err := s.opts.Admin.Jobs.RetryJob(r.Context(), id); err != nil {
		s.log.Info("retrying a job", "job", id, "error", err)
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "There is no such job."))
		return
	}
	s.audit(r, "job.retry", strconv.FormatInt(id, 10), nil)
	adminRedirect(w, r, "/admin/jobs", "retry")
}

type adminAuditData struct {
	Items []store.AuditEntry
	Page  int
	Prev  string
	Next  string
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) {
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 || page > 10_000 {
		page = 1
	}
	// One more than a page tells whether a next page exists.
	items, err := s.opts.Store.ListAudit(r.Context(), store.AuditFilter{Limit: adminPageSize + 1, Offset: (page - 1) * adminPageSize})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := &adminAuditData{Page: page}
	if len(items) > adminPageSize {
		items = items[:adminPageSize]
		d.Next = fmt.Sprintf("/admin/audit?page=%d", page+1)
	}
	if page > 1 {
		d.Prev = fmt.Sprintf("/admin/audit?page=%d", page-1)
	}
	d.Items = items
	s.adminPage(w, r, s.tr(r, "Audit log"), adminView{Section: "audit", Audit: d})
}
