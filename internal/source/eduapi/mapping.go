package eduapi

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"qlink/internal/jsonread"
	"qlink/internal/model"
	"qlink/internal/source"
	"qlink/internal/vocab"
)

// decodedTemplate is a template read from a page, with its location and,
// once minted, its specification ID.
type decodedTemplate struct {
	t     template
	where string
	id    string
}

type decodedOffering struct {
	o     offering
	where string
}

// name returns how warnings name a record: its sourcedId, else where it
// was found.
func name(sourcedID, where string) string {
	if sourcedID != "" {
		return sourcedID
	}
	return where
}

// decode unmarshals one record leniently (see source.DecodeRecord),
// warning about it by id when it has one, else by where it was found.
func (r *run) decode(raw []byte, v any, what, where string, id func() string) bool {
	w, ok := source.DecodeRecord(raw, v, what)
	if w != nil {
		record := where
		if ok {
			record = name(id(), where)
		}
		r.Warn(record, w.Field, w.Message)
	}
	return ok
}

func (r *run) decodeTemplates(l *listing) []*decodedTemplate {
	if l == nil {
		return nil
	}
	var out []*decodedTemplate
	for _, it := range l.items {
		d := &decodedTemplate{where: it.where}
		if !r.decode(it.raw, &d.t, "template", it.where, func() string { return d.t.SourcedID }) {
			continue
		}
		if d.t.SourcedID == "" && d.t.PrimaryCode.Identifier == "" {
			r.Warn(it.where, "sourcedId", "a template without sourcedId or primaryCode, skipped")
			continue
		}
		if strings.EqualFold(d.t.RecordStatus, "deleted") {
			r.Warn(name(d.t.SourcedID, it.where), "recordStatus", "deleted: not published")
			continue
		}
		out = append(out, d)
	}
	return out
}

func (r *run) decodeOfferings(l *listing) []*decodedOffering {
	if l == nil {
		return nil
	}
	var out []*decodedOffering
	for _, it := range l.items {
		d := &decodedOffering{where: it.where}
		if !r.decode(it.raw, &d.o, "offering", it.where, func() string { return d.o.SourcedID }) {
			continue
		}
		if strings.EqualFold(d.o.RecordStatus, "deleted") {
			r.Warn(name(d.o.SourcedID, it.where), "recordStatus", "deleted: not published")
			continue
		}
		out = append(out, d)
	}
	return out
}

// mint gives each template its specification ID and records it in ids
// (sourcedId → specification ID).
func (r *run) mint(ts []*decodedTemplate, ids map[string]string) {
	for _, d := range ts {
		var clash string
		d.id, clash = r.ids.Mint(d.t.PrimaryCode.Identifier, d.t.SourcedID)
		if clash != "" {
			r.Warn(name(d.t.SourcedID, d.where), "primaryCode", fmt.Sprintf(
				"code %q is also used by %s; identified by its sourcedId instead", d.t.PrimaryCode.Identifier, clash))
		}
		if d.t.SourcedID != "" {
			ids[d.t.SourcedID] = d.id
		}
	}
}

// specs maps templates with their offerings. When the offerings could
// not all be read, the templates are withheld (the error is already
// recorded): handing them on would replace stored courses with copies
// missing instances. A preview shows them with the offerings it read.
func (r *run) specs(ts []*decodedTemplate, collection bool, offs []*decodedOffering, l *listing) []model.Specification {
	if l != nil && !l.complete && !r.cfg.Preview {
		return nil
	}
	ids := r.courses
	if collection {
		ids = r.collections
	}
	byParent := map[string][]*decodedOffering{}
	for _, d := range offs {
		parent := d.o.parentID()
		if _, ok := ids[parent]; !ok {
			if r.cfg.Since.IsZero() {
				r.Warn(name(d.o.SourcedID, d.where), "course", fmt.Sprintf("offering of %q, which is not among the templates; skipped", parent))
			}
			continue
		}
		byParent[parent] = append(byParent[parent], d)
	}
	out := make([]model.Specification, 0, len(ts))
	for _, d := range ts {
		s := r.mapTemplate(d, collection)
		taken := map[string]bool{}
		for _, o := range byParent[d.t.SourcedID] {
			if in, ok := r.mapOffering(o, &s, taken); ok {
				s.Instances = append(s.Instances, in)
			}
		}
		out = append(out, s)
	}
	return out
}

// courseTypes maps courseType values to learning-opportunity type slugs;
// every other standard value is a course.
var courseTypes = map[string]string{"internship": "internship", "thesis": "thesis"}

var standardCourseTypes = []string{"standard", "honors", "research", "independentstudy", "practicum", "internship",
	"studyabroad", "capstone", "clinical", "correspondence", "fieldexperience", "seminar", "thesis"}

// collectionTypes maps collectionType values: parts of a programme are
// modules; a collection leading to no degree is a short programme.
var collectionTypes = map[string]string{
	"program": "programme", "generaleducation": "module", "requiredcollection": "module", "electivecollection": "module",
	"capstonecollection": "module", "majorcollection": "module", "minorcollection": "module",
	"programspecialization": "module", "nondegreecollection": "short-programme",
}

