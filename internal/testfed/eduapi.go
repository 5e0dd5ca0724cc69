package testfed

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Edu-API 1.0 rendering: organizations, collection templates and
// offerings (programmes), course templates and offerings, served as bare
// JSON arrays paged with limit and offset.
//
// Servers differ as real ones would, by institution index: 0 mod 4 sends
// both X-Total-Count and RFC 8288 Link headers, 1 only X-Total-Count, 2
// only Link, 3 neither. Every server caps limit at eduMaxLimit. Credits
// are written "6 ECTS" (index 0 mod 3), "7,5" (1 mod 3) or as a JSON
// number (2 mod 3). Even-indexed institutions publish ISCED-F codes and
// learning outcomes in the templates' extensions.

const (
	eduAPIRoot = "/ims/eduapi/v1p0/"
	// eduDefaultLimit and eduMaxLimit: the specification's default page
	// size, and the most a server gives whatever is asked.
	eduDefaultLimit = 100
	eduMaxLimit     = 200
)

type eaString struct {
	Lang  string `json:"recordLanguage"`
	Value string `json:"value"`
}

type eaIdentifier struct {
	Identifier string `json:"identifier"`
	Type       string `json:"identifierType"`
}

type eaTemplate struct {
	SourcedID        string         `json:"sourcedId"`
	CourseType       string         `json:"courseType,omitempty"`
	CollectionType   string         `json:"collectionType,omitempty"`
	RecordLanguage   string         `json:"recordLanguage"`
	Title            []eaString     `json:"title"`
	Description      []eaString     `json:"description"`
	PrimaryCode      eaIdentifier   `json:"primaryCode"`
	Organization     string         `json:"organization"`
	Level            string         `json:"level"`
	CreditType       string         `json:"creditType"`
	CreditsAwarded   any            `json:"creditsAwarded"`
	GradingScheme    eaString       `json:"gradingScheme"`
	RecordStatus     string         `json:"recordStatus"`
	DateLastModified string         `json:"dateLastModified"`
	TeachingLanguage string         `json:"teachingLanguage"`
	Parent           []string       `json:"parent,omitempty"`
	Extensions       map[string]any `json:"extensions,omitempty"`
}

type eaLocation struct {
	Identifier  string     `json:"identifier"`
	Description []eaString `json:"description"`
}

type eaOffering struct {
	SourcedID              string       `json:"sourcedId"`
	OfferingType           string       `json:"offeringType"`
	Course                 string       `json:"course,omitempty"`
	Collection             string       `json:"collection,omitempty"`
	RecordLanguage         string       `json:"recordLanguage"`
	Title                  []eaString   `json:"title"`
	Description            []eaString   `json:"description"`
	PrimaryCode            eaIdentifier `json:"primaryCode"`
	Organization           string       `json:"organization"`
	AcademicSession        string       `json:"academicSession"`
	AcademicSessionCode    string       `json:"academicSessionCode"`
	OfferingFormat         string       `json:"offeringFormat"`
	RegistrationStatus     string       `json:"registrationStatus"`
	StartDate              string       `json:"startDate"`
	EndDate                string       `json:"endDate"`
	RecordStatus           string       `json:"recordStatus"`
	DateLastModified       string       `json:"dateLastModified"`
	TeachingLanguage       string       `json:"teachingLanguage"`
	MinNumberStudents      int          `json:"minNumberStudents"`
	MaxNumberStudents      int          `json:"maxNumberStudents"`
	EnrolledNumberStudents int          `json:"enrolledNumberStudents"`
	Locations              []eaLocation `json:"locations"`
}

type eaOrganization struct {
	SourcedID        string         `json:"sourcedId"`
	RecordLanguage   string         `json:"recordLanguage"`
	Name             []eaString     `json:"name"`
	OrganizationType string         `json:"organizationType"`
	PrimaryCode      eaIdentifier   `json:"primaryCode"`
	OtherCodes       []eaIdentifier `json:"otherCodes,omitempty"`
	Parent           string         `json:"parent,omitempty"`
	Children         []string       `json:"children,omitempty"`
	RecordStatus     string         `json:"recordStatus"`
	DateLastModified string         `json:"dateLastModified"`
}

