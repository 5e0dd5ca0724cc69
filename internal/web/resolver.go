package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/rdf/jsonld"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/store"
)

// resolverRoutes make course identifiers resolve: /id/course/{id} answers
// for every identifier a course has, in the form the client negotiates,
// and the JSON-LD context those answers name is published beside it.
func (s *Server) resolverRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /id/course/{id...}", s.resolveCourse)
	mux.HandleFunc("GET "+jsonld.QLinkContextPath, s.publishedContext)
}

// resolverPath is where a course identifier resolves on this server.
func resolverPath(id string) string { return "/id/course/" + url.PathEscape(id) }

// resolveCourse answers for a course identifier: the canonical ID in the
// negotiated form, any other identifier of a course with 303 See Other to
// the canonical one, an identifier several courses carry with 300 and the
// list of them.
func (s *Server) resolveCourse(w http.ResponseWriter, r *http.Request) {
	rep, ok := s.negotiateCourse(w, r)
	if !ok {
		return
	}
	id := repairCleanedIRI(r.PathValue("id"))
	if len(id) > maxCourseIDBytes {
		s.answerMessage(w, r, rep, http.StatusRequestURITooLong,
			s.tr(r, "The identifier is %d bytes long; the limit is %d bytes.", len(id), maxCourseIDBytes), nil)
		return
	}
	c, err := s.opts.Store.Course(r.Context(), id)
	if err == nil {
		s.answerCourse(w, r, rep, c)
		return
	}
	if !errors.Is(err, store.ErrNotFound) {
		s.courseLoadFailed(w, r, rep, id, err)
		return
	}
	ids, err := s.opts.Store.CoursesByIdentifier(r.Context(), id, maxCandidates+1)
	if err != nil {
		s.courseLoadFailed(w, r, rep, id, err)
		return
	}
	switch len(ids) {
	case 0:
		s.answerMessage(w, r, rep, http.StatusNotFound, s.tr(r, "No course has this identifier."), nil)
	case 1:
		s.redirectToCanonical(w, r, ids[0])
	default:
		ids = ids[:min(len(ids), maxCandidates)]
		links := make([]string, len(ids))
		for i, c := range ids {
			links[i] = keepFormat(r, resolverPath(c))
		}
		s.answerMessage(w, r, rep, http.StatusMultipleChoices,
			s.tr(r, "Several courses carry this identifier; choose one."), links)
	}
}

// courseByID serves /courses/{id}: the page, or the course's data in the
// form the client negotiates.
func (s *Server) courseByID(w http.ResponseWriter, r *http.Request) {
	rep, ok := s.negotiateCourse(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	c, err := s.opts.Store.Course(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.answerMessage(w, r, rep, http.StatusNotFound, s.tr(r, "No course has this identifier."), nil)
	case err != nil:
		s.courseLoadFailed(w, r, rep, id, err)
	default:
		s.answerCourse(w, r, rep, c)
	}
}

// negotiateCourse picks the representation and sets the headers every
// answer about a course carries; without one that fits it answers 406.
func (s *Server) negotiateCourse(w http.ResponseWriter, r *http.Request) (representation, bool) {
	h := w.Header()
	h.Add("Vary", "Accept")
	h.Set("Access-Control-Allow-Origin", "*") // public, read-only data
	rep, ok := negotiate(r)
	if !ok {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotAcceptable)
		w.Write([]byte(s.tr(r, "None of the forms this course is available in fits the request. Ask for one of these, in the Accept header or the format parameter:") + "\n" + offeredTypes()))
		return rep, false
	}
	return rep, true
}

// answerCourse serves a found course in the negotiated form, with links
// to its other forms.
func (s *Server) answerCourse(w http.ResponseWriter, r *http.Request, rep representation, c store.Course) {
	w.Header().Set("Link", alternateLinks(c.Spec.ID, rep))
	switch {
	case rep.isHTML():
		r.SetPathValue("id", c.Spec.ID)
		s.coursePage(w, r)
	case rep.RDF == rdf.FormatUnknown:
		writeJSON(w, http.StatusOK, s.presentCourse(r.Context(), c))
	default:
		s.writeCourseRDF(w, r, rep, c)
	}
}

// alternateLinks is the Link header naming the course's other forms.
func alternateLinks(id string, chosen representation) string {
	var links []string
	for _, rep := range representations {
		if rep != chosen {
			links = append(links, "<"+resolverPath(id)+"?format="+rep.Format+`>; rel="alternate"; type="`+rep.MediaType+`"`)
		}
	}
	return strings.Join(links, ", ")
}

