package testfed

import (
	"net/url"
	"slices"
	"strings"
)

// Which institution publishes in which format, and what each format can
// say: the ground truth is trimmed to what is published, so tests compute
// their expectations from it without knowing the formats' limits.

// format returns the format of the institution's k-th source (0 the main
// catalogue, 1 the alliance virtual campus).
func (g *instGen) format(k int) string {
	if g.hostile != nil {
		return g.hostile.Format
	}
	fs, i := g.o.Formats, g.inst.Index
	return fs[(i+i/len(fs)+k)%len(fs)]
}

// publishAs makes src a source of format f: its type, version, path and
// page size as the manifest lists them. trim makes its truth match.
func (g *instGen) publishAs(src *Source, f string) {
	u, err := url.Parse(src.Path)
	if err != nil {
		panic("testfed: " + err.Error())
	}
	site := u.Scheme + "://" + u.Host
	switch f {
	case FormatEduAPI:
		src.Type, src.Version, src.Path = FormatEduAPI, "1.0", site+eduAPIRoot
		src.Extensions = g.inst.Index%2 == 0
	case FormatOCCAPI:
		src.Type, src.Version, src.Path, src.PageSize = FormatOCCAPI, "2", site+occapiRoot+"hei/"+g.inst.SCHAC, 0
	case FormatELM:
		src.Type, src.Version, src.PageSize = FormatELM, "3.3", 0
		if ELMOldNamespace(g.inst) {
			src.Version = "3.2"
		}
		src.Path = site + elmRoot + src.ID + elmExtensions[ELMSyntax(g.inst)]
	}
	if g.hostile != nil {
		g.hostileSource(src)
	}
}

// trim cuts the truth of src's courses and programmes to what its format
// publishes (OOAPI publishes everything), and marks the records a hostile
// server breaks.
func (g *instGen) trim(src *Source) {
	switch src.Type {
	case FormatEduAPI:
		g.asEduAPI(src)
	case FormatOCCAPI:
		g.asOCCAPI(src)
	}
	if g.hostile != nil {
		g.markHostile(src)
	}
}

// dropQuirks removes quirks of OOAPI's rendering from a source in another
// format (the values they blanked stay blank).
func dropQuirks(c *Course, qs ...Quirk) {
	c.Quirks = slices.DeleteFunc(c.Quirks, func(q Quirk) bool { return slices.Contains(qs, q) })
	if len(c.Quirks) == 0 {
		c.Quirks = nil
	}
}

// eduModes maps OOAPI modes to the Edu-API offeringFormat that publishes
// them, named as the OOAPI mode the adapter's mapping gives back.
var eduModes = map[string]string{"on campus": "on campus", "situated": "on campus", "online": "online",
	"distance-learning": "online", "hybrid": "blended", "blended": "blended"}

func (g *instGen) asEduAPI(src *Source) {
	for k := range src.Courses {
		c := &src.Courses[k]
		dropQuirks(c, QuirkEmptyDates, QuirkEmptyLearningOutcomes)
		if !src.Extensions {
			c.ISCED, c.LearningOutcomes = "", nil
		}
		if c.Level == levelAssociate {
			c.EQF = 0 // published as ext:associateDegree
		}
		c.Modes = nil
		for j := range c.Offerings {
			o := &c.Offerings[j]
			o.Modes = []string{eduModes[o.Modes[0]]}
		}
	}
	for k := range src.Programs {
		if p := &src.Programs[k]; !src.Extensions {
			p.ISCED, p.LearningOutcomes = "", nil
		}
	}
}

func (g *instGen) asOCCAPI(src *Source) {
	for k := range src.Courses {
		c := &src.Courses[k]
		dropQuirks(c, QuirkEmptyDates, QuirkEmptyLearningOutcomes)
		c.EQF = 0
		// Sloppy institutions leave lang null on some one-language texts.
		if g.sloppy && len(c.Name) == 1 && k%5 == 0 {
			c.Quirks = append(c.Quirks, QuirkUnstatedLanguage)
			c.Name, c.Description = unstated(c.Name), unstated(c.Description)
			for j := range c.LearningOutcomes {
				c.LearningOutcomes[j] = unstated(c.LearningOutcomes[j])
			}
		}
	}
	for k := range src.Programs {
		src.Programs[k].Offerings = nil
	}
}

func unstated(t Text) Text {
	out := make(Text, len(t))
	for i, s := range t {
		out[i] = LangString{Value: s.Value}
	}
	return out
}

// hostileSource gives a hostile institution's source the page size and
// host its misbehaviour needs.
func (g *instGen) hostileSource(src *Source) {
	if src.PageSize > 0 {
		src.PageSize = 10 // several pages, for paging to go wrong on
	}
	switch g.hostile.Misbehavior {
	case DNSFailure:
		src.Path = onHost(src.Path, unresolvedPrefix)
	case DNSRebinding:
		src.Path = onHost(src.Path, rebindPrefix)
	}
}

// markHostile records in the truth which records a hostile server
// breaks.
func (g *instGen) markHostile(src *Source) {
	switch g.hostile.Misbehavior {
	case MalformedItem:
		if len(src.Courses) > 1 {
			src.Courses[1].Quirks = append(src.Courses[1].Quirks, QuirkMalformedField)
		}
	case ForeignLinks:
		for k := 0; k < len(src.Courses); k += 10 {
			src.Courses[k].Quirks = append(src.Courses[k].Quirks, QuirkForeignLink)
		}
	case CollidingIDs:
		dup := src.Courses[0]
		dup.Name = slices.Clone(dup.Name)
		for i := range dup.Name {
			dup.Name[i].Value += " (copy)"
		}
		dup.Quirks = append(slices.Clone(dup.Quirks), QuirkDuplicateID)
		src.Courses = append(src.Courses, dup)
	}
}

// Host name prefixes of the DNS misbehaviours: "gone." names resolve to
// nothing, "rebind." names change their answer after the first lookup.
const (
	unresolvedPrefix = "gone."
	rebindPrefix     = "rebind."
)

// onHost moves a URL from its host (api.<schac> or data.<schac>) to
// prefix+<schac>.
func onHost(raw, prefix string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic("testfed: " + err.Error())
	}
	host, port := u.Hostname(), u.Port()
	_, schac, _ := strings.Cut(host, ".")
	u.Host = prefix + schac
	if port != "" {
		u.Host += ":" + port
	}
	return u.String()
}

// foreignHost is the host a hostile institution's links point at: another
// institution's API.
func foreignHost(in *Institution, port int) string {
	host := "api." + institutionTemplates[0].slug + ".test"
	if "api."+in.SCHAC == host {
		host = "api." + institutionTemplates[1].slug + ".test"
	}
	return strings.TrimPrefix(origin(host, port), "http://")
}