type eaStatus struct {
	CodeMajor   string `json:"imsx_codeMajor"`
	Severity    string `json:"imsx_severity"`
	Description string `json:"imsx_description"`
}

func eaText(t Text) []eaString {
	out := make([]eaString, len(t))
	for i, s := range t {
		out[i] = eaString{s.Language, s.Value}
	}
	return out
}

// eduLevels maps OOAPI levels to Edu-API's; an associate degree has no
// Edu-API level and goes as an extension value.
var eduLevels = map[string]string{levelAssociate: "ext:associateDegree", levelBachelor: "undergraduate",
	levelMaster: "graduate", levelDoctoral: "doctoral"}

// eduFormats maps the (trimmed) truth's modes to offeringFormat.
var eduFormats = map[string]string{"on campus": "onGround", "online": "online", "blended": "blended"}

// eduRender renders one institution's source.
type eduRender struct {
	seed     int64
	now      time.Time
	in       *Institution
	src      *Source
	modified string
}

// teachingTag returns a BCP 47 tag for an ISO 639-2/T language code, in
// the form the source's texts use for it ("de-AT" where they say so).
func teachingTag(t Text, code string) string {
	iso1 := code
	for _, l := range languages {
		if l.iso2T == code {
			iso1 = l.iso1
		}
	}
	for _, s := range t {
		if primarySubtag(s.Language) == iso1 {
			return s.Language
		}
	}
	return iso1
}

func (e *eduRender) credits(v float64) any {
	switch e.in.Index % 3 {
	case 0:
		return strconv.FormatFloat(v, 'f', -1, 64) + " ECTS"
	case 1:
		return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
	}
	return v
}

func (e *eduRender) extensions(isced string, outcomes []Text) map[string]any {
	if !e.src.Extensions {
		return nil
	}
	los := make([][]eaString, len(outcomes))
	for i, lo := range outcomes {
		los[i] = eaText(lo)
	}
	return map[string]any{"iscedCode": isced, "learningOutcomes": los}
}

func recordLanguage(t Text) string {
	if len(t) == 0 {
		return "en"
	}
	return t[0].Language
}

func (e *eduRender) course(c *Course) eaTemplate {
	return eaTemplate{
		SourcedID:        c.ID,
		CourseType:       "standard",
		RecordLanguage:   recordLanguage(c.Name),
		Title:            eaText(c.Name),
		Description:      eaText(c.Description),
		PrimaryCode:      eaIdentifier{c.Code, "identifier"},
		Organization:     c.Organization,
		Level:            eduLevels[c.Level],
		CreditType:       "credit",
		CreditsAwarded:   e.credits(c.ECTS),
		GradingScheme:    eaString{"en", "Numeric grades with a pass mark"},
		RecordStatus:     "active",
		DateLastModified: cmp.Or(formatTime(c.Modified), e.modified),
		TeachingLanguage: teachingTag(c.Name, c.Language),
		Parent:           c.Programs,
		Extensions:       e.extensions(c.ISCED, c.LearningOutcomes),
	}
}

func (e *eduRender) program(p *Program) eaTemplate {
	t := e.course(&Course{ID: p.ID, Code: p.Code, Name: p.Name, Description: p.Description, Organization: p.Organization,
		Level: p.Level, ECTS: p.ECTS, Language: p.Language, ISCED: p.ISCED, LearningOutcomes: p.LearningOutcomes})
	t.CourseType, t.CollectionType, t.PrimaryCode.Type = "", "program", "programCode"
	return t
}

