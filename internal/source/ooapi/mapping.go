package ooapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"qlink/internal/jsonread"
	"qlink/internal/model"
	"qlink/internal/source"
	"qlink/internal/vocab"
)

// courseLevelEQF maps OOAPI level values to EQF levels, following the Dutch
// qualifications framework's referencing to the EQF.
var courseLevelEQF = map[string]int{
	"secondary vocational education 1": 1, "secondary vocational education 2": 2,
	"secondary vocational education 3": 3, "secondary vocational education 4": 4,
	"associate degree": 5, "bachelor": 6, "master": 7, "undivided": 7, "doctoral": 8,
}

// modeSlugs maps OOAPI modeOfDelivery values to EU mode concepts.
var modeSlugs = map[string]string{
	"on campus": "presential", "situated": "presential", "online": "online",
	"distance-learning": "online", "hybrid": "hybrid", "blended": "blended",
}

// educationSpecTypes maps educationSpecificationType to EU
// learning-opportunity types.
var educationSpecTypes = map[string]string{
	"program": "programme", "privateProgram": "programme", "cluster": "module", "course": "course", "courseGroup": "module",
}

// programTypes maps programType to EU learning-opportunity types; minors,
// tracks and specialisations are parts of a programme.
var programTypes = map[string]string{
	"program": "programme", "honours": "programme", "minor": "module", "specialization": "module", "track": "module",
}

func (r *run) mapSpec(c *course, isProgram bool) model.Specification {
	p := r.cfg.Provider
	local := c.PrimaryCode.Code
	if local == "" {
		local = c.id()
	}
	id := model.CourseID(p.SCHAC, p.ID, local)
	if prev, taken := r.ids["spec:"+id]; taken && prev != c.id() {
		r.warn(source.Warning{Record: c.id(), Field: "primaryCode", Message: fmt.Sprintf(
			"code %q is also used by %s; identified by its OOAPI id instead", local, prev)})
		id = model.CourseID(p.SCHAC, p.ID, c.id())
	}
	r.ids["spec:"+id] = c.id()
	r.ids[c.id()] = id
	warn := func(field, msg string) { r.warn(source.Warning{Record: id, Field: field, Message: msg}) }

	s := model.Specification{
		ID:                id,
		Type:              vocab.LearningOpportunityTypes.URI("course"),
		Title:             r.text(c.Name),
		Description:       r.text(c.Description),
		EntryRequirements: r.text(c.AdmissionRequirements),
		PublisherID:       p.ID,
		Active:            true,
		Identifiers:       identifiers(c),
	}
	switch {
	case c.EducationSpecType != "":
		s.Type = vocab.LearningOpportunityTypes.URI(educationSpecTypes[c.EducationSpecType])
		if s.Type == "" {
			warn("educationSpecificationType", fmt.Sprintf("unknown type %q; taken as a course", c.EducationSpecType))
			s.Type = vocab.LearningOpportunityTypes.URI("course")
		}
	case isProgram:
		slug, ok := programTypes[c.ProgramType]
		if !ok {
			slug = "programme"
		}
		s.Type = vocab.LearningOpportunityTypes.URI(slug)
	}
	if s.Title.IsEmpty() {
		warn("name", "no name in any language")
	}
	for _, lo := range c.LearningOutcomes {
		if t := r.text(lo); !t.IsEmpty() {
			s.LearningOutcomes = append(s.LearningOutcomes, t)
		}
	}
	for _, code := range c.languages() {
		lang, ok := r.langs.Normalize(code)
		if !ok {
			warn("teachingLanguage", fmt.Sprintf("%q is not a language code", code))
			continue
		}
		if p := model.PrimaryLang(lang); !slices.Contains(s.Languages, p) {
			s.Languages = append(s.Languages, p)
		}
	}
	if f := strings.TrimSpace(c.FieldsOfStudy); f != "" {
		if _, ok := vocab.ISCEDF.Lookup(f); ok {
			s.ISCEDF = []string{f}
		} else {
			warn("fieldsOfStudy", fmt.Sprintf("%q is not an ISCED-F 2013 code", f))
		}
	}
	s.EQFLevel = eqfLevel(c, warn)
	if c.StudyLoad != nil && c.StudyLoad.Value.Invalid != "" {
		warn("studyLoad", fmt.Sprintf("%s is not a number of credits", c.StudyLoad.Value.Invalid))
	}
	if c.StudyLoad != nil && c.StudyLoad.Value.Set {
		switch v := c.StudyLoad.Value.Value; strings.ToLower(c.StudyLoad.Unit) {
		case "ects", "sp": // Dutch studiepunten are ECTS credits
			s.Credits = []model.Credit{{System: model.CreditECTS, Value: v}}
		case "hour", "sbu": // studiebelastingsuren are hours of study load
			if d, ok := model.HoursDuration(v); ok {
				s.VolumeOfLearning = d
			} else {
				warn("studyLoad", fmt.Sprintf("%v is not a number of hours", v))
			}
		}
	}
	s.Schedule = scheduleOf(c.ModeOfStudy)
	s.Homepage = lenientURL(c.Link, "link", warn)
	if to := lenientTime(c.ValidTo, "validTo", warn); !to.IsZero() && to.Before(r.cfg.Now) {
		s.Active = false
	}
	for _, prog := range c.programs() {
		if pid, ok := r.ids[string(prog)]; ok && pid != id {
			s.PartOf = append(s.PartOf, pid)
		}
	}
	if pid, ok := r.ids[string(c.Parent)]; ok && c.Parent != "" && !slices.Contains(s.PartOf, pid) {
		s.PartOf = append(s.PartOf, pid)
	}
	return s
}

