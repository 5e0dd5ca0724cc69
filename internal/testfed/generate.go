package testfed

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
)

// Generate builds the federation's data without starting anything. It is a
// pure function of opts (Logger aside). URLs in the result carry no port, as
// if everything were served on port 80; [Federation.Institutions] returns
// the same data with the URLs actually served.
func Generate(opts Options) []Institution {
	return generate(opts.withDefaults(), 0)
}

// generate builds the institutions in full, with URLs on port (0: no port
// in URLs). Institutions are independent of each other, so they are made
// in parallel.
func generate(o Options, port int) []Institution {
	if err := o.validate(); err != nil {
		panic(err.Error())
	}
	out := make([]Institution, o.total())
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() { out[i] = newInstitution(o, i, port) })
	}
	wg.Wait()
	return out
}

// newInstitution generates institution i in full: its skeleton, then its
// courses, programmes and offerings. It depends on the options and i
// alone, never on the other institutions.
func newInstitution(o Options, i, port int) Institution {
	g := newInstGen(o, i, port)
	if g.r != nil {
		g.fill()
	}
	return *g.inst
}

// newSkeleton generates what discovery and the registry need of
// institution i (identity, domains, alliance, manifest sources), without
// organisations, courses or programmes: what a running federation keeps
// of every institution. newInstitution fills it with the same data as if
// it had been generated in one go.
func newSkeleton(o Options, i, port int) Institution {
	return *newInstGen(o, i, port).inst
}

// origin returns "http://host" or "http://host:port".
func origin(host string, port int) string {
	if port == 0 {
		return "http://" + host
	}
	return "http://" + host + ":" + strconv.Itoa(port)
}

// instGen holds the state of generating one institution.
type instGen struct {
	o    Options
	r    *rand.Rand
	tpl  instTemplate
	inst *Institution
	home langID
	// homeTag and enTag are the BCP 47 tags the institution publishes.
	homeTag, enTag string
	englishFirst   bool // English before the home language in texts
	bCodes         bool // teachingLanguage uses ISO 639-2/B codes
	html           bool // descriptions are HTML paragraphs
	sloppy         bool // some courses carry quirks
	associate      bool // offers associate degree courses
	ay             int  // first year of the current academic year
	webBase        string
	// hostile is set for an institution whose data server misbehaves.
	hostile *Hostile
}

// newInstGen makes institution i's skeleton and the state to fill it.
// Institutions that publish no manifest get no random source (g.r nil):
// there is nothing to fill.
func newInstGen(o Options, i, port int) *instGen {
	mb, hostile := o.misbehaviorOf(i)
	tpl := institutionTemplates[i%len(institutionTemplates)]
	// The second row of templates publishes ISO 639-2/B codes (ger, fre,
	// dut, cze) where a language has one.
	bCodes := i%len(institutionTemplates)/12 == 1
	if cycle := i / len(institutionTemplates); cycle > 0 {
		suffix := strconv.Itoa(cycle + 1)
		tpl.slug += "-" + suffix
		tpl.name += " – Campus " + suffix
		tpl.english += " – Campus " + suffix
		tpl.acronym += suffix
	}
	id := 9001 + i
	in := &Institution{
		Index:        i,
		SCHAC:        tpl.slug + ".test",
		Name:         tpl.name,
		NameEnglish:  tpl.english,
		Acronym:      tpl.acronym,
		Country:      countries[tpl.country],
		City:         tpl.city,
		HomeLanguage: languages[tpl.lang].iso1,
		RegistryID:   id,
		DEQARID:      fmt.Sprintf("DEQARINST%04d", id),
		ETERID:       fmt.Sprintf("%s%04d", tpl.country, id),
		Misbehavior:  mb,
	}
	if p, ok := ProfileOf(mb); ok && hostile != nil {
		in.Expect = &p.Expect
	}
	pub := publicationFor(i, mb)
	host := websiteHost(pub.v, in.SCHAC)
	in.Website = "https://" + host + "/"
	in.RegistrySCHAC = pub.v != VariantNoSCHACWebsite && pub.v != VariantNoSCHACNoWWW && pub.v != VariantNoSCHACRegistrable
	in.Discovery = pub.discovery(in.SCHAC, host, port)
	if mb == NoManifest || mb == MalformedManifest {
		return &instGen{o: o, inst: in}
	}
	if i%4 != 3 {
		in.Alliance = alliances[i%len(alliances)].code
	}
	g := &instGen{
		o:            o,
		r:            newRand(o.Seed, i),
		tpl:          tpl,
		inst:         in,
		home:         tpl.lang,
		englishFirst: i%5 == 3,
		bCodes:       bCodes,
		html:         i%4 == 2,
		sloppy:       i%6 == 4,
		associate:    tpl.kind == kindApplied && (tpl.country == "NL" || tpl.country == "BE"),
		ay:           academicYearOf(o.Now),
		webBase:      "https://" + host,
		hostile:      hostile,
	}
	g.homeTag, g.enTag = languages[tpl.lang].iso1+"-"+tpl.region, "en-GB"
	switch i % 3 {
	case 1:
		g.homeTag, g.enTag = languages[tpl.lang].iso1, "en"
	case 2:
		g.enTag = "en"
	}
	g.sources(port)
	return g
}

// academicYearOf returns the first calendar year of the academic year
// (starting 1 September) that contains t.
func academicYearOf(t time.Time) int {
	if t.Month() >= time.September {
		return t.Year()
	}
	return t.Year() - 1
}

