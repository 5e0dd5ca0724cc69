package testfed

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// OOAPI v5 rendering: wire types, one JSON document per resource, rendered
// when the source is first asked (see lazy.go).

type ooString struct {
	Language string `json:"language"`
	Value    string `json:"value"`
}

type ooCode struct {
	CodeType string `json:"codeType"`
	Code     string `json:"code"`
}

type ooStudyLoad struct {
	Unit  string  `json:"studyLoadUnit"`
	Value float64 `json:"value"`
}

type ooConsumer struct {
	ConsumerKey string       `json:"consumerKey"`
	Alliances   []ooAlliance `json:"alliances"`
}

type ooAlliance struct {
	Name                     string `json:"name"`
	VisibleForOwnStudents    *bool  `json:"visibleForOwnStudents,omitempty"`
	EnrollmentForOwnStudents string `json:"enrollmentForOwnStudents,omitempty"`
	VisibleForGuests         *bool  `json:"visibleForGuests,omitempty"`
	EnrollmentForGuests      string `json:"enrollmentForGuests,omitempty"`
	Type                     string `json:"type,omitempty"`
	EnrollmentURL            string `json:"enrollmentUrl,omitempty"`
}

// ooSpecProps are the properties courses, programs and education
// specifications share.
type ooSpecProps struct {
	PrimaryCode      ooCode       `json:"primaryCode"`
	Name             []ooString   `json:"name"`
	Abbreviation     string       `json:"abbreviation"`
	Description      []ooString   `json:"description"`
	TeachingLanguage string       `json:"teachingLanguage,omitempty"`
	StudyLoad        ooStudyLoad  `json:"studyLoad"`
	FieldsOfStudy    string       `json:"fieldsOfStudy"`
	LearningOutcomes [][]ooString `json:"learningOutcomes"`
	Level            string       `json:"level"`
	Link             string       `json:"link"`
	Organization     string       `json:"organization"`
}

type ooCourse struct {
	CourseID string `json:"courseId"`
	ooSpecProps
	ModeOfDelivery         []string     `json:"modeOfDelivery"`
	FirstStartDate         string       `json:"firstStartDate"`
	ValidFrom              string       `json:"validFrom"`
	ValidTo                *string      `json:"validTo,omitempty"`
	Programs               []string     `json:"programs,omitempty"`
	EducationSpecification string       `json:"educationSpecification"`
	Consumers              []ooConsumer `json:"consumers,omitempty"`
}

type ooProgram struct {
	ProgramID   string `json:"programId"`
	ProgramType string `json:"programType"`
	ooSpecProps
	LevelOfQualification   string `json:"levelOfQualification"`
	QualificationAwarded   string `json:"qualificationAwarded"`
	ModeOfStudy            string `json:"modeOfStudy"`
	Sector                 string `json:"sector"`
	EducationSpecification string `json:"educationSpecification"`
}

type ooEducationSpecification struct {
	ID   string `json:"educationSpecificationId"`
	Type string `json:"educationSpecificationType"`
	ooSpecProps
	FormalDocument       string `json:"formalDocument"`
	LevelOfQualification string `json:"levelOfQualification,omitempty"`
	Sector               string `json:"sector"`
}

type ooOffering struct {
	OfferingID             string       `json:"offeringId"`
	PrimaryCode            ooCode       `json:"primaryCode"`
	OfferingType           string       `json:"offeringType"`
	Name                   []ooString   `json:"name"`
	Abbreviation           string       `json:"abbreviation"`
	Description            []ooString   `json:"description"`
	TeachingLanguage       string       `json:"teachingLanguage"`
	ModeOfDelivery         []string     `json:"modeOfDelivery"`
	MaxNumberStudents      int          `json:"maxNumberStudents"`
	EnrolledNumberStudents int          `json:"enrolledNumberStudents"`
	MinNumberStudents      int          `json:"minNumberStudents"`
	ResultExpected         bool         `json:"resultExpected"`
	Link                   string       `json:"link"`
	Consumers              []ooConsumer `json:"consumers,omitempty"`
	StartDate              string       `json:"startDate"`
	EndDate                string       `json:"endDate"`
	EnrollStartDate        string       `json:"enrollStartDate"`
	EnrollEndDate          string       `json:"enrollEndDate"`
	Course                 string       `json:"course,omitempty"`
	Program                string       `json:"program,omitempty"`
}

type ooAddress struct {
	AddressType string `json:"addressType"`
	City        string `json:"city"`
	CountryCode string `json:"countryCode"`
}