func identifiers(c *course) []model.Identifier {
	var ids []model.Identifier
	add := func(scheme, v string) {
		if v != "" {
			ids = append(ids, model.Identifier{Scheme: scheme, Value: v})
		}
	}
	add("ooapi:id", c.id())
	if c.PrimaryCode.Code != "" {
		add("ooapi:"+cmp.Or(c.PrimaryCode.CodeType, "identifier"), c.PrimaryCode.Code)
	}
	for _, oc := range c.OtherCodes {
		add("ooapi:"+cmp.Or(oc.CodeType, "identifier"), oc.Code)
	}
	add("ooapi:abbreviation", c.Abbreviation)
	return ids
}

func eqfLevel(c *course, warn func(field, msg string)) int {
	if l := strings.TrimSuffix(strings.TrimSpace(c.LevelOfQualification), "+"); l != "" {
		if len(l) == 1 && l[0] >= '1' && l[0] <= '8' {
			return int(l[0] - '0')
		}
		warn("levelOfQualification", fmt.Sprintf("%q is not an EQF level 1–8", c.LevelOfQualification))
	}
	if c.Level == "" || c.Level == "undefined" {
		return 0
	}
	if n, ok := courseLevelEQF[c.Level]; ok {
		return n
	}
	if !strings.HasPrefix(c.Level, "nt2") { // Dutch as a second language has no EQF level
		warn("level", fmt.Sprintf("unknown level %q", c.Level))
	}
	return 0
}