// sources makes the institution's sources as its manifest lists them:
// the main catalogue, and for some alliance members a virtual-campus
// catalogue, each in its format. Their courses come with fill.
func (g *instGen) sources(port int) {
	in := g.inst
	base := in.SCHAC[:len(in.SCHAC)-len(".test")]
	in.Sources = append(in.Sources, Source{
		ID:           base + "-catalogue",
		Name:         in.NameEnglish + " course catalogue",
		Type:         "ooapi",
		Version:      "5",
		Path:         origin("api."+in.SCHAC, port) + "/ooapi/v5/",
		PageSize:     []int{50, 100, 250}[in.Index%3],
		Refresh:      24,
		LastModified: g.o.Now.Add(-time.Duration(1+in.Index%7)*24*time.Hour + 3*time.Hour + time.Duration(in.Index%60)*time.Minute),
	})
	if in.Alliance != "" && in.Index%5 == 1 {
		in.Sources = append(in.Sources, Source{
			ID:           base + "-" + in.Alliance + "-virtual",
			Name:         "Courses offered on the " + allianceName(in.Alliance) + " virtual campus",
			Type:         "ooapi",
			Version:      "5",
			Path:         origin("data."+in.SCHAC, port) + "/ooapi/v5/",
			PageSize:     []int{100, 250, 50}[in.Index%3],
			Refresh:      24,
			Alliance:     in.Alliance,
			LastModified: g.o.Now.Add(-2*24*time.Hour + 5*time.Hour),
		})
	}
	for k := range in.Sources {
		g.publishAs(&in.Sources[k], g.format(k))
	}
}

// fill generates the organisations, courses, programmes and offerings of
// the skeleton's sources, trimmed to what each source's format publishes.
// The random draws come in a fixed order: subjects, course plans, the
// virtual campus's share, its courses, the main catalogue's, programmes.
func (g *instGen) fill() {
	in := g.inst
	g.organizations()
	chosen := g.chooseSubjects()
	plans := g.coursePlans(chosen)
	if len(in.Sources) > 1 {
		virtual := &in.Sources[1]
		n := min(between(g.r, 8, 14), len(plans)/2) // a small CoursesPerInstitution keeps courses in the main source
		for k := len(plans) - n; k < len(plans); k++ {
			virtual.Courses = append(virtual.Courses, g.course(k, plans[k], true))
		}
		plans = plans[:len(plans)-n]
	}
	main := &in.Sources[0]
	for k, p := range plans {
		main.Courses = append(main.Courses, g.course(k, p, false))
	}
	main.Programs = g.programs(chosen, main.Courses)
	for k := range in.Sources {
		g.trim(&in.Sources[k])
	}
}

func allianceName(code string) string {
	for _, a := range alliances {
		if a.code == code {
			return a.name
		}
	}
	return code
}

// organizations makes the root organisation and one per faculty.
func (g *instGen) organizations() {
	in := g.inst
	in.Organizations = append(in.Organizations, Organization{
		ID:   stableUUID(g.o.Seed, in.SCHAC, "organization", "root"),
		Type: "root",
		Name: g.text(g.bothLangs(), func(l langID) string {
			if l == langEN {
				return in.NameEnglish
			}
			return in.Name
		}),
		ShortName: in.Acronym,
	})
	for f := range numFaculties {
		in.Organizations = append(in.Organizations, Organization{
			ID:        g.facultyID(f),
			Type:      "faculty",
			Name:      g.text(g.bothLangs(), func(l langID) string { return facultyNames[l][f] }),
			ShortName: in.Acronym + "-" + facultyShort[f],
		})
	}
}

func (g *instGen) facultyID(f faculty) string {
	return stableUUID(g.o.Seed, g.inst.SCHAC, "organization", facultyShort[f])
}

// bothLangs returns the home language and English, in publication order.
func (g *instGen) bothLangs() []langID {
	if g.englishFirst {
		return []langID{langEN, g.home}
	}
	return []langID{g.home, langEN}
}

// text builds a Text in langs with value(l) for each language.
func (g *instGen) text(langs []langID, value func(l langID) string) Text {
	t := make(Text, len(langs))
	for i, l := range langs {
		tag := g.homeTag
		if l == langEN {
			tag = g.enTag
		}
		t[i] = LangString{Language: tag, Value: value(l)}
	}
	return t
}

// chooseSubjects picks 14–20 distinct subjects, weighted by the kind of
// institution (weighted sampling without replacement).
func (g *instGen) chooseSubjects() []*subject {
	type keyed struct {
		key float64
		s   *subject
	}
	ks := make([]keyed, len(subjects))
	for i := range subjects {
		w := subjectWeight(g.tpl.kind, subjects[i].broad())
		ks[i] = keyed{-g.r.ExpFloat64() / w, &subjects[i]}
	}
	// Largest keys first; a stable insertion sort keeps this deterministic.
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j].key > ks[j-1].key; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	n := between(g.r, 14, 20)
	out := make([]*subject, n)
	for i := range out {
		out[i] = ks[i].s
	}
	return out
}

func subjectWeight(kind instKind, broad string) float64 {
	switch kind {
	case kindTechnical:
		switch broad {
		case "05", "06", "07":
			return 4
		case "04", "10":
			return 1
		}
		return 0.25
	case kindApplied:
		switch broad {
		case "04", "06", "07", "09", "10":
			return 3
		case "02", "05":
			return 0.3
		}
	}
	return 1
}