type ooOrganization struct {
	OrganizationID   string      `json:"organizationId"`
	PrimaryCode      ooCode      `json:"primaryCode"`
	OrganizationType string      `json:"organizationType"`
	Name             []ooString  `json:"name"`
	ShortName        string      `json:"shortName"`
	Addresses        []ooAddress `json:"addresses,omitempty"`
	Link             string      `json:"link"`
	Parent           string      `json:"parent,omitempty"`
	Children         []string    `json:"children,omitempty"`
}

type ooService struct {
	ContactEmail  string `json:"contactEmail"`
	Specification string `json:"specification"`
	Documentation string `json:"documentation"`
}

type ooProblem struct {
	Status string `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
}

func ooText(t Text) []ooString {
	out := make([]ooString, len(t))
	for i, s := range t {
		out[i] = ooString(s)
	}
	return out
}

func ooOutcomes(los []Text) [][]ooString {
	if los == nil {
		return [][]ooString{{}} // the real-world sloppy shape
	}
	out := make([][]ooString, len(los))
	for i, lo := range los {
		out[i] = ooText(lo)
	}
	return out
}

func ooDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func ects(v float64) ooStudyLoad { return ooStudyLoad{"ects", v} }

func ooSector(in *Institution) string {
	if strings.Contains(in.NameEnglish, "Applied Sciences") {
		return "higher professional education"
	}
	return "university education"
}

// eduSpecID is the id of the education specification of a course or
// programme.
func eduSpecID(seed int64, id string) string { return stableUUID(seed, id, "education-specification") }

func courseProps(c *Course) ooSpecProps {
	return ooSpecProps{
		PrimaryCode:      ooCode{"identifier", c.Code},
		Name:             ooText(c.Name),
		Abbreviation:     c.Code,
		Description:      ooText(c.Description),
		TeachingLanguage: c.TeachingLanguage,
		StudyLoad:        ects(c.ECTS),
		FieldsOfStudy:    c.ISCED,
		LearningOutcomes: ooOutcomes(c.LearningOutcomes),
		Level:            c.Level,
		Link:             c.Link,
		Organization:     c.Organization,
	}
}

func programProps(p *Program) ooSpecProps {
	return ooSpecProps{
		PrimaryCode:      ooCode{"programCode", p.Code},
		Name:             ooText(p.Name),
		Abbreviation:     p.Code,
		Description:      ooText(p.Description),
		TeachingLanguage: p.TeachingLanguage,
		StudyLoad:        ects(p.ECTS),
		FieldsOfStudy:    p.ISCED,
		LearningOutcomes: ooOutcomes(p.LearningOutcomes),
		Level:            p.Level,
		Link:             p.Link,
		Organization:     p.Organization,
	}
}

func renderCourse(seed int64, c *Course) ooCourse {
	oc := ooCourse{
		CourseID:               c.ID,
		ooSpecProps:            courseProps(c),
		ModeOfDelivery:         c.Modes,
		FirstStartDate:         ooDate(c.FirstStartDate),
		ValidFrom:              ooDate(c.ValidFrom),
		Programs:               c.Programs,
		EducationSpecification: eduSpecID(seed, c.ID),
	}
	if c.HasQuirk(QuirkEmptyDates) {
		empty := ""
		oc.ValidTo = &empty
	}
	if c.Alliance != "" {
		yes, no := true, false
		oc.Consumers = []ooConsumer{{ConsumerKey: "eduxchange", Alliances: []ooAlliance{{
			Name:                     c.Alliance,
			VisibleForOwnStudents:    &no,
			EnrollmentForOwnStudents: "url",
			VisibleForGuests:         &yes,
			EnrollmentForGuests:      "url",
			Type:                     "broadening",
		}}}}
	}
	return oc
}

func renderProgram(seed int64, in *Institution, p *Program) ooProgram {
	return ooProgram{
		ProgramID:              p.ID,
		ProgramType:            p.Type,
		ooSpecProps:            programProps(p),
		LevelOfQualification:   strconv.Itoa(p.EQF),
		QualificationAwarded:   p.QualificationAwarded,
		ModeOfStudy:            p.ModeOfStudy,
		Sector:                 ooSector(in),
		EducationSpecification: eduSpecID(seed, p.ID),
	}
}

// renderOffering renders o; parent is the course or program id, alliance
// the eduXchange alliance of its course.
func renderOffering(o *Offering, parent, alliance string) ooOffering {
	oo := ooOffering{
		OfferingID:             o.ID,
		PrimaryCode:            ooCode{"identifier", o.Code},
		OfferingType:           o.Type,
		Name:                   ooText(o.Name),
		Abbreviation:           o.Code,
		Description:            ooText(o.Description),
		TeachingLanguage:       o.TeachingLanguage,
		ModeOfDelivery:         o.Modes,
		MaxNumberStudents:      o.MaxStudents,
		EnrolledNumberStudents: o.EnrolledStudents,
		MinNumberStudents:      o.MinStudents,
		ResultExpected:         o.ResultExpected,
		Link:                   o.Link,
		StartDate:              ooDate(o.Start),
		EndDate:                ooDate(o.End),
		EnrollStartDate:        ooDate(o.EnrollStart),
		EnrollEndDate:          ooDate(o.EnrollEnd),
	}
	if o.Type == "program" {
		oo.Program = parent
	} else {
		oo.Course = parent
	}
	if o.EnrollmentURL != "" {
		oo.Consumers = []ooConsumer{{ConsumerKey: "eduxchange", Alliances: []ooAlliance{{Name: alliance, EnrollmentURL: o.EnrollmentURL}}}}
	}
	return oo
}

// renderEduSpecs renders one education specification per programme and
// per course (they have no teaching language).
func renderEduSpecs(seed int64, in *Institution, src *Source) []ooEducationSpecification {
	var out []ooEducationSpecification
	add := func(id, typ string, props ooSpecProps, document, eqf string) {
		props.TeachingLanguage = ""
		out = append(out, ooEducationSpecification{eduSpecID(seed, id), typ, props, document, eqf, ooSector(in)})
	}
	for i := range src.Programs {
		add(src.Programs[i].ID, "program", programProps(&src.Programs[i]), "diploma", strconv.Itoa(src.Programs[i].EQF))
	}
	for i := range src.Courses {
		add(src.Courses[i].ID, "course", courseProps(&src.Courses[i]), "certificate", "")
	}
	return out
}

func renderOrganizations(in *Institution) []ooOrganization {
	out := make([]ooOrganization, len(in.Organizations))
	root := in.Organizations[0].ID
	for i, o := range in.Organizations {
		oo := ooOrganization{
			OrganizationID:   o.ID,
			PrimaryCode:      ooCode{"identifier", o.ShortName},
			OrganizationType: o.Type,
			Name:             ooText(o.Name),
			ShortName:        o.ShortName,
			Link:             in.Website,
		}
		if i == 0 {
			oo.PrimaryCode = ooCode{"schacHome", in.SCHAC}
			oo.Addresses = []ooAddress{{"postal", in.City, in.Country.Alpha2}}
			for _, c := range in.Organizations[1:] {
				oo.Children = append(oo.Children, c.ID)
			}
		} else {
			oo.Parent = root
		}
		out[i] = oo
	}
	return out
}

// ooapiAPI serves one OOAPI source from pre-rendered documents.
type ooapiAPI struct {
	lastModified time.Time
	mb           Misbehavior // a hostile institution's, or ""
	now          time.Time   // the default `since` of offering lists
	// docs are single resources by path relative to the API root ("" is
	// the service document, "courses/<id>" a course).
	docs map[string][]byte
	// lists are collections by path relative to the API root.
	lists map[string][]listItem
}

// listItem is one rendered item of a collection; offerings carry their
// dates for `since` and `until`.
type listItem struct {
	doc        []byte
	start, end time.Time
}

func newOOAPI(seed int64, now time.Time, in *Institution, src *Source) *ooapiAPI {
	a := &ooapiAPI{lastModified: src.LastModified, now: now, docs: map[string][]byte{}, lists: map[string][]listItem{}}
	a.docs[""] = mustJSON(ooService{
		ContactEmail:  "ooapi@" + in.SCHAC,
		Specification: "https://open-education-api.github.io/specification/v5/docs.html",
		Documentation: "https://www." + in.SCHAC + "/ooapi/",
	})
	offerings := func(list string, os []Offering, parent, alliance string) {
		a.lists[list] = []listItem{}
		for i := range os {
			doc := mustJSON(renderOffering(&os[i], parent, alliance))
			a.docs["offerings/"+os[i].ID] = doc
			a.lists[list] = append(a.lists[list], listItem{doc, os[i].Start, os[i].End})
		}
	}
	a.add("courses", "", nil)
	for i := range src.Courses {
		c := &src.Courses[i]
		a.add("courses", c.ID, renderCourse(seed, c))
		offerings("courses/"+c.ID+"/offerings", c.Offerings, c.ID, c.Alliance)
	}
	a.add("programs", "", nil)
	for i := range src.Programs {
		p := &src.Programs[i]
		a.add("programs", p.ID, renderProgram(seed, in, p))
		offerings("programs/"+p.ID+"/offerings", p.Offerings, p.ID, "")
		courses := []listItem{}
		for _, id := range p.Courses {
			courses = append(courses, listItem{doc: a.docs["courses/"+id]})
		}
		a.lists["programs/"+p.ID+"/courses"] = courses
	}
	a.add("education-specifications", "", nil)
	for _, e := range renderEduSpecs(seed, in, src) {
		a.add("education-specifications", e.ID, e)
	}
	a.add("organizations", "", nil)
	for _, o := range renderOrganizations(in) {
		a.add("organizations", o.OrganizationID, o)
	}
	a.mb = in.Misbehavior
	if a.mb == MalformedItem {
		a.malform(src)
	}
	return a
}

// malform breaks the course list as MalformedItem says: a first item that
// is not an object, and a wrongly typed validFrom in the marked course.
func (a *ooapiAPI) malform(src *Source) {
	list := a.lists["courses"]
	for k := range src.Courses {
		if c := &src.Courses[k]; c.HasQuirk(QuirkMalformedField) {
			list[k].doc = breakField(list[k].doc, "validFrom")
			a.docs["courses/"+c.ID] = list[k].doc
		}
	}
	a.lists["courses"] = append([]listItem{{doc: []byte(`"not a course"`)}}, list...)
}

// add renders v as collection/id and appends it to the collection; with
// id "" it only creates the (empty) collection.
func (a *ooapiAPI) add(collection, id string, v any) {
	if a.lists[collection] == nil {
		a.lists[collection] = []listItem{}
	}
	if id == "" {
		return
	}
	doc := mustJSON(v)
	a.docs[collection+"/"+id] = doc
	a.lists[collection] = append(a.lists[collection], listItem{doc: doc})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("testfed: " + err.Error())
	}
	return b
}

// serve answers a request for path rel, relative to the API root.
func (a *ooapiAPI) serve(w http.ResponseWriter, r *http.Request, rel string) {
	rel = strings.Trim(rel, "/")
	items, ok := collection(w, r, rel, a.docs, a.lists, a.lastModified, ooError)
	if !ok {
		return
	}
	q := r.URL.Query()
	size, err := queryInt(q.Get("pageSize"), 10)
	if err != nil || !validPageSize(size) {
		ooError(w, http.StatusBadRequest, "pageSize must be one of 10, 20, 50, 100, 250")
		return
	}
	number, err := queryInt(q.Get("pageNumber"), 1)
	if err != nil || number < 1 {
		ooError(w, http.StatusBadRequest, "pageNumber must be an integer of at least 1")
		return
	}
	if strings.HasSuffix(rel, "/offerings") {
		if items, err = a.filterDates(items, q.Get("since"), q.Get("until")); err != nil {
			ooError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	endless := a.mb == EndlessPages
	switch last := max(1, (len(items)+size-1)/size); {
	case a.mb == RepeatedPages:
		number = 1
	case endless && number > last:
		number = last
	}
	serveDoc(w, r, contentTypeJSON, page(items, size, number, endless), a.lastModified)
}

// filterDates keeps the offerings starting on or after since (default: the
// reference date) and ending on or before until (default: no limit).
func (a *ooapiAPI) filterDates(items []listItem, since, until string) ([]listItem, error) {
	from, to := a.now, time.Time{}
	var err error
	if since != "" {
		if from, err = time.Parse(time.DateOnly, since); err != nil {
			return nil, fmt.Errorf("since must be a date (YYYY-MM-DD)")
		}
	}
	if until != "" {
		if to, err = time.Parse(time.DateOnly, until); err != nil {
			return nil, fmt.Errorf("until must be a date (YYYY-MM-DD)")
		}
	}
	out := []listItem{}
	for _, it := range items {
		if !it.start.Before(from) && (to.IsZero() || !it.end.After(to)) {
			out = append(out, it)
		}
	}
	return out, nil
}

func validPageSize(n int) bool {
	switch n {
	case 10, 20, 50, 100, 250:
		return true
	}
	return false
}

// page renders one page of items in the OOAPI pagination envelope;
// endless claims a next page even on the last.
func page(items []listItem, size, number int, endless bool) []byte {
	total := max(1, (len(items)+size-1)/size)
	lo := min((number-1)*size, len(items))
	hi := min(lo+size, len(items))
	var b strings.Builder
	fmt.Fprintf(&b, `{"pageSize":%d,"pageNumber":%d,"hasPreviousPage":%t,"hasNextPage":%t,"totalPages":%d,"items":[`,
		size, number, number > 1, number < total || endless, total)
	for i, it := range items[lo:hi] {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it.doc)
	}
	b.WriteString(`],"ext":{}}`)
	return []byte(b.String())
}

// ooError writes an OOAPI Problem.
func ooError(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	w.Write(mustJSON(ooProblem{fmt.Sprint(status), http.StatusText(status), detail}))
}
