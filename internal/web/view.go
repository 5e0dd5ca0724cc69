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

// views holds the parsed templates, once per language, and the static
// files' content hashes.
type views struct {
	// byLocale holds every page in every language; pages are the English
	// ones (code that renders for a request uses s.page).
	byLocale map[*locale]map[string]*template.Template
	pages    map[string]*template.Template
	hashes   map[string]string
}

// pageNames are the page templates; each is parsed with the layout.
var pageNames = []string{"catalogue", "course", "about", "error", "choices", "institutions", "institution", "manifest", "alliances", "alliance", "refresh", "run", "login", "dashboard", "claim", "admin", "dataset"}

// standalonePages are whole documents of their own, without the site's
// layout (the widget other sites frame). Each defines "<name>.html".
var standalonePages = []string{"embed"}

func loadViews(ls *locales) (*views, error) {
	v := &views{byLocale: map[*locale]map[string]*template.Template{}, hashes: map[string]string{}}
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
	// Each page is parsed once per language with that language's
	// functions bound, so {{t "…"}} works at any depth of any template.
	for _, l := range ls.all {
		v.byLocale[l] = map[string]*template.Template{}
		for _, name := range pageNames {
			t, err := template.New("layout.html").Funcs(v.funcs(l)).ParseFS(templateFS, "templates/layout.html", "templates/partials.html",
				"templates/refresh-partials.html", "templates/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", name, err)
			}
			v.byLocale[l][name] = t
		}
		for _, name := range standalonePages {
			t, err := template.New(name+".html").Funcs(v.funcs(l)).ParseFS(templateFS, "templates/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", name, err)
			}
			v.byLocale[l][name] = t
		}
	}
	v.pages = v.byLocale[english]
	return v, nil
}

func (v *views) funcs(l *locale) template.FuncMap {
	return template.FuncMap{
		// t, tn and th translate user-visible strings (see i18n.go).
		"t":  l.tr,
		"tn": l.trn,
		"th": func(msg string, args ...any) template.HTML {
			for i, a := range args {
				args[i] = template.HTMLEscaper(a)
			}
			return template.HTML(l.tr(msg, args...))
		},
		// uiLang is the language the page is in, for <html lang>.
		"uiLang": func() string { return l.Code },
		"upper":  strings.ToUpper,
		"asset":  func(name string) string { return "/static/" + name + "?v=" + v.hashes[name] },
		// safe renders source HTML after sanitising it.
		"safe":        func(s string) template.HTML { return template.HTML(markup.Sanitize(s)) },
		"date":        l.date,
		"isodate":     func(t time.Time) string { return t.Format("2006-01-02") },
		"langName":    func(tag string) string { return vocab.LanguageName(tag, l.Code) },
		"endonym":     vocab.LanguageEndonym,
		"num":         l.num,
		"count":       func(n int) string { return l.printer.Sprint(n) },
		"pathEscape":  url.PathEscape,
		"primaryLang": model.PrimaryLang,
		// day shows an ISO date (as the API carries it) for people.
		"day": func(iso string) string {
			t, err := time.Parse("2006-01-02", iso)
			if err != nil {
				return iso
			}
			return l.date(t)
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
	// carries in a hidden field named "csrf". render fills it in.
	CSRF string
	// Languages is the language switch; render fills it in.
	Languages []langLink
	// SignedIn names who is signed in ("" for nobody): the operator, or
	// the domain a provider proved; SignedInKind is admin or provider,
	// SignedInProvider the provider's ID. render fills them in.
	SignedIn         string
	SignedInKind     string
	SignedInProvider string
}

// page is the named page template in the reader's language.
func (s *Server) page(r *http.Request, name string) *template.Template {
	return s.views.byLocale[localeOf(r.Context())][name]
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t := s.page(r, name)
	block := "layout.html"
	if t.Lookup(block) == nil { // a standalone page
		block = name + ".html"
	}
	if r.Header.Get("HX-Request") == "true" && t.Lookup("main") != nil && r.Header.Get("HX-Boosted") != "true" {
		block = "main"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, s.withRequestLayout(r, data)); err != nil {
		s.log.Error("rendering page", "page", name, "error", err)
		http.Error(w, "internal error while rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Add("Vary", "HX-Request, Accept-Language, Cookie") // Add: course pages vary by Accept as well
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// statusTexts are the statuses error pages are titled with; their
// English names are translated from http.StatusText.
var _ = []string{msg("Bad Request"), msg("Not Found"), msg("Method Not Allowed"), msg("Request URI Too Long"),
	msg("Internal Server Error"), msg("Service Unavailable")}

type errorPage struct {
	layoutData
	Status  int
	Message string
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", errorPage{layoutData: layoutData{Title: s.tr(r, http.StatusText(status)), Notice: s.opts.Notice},
		Status: status, Message: msg})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		writeJSONError(w, http.StatusNotFound, "no such API endpoint: "+r.URL.Path)
		return
	}
	s.errorPage(w, r, http.StatusNotFound, s.tr(r, "There is no page at this address."))
}