// levelEQF maps level values to EQF levels, as QualityLink does.
var levelEQF = map[string]int{"undergraduate": 6, "graduate": 7, "doctoral": 8}

func (r *run) mapTemplate(d *decodedTemplate, collection bool) model.Specification {
	t := &d.t
	warn := func(field, msg string) { r.Warn(d.id, field, msg) }
	s := model.Specification{
		ID:          d.id,
		Identifiers: identifiers(t.SourcedID, t.PrimaryCode, t.OtherCodes),
		Title:       r.text(t.Title),
		Description: r.text(t.Description),
		PublisherID: r.publisher(t.Organization, d.id),
		Active:      true,
	}
	if s.Title.IsEmpty() {
		warn("title", "no title in any language")
	}
	s.Type = typeOf(t, collection, warn)
	s.Languages = languages(t, warn)
	s.EQFLevel = eqfLevel(t.Level, warn)
	s.Credits = creditsOf(t, warn)
	switch strings.ToLower(t.RecordStatus) {
	case "", "active":
	case "inactive":
		s.Active = false
	default:
		warn("recordStatus", fmt.Sprintf("unknown status %q; taken as active", t.RecordStatus))
	}
	var err error
	if s.Modified, err = jsonread.ParseTime(t.DateLastModified); err != nil {
		warn("dateLastModified", err.Error())
	}
	r.readExtensions(t.Extensions, &s, warn)
	for _, p := range t.Parent {
		pid, ok := r.collections[p]
		switch {
		case !ok:
			warn("parent", fmt.Sprintf("%q is not among the collection templates", p))
		case pid != s.ID && !slices.Contains(s.PartOf, pid):
			s.PartOf = append(s.PartOf, pid)
		}
	}
	return s
}

func identifiers(sourcedID string, primary identifier, others []identifier) []model.Identifier {
	ids := make([]model.Identifier, 0, 2+len(others))
	if sourcedID != "" {
		ids = append(ids, model.Identifier{Scheme: "edu-api:sourcedId", Value: sourcedID})
	}
	for _, c := range append([]identifier{primary}, others...) {
		if c.Identifier == "" {
			continue
		}
		scheme := c.Type
		if scheme == "" {
			scheme = "identifier"
		}
		ids = append(ids, model.Identifier{Scheme: "edu-api:" + scheme, Value: c.Identifier})
	}
	return ids
}

func (r *run) text(ls langStrings) model.Text {
	t := make(model.Text, len(ls))
	for _, l := range ls {
		r.langs.Set(t, l.Lang, l.Value)
	}
	return t
}

func typeOf(t *template, collection bool, warn func(field, msg string)) string {
	value, field := t.CourseType, "courseType"
	slug := "course"
	if collection {
		value, field, slug = t.CollectionType, "collectionType", "programme"
	}
	key := strings.ToLower(value)
	switch {
	case collection && collectionTypes[key] != "":
		slug = collectionTypes[key]
	case !collection && courseTypes[key] != "":
		slug = courseTypes[key]
	case value == "" || strings.HasPrefix(value, "ext:") || !collection && slices.Contains(standardCourseTypes, key):
	default:
		warn(field, fmt.Sprintf("unknown value %q; taken as a %s", value, slug))
	}
	return vocab.LearningOpportunityTypes.URI(slug)
}

// languages returns the language of instruction: teachingLanguage, or the
// record's language when that is absent (QualityLink's mapping accepts
// either).
func languages(t *template, warn func(field, msg string)) []string {
	value, field := t.TeachingLanguage, "teachingLanguage"
	if strings.TrimSpace(value) == "" {
		value, field = t.RecordLanguage, "recordLanguage"
	}
	if strings.TrimSpace(value) == "" {
		return nil
	}
	tag, ok := vocab.NormalizeLang(value)
	if !ok {
		warn(field, fmt.Sprintf("%q is not a BCP 47 language tag", value))
		return nil
	}
	return []string{model.PrimaryLang(tag)}
}

func eqfLevel(level string, warn func(field, msg string)) int {
	if n, ok := levelEQF[strings.ToLower(strings.TrimSpace(level))]; ok {
		return n
	}
	if level != "" && !strings.HasPrefix(level, "ext:") {
		warn("level", fmt.Sprintf("unknown level %q", level))
	}
	return 0
}

// creditsOf reads creditsAwarded, which counts only when creditType is
// credit.
func creditsOf(t *template, warn func(field, msg string)) []model.Credit {
	c := t.CreditsAwarded
	if c.Invalid != "" {
		warn("creditsAwarded", fmt.Sprintf("%s is not a number of credits", c.Invalid))
		return nil
	}
	if !c.IsNumber && strings.TrimSpace(c.Text) == "" {
		return nil
	}
	if !strings.EqualFold(t.CreditType, "credit") {
		warn("creditType", fmt.Sprintf("creditsAwarded is ignored: creditType is %q, not credit", t.CreditType))
		return nil
	}
	if c.IsNumber {
		if c.Number < 0 {
			warn("creditsAwarded", fmt.Sprintf("%v is negative", c.Number))
			return nil
		}
		return []model.Credit{{System: model.CreditECTS, Value: c.Number}}
	}
	value, system, err := parseCredits(c.Text)
	if err != nil {
		warn("creditsAwarded", err.Error())
		return nil
	}
	return []model.Credit{{System: system, Value: value}}
}

