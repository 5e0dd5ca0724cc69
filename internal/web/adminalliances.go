package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"golang.org/x/text/language"

	"qlink/internal/model"
	"qlink/internal/model/alliance"
	"qlink/internal/store"
)

// The operator's alliance page: the alliances with their members as the
// registry matches them, a form to enter or replace one by hand, an upload
// of alliance data (QualityLink Turtle or CSV), and removal. Every change
// queues an index sync, since course documents carry their alliances.

const (
	// maxAllianceUploadBytes caps an uploaded alliance file: Europe's
	// alliances with all their members are a few hundred kilobytes.
	maxAllianceUploadBytes = 2 << 20
	// maxAllianceMembers caps the members typed into the form.
	maxAllianceMembers = 500
)

type adminAlliancesData struct {
	Items []model.Alliance
	// Off says changes are made elsewhere: this server runs no job
	// queue, so it could not bring the index up to date.
	Off bool
	// Error is why the last form was refused; Form is what it held.
	Error string
	Form  allianceForm
	// Problems are parts of an upload that could not be used.
	Problems []string
}

type allianceForm struct {
	ID, Name, Lang, Website, Members string
}

func (s *Server) adminAllianceRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/alliances", s.requireAdmin(s.adminAlliances))
	mux.HandleFunc("POST /admin/alliances", s.requireAdmin(s.adminSaveAlliance))
	mux.HandleFunc("POST /admin/alliances/import", s.requireAdmin(s.adminImportAlliances))
	mux.HandleFunc("POST /admin/alliances/{id}/delete", s.requireAdmin(s.adminDeleteAlliance))
}

func (s *Server) adminAlliances(w http.ResponseWriter, r *http.Request) {
	s.adminAlliancesPage(w, r, http.StatusOK, &adminAlliancesData{Form: allianceForm{Lang: "en"}})
}

func (s *Server) adminAlliancesPage(w http.ResponseWriter, r *http.Request, status int, d *adminAlliancesData) {
	as, err := s.opts.Store.ListAlliances(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Items, d.Off = as, s.opts.Admin.Jobs == nil
	v := adminView{Section: "alliances", Alliances: d}
	v.layoutData = layoutData{Title: s.tr(r, "Alliances"), Notice: s.opts.Notice}
	v.Done = s.adminDone(r, r.URL.Query().Get("done"))
	s.render(w, r, status, "admin", v)
}

// allianceChangeAllowed refuses changes on a server without a job queue:
// the catalogue's alliance filter would not follow them.
func (s *Server) allianceChangeAllowed(w http.ResponseWriter, r *http.Request) bool {
	if s.opts.Admin.Jobs == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, s.tr(r, "This server runs no job queue (--no-harvest): change alliances on the server that harvests."))
		return false
	}
	return true
}

// alliancesChanged brings the pages and, through a queued sync, the
// index up to date after a change.
func (s *Server) alliancesChanged(r *http.Request) error {
	s.mu.Lock()
	s.allianceCache = nil
	s.mu.Unlock()
	return s.opts.Admin.Jobs.SyncIndex(r.Context())
}

func (s *Server) adminSaveAlliance(w http.ResponseWriter, r *http.Request) {
	if !s.allianceChangeAllowed(w, r) {
		return
	}
	f := allianceForm{ID: r.PostFormValue("id"), Name: r.PostFormValue("name"), Lang: r.PostFormValue("lang"),
		Website: r.PostFormValue("website"), Members: r.PostFormValue("members")}
	members := strings.FieldsFunc(f.Members, func(c rune) bool { return c == '\n' || c == '\r' || c == ',' })
	if len(members) > maxAllianceMembers {
		s.refuseAllianceForm(w, r, f, s.tr(r, "At most %d members; import larger alliances from a file.", maxAllianceMembers))
		return
	}
	if _, err := language.Parse(f.Lang); f.Lang != "" && err != nil {
		s.refuseAllianceForm(w, r, f, s.tr(r, "The language of the name must be a language tag such as en or de."))
		return
	}
	a, err := alliance.Manual(f.ID, f.Name, f.Lang, f.Website, members)
	if err != nil {
		s.refuseAllianceForm(w, r, f, err.Error())
		return
	}
	if err := s.opts.Store.SaveAlliances(r.Context(), store.OriginOperator, []model.Alliance{a}); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, "alliance.save", a.ID, map[string]any{"members": a.Members})
	if err := s.alliancesChanged(r); err != nil {
		s.serverError(w, r, err)
		return
	}
	adminRedirect(w, r, "/admin/alliances", "alliance-saved")
}

func (s *Server) refuseAllianceForm(w http.ResponseWriter, r *http.Request, f allianceForm, msg string) {
	s.adminAlliancesPage(w, r, http.StatusBadRequest, &adminAlliancesData{Form: f, Error: msg})
}

// adminImportAlliances reads an uploaded alliance file and replaces the
// alliances an earlier upload of a file of the same name brought.
func (s *Server) adminImportAlliances(w http.ResponseWriter, r *http.Request) {
	if !s.allianceChangeAllowed(w, r) {
		return
	}
	file, header, err := r.FormFile("data")
	if err != nil {
		msg := s.tr(r, "Choose a file of alliance data (QualityLink Turtle or CSV) to upload.")
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			msg = s.tr(r, "The file is larger than %d MB.", maxAllianceUploadBytes>>20)
		}
		s.refuseAllianceForm(w, r, allianceForm{Lang: "en"}, msg)
		return
	}
	defer file.Close()
	body, err := io.ReadAll(io.LimitReader(file, maxAllianceUploadBytes+1))
	if err != nil || len(body) > maxAllianceUploadBytes {
		s.refuseAllianceForm(w, r, allianceForm{Lang: "en"}, s.tr(r, "The file is larger than %d MB.", maxAllianceUploadBytes>>20))
		return
	}
	name := path.Base(strings.ReplaceAll(header.Filename, `\`, "/"))
	origin := "upload:" + name
	as, problems, err := alliance.Parse(body, name, header.Header.Get("Content-Type"))
	if err != nil {
		s.adminAlliancesPage(w, r, http.StatusBadRequest, &adminAlliancesData{Form: allianceForm{Lang: "en"}, Error: err.Error(), Problems: problems})
		return
	}
	rep, err := store.ReplaceAlliances(r.Context(), s.opts.Store, origin, as)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, "alliance.import", origin, map[string]any{"alliances": rep.Alliances, "members": rep.Members,
		"matched": rep.Matched, "removed": rep.Removed, "problems": len(problems)})
	if err := s.alliancesChanged(r); err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(problems) > 0 {
		// The usable part is imported; say what was left out rather than
		// redirecting to a bare confirmation.
		s.adminAlliancesPage(w, r, http.StatusOK, &adminAlliancesData{Form: allianceForm{Lang: "en"}, Problems: problems})
		return
	}
	adminRedirect(w, r, "/admin/alliances", "alliance-import")
}

func (s *Server) adminDeleteAlliance(w http.ResponseWriter, r *http.Request) {
	if !s.allianceChangeAllowed(w, r) {
		return
	}
	id := r.PathValue("id")
	if _, err := s.opts.Store.Alliance(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "There is no such alliance."))
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.opts.Store.DeleteAlliances(r.Context(), []string{id}); err != nil {
		s.serverError(w, r, fmt.Errorf("removing alliance %s: %w", id, err))
		return
	}
	s.audit(r, "alliance.delete", id, nil)
	if err := s.alliancesChanged(r); err != nil {
		s.serverError(w, r, err)
		return
	}
	adminRedirect(w, r, "/admin/alliances", "alliance-deleted")
}