func (e *eduRender) offering(o *Offering, parent string, t *eaTemplate) eaOffering {
	status := "closed"
	if !e.now.Before(o.EnrollStart) && e.now.Before(o.EnrollEnd) {
		status = "open"
	}
	term := "A"
	if o.Start.Month() < time.August {
		term = "S"
	}
	session := fmt.Sprintf("%d-%s", o.Start.Year(), term)
	eo := eaOffering{
		SourcedID:              o.ID,
		OfferingType:           "standard",
		RecordLanguage:         recordLanguage(o.Name),
		Title:                  eaText(o.Name),
		Description:            eaText(o.Description),
		PrimaryCode:            eaIdentifier{o.Code, "identifier"},
		Organization:           t.Organization,
		AcademicSession:        stableUUID(e.seed, e.in.SCHAC, "academic-session", session),
		AcademicSessionCode:    session,
		OfferingFormat:         eduFormats[o.Modes[0]],
		RegistrationStatus:     status,
		StartDate:              o.Start.Format(time.RFC3339),
		EndDate:                o.End.Format(time.RFC3339),
		RecordStatus:           "active",
		DateLastModified:       e.modified,
		TeachingLanguage:       t.TeachingLanguage,
		MinNumberStudents:      o.MinStudents,
		MaxNumberStudents:      o.MaxStudents,
		EnrolledNumberStudents: o.EnrolledStudents,
		Locations:              []eaLocation{{"main-campus", []eaString{{"en", "Main campus, " + e.in.City}}}},
	}
	if o.Type == "program" {
		eo.Collection = parent
	} else {
		eo.Course = parent
	}
	return eo
}

func (e *eduRender) organizations() []eaOrganization {
	in := e.in
	out := make([]eaOrganization, len(in.Organizations))
	for i, o := range in.Organizations {
		eo := eaOrganization{SourcedID: o.ID, RecordLanguage: recordLanguage(o.Name), Name: eaText(o.Name),
			OrganizationType: "department", PrimaryCode: eaIdentifier{o.ShortName, "identifier"}, RecordStatus: "active",
			DateLastModified: e.modified, Parent: in.Organizations[0].ID}
		if i == 0 {
			eo.OrganizationType, eo.Parent = "institution", ""
			eo.PrimaryCode = eaIdentifier{in.SCHAC, "ext:schacHome"}
			eo.OtherCodes = []eaIdentifier{{in.DEQARID, "ext:deqar"}, {in.ETERID, "ext:eter"}}
			for _, c := range in.Organizations[1:] {
				eo.Children = append(eo.Children, c.ID)
			}
		}
		out[i] = eo
	}
	return out
}

// eduAPI serves one Edu-API source from pre-rendered records.
type eduAPI struct {
	lastModified time.Time
	// headers is "both", "total", "link" or "none".
	headers string
	mb      Misbehavior
	// docs are single records by path ("courseTemplates/<id>"); lists are
	// collections by name.
	docs  map[string][]byte
	lists map[string][][]byte
	// templateModified is each course template's dateLastModified, in
	// list order, for the delta filter.
	templateModified []time.Time
}

func newEduAPI(seed int64, now time.Time, in *Institution, src *Source, mb Misbehavior) *eduAPI {
	e := &eduRender{seed: seed, now: now, in: in, src: src, modified: src.LastModified.UTC().Format(time.RFC3339)}
	a := &eduAPI{lastModified: src.LastModified, headers: []string{"both", "total", "link", "none"}[in.Index%4], mb: mb,
		docs: map[string][]byte{}, lists: map[string][][]byte{}}
	if mb == EndlessPages {
		a.headers = "link"
	}
	for _, name := range []string{"organizations", "collectionTemplates", "collectionOfferings", "courseTemplates", "courseOfferings"} {
		a.lists[name] = [][]byte{}
	}
	for _, o := range e.organizations() {
		a.add("organizations", o.SourcedID, mustJSON(o))
	}
	for i := range src.Programs {
		p := &src.Programs[i]
		t := e.program(p)
		a.add("collectionTemplates", p.ID, mustJSON(t))
		for j := range p.Offerings {
			a.add("collectionOfferings", p.Offerings[j].ID, mustJSON(e.offering(&p.Offerings[j], p.ID, &t)))
		}
	}
	if mb == MalformedItem {
		a.lists["courseTemplates"] = append(a.lists["courseTemplates"], []byte(`"not a course template"`))
		a.templateModified = append(a.templateModified, src.LastModified)
	}
	for i := range src.Courses {
		c := &src.Courses[i]
		t := e.course(c)
		doc := mustJSON(t)
		if c.HasQuirk(QuirkMalformedField) {
			doc = breakField(doc, "dateLastModified")
		}
		a.add("courseTemplates", c.ID, doc)
		a.templateModified = append(a.templateModified, cmp.Or(c.Modified, src.LastModified))
		for j := range c.Offerings {
			a.add("courseOfferings", c.Offerings[j].ID, mustJSON(e.offering(&c.Offerings[j], c.ID, &t)))
		}
	}
	return a
}

