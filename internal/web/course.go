package web

import (
	"errors"
	"net/http"
	"slices"

	"qlink/internal/model"
	"qlink/internal/store"
)

type coursePage struct {
	layoutData
	Course apiCourse
	// Lang is the language the texts are shown in; Langs all languages the
	// course is published in, for the switcher.
	Lang     string
	Langs    []string
	Provider model.Provider
	// History is the course's latest changes in words, empty when it has
	// none beyond its first publication.
	History historyView
}

func (s *Server) coursePage(w http.ResponseWriter, r *http.Request) {
	// An inactive course keeps its page, with its last known data and a
	// notice: links to it from elsewhere keep working.
	c, err := s.opts.Store.Course(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, s.tr(r, "No course has this identifier."))
		return
	}
	if err != nil {
		s.log.Error("loading course", "id", r.PathValue("id"), "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "The course could not be loaded. Please try again."))
		return
	}
	page := coursePage{Course: s.presentCourse(r.Context(), c), Provider: s.provider(r.Context(), c.ProviderID), Langs: textLanguages(c.Spec)}
	if page.History, err = s.historyLines(r.Context(), c.Spec.ID); err != nil {
		s.log.Error("loading course history", "id", c.Spec.ID, "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "The course could not be loaded. Please try again."))
		return
	}
	prefs := readerLanguages(r)
	// ?text= picks the language of the course's texts (?lang= is the
	// interface's).
	if l := r.URL.Query().Get("text"); slices.Contains(page.Langs, l) {
		prefs = append([]string{l}, prefs...)
	}
	var title string
	page.Lang, title = c.Spec.Title.Best(prefs...)
	page.layoutData = layoutData{Title: title, Notice: s.opts.Notice}
	s.render(w, r, http.StatusOK, "course", page)
}

// textLanguages lists every language any of the course's texts is in; the
// unstated language is no choice a reader can make.
func textLanguages(s model.Specification) []string {
	var langs []string
	add := func(t model.Text) {
		for _, l := range t.Langs() {
			if l != model.LangUnstated && !slices.Contains(langs, l) {
				langs = append(langs, l)
			}
		}
	}
	add(s.Title)
	add(s.Description)
	for _, lo := range s.LearningOutcomes {
		add(lo)
	}
	slices.Sort(langs)
	return langs
}

func (s *Server) about(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "about", layoutData{Title: s.tr(r, "About this catalogue"), Notice: s.opts.Notice})
}

// severityWords are the severities of quality findings the course page
// names (it translates them from the data, so they are marked here).
var _ = []string{msg("violation"), msg("warning"), msg("info")}
