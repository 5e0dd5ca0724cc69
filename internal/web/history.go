package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"qlink/internal/store"
)

// historyOnPage is how many changes the course page lists; the API pages
// through the rest.
const historyOnPage = 20

type apiHistory struct {
	ID    string           `json:"id"`
	Total int              `json:"total"`
	Page  int              `json:"page"`
	Limit int              `json:"limit"`
	Items []apiHistoryItem `json:"items"`
}

type apiHistoryItem struct {
	// Run is the harvest run that saw the change (0: none did).
	Run     int64               `json:"run"`
	Time    time.Time           `json:"time"`
	Kind    store.HistoryKind   `json:"kind"`
	Changes []store.FieldChange `json:"changes"`
}

// apiCourseHistory answers GET /api/v1/courses/{id}/history: the course's
// changes, newest first, paged like the course list.
func (s *Server) apiCourseHistory(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	limit, page, refused := parsePage(r.URL.Query())
	if refused != nil {
		writeJSON(w, http.StatusBadRequest, refused) // names the parameter and the limit
		return
	}
	if _, err := s.opts.Store.Course(r.Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			writeJSONError(w, http.StatusNotFound, "no course with id "+id)
			return
		}
		s.log.Error("api course history", "id", id, "error", err)
		writeJSONError(w, http.StatusInternalServerError, "loading the course failed")
		return
	}
	entries, total, err := s.opts.Store.CourseHistory(r.Context(), id, limit, (page-1)*limit)
	if err != nil {
		s.log.Error("api course history", "id", id, "error", err)
		writeJSONError(w, http.StatusInternalServerError, "loading the history failed")
		return
	}
	out := apiHistory{ID: id, Total: total, Page: page, Limit: limit, Items: make([]apiHistoryItem, 0, len(entries))}
	for _, e := range entries {
		changes := e.Changes
		if changes == nil {
			changes = []store.FieldChange{}
		}
		out.Items = append(out.Items, apiHistoryItem{Run: e.RunID, Time: e.At, Kind: e.Kind, Changes: changes})
	}
	writeJSON(w, http.StatusOK, out)
}

// parsePage reads limit and page within the same caps as a search.
func parsePage(v url.Values) (limit, page int, refused *limitError) {
	var err error
	if limit, err = parseInt("limit", v.Get("limit"), defaultLimit, 1, maxLimit); err == nil {
		page, err = parseInt("page", v.Get("page"), 1, 1, maxResultWindow/limit)
	}
	if err != nil {
		errors.As(err, &refused) // parseInt's errors are all limit errors
	}
	return limit, page, refused
}

// historyView is what the course page shows of a course's history.
type historyView struct {
	Lines []historyLine
	// More is set when the course has more entries than the page lists.
	More bool
}

type historyLine struct {
	Time time.Time
	Text string
}

// historyLines describes a course's latest changes in words, or nothing
// when its only entry is its first publication.
func (s *Server) historyLines(ctx context.Context, id string) (historyView, error) {
	entries, total, err := s.opts.Store.CourseHistory(ctx, id, historyOnPage, 0)
	if err != nil || total == 0 || (total == 1 && entries[0].Kind == store.HistoryAdded) {
		return historyView{}, err
	}
	v := historyView{More: total > len(entries)}
	for _, e := range entries {
		v.Lines = append(v.Lines, historyLine{Time: e.At, Text: describeEntry(localeOf(ctx), e)})
	}
	return v, nil
}

// fieldWords names the specification's fields for readers.
var fieldWords = map[string]string{
	"title": msg("title"), "description": msg("description"), "learningOutcomes": msg("learning outcomes"),
	"languages": msg("languages of instruction"), "iscedf": msg("field of study"), "eqfLevel": msg("EQF level"),
	"credits": msg("credits"), "homepage": msg("course page"), "entryRequirements": msg("entry requirements"),
	"active": msg("status at the institution"), "instances": msg("offerings"), "type": msg("type"),
	"identifiers": msg("identifiers"), "schedule": msg("schedule"), "volumeOfLearning": msg("workload"),
	"gradingScheme": msg("grading scheme"), "modified": msg("modification date"), "version": msg("version"),
}

// describeEntry says in words what one history entry did: "title (en)
// changed", "no longer offered".
func describeEntry(l *locale, e store.HistoryEntry) string {
	switch e.Kind {
	case store.HistoryAdded:
		return l.tr("first published")
	case store.HistoryInactive:
		return l.tr("no longer offered")
	}
	var fields []string
	for _, c := range e.Changes {
		fields = append(fields, fieldName(l, c.Field))
	}
	changed := l.tr("%s changed", strings.Join(fields, ", "))
	if e.Kind == store.HistoryReactivated {
		if len(fields) == 0 {
			return l.tr("offered again")
		}
		return l.tr("offered again; %s", changed)
	}
	if len(fields) == 0 {
		return l.tr("changed")
	}
	return changed
}

// fieldName reads "title.en" as "title (en)".
func fieldName(l *locale, field string) string {
	name, lang, perLang := strings.Cut(field, ".")
	if w, ok := fieldWords[name]; ok {
		name = l.tr(w)
	}
	if perLang {
		return name + " (" + lang + ")"
	}
	return name
}
