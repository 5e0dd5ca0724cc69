package testfed

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// OOAPI levels used by the generator.
const (
	levelAssociate = "associate degree"
	levelBachelor  = "bachelor"
	levelMaster    = "master"
	levelDoctoral  = "doctoral"
)

var eqfOfLevel = map[string]int{levelAssociate: 5, levelBachelor: 6, levelMaster: 7, levelDoctoral: 8}

// coursePlan is the subject and title pattern of a course to generate.
type coursePlan struct {
	s *subject
	p pattern
}

// coursePlans returns 40–90 distinct (subject, pattern) pairs.
func (g *instGen) coursePlans(chosen []*subject) []coursePlan {
	var all []coursePlan
	for _, s := range chosen {
		for p := range numPatterns {
			if p == patEngineers && !s.engineers {
				continue
			}
			all = append(all, coursePlan{s, p})
		}
	}
	g.r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	n := between(g.r, 40, 90) // drawn always, so the rest of the data stays the same
	if g.o.CoursesPerInstitution > 0 {
		n = g.o.CoursesPerInstitution
	}
	if n <= len(all) {
		return all[:n]
	}
	// More courses than subjects and patterns: the plans repeat, as
	// titles do in a large catalogue; codes and ids stay distinct.
	out := make([]coursePlan, n)
	for i := range out {
		out[i] = all[i%len(all)]
	}
	return out
}

// langSets: which languages a course's texts are published in.
type langSet int

const (
	setBothHomeTaught langSet = iota
	setBothEnglishTaught
	setEnglishOnly
	setHomeOnly
)

func (g *instGen) langSet(virtual bool) langSet {
	x := g.r.Float64()
	switch {
	case virtual && x < 0.7:
		return setEnglishOnly
	case virtual:
		return setBothEnglishTaught
	case x < 0.55:
		return setBothHomeTaught
	case x < 0.75:
		return setBothEnglishTaught
	case x < 0.88:
		return setEnglishOnly
	}
	return setHomeOnly
}

// langs returns the text languages of set, in publication order, and the
// teaching language.
func (g *instGen) langs(set langSet) (texts []langID, teaching langID) {
	switch set {
	case setEnglishOnly:
		return []langID{langEN}, langEN
	case setHomeOnly:
		return []langID{g.home}, g.home
	case setBothEnglishTaught:
		return g.bothLangs(), langEN
	}
	return g.bothLangs(), g.home
}

// teachingCode returns the ISO 639-2 code the institution publishes for l.
func (g *instGen) teachingCode(l langID) string {
	if g.bCodes {
		return languages[l].iso2B
	}
	return languages[l].iso2T
}

func (g *instGen) level(p pattern) string {
	var master, doctoral float64
	switch p {
	case patAdvanced, patTopics:
		master, doctoral = 0.72, 0.06
	case patSeminar, patProject, patPartII:
		master, doctoral = 0.4, 0.03
	default:
		master = 0.08
	}
	if g.tpl.kind == kindApplied {
		doctoral = 0
	}
	x := g.r.Float64()
	switch {
	case x < doctoral:
		return levelDoctoral
	case x < doctoral+master:
		return levelMaster
	case g.associate && x > 0.88:
		return levelAssociate
	}
	return levelBachelor
}

var modeChoices = []struct {
	weight int
	modes  []string
}{
	{55, []string{"on campus"}},
	{12, []string{"on campus", "online"}},
	{12, []string{"hybrid"}},
	{8, []string{"online"}},
	{5, []string{"distance-learning"}},
	{4, []string{"situated"}},
	{4, []string{"on campus", "hybrid"}},
}

func (g *instGen) modes(virtual bool) []string {
	if virtual {
		return slices.Clone(pick(g.r, [][]string{{"online"}, {"online"}, {"online"}, {"hybrid"}, {"distance-learning"}}))
	}
	x := g.r.IntN(100)
	for _, c := range modeChoices {
		if x < c.weight {
			return slices.Clone(c.modes)
		}
		x -= c.weight
	}
	return []string{"on campus"}
}

