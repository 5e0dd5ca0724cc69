package web

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
	"golang.org/x/text/number"
)

// Every user-visible string goes through a translation hook: {{t "…"}} in
// templates and s.tr(r, "…") in handlers. The English text is the message
// key, so a template reads as the page it renders; a format with
// arguments ("%d courses") is translated first and filled in after, with
// numbers written the reader's way ("1.234" in German).
//
// The catalogues are the PO files in locales/, one per language besides
// English (see po.go); a language is offered when its file exists, so
// adding a language is adding one file. A message a file does not
// translate is shown in English.
//
// Counts: {{tn "%d course" "%d courses" .N}} in templates and
// localeOf(ctx).trn("%d course", "%d courses", n) in Go pick the form by the
// language's CLDR plural rule (French says "0 cours", "1 cours"), from a PO
// entry with msgid, msgid_plural, msgstr[0] (the "one" form) and msgstr[1]
// (every other count).
//
// Messages that are built from a variable (a facet's name) are marked
// where they are written with msg("…"), so the test that checks the
// catalogues finds them.
//
// {{th "…"}} is t for a message that contains markup (<code>, links):
// the message and its translations come from this repository's own
// files, never from harvested data, and arguments are escaped.
//
// The reader's language is chosen per request (withLocale): ?lang=xx (the
// switch in the header) is remembered in a cookie; then the cookie; then
// Accept-Language; then English. The JSON API always answers in English.

//go:embed locales/*.po
var localeFiles embed.FS

// locale is one language of the interface with its messages.
type locale struct {
	// Code is the BCP 47 tag the interface is in ("de"), for <html lang>.
	Code    string
	tag     language.Tag
	msgs    map[string]poEntry
	printer *message.Printer
}

// english is the language of the message keys; it needs no catalogue.
var english = newLocale(language.English, nil)

func newLocale(tag language.Tag, msgs map[string]poEntry) *locale {
	// An empty catalogue, so the printer formats numbers only and never
	// looks up messages of its own.
	printer := message.NewPrinter(tag, message.Catalog(catalog.NewBuilder()))
	return &locale{Code: tag.String(), tag: tag, msgs: msgs, printer: printer}
}

// tr translates msg and fills in its arguments.
func (l *locale) tr(msg string, args ...any) string {
	if e, ok := l.msgs[msg]; ok && e.translated() && e.Plural == "" {
		msg = e.Forms[0]
	}
	if len(args) == 0 {
		return msg
	}
	return l.printer.Sprintf(msg, indirect(args)...)
}

// indirect replaces pointers among args with what they point to: templates
// pass optional numbers (*int) as they are, and a format would print the
// address.
func indirect(args []any) []any {
	out := slices.Clone(args)
	for i, a := range out {
		if v := reflect.ValueOf(a); v.Kind() == reflect.Pointer && !v.IsNil() {
			out[i] = v.Elem().Interface()
		}
	}
	return out
}

// trn translates a count: one and other are the English forms; without
// further arguments n fills in the message.
func (l *locale) trn(one, other string, n int, args ...any) string {
	if len(args) == 0 {
		args = []any{n}
	}
	forms := []string{one, other}
	if e, ok := l.msgs[one]; ok && e.translated() && e.Plural != "" {
		forms = e.Forms
	}
	// msgstr[0] is the "one" form, the last one every other count.
	i := len(forms) - 1
	if plural.Cardinal.MatchPlural(l.tag, n, 0, 0, 0, 0) == plural.One {
		i = 0
	}
	return l.printer.Sprintf(forms[i], indirect(args)...)
}

// num writes a number of credits or hours the reader's way: "7.5", "7,5".
func (l *locale) num(f float64) string {
	return l.printer.Sprint(number.Decimal(f, number.MaxFractionDigits(2)))
}

// monthNames are English's short names; other languages translate them
// to their full names ("Dez" is no German abbreviation).
var monthNames = [12]string{msg("Jan"), msg("Feb"), msg("Mar"), msg("Apr"), msg("May"), msg("Jun"),
	msg("Jul"), msg("Aug"), msg("Sep"), msg("Oct"), msg("Nov"), msg("Dec")}

// date writes a day the reader's way: "4 Dec 2026", "4. Dezember 2026",
// "4 décembre 2026".
func (l *locale) date(t time.Time) string {
	// The translator orders day, month name and year; the numbers go in
	// as strings so the year is not grouped like an amount ("2.026").
	return l.tr("%[1]s %[2]s %[3]s", strconv.Itoa(t.Day()), l.tr(monthNames[t.Month()-1]), strconv.Itoa(t.Year()))
}

// name is the language's name in itself, capitalised as a menu item
// ("Français"), for the language switch.
func (l *locale) name() string {
	n := display.Self.Name(l.tag)
	r, size := utf8.DecodeRuneInString(n)
	return string(unicode.ToUpper(r)) + n[size:]
}

