package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/number"

	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/store"
	"qlink/internal/vocab"
)

// facetLabels names each facet in the interface.
// (translated where shown).
var facetLabels = map[search.Facet]string{
	search.FacetInstitution: msg("Institution"), search.FacetAlliance: msg("Alliance"), search.FacetCountry: msg("Country"), search.FacetLanguage: msg("Language of instruction"),
	search.FacetEQF: msg("EQF level"), search.FacetField: msg("Field of study (ISCED-F)"), search.FacetType: msg("Type"),
	search.FacetMode: msg("Mode of delivery"),
}

// valueLabel turns a facet value into a readable label in the reader's
// language (English for the API).
func (s *Server) valueLabel(ctx context.Context, f search.Facet, v string) string {
	var c vocab.Concept
	var ok bool
	lang := localeOf(ctx).Code
	switch f {
	case search.FacetInstitution:
		return s.providerName(ctx, v, lang)
	case search.FacetAlliance:
		return s.allianceName(ctx, v)
	case search.FacetCountry:
		return vocab.CountryName(v, lang)
	case search.FacetLanguage:
		return vocab.LanguageName(v, lang)
	case search.FacetEQF:
		c, ok = vocab.EQF.Lookup(v)
	case search.FacetField:
		c, ok = vocab.ISCEDF.Lookup(v)
	case search.FacetType:
		c, ok = vocab.LearningOpportunityTypes.Lookup(v)
	case search.FacetMode:
		c, ok = vocab.Modes.Lookup(v)
	}
	if ok {
		return s.opts.Labels.Label(c, lang)
	}
	return v
}