func (r *run) mapOffering(d *decodedOffering, s *model.Specification, taken map[string]bool) (model.Instance, bool) {
	o := &d.o
	local := o.PrimaryCode.Identifier
	if local == "" || taken[local] {
		local = o.SourcedID
	}
	if local == "" || taken[local] {
		r.Warn(d.where, "sourcedId", "an offering without a distinct sourcedId or primaryCode, skipped")
		return model.Instance{}, false
	}
	taken[local] = true
	in := model.Instance{
		ID:              model.InstanceID(s.ID, local),
		SpecificationID: s.ID,
		Identifiers:     identifiers(o.SourcedID, o.PrimaryCode, nil),
		Title:           r.text(o.Title),
		Description:     r.text(o.Description),
		ProviderIDs:     []string{r.cfg.Provider.ID},
	}
	warn := func(field, msg string) { r.Warn(in.ID, field, msg) }
	var err error
	if in.Start, err = jsonread.ParseTime(o.StartDate); err != nil {
		warn("startDate", err.Error())
	}
	if in.End, err = jsonread.ParseTime(o.EndDate); err != nil {
		warn("endDate", err.Error())
	}
	if tag, ok := vocab.NormalizeLang(o.TeachingLanguage); ok {
		in.DefaultLanguage = model.PrimaryLang(tag)
	} else if o.TeachingLanguage != "" {
		warn("teachingLanguage", fmt.Sprintf("%q is not a BCP 47 language tag", o.TeachingLanguage))
	} else if len(s.Languages) > 0 {
		in.DefaultLanguage = s.Languages[0]
	}
	if mode := modeOf(o.OfferingFormat, warn); mode != "" {
		in.Modes = []string{mode}
	}
	in.Capacity = count(o.MaxNumberStudents, "maxNumberStudents", warn)
	in.Enrolled = count(o.EnrolledNumberStudents, "enrolledNumberStudents", warn)
	in.Minimum = count(o.MinNumberStudents, "minNumberStudents", warn)
	in.Location = r.locationOf(o.Locations)
	return in, true
}

// offeringFormats maps offeringFormat values to mode slugs.
var offeringFormats = map[string]string{"onground": "presential", "online": "online", "blended": "blended"}

func modeOf(format string, warn func(field, msg string)) string {
	if slug, ok := offeringFormats[strings.ToLower(strings.TrimSpace(format))]; ok {
		return vocab.Modes.URI(slug)
	}
	if format != "" && !strings.HasPrefix(format, "ext:") {
		warn("offeringFormat", fmt.Sprintf("unknown format %q", format))
	}
	return ""
}

func count(n jsonread.Number, field string, warn func(field, msg string)) *int {
	v, err := n.StudentCount()
	if err != nil {
		warn(field, err.Error())
	}
	return v
}

// locationOf describes where an offering takes place: the first
// location's description, else its identifier.
func (r *run) locationOf(locs []location) model.Text {
	for _, l := range locs {
		if t := r.text(l.Description); !t.IsEmpty() {
			return t
		}
	}
	for _, l := range locs {
		if strings.TrimSpace(l.Identifier) != "" {
			return model.Text{model.LangUnstated: strings.TrimSpace(l.Identifier)}
		}
	}
	return nil
}

// changedParents returns, in a delta harvest, the course templates whose
// offerings changed after Since but which did not change themselves: they
// must be handed on again with their full set of offerings.
func (r *run) changedParents(offs []*decodedOffering, have []*decodedTemplate) []string {
	known := map[string]bool{}
	for _, d := range have {
		known[d.t.SourcedID] = true
	}
	var want []string
	for _, d := range offs {
		m, err := jsonread.ParseTime(d.o.DateLastModified)
		if err != nil || !m.After(r.cfg.Since) || d.o.Course == "" || known[d.o.Course] {
			continue
		}
		known[d.o.Course] = true
		want = append(want, d.o.Course)
	}
	return want
}

// fetchTemplates reads course templates one by one.
func (r *run) fetchTemplates(ctx context.Context, ids []string) ([]*decodedTemplate, error) {
	var out []*decodedTemplate
	for i, id := range ids {
		if r.cfg.MaxPages > 0 && i >= r.cfg.MaxPages {
			return out, fmt.Errorf("eduapi: stopped at the cap of %d requests for changed course templates", r.cfg.MaxPages)
		}
		u := r.base + courseTemplates + "/" + url.PathEscape(id)
		resp, err := r.get.Get(ctx, u)
		if err != nil {
			return out, fmt.Errorf("eduapi: %w", err)
		}
		ds := r.decodeTemplates(&listing{items: []item{{raw: resp.Body, where: u}}})
		out = append(out, ds...)
	}
	return out, nil
}
