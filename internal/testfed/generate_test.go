package testfed

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestGenerateIsDeterministic(t *testing.T) {
	// reflect.DeepEqual first: cmp.Diff is slow on this much data.
	a, b := Generate(testOpts), Generate(testOpts)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same options, different data (-first +second):\n%s", cmp.Diff(a, b))
	}
	other := Generate(Options{Now: testNow, Seed: 2})
	if reflect.DeepEqual(a[0].Courses(), other[0].Courses()) {
		t.Error("seeds 1 and 2 gave the same courses")
	}
	// Institutions are independent of how many there are.
	more := Generate(Options{Now: testNow, Institutions: 30})
	if !reflect.DeepEqual(a[:25], more[:25]) {
		t.Errorf("the first 25 of 30 institutions differ from 25 alone:\n%s", cmp.Diff(a[:25], more[:25]))
	}
}

func TestGenerateDefaults(t *testing.T) {
	insts := Generate(Options{})
	if len(insts) != 25 {
		t.Fatalf("got %d institutions, want 25", len(insts))
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	if lm := insts[0].Sources[0].LastModified; lm.After(today) || lm.Before(today.AddDate(0, 0, -8)) {
		t.Errorf("last modified %v is not in the week before today", lm)
	}
	if got := len(Generate(Options{Institutions: 3, Misbehaving: true})); got != 5 {
		t.Errorf("3 institutions with misbehaving ones: got %d, want 5", got)
	}
}

func TestGenerateDistribution(t *testing.T) {
	insts := Generate(testOpts)
	var (
		total, first20, dataTitles int
		countries                  = map[string]bool{}
		nameLangs                  = map[string]int{}
		teaching                   = map[string]int{}
		broad                      = map[string]bool{}
		levels                     = map[string]int{}
		modes                      = map[string]bool{}
		quirks                     = map[Quirk]int{}
		englishOnly, homeOnly      int
		ids                        = map[string]bool{}
	)
	iscedCode := regexp.MustCompile(`^(0[0-9]|10)[0-9]{2}$`)
	for _, in := range insts {
		courses := in.Courses()
		if in.Misbehavior != "" {
			if len(courses) != 0 {
				t.Errorf("%s misbehaves but has %d courses", in.SCHAC, len(courses))
			}
			continue
		}
		countries[in.Country.Alpha2] = true
		if n := len(courses); n < 40 || n > 90 {
			t.Errorf("%s has %d courses, want 40–90", in.SCHAC, n)
		}
		if n := len(in.Sources[0].Programs); n < 3 || n > 8 {
			t.Errorf("%s has %d programmes, want 3–8", in.SCHAC, n)
		}
		total += len(courses)
		if in.Index < 20 {
			first20 += len(courses)
		}
		codes := map[string]bool{}
		for _, c := range courses {
			if ids[c.ID] || codes[c.Code] {
				t.Errorf("%s: duplicate course %s %s", in.SCHAC, c.ID, c.Code)
			}
			ids[c.ID], codes[c.Code] = true, true
			for _, l := range c.Name.Languages() {
				nameLangs[l]++
			}
			switch langs := c.Name.Languages(); {
			case len(langs) == 1 && langs[0] == "en":
				englishOnly++
			case len(langs) == 1:
				homeOnly++
			}
			if len(c.Name) != len(c.Description) {
				t.Errorf("%s: name in %v, description in %v", c.Code, c.Name.Languages(), c.Description.Languages())
			}
			if strings.Contains(c.Name.In("en"), "Data") {
				dataTitles++
			}
			teaching[c.TeachingLanguage]++
			if !iscedCode.MatchString(c.ISCED) {
				t.Errorf("%s: ISCED-F code %q", c.Code, c.ISCED)
			}
			broad[c.BroadField()] = true
			levels[c.Level]++
			if c.EQF != eqfOfLevel[c.Level] {
				t.Errorf("%s: EQF %d for %s", c.Code, c.EQF, c.Level)
			}
			for _, m := range c.Modes {
				modes[m] = true
			}
			if c.ECTS < 2.5 || c.ECTS > 15 {
				t.Errorf("%s: %v ECTS", c.Code, c.ECTS)
			}
			for _, q := range c.Quirks {
				quirks[q]++
			}
			if n := len(c.LearningOutcomes); !c.HasQuirk(QuirkEmptyLearningOutcomes) && (n < 3 || n > 6) {
				t.Errorf("%s: %d learning outcomes", c.Code, n)
			}
			checkOfferings(t, c)
		}
		for _, p := range in.Sources[0].Programs {
			if p.ECTS < 60 || p.ECTS > 240 || len(p.Courses) == 0 || len(p.Offerings) == 0 {
				t.Errorf("%s %s: %v ECTS, %d courses, %d offerings", in.SCHAC, p.Code, p.ECTS, len(p.Courses), len(p.Offerings))
			}
		}
	}
	mean := float64(total) / 25
	t.Logf("%d courses (first 20 institutions: %d, mean %.1f); name languages %v; teaching %v; levels %v; quirks %v; %d English-only, %d home-only, %d with Data in the title",
		total, first20, mean, nameLangs, teaching, levels, quirks, englishOnly, homeOnly, dataTitles)
	if first20 <= 1000 || mean < 55 {
		t.Errorf("too few courses: %d in the first 20 institutions, mean %.1f", first20, mean)
	}
	if len(countries) < 12 {
		t.Errorf("%d countries, want 12", len(countries))
	}
	for _, l := range languages {
		if nameLangs[l.iso1] == 0 {
			t.Errorf("no course name in %s", l.iso1)
		}
	}
	for _, code := range []string{"eng", "deu", "ger", "nld", "dut", "fra", "fre", "ces", "cze", "spa", "ita", "pol", "por", "swe", "fin"} {
		if teaching[code] == 0 {
			t.Errorf("no course taught in %q", code)
		}
	}
	if len(broad) < 10 {
		t.Errorf("only %d ISCED-F broad fields", len(broad))
	}
	for _, l := range []string{levelBachelor, levelMaster, levelDoctoral, levelAssociate} {
		if levels[l] == 0 {
			t.Errorf("no %s course", l)
		}
	}
	for _, m := range []string{"on campus", "online", "hybrid", "distance-learning", "situated"} {
		if !modes[m] {
			t.Errorf("no %s course", m)
		}
	}
	if quirks[QuirkEmptyDates] == 0 || quirks[QuirkEmptyLearningOutcomes] == 0 {
		t.Errorf("quirks: %v", quirks)
	}
	if englishOnly == 0 || homeOnly == 0 || dataTitles < 10 {
		t.Errorf("%d English-only, %d home-only, %d Data titles", englishOnly, homeOnly, dataTitles)
	}
}

// checkOfferings checks a course's offerings against the reference date.
func checkOfferings(t *testing.T, c Course) {
	t.Helper()
	if n := len(c.Offerings); n < 1 || n > 3 {
		t.Errorf("%s: %d offerings", c.Code, n)
	}
	ay := academicYearOf(testNow)
	for i, o := range c.Offerings {
		if o.Start.Before(time.Date(ay-1, time.September, 1, 0, 0, 0, 0, time.UTC)) || !o.Start.Before(time.Date(ay+2, time.September, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: offering starts %v, outside the previous, current and next academic years", o.Code, o.Start)
		}
		if !o.EnrollStart.Before(o.EnrollEnd) || !o.EnrollEnd.Before(o.Start) || !o.Start.Before(o.End) {
			t.Errorf("%s: dates out of order", o.Code)
		}
		if o.EnrolledStudents > o.MaxStudents || o.MinStudents > o.MaxStudents {
			t.Errorf("%s: %d enrolled, min %d, max %d", o.Code, o.EnrolledStudents, o.MinStudents, o.MaxStudents)
		}
		if i > 0 && o.Start.Before(c.Offerings[i-1].Start) {
			t.Errorf("%s: offerings not in chronological order", c.Code)
		}
		if (o.EnrollmentURL != "") != (c.Alliance != "") {
			t.Errorf("%s: enrolment URL %q for alliance %q", o.Code, o.EnrollmentURL, c.Alliance)
		}
	}
}

func TestGenerateCoversDiscoveryVariants(t *testing.T) {
	insts := Generate(Options{Now: testNow, Institutions: 12, Misbehaving: true})
	variants, candidates := map[Variant]int{}, map[Candidate]bool{}
	for _, in := range insts {
		variants[in.Discovery.Variant]++
		candidates[in.Discovery.Candidate] = true
	}
	for _, v := range []Variant{
		VariantTXTSCHAC, VariantTXTSplit, VariantTXTWebsite, VariantWellKnown, VariantWellKnownJSON,
		VariantWellKnownYAML, VariantWellKnownYAMLText, VariantNoSCHACWebsite, VariantNoSCHACNoWWW,
		VariantNoSCHACRegistrable, VariantNoManifest, VariantMalformedManifest,
	} {
		if variants[v] == 0 {
			t.Errorf("no institution with variant %s", v)
		}
	}
	for _, c := range []Candidate{CandidateSCHAC, CandidateWebsite, CandidateWebsiteNoWWW, CandidateRegistrableDomain} {
		if !candidates[c] {
			t.Errorf("no institution found on candidate %s", c)
		}
	}
	two := 0
	for _, in := range insts {
		if len(in.Sources) == 2 {
			two++
			if in.Sources[1].Alliance == "" || in.Sources[0].ID == in.Sources[1].ID {
				t.Errorf("%s: second source %+v", in.SCHAC, in.Sources[1].ID)
			}
		}
	}
	if two == 0 {
		t.Error("no institution with two sources")
	}
}

func TestPhrases(t *testing.T) {
	tests := []struct {
		l    langID
		tpl  string
		f    form
		want string
	}{
		{langFR, "Introduction {aX}", form{"droit", "le droit"}, "Introduction au droit"},
		{langFR, "Fondements {dX}", form{"bases", "les bases"}, "Fondements des bases"},
		{langFR, "Introduction {aX}", form{"économie", "l'économie"}, "Introduction à l'économie"},
		{langES, "Introducción {aX}", form{"álgebra lineal", "el álgebra lineal"}, "Introducción al álgebra lineal"},
		{langIT, "Introduzione {aX}", form{"statistica", "la statistica"}, "Introduzione alla statistica"},
		{langIT, "{dX}", form{"sistemi", "i sistemi"}, "dei sistemi"},
		{langPT, "Introdução {aX}", form{"estatística", "a estatística"}, "Introdução à estatística"},
		{langFI, "{Xc} perusteet", form{"tilastotiede", "tilastotieteen"}, "Tilastotieteen perusteet"},
		{langFR, "{Nc} 1", form{"économie", "l'économie"}, "Économie 1"},
	}
	for _, tt := range tests {
		if got := fill(tt.tpl, tt.l, tt.f); got != tt.want {
			t.Errorf("fill(%q, %+v) = %q, want %q", tt.tpl, tt.f, got, tt.want)
		}
	}
	if got := academicYear(2099); got != "2099/00" {
		t.Errorf("academicYear(2099) = %q", got)
	}
	// Every template of every language is filled without placeholders left.
	for _, s := range subjects {
		for l := range numLangs {
			for _, tpl := range titlePatterns[l] {
				if got := fill(tpl, l, s.f[l]); strings.Contains(got, "{") || strings.Contains(got, "  ") || strings.TrimSpace(got) != got {
					t.Errorf("%s %s: %q", languages[l].iso1, s.code, got)
				}
			}
			if s.f[l].n == "" || l != langNL && l != langSV && s.f[l].x == "" {
				t.Errorf("%s %s: missing form %+v", languages[l].iso1, s.code, s.f[l])
			}
		}
	}
}

func TestCoursesPerInstitution(t *testing.T) {
	base := Options{Institutions: 3, Now: testNow}
	big := base
	big.CoursesPerInstitution = 250
	for _, in := range Generate(big) {
		courses := in.Courses()
		ids := map[string]bool{}
		for _, c := range courses {
			ids[c.ID] = true
		}
		if len(courses) != 250 || len(ids) != 250 {
			t.Errorf("%s: %d courses, %d distinct ids; want 250", in.SCHAC, len(courses), len(ids))
		}
	}
	small := base
	small.CoursesPerInstitution = 5
	if got := len(Generate(small)[0].Courses()); got != 5 {
		t.Errorf("%d courses, want 5", got)
	}
	if !reflect.DeepEqual(Generate(big), Generate(big)) {
		t.Error("the same options gave different data")
	}
}