func (r *run) mapOffering(o *offering, c *course, specID, where string) (model.Instance, bool) {
	local := o.PrimaryCode.Code
	if local == "" {
		local = o.OfferingID
	}
	if local == "" {
		r.warn(source.Warning{Record: where, Message: "offering without an id, skipped"})
		return model.Instance{}, false
	}
	id := model.InstanceID(specID, local)
	warn := func(field, msg string) { r.warn(source.Warning{Record: id, Field: field, Message: msg}) }
	in := model.Instance{
		ID:              id,
		SpecificationID: specID,
		Title:           r.text(o.Name),
		Description:     r.text(o.Description),
		ProviderIDs:     []string{r.cfg.Provider.ID},
		Homepage:        lenientURL(o.Link, "link", warn),
	}
	if o.OfferingID != "" {
		in.Identifiers = []model.Identifier{{Scheme: "ooapi:id", Value: o.OfferingID}}
	}
	in.Start = lenientTime(o.StartDate, "startDate", warn)
	in.End = lenientTime(o.EndDate, "endDate", warn)
	in.ApplicationDeadline = lenientTime(o.EnrollEndDate, "enrollEndDate", warn)
	lang := o.TeachingLanguage
	if lang == "" && len(o.TeachingLanguages) > 0 {
		lang = o.TeachingLanguages[0]
	}
	if lang == "" && len(c.languages()) > 0 {
		lang = c.languages()[0]
	}
	if norm, ok := r.langs.Normalize(lang); ok {
		in.DefaultLanguage = model.PrimaryLang(norm)
	}
	modes := append(o.ModeOfDelivery, o.ModesOfDelivery...)
	if len(modes) == 0 {
		modes = c.modes() // an offering without modes runs as its course says
	}
	for _, m := range modes {
		slug, ok := modeSlugs[strings.ToLower(strings.TrimSpace(m))]
		if !ok {
			warn("modeOfDelivery", fmt.Sprintf("unknown mode %q", m))
			continue
		}
		if uri := vocab.Modes.URI(slug); !slices.Contains(in.Modes, uri) {
			in.Modes = append(in.Modes, uri)
		}
	}
	in.Capacity = studentCount(o.MaxNumberStudents, "maxNumberStudents", warn)
	in.Enrolled = studentCount(o.EnrolledNumberStudent, "enrolledNumberStudents", warn)
	in.Minimum = studentCount(o.MinNumberStudents, "minNumberStudents", warn)
	in.RegistrationPortal = lenientURL(enrollmentURL(o.Consumers), "consumers.enrollmentUrl", warn)
	for _, a := range o.Addresses {
		if a.City != "" {
			in.Location = model.Text{model.LangUnstated: a.City}
			break
		}
	}
	return in, true
}

// The lenient readers of jsonread, each turning what it could not read
// into a warning on the field; the record is kept.

func studentCount(n jsonread.Number, field string, warn func(field, msg string)) *int {
	v, err := n.StudentCount()
	if err != nil {
		warn(field, err.Error())
	}
	return v
}

func lenientTime(s, field string, warn func(field, msg string)) time.Time {
	t, err := jsonread.ParseTime(s)
	if err != nil {
		warn(field, err.Error())
	}
	return t
}

func lenientURL(s, field string, warn func(field, msg string)) string {
	u, err := jsonread.HTTPURL(s)
	if err != nil {
		warn(field, err.Error())
	}
	return u
}

// enrollmentURL finds the first enrollmentUrl inside consumer extensions
// (eduXchange puts it under alliances).
func enrollmentURL(raw json.RawMessage) string {
	if !bytes.Contains(raw, []byte("enrollmentUrl")) {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	var walk func(any) string
	walk = func(v any) string {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["enrollmentUrl"].(string); ok && s != "" {
				return s
			}
			for _, child := range v {
				if s := walk(child); s != "" {
					return s
				}
			}
		case []any:
			for _, child := range v {
				if s := walk(child); s != "" {
					return s
				}
			}
		}
		return ""
	}
	return walk(v)
}

func (r *run) text(ls langStrings) model.Text {
	t := make(model.Text, len(ls))
	for _, l := range ls {
		r.langs.Set(t, l.Lang, l.Value)
	}
	return t
}

// scheduleOf maps a program's modeOfStudy. Only full-time has an EU
// learning-schedule concept; "part-time" could be either of the two
// part-time concepts, and qlink does not guess which.
func scheduleOf(modeOfStudy string) string {
	if strings.EqualFold(strings.TrimSpace(modeOfStudy), "full-time") {
		return vocab.LearningSchedules.URI("full-time")
	}
	return ""
}