// writeCourseRDF writes the course as ELM 3.3, with the institutions it
// names. JSON-LD refers to the context this server publishes.
func (s *Server) writeCourseRDF(w http.ResponseWriter, r *http.Request, rep representation, c store.Course) {
	specs, providers := s.courseStatements(r, c)
	var buf bytes.Buffer
	var err error
	if rep.RDF == rdf.FormatJSONLD {
		quads := elm.Quads(specs, providers, elm.WriteOptions{})
		err = rdfio.WriteJSONLD(&buf, quads, jsonld.PublishedContextURL(s.opts.BaseURL),
			jsonld.Options{Loader: jsonld.PublishedLoader(s.opts.BaseURL)})
	} else {
		err = elm.Write(&buf, rep.RDF, specs, providers)
	}
	if err != nil {
		s.courseLoadFailed(w, r, rep, c.Spec.ID, err)
		return
	}
	w.Header().Set("Content-Type", rep.contentType())
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// courseStatements is what the ELM writer is given for a course: its last
// known data, with ql:isActive false when its source no longer publishes
// it, and the institutions it names that the registry knows.
func (s *Server) courseStatements(r *http.Request, c store.Course) ([]model.Specification, []model.Provider) {
	spec := c.Spec
	if c.Inactive {
		spec.Active = false
	}
	var providers []model.Provider
	seen := map[string]bool{}
	add := func(id string) {
		if id == "" || seen[id] {
			return
		}
		seen[id] = true
		if p, err := s.opts.Store.Provider(r.Context(), id); err == nil {
			providers = append(providers, p)
		}
	}
	add(spec.PublisherID)
	for _, in := range spec.Instances {
		for _, id := range in.ProviderIDs {
			add(id)
		}
	}
	return []model.Specification{spec}, providers
}

// redirectToCanonical answers an identifier other than the canonical one
// with 303 See Other to the canonical one, keeping the format asked for.
func (s *Server) redirectToCanonical(w http.ResponseWriter, r *http.Request, id string) {
	w.Header().Set("Location", keepFormat(r, resolverPath(id)))
	w.WriteHeader(http.StatusSeeOther)
}

// keepFormat adds the request's format parameter, if any, to path.
func keepFormat(r *http.Request, path string) string {
	if f := r.URL.Query().Get("format"); f != "" {
		return path + "?format=" + url.QueryEscape(f)
	}
	return path
}

// resolverAnswer is the body of a JSON answer that is no course.
type resolverAnswer struct {
	Message    string   `json:"error"`
	Candidates []string `json:"candidates,omitempty"`
}

// choicesPage lists the courses an identifier may mean.
type choicesPage struct {
	layoutData
	Message string
	Links   []string
}

// answerMessage answers in the negotiated form without a course: a page,
// a JSON object, or Turtle and N-Triples comments (an empty graph that
// still says why), with links to the courses meant when there are several.
func (s *Server) answerMessage(w http.ResponseWriter, r *http.Request, rep representation, status int, msg string, links []string) {
	switch {
	case rep.isHTML() && len(links) == 0:
		s.errorPage(w, r, status, msg)
	case rep.isHTML():
		s.render(w, r, status, "choices", choicesPage{layoutData: layoutData{Title: s.tr(r, "Several courses"), Notice: s.opts.Notice},
			Message: msg, Links: links})
	case rep.RDF == rdf.FormatUnknown || rep.RDF == rdf.FormatJSONLD:
		answer := resolverAnswer{Message: msg}
		for _, l := range links {
			answer.Candidates = append(answer.Candidates, s.opts.BaseURL+l)
		}
		body, _ := json.Marshal(answer) // strings only: cannot fail
		w.Header().Set("Content-Type", rep.contentType())
		w.WriteHeader(status)
		w.Write(body)
	default:
		var b strings.Builder
		b.WriteString("# " + msg + "\n")
		for _, l := range links {
			b.WriteString("# " + s.opts.BaseURL + l + "\n")
		}
		w.Header().Set("Content-Type", rep.contentType())
		w.WriteHeader(status)
		w.Write([]byte(b.String()))
	}
}

func (s *Server) courseLoadFailed(w http.ResponseWriter, r *http.Request, rep representation, id string, err error) {
	s.log.Error("resolving course", "id", id, "error", err)
	s.answerMessage(w, r, rep, http.StatusInternalServerError, s.tr(r, "The course could not be loaded. Please try again."), nil)
}

// repairCleanedIRI undoes what path cleaning does to an IRI written into
// the path with its slashes as they are: the server redirects
// /id/course/https://x to /id/course/https:/x, so "https:/x" means
// "https://x". A percent-encoded IRI (%2F%2F) is not cleaned.
func repairCleanedIRI(id string) string {
	for _, scheme := range []string{"http:/", "https:/"} {
		if rest, ok := strings.CutPrefix(id, scheme); ok && !strings.HasPrefix(rest, "/") {
			return scheme + "/" + rest
		}
	}
	return id
}

// publishedContext serves qlink's JSON-LD context at its stable URL, for
// any JSON-LD processor that reads the documents this server writes.
func (s *Server) publishedContext(w http.ResponseWriter, r *http.Request) {
	body := jsonld.QLinkContextJSON()
	sum := sha256.Sum256(body)
	h := w.Header()
	h.Set("Content-Type", jsonld.QLinkContextMediaType+"; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=604800")
	h.Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	h.Set("Access-Control-Allow-Origin", "*")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}