// description renders a course description in language l.
func (g *instGen) description(l langID, f form, intro, level, assessment int) string {
	first := fill(descIntros[l][intro], l, f) + " " + descLevels[l][level]
	last := descAssessments[l][assessment]
	if g.html {
		return "<p>" + first + "</p><p>" + last + "</p>"
	}
	return first + " " + last
}

// outcomeTexts renders the outcomes with the given indices in langs.
func (g *instGen) outcomeTexts(langs []langID, s *subject, idx []int) []Text {
	out := make([]Text, len(idx))
	for i, o := range idx {
		out[i] = g.text(langs, func(l langID) string { return fill(outcomes[l][o], l, s.f[l]) })
	}
	return out
}

// someOf returns between lo and hi distinct indices below n, ascending.
func (g *instGen) someOf(n, lo, hi int) []int {
	idx := g.r.Perm(n)[:between(g.r, lo, hi)]
	slices.Sort(idx)
	return idx
}

// levelDigit is the first digit of a course number.
func (g *instGen) levelDigit(level string) int {
	switch level {
	case levelAssociate:
		return 0
	case levelMaster:
		return 4 + g.r.IntN(2)
	case levelDoctoral:
		return 8
	}
	return 1 + g.r.IntN(3)
}

// course generates the k-th course of the institution.
func (g *instGen) course(k int, plan coursePlan, virtual bool) Course {
	in, s := g.inst, plan.s
	level := g.level(plan.p)
	code := fmt.Sprintf("%s%d%03d", s.code, g.levelDigit(level), k+1)
	if in.Index%2 == 1 {
		code = fmt.Sprintf("%s-%s", s.code, code[len(s.code):])
	}
	textLangs, teaching := g.langs(g.langSet(virtual))
	intro, assessment := g.r.IntN(3), g.r.IntN(3)
	c := Course{
		ID:   stableUUID(g.o.Seed, in.SCHAC, "course", code),
		Code: code,
		Name: g.text(textLangs, func(l langID) string { return fill(titlePatterns[l][plan.p], l, s.f[l]) }),
		Description: g.text(textLangs, func(l langID) string {
			return g.description(l, s.f[l], intro, levelIndex[level], assessment)
		}),
		LearningOutcomes: g.outcomeTexts(textLangs, s, g.someOf(numOutcomes, 3, 6)),
		TeachingLanguage: g.teachingCode(teaching),
		Language:         languages[teaching].iso2T,
		Level:            level,
		EQF:              eqfOfLevel[level],
		ECTS:             pick(g.r, ectsByCountry[in.Country.Alpha2]),
		ISCED:            s.isced,
		Modes:            g.modes(virtual),
		Organization:     g.facultyID(facultyOf(s.broad())),
	}
	if level == levelDoctoral {
		c.ECTS = pick(g.r, []float64{2.5, 3, 5})
	}
	path := languages[g.home].path
	if len(textLangs) == 1 && textLangs[0] == langEN {
		path = "en/" + languages[langEN].path
	}
	c.Link = g.webBase + "/" + path + "/" + strings.ToLower(code)
	if virtual || (in.Alliance != "" && chance(g.r, 0.12)) {
		c.Alliance = in.Alliance
	}
	c.FirstStartDate = time.Date(g.ay-g.r.IntN(8), time.September, 1, 0, 0, 0, 0, time.UTC)
	c.ValidFrom = c.FirstStartDate
	if g.sloppy && chance(g.r, 0.3) {
		c.Quirks = append(c.Quirks, QuirkEmptyDates)
		c.FirstStartDate, c.ValidFrom = time.Time{}, time.Time{}
	}
	if g.sloppy && chance(g.r, 0.25) {
		c.Quirks = append(c.Quirks, QuirkEmptyLearningOutcomes)
		c.LearningOutcomes = nil
	}
	c.Offerings = g.courseOfferings(&c)
	return c
}

