package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"qlink/internal/check"
	"qlink/internal/manifest"
)

// The publishers' page, /manifest: a builder that writes a manifest from a
// form, a validator for a pasted one, and a form that runs `qlink check`
// for an institution on the server. Building and validating read nothing
// from outside and change nothing; the check makes outbound requests, so
// it is rate-limited (manifestcheck.go).

const (
	// maxPasteBytes caps a pasted manifest: real ones are a few KB.
	maxPasteBytes = 256 << 10
	// maxManifestFormBytes caps the body of the page's forms: a paste at
	// the cap, percent-encoded, fits.
	maxManifestFormBytes = 1 << 20
)

// bodyLimit is the body cap for r (see limitRequests): the manifest
// page's forms carry a pasted manifest, everything else no more than a
// small form.
func bodyLimit(r *http.Request) int64 {
	if r.URL.Path == "/manifest" || strings.HasPrefix(r.URL.Path, "/manifest/") {
		return maxManifestFormBytes
	}
	if r.URL.Path == "/admin/alliances/import" {
		return maxAllianceUploadBytes + 64<<10 // the file and the form around it
	}
	return maxBodyBytes
}

type manifestPage struct {
	layoutData
	Form builderForm
	// Built is the builder's output, after a build.
	Built *builtOutput
	// Paste and Pasted are the validator's input and result.
	Paste  string
	Pasted *validation
	// PastedJSON and PastedYAML are a usable pasted manifest in both
	// notations.
	PastedJSON, PastedYAML string
	// Target, Report and CheckError are the institution check's.
	Target     string
	Report     *check.Report
	CheckError string
	CanCheck   bool
	// Error is a request the page could not take, shown at the top.
	Error string
}

type builtOutput struct {
	JSON       string
	YAML       string
	Validation validation
	TXT        txtRecord
}

// validation is what internal/manifest says of a manifest, exactly as
// `qlink check` reports it.
type validation struct {
	// Usable is true when the aggregator can harvest at least one source.
	Usable bool
	// Partly is true when some sources have errors that leave them out.
	Partly      bool
	Error       string
	Diagnostics []manifest.Diagnostic
	Sources     int
}

func validate(body []byte) validation {
	m, diags, err := manifest.ParseWithin(body, maxFormSources)
	v := validation{Diagnostics: diags, Usable: err == nil}
	for _, d := range diags {
		v.Partly = v.Partly || d.Fatal
	}
	if err != nil {
		v.Error = err.Error()
	} else {
		v.Sources = len(m.Sources)
	}
	return v
}

// manifestRoutes are the publishers' tools.
func (s *Server) manifestRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /manifest", s.manifestPage)
	mux.HandleFunc("POST /manifest", s.buildManifest)
	mux.HandleFunc("POST /manifest/validate", s.validateManifest)
	mux.HandleFunc("POST /manifest/download", s.downloadManifest)
	mux.Handle("POST /manifest/check", newInstitutionCheck(s))
}

func (s *Server) newManifestPage(r *http.Request) manifestPage {
	return manifestPage{layoutData: layoutData{Title: s.tr(r, "Publish your courses"), Notice: s.opts.Notice},
		Form: emptyBuilderForm(), CanCheck: s.opts.Checker != nil}
}

func (s *Server) manifestPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "manifest", s.newManifestPage(r))
}

// buildManifest writes the manifest the form describes and validates it,
// or, for the add and remove buttons, shows the form with one source more
// or less.
func (s *Server) buildManifest(w http.ResponseWriter, r *http.Request) {
	p := s.newManifestPage(r)
	if !s.parseManifestForm(w, r, &p) {
		return
	}
	f, err := parseBuilderForm(r.PostForm)
	if err != nil {
		p.Error = err.Error()
		s.render(w, r, http.StatusBadRequest, "manifest", p)
		return
	}
	p.Form = f
	if op := r.PostForm.Get("op"); op != "" && op != "build" {
		s.render(w, r, http.StatusOK, "manifest", p)
		return
	}
	m := f.manifest()
	body := m.JSON()
	p.Built = &builtOutput{JSON: string(body), YAML: string(m.YAML()), Validation: validate(body), TXT: dnsRecord(f.SCHAC, f.ManifestURL)}
	s.render(w, r, validationStatus(p.Built.Validation), "manifest", p)
}

