package testfed

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// OCCAPI v2 rendering: JSON:API documents with links, texts with lang,
// elm* values as EU vocabulary local ids, no paging.
//
// Servers differ by institution index: related programmes are given in
// meta and relationships (0 mod 3), meta only (1) or relationships only
// (2); the institution's resource links only its organisational units
// (4 mod 5), so courses and programmes are found through them; courses
// carry no instance link (3 mod 4), so clients fall back on the
// documented path; learning outcomes are "- " bullet lists (even) or
// numbered lists (odd), one block per language.

const (
	occapiRoot         = "/occapi/v2/"
	contentTypeJSONAPI = "application/vnd.api+json"
)

type ocText struct {
	String    string  `json:"string,omitempty"`
	Multiline string  `json:"multiline,omitempty"`
	URI       string  `json:"uri,omitempty"`
	Lang      *string `json:"lang"`
}

type ocLink struct {
	Href string `json:"href"`
}

type ocRef struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type ocResource struct {
	Type          string            `json:"type"`
	ID            string            `json:"id"`
	Attributes    any               `json:"attributes"`
	Meta          any               `json:"meta,omitempty"`
	Relationships any               `json:"relationships,omitempty"`
	Links         map[string]ocLink `json:"links"`
}

type ocDocument struct {
	JSONAPI ocJSONAPI         `json:"jsonapi"`
	Data    any               `json:"data,omitempty"`
	Links   map[string]ocLink `json:"links,omitempty"`
	Errors  []ocError         `json:"errors,omitempty"`
}

type ocJSONAPI struct {
	Version string `json:"version"`
}

type ocError struct {
	Status string `json:"status"`
	Title  string `json:"title"`
}

type ocHEI struct {
	Title        []ocText `json:"title"`
	Abbreviation string   `json:"abbreviation"`
	HeiID        string   `json:"heiId"`
	URL          []ocText `json:"url"`
	LastModified string   `json:"lastModified"`
}

type ocOunit struct {
	Title        []ocText `json:"title"`
	Abbreviation string   `json:"abbreviation"`
	OunitID      string   `json:"ounitId"`
	OunitCode    string   `json:"ounitCode"`
	LastModified string   `json:"lastModified"`
}

type ocCourse struct {
	Title                 []ocText `json:"title"`
	Code                  string   `json:"code"`
	ECTS                  float64  `json:"ects"`
	LanguageOfInstruction []string `json:"languageOfInstruction"`
	LastModified          any      `json:"lastModified"`
	Description           []ocText `json:"description"`
	LearningOutcomes      []ocText `json:"learningOutcomes,omitempty"`
	AcademicTerm          []string `json:"academicTerm"`
	LearningOpportunity   []string `json:"elmLearningOpportunityType"`
	ModeOfLearning        []string `json:"elmModeOfLearning"`
	ISCEDCode             []string `json:"iscedCode"`
	URL                   []ocText `json:"url"`
	Deprecated            bool     `json:"deprecated"`
}

type ocProgramme struct {
	Title                 []ocText `json:"title"`
	Code                  string   `json:"code"`
	ECTS                  float64  `json:"ects"`
	EQFLevelProvided      int      `json:"eqfLevelProvided"`
	LanguageOfInstruction []string `json:"languageOfInstruction"`
	LastModified          string   `json:"lastModified"`
	Description           []ocText `json:"description"`
	LearningOutcomes      []ocText `json:"learningOutcomes,omitempty"`
	LearningOpportunity   []string `json:"elmLearningOpportunityType"`
	LearningSchedule      string   `json:"elmLearningScheduleType"`
	ModeOfLearning        []string `json:"elmModeOfLearning"`
	ISCEDCode             []string `json:"iscedCode"`
	Length                string   `json:"length"`
	URL                   []ocText `json:"url"`
}

type ocInstance struct {
	StartDate             string   `json:"startDate"`
	EndDate               string   `json:"endDate"`
	AcademicTermID        string   `json:"academicTermId"`
	ECTS                  float64  `json:"ects"`
	LanguageOfInstruction []string `json:"languageOfInstruction"`
	LastModified          string   `json:"lastModified"`
	ModeOfLearning        []string `json:"elmModeOfLearning"`
	EngagementHours       float64  `json:"engagementHours"`
}

