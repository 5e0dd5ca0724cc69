package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/text/language"
)

func TestParsePO(t *testing.T) {
	good := `# a comment
msgid ""
msgstr ""
"Language: de\n"

#: catalogue.html
msgid "Search"
msgstr "Suchen"

msgid ""
"Two "
"lines"
msgstr "Zwei\tZeilen \"zitiert\""
msgctxt "menu"
msgid "Search"
msgstr "Suche"

msgid "%d course"
msgid_plural "%d courses"
msgstr[0] "%d Kurs"
msgstr[1] "%d Kurse"

#, fuzzy
msgid "Unsure"
msgstr "Unsicher"

msgid "Later"
msgstr ""

msgid "Search"
msgstr "Suchen"
`
	msgs, err := parsePO("de.po", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	l := newLocale(mustTag(t, "de"), msgs)
	for in, want := range map[string]string{"Search": "Suchen", "Two lines": "Zwei\tZeilen \"zitiert\"",
		"Unsure": "Unsure", "Later": "Later", "Nothing": "Nothing"} {
		if got := l.tr(in); got != want {
			t.Errorf("tr(%q) = %q, want %q", in, got, want)
		}
	}
	if e := msgs[messageKey("menu", "Search")]; e.Forms[0] != "Suche" {
		t.Errorf("msgctxt entry: %+v", e)
	}
	if got := l.trn("%d course", "%d courses", 3); got != "3 Kurse" {
		t.Errorf("plural: %q", got)
	}

	for name, tc := range map[string]struct{ po, want string }{
		"no quotes":         {"msgid Search\nmsgstr \"x\"\n", "x.po:1: expected a quoted string"},
		"stray string":      {"\n\n\"dangling\"\n", "x.po:3: a string continues no msgid"},
		"bad escape":        {"msgid \"a\"\nmsgstr \"\\q\"\n", "x.po:2: bad string"},
		"no msgstr":         {"msgid \"a\"\n\nmsgid \"b\"\nmsgstr \"c\"\n", "x.po:1: msgid \"a\" has no msgstr"},
		"unknown keyword":   {"msgid \"a\"\nmsgtext \"b\"\n", "x.po:2: unexpected msgtext"},
		"plural gap":        {"msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[1] \"b\"\n", "x.po:3: msgstr[1] out of order"},
		"plural one form":   {"msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"b\"\n", "x.po:1: msgid \"a\": msgstr[n] goes with msgid_plural"},
		"two msgstr":        {"msgid \"a\"\nmsgstr \"b\"\nmsgstr \"c\"\n", "x.po:3: unexpected msgstr"},
		"different twice":   {"msgid \"a\"\nmsgstr \"b\"\n\n#: later\nmsgid \"a\"\nmsgstr \"c\"\n", "x.po:5: msgid \"a\" is translated differently at line 1"},
		"different, joined": {"msgid \"a\"\nmsgstr \"b\"\nmsgid \"a\"\nmsgstr \"c\"\n", "x.po:3: msgid \"a\" is translated differently at line 1"},
	} {
		_, err := parsePO("x.po", []byte(tc.po))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
}

// TestAddingALanguageIsAddingAFile: a PO file is all a language needs.
func TestAddingALanguageIsAddingAFile(t *testing.T) {
	files := fstest.MapFS{
		"de.po": {Data: []byte("msgid \"Search\"\nmsgstr \"Suchen\"\n")},
		"nl.po": {Data: []byte("msgid \"Search\"\nmsgstr \"Zoeken\"\n")},
	}
	ls, err := loadLocales(files)
	if err != nil {
		t.Fatal(err)
	}
	nl, ok := ls.byCode("nl")
	if !ok || nl.tr("Search") != "Zoeken" || nl.name() != "Nederlands" {
		t.Fatalf("nl not offered: %v", ls.all)
	}
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "nl-BE, fr;q=0.5")
	if got := ls.negotiate(r); got != nl {
		t.Errorf("Accept-Language nl-BE chose %s", got.Code)
	}
	if _, err := loadViews(ls); err != nil {
		t.Errorf("pages in Dutch: %v", err)
	}

	files["xx-not a tag.po"] = &fstest.MapFile{Data: []byte("")}
	if _, err := loadLocales(files); err == nil || !strings.Contains(err.Error(), "xx-not a tag.po") {
		t.Errorf("a badly named file: %v", err)
	}
	delete(files, "xx-not a tag.po")
	files["fr.po"] = &fstest.MapFile{Data: []byte("msgid \"Search\"\nmsgstr \"Rechercher\"\n\nmsgid \"Search\"\nmsgstr \"Chercher\"\n")}
	if _, err := loadLocales(files); err == nil || !strings.Contains(err.Error(), "locales/fr.po:4:") {
		t.Errorf("a duplicate must fail start-up with file and line: %v", err)
	}
}

// TestTranslationsKeepTheirVerbs: a translation fills in the same
// arguments as its English message, in any order.
func TestTranslationsKeepTheirVerbs(t *testing.T) {
	ls, err := embeddedLocales()
	if err != nil {
		t.Fatal(err)
	}
	verbs := regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z]`)
	letters := func(s string) []string {
		var out []string
		for _, v := range verbs.FindAllString(s, -1) {
			out = append(out, v[len(v)-1:])
		}
		slices.Sort(out)
		return out
	}
	for _, l := range ls.all[1:] {
		for _, e := range l.msgs {
			want := letters(e.ID + e.Plural)
			for _, form := range e.Forms {
				got := letters(form)
				if e.Plural == "" && !slices.Equal(got, want) || e.Plural != "" && !isSubset(got, want) {
					t.Errorf("%s: %q → %q: verbs %v, want %v", l.Code, e.ID, form, got, want)
				}
			}
		}
	}
}

func isSubset(sub, of []string) bool {
	for _, s := range sub {
		if !slices.Contains(of, s) {
			return false
		}
	}
	return true
}

func TestCountsNumbersAndDates(t *testing.T) {
	ls, err := embeddedLocales()
	if err != nil {
		t.Fatal(err)
	}
	de, _ := ls.byCode("de")
	fr, _ := ls.byCode("fr")
	day := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	enrolled := 1234
	for _, tc := range []struct{ got, want string }{
		{english.trn("%d course", "%d courses", 1), "1 course"},
		{english.trn("%d course", "%d courses", 0), "0 courses"},
		{de.trn("%d course", "%d courses", 1), "1 Kurs"},
		{de.trn("%d course", "%d courses", 1234), "1.234 Kurse"},
		{fr.trn("%d course", "%d courses", 0), "0 cours"},
		{fr.tr("%d enrolled", &enrolled), "1\u00a0234 inscrits"},
		{english.num(7.5), "7.5"},
		{de.num(1234.5), "1.234,5"},
		{fr.num(7.25), "7,25"},
		{english.date(day), "4 Dec 2026"},
		{de.date(day), "4. Dezember 2026"},
		{fr.date(day), "4 décembre 2026"},
		{durationLabel(de, "PT150H"), "150 Stunden"},
		{durationLabel(fr, "P1Y"), "1 an"},
		{durationLabel(de, "PT1.5S"), "1,5 Sekunden"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestLanguageNegotiation(t *testing.T) {
	ts := newTestServer(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(path string, header ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	// The switch remembers the choice and leads back to the same page.
	resp := do("/?q=data&lang=fr&country=NL")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/?country=NL&q=data" {
		t.Errorf("?lang=fr: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	c := resp.Cookies()
	if len(c) != 1 || c[0].Name != "lang" || c[0].Value != "fr" || c[0].MaxAge != 365*24*3600 || !c[0].HttpOnly ||
		c[0].SameSite != http.SameSiteLaxMode || c[0].Path != "/" {
		t.Errorf("cookie: %+v", c)
	}
	// A path of two slashes does not turn the redirect into another site.
	if loc := do("//evil.test/x?lang=de").Header.Get("Location"); !strings.HasPrefix(loc, "/evil.test/x") {
		t.Errorf("redirect to %q", loc)
	}
	// A refusal is in the reader's language too.
	_, body := get(t, ts.URL+"/?q="+strings.Repeat("x", 9000), "Accept-Language", "de")
	if !strings.Contains(body, "die Adresse der Anfrage ist 9.003 Bytes lang") {
		t.Errorf("414 page not in German: %.2000s", body)
	}
	// A language not offered is no switch.
	if resp := do("/?lang=tlh"); resp.StatusCode != 200 {
		t.Errorf("?lang=tlh: %d", resp.StatusCode)
	}

	for _, tc := range []struct {
		name   string
		header []string
		lang   string
		want   string
	}{
		{"default", nil, "en", "Find a course anywhere in Europe"},
		{"Accept-Language", []string{"Accept-Language", "de-AT, en;q=0.5"}, "de", "Finden Sie einen Kurs überall in Europa"},
		{"not offered", []string{"Accept-Language", "nl"}, "en", "Find a course"},
		{"cookie over Accept-Language", []string{"Accept-Language", "de", "Cookie", "lang=fr"}, "fr", "Trouvez un cours partout en Europe"},
		{"unknown cookie", []string{"Accept-Language", "de", "Cookie", "lang=xx"}, "de", "Finden Sie"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, ts.URL+"/", tc.header...)
			if !strings.Contains(body, `<html lang="`+tc.lang+`">`) || !strings.Contains(body, tc.want) {
				t.Errorf("want lang %s and %q:\n%.600s", tc.lang, tc.want, body)
			}
			if v := resp.Header.Get("Vary"); !strings.Contains(v, "Accept-Language") || !strings.Contains(v, "Cookie") {
				t.Errorf("Vary: %q", v)
			}
		})
	}
	// The API answers in English whatever the reader's language.
	_, body = get(t, ts.URL+"/api/v1/courses?country=DE", "Accept-Language", "de", "Cookie", "lang=fr")
	if !strings.Contains(body, `"label":"Germany"`) {
		t.Errorf("API facets not in English: %.300s", body)
	}
}

// TestGermanReader: a German reader gets the catalogue in German with
// German vocabulary labels, and course texts in German first.
func TestGermanReader(t *testing.T) {
	ts := newTestServer(t)
	de := []string{"Accept-Language", "de-DE,de;q=0.9,en;q=0.8"}
	_, body := get(t, ts.URL+"/", de...)
	for _, want := range []string{`<html lang="de">`, "1–2 von 2 Kursen", "<summary>Land</summary>", "Deutschland", "Niederlande",
		"EQR-Niveau 6", "Informations- und Kommunikationstechnologien (IKT)", "<li>Kurs</li>", "<li>Niederländisch</li>",
		"Unterrichtssprache", `hreflang="fr"`, `href="/?lang=fr"`, `aria-current="true"><span aria-hidden="true">DE</span>`,
		"Nächster Beginn: <time datetime=\"2099-09-01\">1. September 2099</time>"} {
		if !strings.Contains(body, want) {
			t.Errorf("catalogue lacks %q", want)
		}
	}
	for _, notWant := range []string{"Field of study", "Netherlands", "Course catalogue"} {
		if strings.Contains(body, notWant) {
			t.Errorf("catalogue still says %q", notWant)
		}
	}
	_, body = get(t, ts.URL+"/?eqf=7&country=DE", de...)
	if !strings.Contains(body, "Land: Deutschland") || strings.Count(body, "EQR-Niveau 7") != 2 || strings.Contains(body, "EQR-Niveau: EQR") {
		t.Errorf("filter chips: %s", body[strings.Index(body, "active-filters"):][:600])
	}

	_, body = get(t, ts.URL+"/courses/"+url.PathEscape("urn:schac:uniqueCourseId:uni-b.test:GESCH"), "Accept-Language", "fr", "Cookie", "lang=de")
	for _, want := range []string{`<h1 lang="de">Geschichte Europas</h1>`, "<dt>Studienbereich</dt><dd>Geschichte und Archäologie (0222)</dd>",
		"<dd>EQR-Niveau 7</dd>", "<dd>Deutsch</dd>", "Deutschland"} {
		if !strings.Contains(body, want) {
			t.Errorf("course page lacks %q", want)
		}
	}
	_, body = get(t, ts.URL+"/courses/"+url.PathEscape("urn:schac:uniqueCourseId:uni-a.test:DS%201"), "Cookie", "lang=fr")
	for _, want := range []string{"<dd>Temps plein</dd>", "150 heures", "2099/2100, semestre 1", "1 septembre 2099", ">Sessions</h2>", "6 ECTS"} {
		if !strings.Contains(body, want) {
			t.Errorf("French course page lacks %q", want)
		}
	}
	if strings.Contains(body, "After this course") {
		t.Error("learning outcomes are introduced as if the reader took the course")
	}
}

func TestPagePastTheEnd(t *testing.T) {
	ts := newTestServer(t)
	_, body := get(t, ts.URL+"/?page=40")
	if !strings.Contains(body, "There is no page 40: the 2 courses end on page 1.") || strings.Contains(body, "781–") {
		t.Errorf("page past the end: %s", body[strings.Index(body, `id="result-count"`):][:300])
	}
	_, body = get(t, ts.URL+"/?page=40&country=DE", "Accept-Language", "fr")
	if !strings.Contains(body, "Il n’y a pas de page 40\u00a0: le seul cours est en page 1.") {
		t.Errorf("page past the end of one course: %s", body[strings.Index(body, `id="result-count"`):][:300])
	}
}

func TestOtherMethodsOnPages(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{"/", "/about", "/courses/x"} {
		resp, err := http.Post(ts.URL+path, "application/x-www-form-urlencoded", strings.NewReader("q=x"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(resp.Header.Get("Allow"), "GET") {
			t.Errorf("POST %s: %d, Allow %q", path, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
}

func mustTag(t *testing.T, s string) language.Tag {
	t.Helper()
	tag, err := language.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}