// validateManifest validates a pasted manifest, JSON or YAML.
func (s *Server) validateManifest(w http.ResponseWriter, r *http.Request) {
	p := s.newManifestPage(r)
	if !s.parseManifestForm(w, r, &p) {
		return
	}
	paste := r.PostForm.Get("manifest")
	switch {
	case len(paste) > maxPasteBytes:
		p.Error = s.tr(r, "The manifest is %d KB; the validator takes up to %d KB.", len(paste)>>10, maxPasteBytes>>10)
		s.render(w, r, http.StatusRequestEntityTooLarge, "manifest", p)
		return
	case !utf8.ValidString(paste):
		p.Error = s.tr(r, "The manifest is not valid UTF-8 text.")
		s.render(w, r, http.StatusBadRequest, "manifest", p)
		return
	}
	p.Paste = paste
	if refusal := s.validations.enter(r.Context()); refusal != "" {
		w.Header().Set("Retry-After", strconv.Itoa(busyRetryAfter))
		p.Error = s.tr(r, "The server is busy checking other manifests. Please try again in a moment.")
		s.render(w, r, http.StatusServiceUnavailable, "manifest", p)
		return
	}
	s.checkPasted(&p)
	s.render(w, r, validationStatus(*p.Pasted), "manifest", p)
}

// checkPasted validates p.Paste and, when usable, gives it in both
// notations; the caller holds a place of s.validations, freed here.
func (s *Server) checkPasted(p *manifestPage) {
	defer s.validations.leave()
	v := validate([]byte(p.Paste))
	p.Pasted = &v
	if v.Usable {
		var err error
		if p.PastedJSON, p.PastedYAML, err = convertPasted([]byte(p.Paste)); err != nil {
			s.log.Warn("converting a valid pasted manifest", "error", err) // the page shows the validation alone
		}
	}
}

// validationStatus is 200 for a manifest the aggregator can use and 400
// for one it cannot, so scripts posting to the page can tell.
func validationStatus(v validation) int {
	if v.Usable {
		return http.StatusOK
	}
	return http.StatusBadRequest
}

// downloadManifest returns the builder's manifest as a file.
func (s *Server) downloadManifest(w http.ResponseWriter, r *http.Request) {
	p := s.newManifestPage(r)
	if !s.parseManifestForm(w, r, &p) {
		return
	}
	f, err := parseBuilderForm(r.PostForm)
	if err != nil {
		p.Error = err.Error()
		s.render(w, r, http.StatusBadRequest, "manifest", p)
		return
	}
	m := f.manifest()
	var body []byte
	switch r.PostForm.Get("format") {
	case "json":
		body = m.JSON()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="quality-link-manifest.json"`)
	case "yaml":
		body = m.YAML()
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="quality-link-manifest.yaml"`)
	default:
		p.Form, p.Error = f, s.tr(r, "Choose JSON or YAML to download.")
		s.render(w, r, http.StatusBadRequest, "manifest", p)
		return
	}
	w.Write(body)
}

// parseManifestForm reads a POSTed form, answering 413 when it is over the
// cap and 400 when it is malformed.
func (s *Server) parseManifestForm(w http.ResponseWriter, r *http.Request, p *manifestPage) bool {
	err := r.ParseForm()
	if err == nil {
		return true
	}
	status := http.StatusBadRequest
	p.Error = s.tr(r, "The form could not be read: %s", err.Error())
	if maxErr := (*http.MaxBytesError)(nil); errors.As(err, &maxErr) {
		status = http.StatusRequestEntityTooLarge
		p.Error = s.tr(r, "The form is larger than %d KB; the validator takes manifests up to %d KB.", maxManifestFormBytes>>10, maxPasteBytes>>10)
	}
	s.render(w, r, status, "manifest", *p)
	return false
}