// occapiModes maps the truth's (OOAPI) modes to mode local ids.
var occapiModes = map[string]string{"on campus": "9191af2ed9", "situated": "9191af2ed9", "online": "920fbb3cbe",
	"distance-learning": "920fbb3cbe", "hybrid": "c_3a90b26d", "blended": "e92d221e4d"}

var occapiSchedules = map[string]string{"full-time": "72a0ab92fa", "part-time": "f230bae523"}

func lang(tag string) *string {
	if tag == "" {
		return nil
	}
	return &tag
}

func ocStrings(t Text) []ocText {
	out := make([]ocText, len(t))
	for i, s := range t {
		out[i] = ocText{String: s.Value, Lang: lang(s.Language)}
	}
	return out
}

func ocMultiline(t Text) []ocText {
	out := make([]ocText, len(t))
	for i, s := range t {
		out[i] = ocText{Multiline: s.Value, Lang: lang(s.Language)}
	}
	return out
}

func ocModes(modes []string) []string {
	var out []string
	for _, m := range modes {
		if id := occapiModes[m]; !containsString(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// occRender renders one institution's OCCAPI source.
type occRender struct {
	in       *Institution
	src      *Source
	hei      string // the institution's resource URL
	modified string
	foreign  string // host of a hostile institution's links
}

// outcomes renders learning outcomes as one list per language.
func (o *occRender) outcomes(los []Text) []ocText {
	if len(los) == 0 {
		return nil
	}
	var out []ocText
	for i, s := range los[0] {
		var b strings.Builder
		for k, lo := range los {
			if k > 0 {
				b.WriteByte('\n')
			}
			if o.in.Index%2 == 0 {
				b.WriteString("- ")
			} else {
				b.WriteString(strconv.Itoa(k+1) + ". ")
			}
			b.WriteString(lo[i].Value)
		}
		out = append(out, ocText{Multiline: b.String(), Lang: lang(s.Language)})
	}
	return out
}

func (o *occRender) url(href string, t Text) []ocText {
	l := ""
	if len(t) == 1 {
		l = t[0].Language
	}
	return []ocText{{URI: href, Lang: lang(l)}}
}

func (o *occRender) link(rel string) map[string]ocLink {
	return map[string]ocLink{"self": {o.hei + rel}}
}

func (o *occRender) course(c *Course) ocResource {
	term := "1/2"
	if len(c.Offerings) > 0 && c.Offerings[0].Start.Month() < time.August {
		term = "2/2"
	}
	a := ocCourse{
		Title:                 ocStrings(c.Name),
		Code:                  c.Code,
		ECTS:                  c.ECTS,
		LanguageOfInstruction: []string{teachingTag(c.Name, c.Language)},
		LastModified:          o.modified,
		Description:           ocMultiline(c.Description),
		LearningOutcomes:      o.outcomes(c.LearningOutcomes),
		AcademicTerm:          []string{term},
		LearningOpportunity:   []string{"05053c1cbe"},
		ModeOfLearning:        ocModes(c.Modes),
		ISCEDCode:             []string{c.ISCED},
		URL:                   o.url(c.Link, c.Name),
	}
	if c.HasQuirk(QuirkMalformedField) {
		a.LastModified = 20261001
	}
	r := ocResource{Type: "course", ID: c.ID, Attributes: a, Links: o.link("/course/" + c.ID)}
	if o.in.Index%4 != 3 {
		r.Links["instance"] = ocLink{o.hei + "/course/" + c.ID + "/instance"}
	}
	if c.HasQuirk(QuirkForeignLink) {
		r.Links["instance"] = ocLink{"http://" + o.foreign + occapiRoot + "hei/" + o.in.SCHAC + "/course/" + c.ID + "/instance"}
	}
	if len(c.Programs) > 0 {
		var metaRefs []map[string]any
		var rels []ocRef
		for _, p := range c.Programs {
			metaRefs = append(metaRefs, map[string]any{"programmeId": p, "mandatoryCourse": false, "year": "1/3"})
			rels = append(rels, ocRef{"programme", p})
		}
		if o.in.Index%3 != 2 {
			r.Meta = map[string]any{"relatedProgramme": metaRefs}
		}
		if o.in.Index%3 != 1 {
			r.Relationships = map[string]any{"relatedProgramme": map[string]any{"data": rels}}
		}
	}
	return r
}

func (o *occRender) programme(p *Program) ocResource {
	a := ocProgramme{
		Title:                 ocStrings(p.Name),
		Code:                  p.Code,
		ECTS:                  p.ECTS,
		EQFLevelProvided:      p.EQF,
		LanguageOfInstruction: []string{teachingTag(p.Name, p.Language)},
		LastModified:          o.modified,
		Description:           ocMultiline(p.Description),
		LearningOutcomes:      o.outcomes(p.LearningOutcomes),
		LearningOpportunity:   []string{"79343569f3"},
		LearningSchedule:      occapiSchedules[p.ModeOfStudy],
		ModeOfLearning:        []string{"9191af2ed9"},
		ISCEDCode:             []string{p.ISCED},
		Length:                strconv.Itoa(int(p.ECTS)/30) + "/2",
		URL:                   o.url(p.Link, p.Name),
	}
	r := ocResource{Type: "programme", ID: p.ID, Attributes: a, Links: o.link("/programme/" + p.ID)}
	r.Links["course"] = ocLink{o.hei + "/programme/" + p.ID + "/course"}
	return r
}

func (o *occRender) instance(c *Course, off *Offering) ocResource {
	term := "1/2"
	year := off.Start.Year()
	if off.Start.Month() < time.August {
		term, year = "2/2", year-1
	}
	return ocResource{Type: "instance", ID: off.ID,
		Attributes: ocInstance{
			StartDate:             off.Start.Format(time.DateOnly),
			EndDate:               off.End.Format(time.DateOnly),
			AcademicTermID:        fmt.Sprintf("%d/%d-%s", year, year+1, term),
			ECTS:                  c.ECTS,
			LanguageOfInstruction: []string{teachingTag(c.Name, c.Language)},
			LastModified:          o.modified,
			ModeOfLearning:        ocModes(off.Modes),
			EngagementHours:       c.ECTS * 28,
		},
		Relationships: map[string]any{"course": map[string]any{"data": ocRef{"course", c.ID}}},
		Links:         o.link("/instance/" + off.ID)}
}

// occAPI serves one OCCAPI source from pre-rendered documents, by path
// relative to the API root (…/occapi/v2/).
type occAPI struct {
	lastModified time.Time
	docs         map[string][]byte
}

func newOCCAPI(in *Institution, src *Source, mb Misbehavior, port int) *occAPI {
	hei := src.Path
	o := &occRender{in: in, src: src, hei: hei, modified: src.LastModified.UTC().Format(time.RFC3339), foreign: foreignHost(in, port)}
	a := &occAPI{lastModified: src.LastModified, docs: map[string][]byte{}}
	base := "hei/" + in.SCHAC
	root := strings.TrimSuffix(hei, base)
	a.put("", nil, map[string]ocLink{"self": {root}, "hei": {root + "hei"}})
	heiRes := ocResource{Type: "hei", ID: in.SCHAC, Attributes: ocHEI{
		Title: ocStrings(in.Organizations[0].Name), Abbreviation: in.Acronym, HeiID: in.SCHAC,
		URL: []ocText{{URI: in.Website, Lang: nil}}, LastModified: o.modified}, Links: o.link("")}
	for _, kind := range []string{"ounit", "programme", "course"} {
		heiRes.Links[kind] = ocLink{hei + "/" + kind}
	}
	if in.Index%5 == 4 {
		delete(heiRes.Links, "programme")
		delete(heiRes.Links, "course")
	}
	if mb == ForeignLinks {
		heiRes.Links["programme"] = ocLink{"http://" + o.foreign + occapiRoot + "hei/" + in.SCHAC + "/programme"}
	}
	a.put("hei", []ocResource{heiRes}, o.link(""))
	a.put(base, heiRes, o.link(""))

	courses := make([]ocResource, len(src.Courses))
	for i := range src.Courses {
		c := &src.Courses[i]
		courses[i] = o.course(c)
		a.put(base+"/course/"+c.ID, courses[i], nil)
		var insts []ocResource
		for j := range c.Offerings {
			r := o.instance(c, &c.Offerings[j])
			insts = append(insts, r)
			a.put(base+"/instance/"+r.ID, r, nil)
		}
		a.put(base+"/course/"+c.ID+"/instance", orEmpty(insts), o.link("/course/"+c.ID+"/instance"))
	}
	list := any(orEmpty(courses))
	if mb == MalformedItem {
		list = append([]any{"not a course"}, anySlice(courses)...)
	}
	a.put(base+"/course", list, o.link("/course"))
	programmes := make([]ocResource, len(src.Programs))
	for i := range src.Programs {
		p := &src.Programs[i]
		programmes[i] = o.programme(p)
		a.put(base+"/programme/"+p.ID, programmes[i], nil)
		var cs []ocResource
		for k, c := range src.Courses {
			if containsString(p.Courses, c.ID) {
				cs = append(cs, courses[k])
			}
		}
		a.put(base+"/programme/"+p.ID+"/course", orEmpty(cs), o.link("/programme/"+p.ID+"/course"))
	}
	a.put(base+"/programme", orEmpty(programmes), o.link("/programme"))
	a.ounits(o, base, courses, programmes)
	return a
}

// ounits renders the organisational units (the faculties) with their
// course and programme collections.
func (a *occAPI) ounits(o *occRender, base string, courses, programmes []ocResource) {
	in, src := o.in, o.src
	var units []ocResource
	for _, org := range in.Organizations[1:] {
		rel := "/ounit/" + org.ID
		u := ocResource{Type: "ounit", ID: org.ID, Attributes: ocOunit{Title: ocStrings(org.Name), Abbreviation: org.ShortName,
			OunitID: org.ID, OunitCode: org.ShortName, LastModified: o.modified}, Links: o.link(rel)}
		u.Links["course"] = ocLink{o.hei + rel + "/course"}
		u.Links["programme"] = ocLink{o.hei + rel + "/programme"}
		var cs, ps []ocResource
		for k := range src.Courses {
			if src.Courses[k].Organization == org.ID {
				cs = append(cs, courses[k])
			}
		}
		for k := range src.Programs {
			if src.Programs[k].Organization == org.ID {
				ps = append(ps, programmes[k])
			}
		}
		a.put(base+rel, u, nil)
		a.put(base+rel+"/course", orEmpty(cs), o.link(rel+"/course"))
		a.put(base+rel+"/programme", orEmpty(ps), o.link(rel+"/programme"))
		units = append(units, u)
	}
	a.put(base+"/ounit", orEmpty(units), o.link("/ounit"))
}

func orEmpty(rs []ocResource) []ocResource {
	if rs == nil {
		return []ocResource{}
	}
	return rs
}

func anySlice(rs []ocResource) []any {
	out := make([]any, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out
}

// put renders a document with data and links at path rel.
func (a *occAPI) put(rel string, data any, links map[string]ocLink) {
	if data == nil {
		a.docs[rel] = mustJSON(ocDocument{JSONAPI: ocJSONAPI{"1.1"}, Data: map[string]any{"type": "server", "id": "occapi",
			"attributes": map[string]any{"serverName": []ocText{{String: "testfed OCCAPI"}}}}, Links: links})
		return
	}
	if links == nil {
		if r, ok := data.(ocResource); ok {
			links = map[string]ocLink{"self": r.Links["self"]}
		}
	}
	a.docs[rel] = mustJSON(ocDocument{JSONAPI: ocJSONAPI{"1.1"}, Data: data, Links: links})
}

func (a *occAPI) serve(w http.ResponseWriter, r *http.Request, rel string) {
	rel = strings.Trim(rel, "/")
	if doc, ok := a.docs[rel]; ok {
		serveDoc(w, r, contentTypeJSONAPI, doc, a.lastModified)
		return
	}
	w.Header().Set("Content-Type", contentTypeJSONAPI)
	w.WriteHeader(http.StatusNotFound)
	w.Write(mustJSON(ocDocument{JSONAPI: ocJSONAPI{"1.1"}, Errors: []ocError{{"404", "Resource not found."}}}))
}