// courseOfferings generates 1–3 offerings in the previous, current and next
// academic year, all in the same term.
func (g *instGen) courseOfferings(c *Course) []Offering {
	spring := chance(g.r, 0.5)
	var years []int
	switch between(g.r, 1, 3) {
	case 1:
		years = []int{g.ay}
	case 2:
		years = []int{g.ay, g.ay + 1}
		if chance(g.r, 0.5) {
			years = []int{g.ay - 1, g.ay}
		}
	default:
		years = []int{g.ay - 1, g.ay, g.ay + 1}
	}
	out := make([]Offering, 0, len(years))
	for _, ay := range years {
		start := time.Date(ay, time.September, 1+g.r.IntN(15), 0, 0, 0, 0, time.UTC)
		length, suffix := 140, "A"
		if spring {
			start = time.Date(ay+1, time.February, 1+g.r.IntN(15), 0, 0, 0, 0, time.UTC)
			length, suffix = 133, "S"
		}
		code := fmt.Sprintf("%s-%02d%s", c.Code, ay%100, suffix)
		o := Offering{
			ID:   stableUUID(g.o.Seed, g.inst.SCHAC, "offering", code),
			Code: code,
			Type: "course",
			Name: renameText(c.Name, func(l langID, v string) string {
				return v + " (" + termName(l, ay, spring) + ")"
			}),
			Description:      c.Description,
			TeachingLanguage: c.TeachingLanguage,
			Modes:            c.Modes,
			ResultExpected:   !chance(g.r, 0.05),
			Start:            start,
			End:              start.AddDate(0, 0, length),
			EnrollStart:      start.AddDate(0, 0, -120),
			EnrollEnd:        start.AddDate(0, 0, -14),
			Link:             c.Link + "/" + strconv.Itoa(ay),
		}
		g.fillNumbers(&o, 20+10*g.r.IntN(29), between(g.r, 5, 15))
		if c.Alliance != "" {
			o.EnrollmentURL = "https://apply." + g.inst.SCHAC + "/" + c.Alliance + "/" + strings.ToLower(code)
		}
		out = append(out, o)
	}
	return out
}

// fillNumbers sets capacity and enrolment, plausible for the offering's
// dates relative to Options.Now.
func (g *instGen) fillNumbers(o *Offering, maxStudents, minStudents int) {
	o.MaxStudents, o.MinStudents = maxStudents, minStudents
	now := g.o.Now
	switch {
	case o.End.Before(now):
		o.EnrolledStudents = maxStudents * between(g.r, 60, 100) / 100
	case !o.Start.After(now):
		o.EnrolledStudents = maxStudents * between(g.r, 50, 100) / 100
	case o.EnrollStart.Before(now):
		o.EnrolledStudents = maxStudents * between(g.r, 0, 60) / 100
	}
}

// renameText maps each value of t, keeping its language tag.
func renameText(t Text, f func(l langID, v string) string) Text {
	out := make(Text, len(t))
	for i, s := range t {
		out[i] = LangString{s.Language, f(langOfTag(s.Language), s.Value)}
	}
	return out
}

func langOfTag(tag string) langID {
	p := primarySubtag(tag)
	for l, x := range languages {
		if x.iso1 == p {
			return langID(l)
		}
	}
	return langEN
}

// notProgrammes are subjects (by code) that make courses, not degrees.
var notProgrammes = map[string]bool{"ANA": true, "BDA": true, "HAN": true, "LAL": true, "VET": true}

// programs generates 3–8 programmes around the first chosen subjects and
// links them with the courses of the same field and level.
func (g *instGen) programs(chosen []*subject, courses []Course) []Program {
	var candidates []*subject
	for _, s := range chosen {
		if !notProgrammes[s.code] {
			candidates = append(candidates, s)
		}
	}
	n := min(between(g.r, 3, 8), len(candidates))
	out := make([]Program, 0, n)
	for _, s := range candidates[:n] {
		p := g.program(s)
		levelFits := func(c *Course) bool {
			return c.Level == p.Level || p.Level == levelBachelor && c.Level == levelAssociate
		}
		// The courses of the field at the programme's level; failing that,
		// of the faculty; failing that, of the field at any level.
		for _, fits := range []func(c *Course) bool{
			func(c *Course) bool { return c.BroadField() == s.broad() && levelFits(c) },
			func(c *Course) bool { return facultyOf(c.BroadField()) == facultyOf(s.broad()) && levelFits(c) },
			func(c *Course) bool { return c.BroadField() == s.broad() },
			levelFits,
		} {
			for k := range courses {
				if c := &courses[k]; fits(c) && len(p.Courses) < 24 && !slices.Contains(c.Programs, p.ID) {
					p.Courses = append(p.Courses, c.ID)
					c.Programs = append(c.Programs, p.ID)
				}
			}
			if len(p.Courses) >= 3 {
				break
			}
		}
		out = append(out, p)
	}
	return out
}

