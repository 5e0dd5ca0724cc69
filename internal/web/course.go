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
		s.errorPage(w, r, http.StatusNotFound, "No course has this identifier.")
		return
	}
	if err != nil {
		s.log.Error("loading course", "id", r.PathValue("id"), "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, "The course could not be loaded. Please try again.")
		return
	}
	page := coursePage{Course: s.presentCourse(r.Context(), c), Provider: s.provider(r.Context(), c.ProviderID), Langs: textLanguages(c.Spec)}
	if page.History, err = s.historyLines(r.Context(), c.Spec.ID); err != nil {
		s.log.Error("loading course history", "id", c.Spec.ID, "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, "The course could not be loaded. Please try again.")
		return
	}
	prefs := readerLanguages(r)
	if l := r.URL.Query().Get("lang"); slices.Contains(page.Langs, l) {
		prefs = append([]string{l}, prefs...)
	}
	page.Lang, _ = c.Spec.Title.Best(prefs...)
	page.layoutData = layoutData{Title: c.Spec.Title.String(), Notice: s.opts.Notice}
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
	s.render(w, r, http.StatusOK, "about", layoutData{Title: "About this catalogue", Notice: s.opts.Notice})
}