// readerLanguages returns the languages the reader prefers course texts
// in, as BCP 47 tags, best first: the interface language they chose with
// the switch, then Accept-Language.
func readerLanguages(r *http.Request) []string {
	var out []string
	if c, err := r.Cookie(langCookie); err == nil && c.Value == localeOf(r.Context()).Code {
		out = append(out, c.Value)
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil {
		return out
	}
	for _, t := range tags {
		out = append(out, t.String())
	}
	return out
}

func courseURL(id string) string { return "/courses/" + url.PathEscape(id) }

// labeled is a controlled value with its label, as the API returns it.
type labeled struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// concept labels a controlled value in the reader's language (English
// for the API), falling back to English, never to the code.
func (s *Server) concept(ctx context.Context, scheme *vocab.Scheme, key string) *labeled {
	c, ok := scheme.Lookup(key)
	if !ok {
		return nil
	}
	return &labeled{Value: c.Slug, Label: s.opts.Labels.Label(c, localeOf(ctx).Code)}
}

// apiCourse is the public JSON shape of a course.
type apiCourse struct {
	ID                string             `json:"id"`
	URL               string             `json:"url"`
	Kind              string             `json:"kind,omitempty"`
	Type              *labeled           `json:"type,omitempty"`
	Title             model.Text         `json:"title"`
	Description       model.Text         `json:"description,omitempty"`
	LearningOutcomes  []model.Text       `json:"learningOutcomes,omitempty"`
	Languages         []labeled          `json:"languages,omitempty"`
	ISCEDF            []labeled          `json:"iscedf,omitempty"`
	Fields            []labeled          `json:"fields,omitempty"`
	EQFLevel          int                `json:"eqfLevel,omitempty"`
	ECTS              *float64           `json:"ects,omitempty"`
	Homepage          string             `json:"homepage,omitempty"`
	EntryRequirements model.Text         `json:"entryRequirements,omitempty"`
	Active            bool               `json:"active"`
	Identifiers       []model.Identifier `json:"identifiers,omitempty"`
	PartOf            []string           `json:"partOf,omitempty"`
	HasPart           []string           `json:"hasPart,omitempty"`
	apiStudy
	Provider  apiProvider   `json:"provider"`
	Offerings []apiOffering `json:"offerings"`
	FirstSeen time.Time     `json:"firstSeen"`
	Changed   time.Time     `json:"changed"`
	// Status is active or inactive (no longer published by its source,
	// kept with its last known data); LastSeen is when a harvest last saw
	// it, for an inactive course the date it was last offered.
	Status   store.CourseStatus `json:"status"`
	LastSeen time.Time          `json:"lastSeen"`
	// Quality is what the latest harvest's quality checks found: the
	// completeness score and the rules the course breaks; absent for a
	// course not yet checked.
	Quality *store.CourseQuality `json:"quality,omitempty"`
}

type apiProvider struct {
	ID      string     `json:"id"`
	Name    model.Text `json:"name"`
	SCHAC   string     `json:"schac,omitempty"`
	DEQAR   string     `json:"deqarId,omitempty"`
	ETER    string     `json:"eterId,omitempty"`
	Country *labeled   `json:"country,omitempty"`
	Website string     `json:"website,omitempty"`
}

// presentProvider is the provider as every API answer names it.
func presentProvider(p model.Provider) apiProvider {
	out := apiProvider{ID: p.ID, Name: p.Name, SCHAC: p.SCHAC, DEQAR: p.DEQAR, ETER: p.ETER, Website: p.Website}
	if p.Country != "" {
		out.Country = &labeled{Value: p.Country, Label: vocab.CountryName(p.Country, "en")}
	}
	return out
}

type apiOffering struct {
	ID                  string     `json:"id"`
	Title               model.Text `json:"title,omitempty"`
	Start               string     `json:"start,omitempty"`
	End                 string     `json:"end,omitempty"`
	Modes               []labeled  `json:"modes,omitempty"`
	Language            *labeled   `json:"language,omitempty"`
	RegistrationPortal  string     `json:"registrationPortal,omitempty"`
	ApplicationDeadline string     `json:"applicationDeadline,omitempty"`
	Capacity            *int       `json:"capacity,omitempty"`
	Enrolled            *int       `json:"enrolled,omitempty"`
	Minimum             *int       `json:"minimum,omitempty"`
	Homepage            string     `json:"homepage,omitempty"`
	AcademicTerm        model.Text `json:"academicTerm,omitempty"`
	ECTS                *float64   `json:"ects,omitempty"`
	apiStudy
	// TermLabel is the academic term for people ("2025/2026, term 2 of 2").
	TermLabel string `json:"-"`
}

// apiStudy is model.Study with labels.
type apiStudy struct {
	Schedule         *labeled             `json:"schedule,omitempty"`
	VolumeOfLearning *labeled             `json:"volumeOfLearning,omitempty"`
	GradingScheme    *model.GradingScheme `json:"gradingScheme,omitempty"`
}

// HasStudy reports whether any study fact is stated, so pages can leave
// out what says nothing.
func (st apiStudy) HasStudy() bool {
	return st.Schedule != nil || st.VolumeOfLearning != nil || st.GradingScheme != nil
}

// OfferingsHaveStudy reports whether any offering states a term's study
// facts or credits of its own.
func (c apiCourse) OfferingsHaveStudy() bool {
	for _, o := range c.Offerings {
		if o.HasStudy() || o.ECTS != nil {
			return true
		}
	}
	return false
}

func (s *Server) presentStudy(ctx context.Context, st model.Study) apiStudy {
	out := apiStudy{Schedule: s.concept(ctx, vocab.LearningSchedules, st.Schedule)}
	if label := durationLabel(localeOf(ctx), st.VolumeOfLearning); label != "" {
		out.VolumeOfLearning = &labeled{Value: st.VolumeOfLearning, Label: label}
	}
	if !st.GradingScheme.IsEmpty() {
		out.GradingScheme = st.GradingScheme
	}
	return out
}

// durationUnits are the singular and plural of each xsd:duration part.
var durationUnits = [7][2]string{
	msgn("%v year", "%v years"), msgn("%v month", "%v months"), msgn("%v week", "%v weeks"),
	msgn("%v day", "%v days"), msgn("%v hour", "%v hours"), msgn("%v minute", "%v minutes"),
	msgn("%v second", "%v seconds"),
}

// durationLabel reads an xsd:duration for people: "PT150H" → "150 hours".
func durationLabel(l *locale, d string) string {
	parts, ok := model.DurationParts(d)
	if !ok {
		return ""
	}
	var words []string
	for i, n := range parts {
		if n == "" {
			continue
		}
		one, other := durationUnits[i][0], durationUnits[i][1]
		if whole, err := strconv.Atoi(n); err == nil {
			words = append(words, l.trn(one, other, whole))
		} else if f, err := strconv.ParseFloat(n, 64); err == nil {
			words = append(words, l.trn(one, other, 2, number.Decimal(f)))
		}
	}
	return strings.Join(words, " ")
}

// ewpTerm is an Erasmus Without Paper academic term id, as OCCAPI gives it:
// the academic year, then the term and how many terms the year has.
var ewpTerm = regexp.MustCompile(`^(\d{4}/\d{4})-([1-9])/([1-9])$`)

// termLabel names an academic term for people; EWP ids are spelled out,
// other names (as institutions write them) are shown as they are.
func termLabel(l *locale, t model.Text) string {
	_, name := t.Best(l.Code)
	name = strings.TrimSpace(name)
	m := ewpTerm.FindStringSubmatch(name)
	switch {
	case m == nil:
		return name
	case m[3] == "1":
		return l.tr("%s, full year", m[1])
	case m[3] == "2":
		return l.tr("%s, semester %s", m[1], m[2])
	case m[3] == "3":
		return l.tr("%s, trimester %s", m[1], m[2])
	}
	return l.tr("%s, term %s of %s", m[1], m[2], m[3])
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// presentCourse labels a course in the reader's language (English for the
// API).
func (s *Server) presentCourse(ctx context.Context, c store.Course) apiCourse {
	sp := c.Spec
	p := s.provider(ctx, c.ProviderID)
	loc := localeOf(ctx)
	out := apiCourse{
		ID: sp.ID, URL: s.opts.BaseURL + courseURL(sp.ID), Type: s.concept(ctx, vocab.LearningOpportunityTypes, sp.Type),
		Title: sp.Title, Description: sp.Description, LearningOutcomes: sp.LearningOutcomes, EQFLevel: sp.EQFLevel,
		Homepage: sp.Homepage, EntryRequirements: sp.EntryRequirements, Active: sp.Active, Identifiers: sp.Identifiers,
		PartOf: sp.PartOf, HasPart: sp.HasPart, FirstSeen: c.FirstSeen, Changed: c.Changed, Offerings: []apiOffering{},
		Status: c.Status(), LastSeen: c.LastSeen, Quality: c.Quality,
		Kind: sp.Kind, apiStudy: s.presentStudy(ctx, sp.Study),
		Provider: presentProvider(p),
	}
	if out.Provider.Country != nil {
		out.Provider.Country.Label = vocab.CountryName(p.Country, loc.Code)
	}
	if e, ok := sp.ECTS(); ok {
		out.ECTS = &e
	}
	for _, l := range sp.Languages {
		out.Languages = append(out.Languages, labeled{Value: l, Label: vocab.LanguageName(l, loc.Code)})
	}
	for _, code := range sp.ISCEDF {
		if c := s.concept(ctx, vocab.ISCEDF, code); c != nil {
			out.ISCEDF = append(out.ISCEDF, *c)
		}
	}
	for _, code := range model.ISCEDBroad(sp.ISCEDF) {
		if c := s.concept(ctx, vocab.ISCEDF, code); c != nil {
			out.Fields = append(out.Fields, *c)
		}
	}
	for _, in := range sortedInstances(sp.Instances) {
		o := apiOffering{ID: in.ID, Title: in.Title, Start: day(in.Start), End: day(in.End), RegistrationPortal: in.RegistrationPortal,
			ApplicationDeadline: day(in.ApplicationDeadline), Capacity: in.Capacity, Enrolled: in.Enrolled, Minimum: in.Minimum, Homepage: in.Homepage,
			AcademicTerm: in.AcademicTerm, TermLabel: termLabel(loc, in.AcademicTerm), apiStudy: s.presentStudy(ctx, in.Study)}
		if e, ok := in.ECTS(); ok {
			o.ECTS = &e
		}
		for _, m := range in.Modes {
			if c := s.concept(ctx, vocab.Modes, m); c != nil {
				o.Modes = append(o.Modes, *c)
			}
		}
		if in.DefaultLanguage != "" {
			o.Language = &labeled{Value: in.DefaultLanguage, Label: vocab.LanguageName(in.DefaultLanguage, loc.Code)}
		}
		out.Offerings = append(out.Offerings, o)
	}
	return out
}

// sortedInstances orders offerings by start date, undated last.
func sortedInstances(in []model.Instance) []model.Instance {
	out := slices.Clone(in)
	slices.SortStableFunc(out, func(a, b model.Instance) int {
		switch {
		case a.Start.IsZero() && b.Start.IsZero():
			return 0
		case a.Start.IsZero():
			return 1
		case b.Start.IsZero():
			return -1
		}
		return a.Start.Compare(b.Start)
	})
	return out
}
