package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"qlink/internal/markup"
	"qlink/internal/model"
	"qlink/internal/vocab"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// views holds the parsed templates and the static files' content hashes.
type views struct {
	pages  map[string]*template.Template
	hashes map[string]string
}

// pageNames are the page templates; each is parsed with the layout.
var pageNames = []string{"catalogue", "course", "about", "error", "dataset"}

func loadViews() (*views, error) {
	v := &views{pages: map[string]*template.Template{}, hashes: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		v.hashes[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(v.funcs()).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		v.pages[name] = t
	}
	return v, nil
}

func (v *views) funcs() template.FuncMap {
	return template.FuncMap{
		// t translates a user-visible string (see i18n.go).
		"t":     translate,
		"asset": func(name string) string { return "/static/" + name + "?v=" + v.hashes[name] },
		// safe renders source HTML after sanitising it.
		"safe":        func(s string) template.HTML { return template.HTML(markup.Sanitize(s)) },
		"date":        func(t time.Time) string { return t.Format("2 Jan 2006") },
		"isodate":     func(t time.Time) string { return t.Format("2006-01-02") },
		"langName":    func(tag string) string { return vocab.LanguageName(tag, "en") },
		"endonym":     vocab.LanguageEndonym,
		"num":         formatNumber,
		"pathEscape":  url.PathEscape,
		"primaryLang": model.PrimaryLang,
		// day shows an ISO date (as the API carries it) for people.
		"day": func(iso string) string {
			t, err := time.Parse("2006-01-02", iso)
			if err != nil {
				return iso
			}
			return t.Format("2 Jan 2006")
		},
		"best": func(t model.Text, prefs ...string) shownText {
			lang, val := t.Best(prefs...)
			return shownText{Lang: lang, Value: val}
		},
	}
}

// shownText is a text in the language chosen for display; Lang goes into
// the element's lang attribute so screen readers pronounce it right.
type shownText struct {
	Lang  string
	Value string
}

func formatNumber(f float64) string {
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d", int64(f))
	}
	return strings.TrimRight(fmt.Sprintf("%.2f", f), "0")
}

// static serves embedded files, never a directory listing: anything but
// a file goes to notFound. A request carrying the current content hash may
// be cached for a year.
func (v *views) static(notFound http.Handler) http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/static/")
		h, isFile := v.hashes[name] // hashes has every file and nothing else
		if !isFile || strings.HasSuffix(r.URL.Path, "/") {
			notFound.ServeHTTP(w, r)
			return
		}
		if r.URL.Query().Get("v") == h {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		files.ServeHTTP(w, r)
	})
}

// layoutData is what every page's layout needs.
type layoutData struct {
	Title  string
	Notice string
	// Partial asks for the page's main block only (htmx requests).
	Partial bool
	// CSRF is the anti-forgery token every form that changes state
	// carries in a hidden field named "csrf".
	CSRF string
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t := s.views.pages[name]
	block := "layout.html"
	if r.Header.Get("HX-Request") == "true" && t.Lookup("main") != nil && r.Header.Get("HX-Boosted") != "true" {
		block = "main"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		s.log.Error("rendering page", "page", name, "error", err)
		http.Error(w, "internal error while rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Vary", "HX-Request")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type errorPage struct {
	layoutData
	Status  int
	Message string
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", errorPage{layoutData: layoutData{Title: http.StatusText(status), Notice: s.opts.Notice},
		Status: status, Message: msg})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		writeJSONError(w, http.StatusNotFound, "no such API endpoint: "+r.URL.Path)
		return
	}
	s.errorPage(w, r, http.StatusNotFound, "There is no page at this address.")
}