func (a *eduAPI) add(list, id string, doc []byte) {
	a.docs[list+"/"+id] = doc
	a.lists[list] = append(a.lists[list], doc)
}

// breakField gives the first string field of that name a JSON number
// value, as a broken server would.
func breakField(doc []byte, field string) []byte {
	key := []byte(`"` + field + `":"`)
	i := bytes.Index(doc, key)
	if i < 0 {
		return doc
	}
	end := bytes.IndexByte(doc[i+len(key):], '"')
	out := append([]byte(nil), doc[:i+len(key)-1]...)
	out = append(out, "20261001"...)
	return append(out, doc[i+len(key)+end+1:]...)
}

func (a *eduAPI) serve(w http.ResponseWriter, r *http.Request, rel string) {
	items, ok := collection(w, r, strings.Trim(rel, "/"), a.docs, a.lists, a.lastModified, eduError)
	if !ok {
		return
	}
	q := r.URL.Query()
	limit, err := queryInt(q.Get("limit"), eduDefaultLimit)
	if err != nil || limit < 1 {
		eduError(w, http.StatusBadRequest, "limit must be a whole number of at least 1")
		return
	}
	offset, err := queryInt(q.Get("offset"), 0)
	if err != nil || offset < 0 {
		eduError(w, http.StatusBadRequest, "offset must be a whole number of at least 0")
		return
	}
	limit = min(limit, eduMaxLimit)
	if f := q.Get("filter"); f != "" {
		if items, ok = a.filterModified(strings.Trim(rel, "/"), items, f); !ok {
			eduError(w, http.StatusBadRequest, "filter must be dateLastModified>'<RFC 3339 time>' on courseTemplates")
			return
		}
	}
	switch {
	case a.mb == RepeatedPages:
		offset = 0
	case a.mb == EndlessPages && offset >= len(items) && len(items) > 0:
		offset = (len(items) - 1) / limit * limit
	}
	lo, hi := min(offset, len(items)), min(offset+limit, len(items))
	a.pagingHeaders(w.Header(), r, len(items), limit, offset, hi)
	var b bytes.Buffer
	b.WriteByte('[')
	for i, it := range items[lo:hi] {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteByte(']')
	serveDoc(w, r, contentTypeJSON, b.Bytes(), a.lastModified)
}

// filterModified keeps the course templates changed after the time in
// a filter "dateLastModified>'2026-10-01T00:00:00Z'", the one filter the
// Edu-API adapter sends (for a delta harvest).
func (a *eduAPI) filterModified(list string, items [][]byte, filter string) ([][]byte, bool) {
	value, ok := strings.CutPrefix(filter, "dateLastModified>")
	since, err := time.Parse(time.RFC3339, strings.Trim(value, "'"))
	if !ok || err != nil || list != "courseTemplates" {
		return nil, false
	}
	var out [][]byte
	for i, it := range items {
		if a.templateModified[i].After(since) {
			out = append(out, it)
		}
	}
	return out, true
}

// formatTime formats t in RFC 3339, "" when it is zero.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// pagingHeaders writes X-Total-Count and the Link header, as the server's
// variant says.
func (a *eduAPI) pagingHeaders(h http.Header, r *http.Request, total, limit, offset, hi int) {
	if a.headers == "total" || a.headers == "both" {
		h.Set("X-Total-Count", strconv.Itoa(total))
	}
	if a.headers != "link" && a.headers != "both" {
		return
	}
	at := func(rel string, off int) string {
		q := r.URL.Query()
		q.Set("limit", strconv.Itoa(limit))
		q.Set("offset", strconv.Itoa(off))
		return fmt.Sprintf(`<http://%s%s?%s>; rel="%s"`, r.Host, r.URL.Path, q.Encode(), rel)
	}
	links := []string{at("first", 0)}
	if offset > 0 {
		links = append(links, at("prev", max(0, offset-limit)))
	}
	if hi < total || a.mb == EndlessPages {
		links = append(links, at("next", offset+limit))
	}
	links = append(links, at("last", max(0, (total-1)/limit*limit)))
	h.Set("Link", strings.Join(links, ", "))
}

func eduError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	w.Write(mustJSON(eaStatus{"failure", "error", msg}))
}