func (g *instGen) program(s *subject) Program {
	in := g.inst
	master := !chance(g.r, 0.55)
	lvl, prefix, ects := 0, "B", 180.0
	if in.Country.Alpha2 == "ES" {
		ects = 240
	}
	if master {
		lvl, prefix, ects = 1, "M", 120
		if in.Country.Alpha2 == "NL" || in.Country.Alpha2 == "BE" || chance(g.r, 0.2) {
			ects = 60 + 30*float64(g.r.IntN(2))
		}
	}
	textLangs := g.bothLangs()
	switch x := g.r.Float64(); {
	case x < 0.1:
		textLangs = []langID{g.home}
	case x < 0.2:
		textLangs = []langID{langEN}
	}
	teaching := g.home
	if master && chance(g.r, 0.55) || !master && chance(g.r, 0.15) || len(textLangs) == 1 && textLangs[0] == langEN {
		teaching = langEN
	}
	code := prefix + "-" + s.code
	p := Program{
		ID:               stableUUID(g.o.Seed, in.SCHAC, "program", code),
		Code:             code,
		Type:             "program",
		Name:             g.text(textLangs, func(l langID) string { return fill(programNames[l][lvl], l, s.f[l]) }),
		Description:      g.text(textLangs, func(l langID) string { return fill(programDescs[l][lvl], l, s.f[l]) }),
		LearningOutcomes: g.outcomeTexts(textLangs, s, g.someOf(5, 2, 4)),
		TeachingLanguage: g.teachingCode(teaching),
		Language:         languages[teaching].iso2T,
		Level:            []string{levelBachelor, levelMaster}[lvl],
		EQF:              6 + lvl,
		ECTS:             ects,
		ISCED:            s.isced,
		ModeOfStudy:      "full-time",
		Link:             g.webBase + "/programmes/" + strings.ToLower(code),
		Organization:     g.facultyID(facultyOf(s.broad())),
	}
	p.QualificationAwarded = qualification(s, master)
	if chance(g.r, 0.2) {
		p.ModeOfStudy = "part-time"
	}
	years := int(ects) / 60
	for _, ay := range []int{g.ay, g.ay + 1} {
		start := time.Date(ay, time.September, 1+g.r.IntN(7), 0, 0, 0, 0, time.UTC)
		code := fmt.Sprintf("%s-%d", p.Code, ay)
		o := Offering{
			ID:               stableUUID(g.o.Seed, in.SCHAC, "offering", code),
			Code:             code,
			Type:             "program",
			Name:             renameText(p.Name, func(_ langID, v string) string { return v + " " + academicYear(ay) }),
			Description:      p.Description,
			TeachingLanguage: p.TeachingLanguage,
			Modes:            []string{"on campus"},
			ResultExpected:   true,
			Start:            start,
			End:              start.AddDate(years, 0, -14),
			EnrollStart:      start.AddDate(0, -8, 0),
			EnrollEnd:        start.AddDate(0, -2, 0),
			Link:             p.Link + "/" + strconv.Itoa(ay),
		}
		g.fillNumbers(&o, 30+10*g.r.IntN(18), 10)
		p.Offerings = append(p.Offerings, o)
	}
	return p
}

// qualification returns the degree a programme in s awards.
func qualification(s *subject, master bool) string {
	q := [2]string{"BA", "MA"}
	switch {
	case s.isced == "0421":
		q = [2]string{"LLB", "LLM"}
	case s.isced == "0923": // social work
	case strings.Contains("05 06 07 08 09", s.broad()):
		q = [2]string{"BSc", "MSc"}
	}
	if master {
		return q[1]
	}
	return q[0]
}