// msg marks a message that is translated later, from a variable; msgn
// marks a count's two English forms likewise.
func msg(s string) string { return s }

func msgn(one, other string) [2]string { return [2]string{one, other} }

// locales are the languages the interface is offered in, English first.
type locales struct {
	all     []*locale
	matcher language.Matcher
}

// loadLocales reads every <lang>.po in files; a malformed file fails with
// its name and line.
func loadLocales(files fs.FS) (*locales, error) {
	names, err := fs.Glob(files, "*.po")
	if err != nil {
		return nil, err
	}
	ls := &locales{all: []*locale{english}}
	for _, name := range names {
		tag, err := language.Parse(strings.TrimSuffix(name, ".po"))
		if err != nil {
			return nil, fmt.Errorf("web: locales/%s: the file name is no language tag: %w", name, err)
		}
		data, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		msgs, err := parsePO("locales/"+name, data)
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		ls.all = append(ls.all, newLocale(tag, msgs))
	}
	tags := make([]language.Tag, len(ls.all))
	for i, l := range ls.all {
		tags[i] = l.tag
	}
	ls.matcher = language.NewMatcher(tags)
	return ls, nil
}

// embeddedLocales are the catalogues built into the binary.
func embeddedLocales() (*locales, error) {
	sub, err := fs.Sub(localeFiles, "locales")
	if err != nil {
		return nil, err
	}
	return loadLocales(sub)
}

// byCode returns the offered language with exactly this tag.
func (ls *locales) byCode(code string) (*locale, bool) {
	i := slices.IndexFunc(ls.all, func(l *locale) bool { return l.Code == code })
	if i < 0 {
		return nil, false
	}
	return ls.all[i], true
}

// negotiate picks the reader's language: the remembered choice, else the
// best match for Accept-Language, else English.
func (ls *locales) negotiate(r *http.Request) *locale {
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := ls.byCode(c.Value); ok {
			return l
		}
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return english
	}
	_, i, conf := ls.matcher.Match(tags...)
	if conf == language.No {
		return english
	}
	return ls.all[i]
}

// langCookie remembers the reader's choice for a year.
const (
	langCookie       = "lang"
	langCookieMaxAge = 365 * 24 * 60 * 60
)

type localeKey struct{}

// localeOf returns the reader's language; English where none was chosen
// (the API, handlers called directly in tests).
func localeOf(ctx context.Context) *locale {
	if l, ok := ctx.Value(localeKey{}).(*locale); ok {
		return l
	}
	return english
}

// withLocale puts the reader's language into the request context. The
// switch's ?lang=xx sets the cookie and redirects to the same address
// without it, so addresses stay shareable and the choice is remembered.
// The API and static files are the same in every language.
func (s *Server) withLocale(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isAPI(r) || strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		if s.switchLanguage(w, r) {
			return
		}
		ctx := context.WithValue(r.Context(), localeKey{}, s.locales.negotiate(r))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// switchLanguage answers ?lang=xx, for a language on offer, with the
// cookie and a redirect. An address too long to serve is left to
// limitRequests to refuse, unparsed.
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request) bool {
	if len(r.URL.RawQuery) > maxURIBytes || r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	q := r.URL.Query()
	l, ok := s.locales.byCode(q.Get("lang"))
	if !ok {
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l.Code, Path: "/", MaxAge: langCookieMaxAge,
		SameSite: http.SameSiteLaxMode, HttpOnly: true, Secure: r.TLS != nil})
	q.Del("lang")
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, requestPathWith(r, q.Encode()), http.StatusSeeOther)
	return true
}

// requestPathWith is r's path with the given query; leading slashes are
// collapsed so "//evil.test" cannot become a link to another site.
func requestPathWith(r *http.Request, rawQuery string) string {
	p := "/" + strings.TrimLeft(r.URL.EscapedPath(), "/")
	if rawQuery != "" {
		p += "?" + rawQuery
	}
	return p
}

// langLink is one entry of the language switch.
type langLink struct {
	Code, Name, URL string
	Current         bool
}

// langLinks are the switch's links: the current address with ?lang=xx.
// An address too long to serve keeps only its path, so a refused request
// does not cost three copies of its query.
func (s *Server) langLinks(r *http.Request) []langLink {
	current := localeOf(r.Context())
	q := url.Values{}
	if len(r.URL.RawQuery) <= maxURIBytes {
		q = r.URL.Query()
	}
	out := make([]langLink, 0, len(s.locales.all))
	for _, l := range s.locales.all {
		q.Set("lang", l.Code)
		out = append(out, langLink{Code: l.Code, Name: l.name(), URL: requestPathWith(r, q.Encode()), Current: l == current})
	}
	return out
}

// tr translates msg for the reader of r.
func (s *Server) tr(r *http.Request, msg string, args ...any) string {
	return localeOf(r.Context()).tr(msg, args...)
}
