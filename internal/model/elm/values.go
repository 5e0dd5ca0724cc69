package elm

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/rdf"
	"qlink/internal/vocab"
)

// Field readers. Each takes the node and property, reads every object
// leniently and warns about values of the wrong shape, naming the node
// the provider published and the property path.

func (r *reader) objects(n rdf.Term, p string) []rdf.Term { return r.g.Objects(n, rdf.IRI(p)) }

// short renders a term for a warning, cut to a readable length.
func short(t rdf.Term) string {
	s := t.String()
	if t.IsLiteral() && !strings.HasPrefix(s, "\"") {
		s = strconv.Quote(t.Value)
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// text reads the language-tagged strings of (n, p).
func (r *reader) text(n rdf.Term, p string) model.Text {
	return r.textAt(n, p, n, curie(p))
}

// textAt reads the strings of (s, p), warning against node n at prop.
func (r *reader) textAt(s rdf.Term, p string, n rdf.Term, prop string) model.Text {
	t := model.Text{}
	for _, o := range r.objects(s, p) {
		r.addText(t, o, n, prop)
	}
	return t
}

// addText adds one literal to t: language-tagged and plain strings as
// they are, other literals untagged with a warning. A second value in a
// language already present is reported and dropped (uniqueLang).
func (r *reader) addText(t model.Text, o rdf.Term, n rdf.Term, prop string) {
	if !o.IsLiteral() {
		r.warn(n, prop, "%s is not a text", short(o))
		return
	}
	if o.Datatype != rdf.RDFLangStr && o.Datatype != xsdString {
		r.warn(n, prop, "%s is typed %s; read as untagged text", short(o), o.Datatype)
	}
	if strings.TrimSpace(o.Value) == "" {
		return
	}
	key := model.TextKey(o.Lang)
	if _, dup := t[key]; dup {
		r.warn(n, prop, "a second value in language %q; the first is kept", key)
		return
	}
	t.Set(o.Lang, o.Value)
}

// outcomes reads elm:learningOutcome nodes (their titles). Without any,
// an elm:learningOutcomeSummary stands in as one outcome: the model has
// one list of outcome texts.
func (r *reader) outcomes(n rdf.Term) []model.Text {
	var out []model.Text
	for i, o := range r.objects(n, pLearnOutcome) {
		prop := fmt.Sprintf("%s[%d]", curie(pLearnOutcome), i+1)
		t := model.Text{}
		if o.IsLiteral() {
			r.warn(n, prop, "a literal; expected an elm:LearningOutcome with dcterms:title")
			r.addText(t, o, n, prop)
		} else {
			t = r.textAt(o, pTitle, n, prop+"/"+curie(pTitle))
		}
		if t.IsEmpty() {
			r.warn(n, prop, "learning outcome without a title; skipped")
			continue
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		if t := r.note(n, pOutcomeSummary); !t.IsEmpty() {
			out = append(out, t)
		}
	}
	return out
}

// note reads elm:Note nodes (elm:noteLiteral); a bare literal is taken
// with a warning.
func (r *reader) note(n rdf.Term, p string) model.Text {
	t := model.Text{}
	for _, o := range r.objects(n, p) {
		if o.IsLiteral() {
			r.warn(n, curie(p), "a literal; expected an elm:Note with elm:noteLiteral")
			r.addText(t, o, n, curie(p))
			continue
		}
		for _, l := range r.objects(o, pNoteLiteral) {
			r.addText(t, l, n, curie(p)+"/"+curie(pNoteLiteral))
		}
	}
	return t
}

// nalExceptions keeps NAL languages that golang.org/x/text's CLDR aliases
// would merge into another (Serbo-Croatian into Serbian, sr-Latn).
var nalExceptions = map[string]string{"HBS": "sh"}

// langOfNAL maps a NAL language code ("ENG") to a BCP 47 primary tag.
func langOfNAL(code string) (string, bool) {
	if tag, ok := nalExceptions[strings.ToUpper(code)]; ok {
		return tag, true
	}
	norm, ok := vocab.NormalizeLang(code)
	if !ok {
		return "", false
	}
	return model.PrimaryLang(norm), true
}

// NALLanguage returns the NAL IRI for a model language tag.
func NALLanguage(tag string) string {
	for code, t := range nalExceptions {
		if t == tag {
			return vocab.LanguageBase + code
		}
	}
	return vocab.LanguageURI(tag)
}

// language maps one dcterms:language or elm:defaultLanguage value.
func (r *reader) language(n rdf.Term, prop string, o rdf.Term) (string, bool) {
	code, isIRI := strings.CutPrefix(o.Value, vocab.LanguageBase)
	switch {
	case o.IsIRI() && isIRI:
	case o.IsLiteral():
		r.warn(n, prop, "%s is a literal; expected a NAL language IRI", short(o))
	default:
		r.warn(n, prop, "%s is not a NAL language IRI", short(o))
		return "", false
	}
	tag, ok := langOfNAL(code)
	if !ok {
		r.warn(n, prop, "%s is not a language", short(o))
	}
	return tag, ok
}

func (r *reader) languages(n rdf.Term, p string) []string {
	var out []string
	for _, o := range r.objects(n, p) {
		if tag, ok := r.language(n, curie(p), o); ok && !slices.Contains(out, tag) {
			out = append(out, tag)
		}
	}
	return out
}

func (r *reader) defaultLanguage(n rdf.Term) string {
	langs := r.languages(n, pDefaultLang)
	if len(langs) > 1 {
		r.warn(n, curie(pDefaultLang), "%d default languages; the first is kept", len(langs))
	}
	if len(langs) == 0 {
		return ""
	}
	return langs[0]
}

// code returns the local code of a concept IRI under base ("0612" for
// …/isced-f/0612). A literal holding the IRI or the bare code is taken
// with a warning; http and https IRIs are both accepted.
func (r *reader) code(n rdf.Term, prop string, o rdf.Term, base string) (string, bool) {
	v := strings.TrimSpace(o.Value)
	if rest, ok := strings.CutPrefix(v, "https://"); ok {
		v = "http://" + rest
	}
	local, under := strings.CutPrefix(v, base)
	if o.IsLiteral() && !under && v != "" && !strings.ContainsAny(v, "/:") {
		local, under = v, true // a bare code
	}
	switch {
	case o.IsBlank() || !under || local == "":
		r.warn(n, prop, "%s is not a concept under %s", short(o), base)
		return "", false
	case o.IsLiteral():
		r.warn(n, prop, "%s is a literal; expected the concept IRI %s", short(o), base+local)
	}
	return local, true
}

// concepts returns the concept IRIs of (n, p) under base.
func (r *reader) concepts(n rdf.Term, p, base string) []string {
	var out []string
	for _, o := range r.objects(n, p) {
		if c, ok := r.code(n, curie(p), o, base); ok && !slices.Contains(out, base+c) {
			out = append(out, base+c)
		}
	}
	return out
}

// concept returns the first concept of (n, p); the property allows one.
func (r *reader) concept(n rdf.Term, p, base string) string {
	cs := r.concepts(n, p, base)
	if len(cs) == 0 {
		return ""
	}
	if len(cs) > 1 {
		r.warn(n, curie(p), "%d values; the first is kept", len(cs))
	}
	return cs[0]
}

func (r *reader) iscedf(n rdf.Term) []string {
	var out []string
	for _, c := range r.concepts(n, pISCEDF, iscedBase) {
		code := strings.TrimPrefix(c, iscedBase)
		if _, ok := vocab.ISCEDF.Lookup(code); !ok {
			r.warn(n, curie(pISCEDF), "%q is not an ISCED-F 2013 code", code)
			continue
		}
		out = append(out, code)
	}
	return out
}

func (r *reader) eqf(n rdf.Term) int {
	c := r.concept(n, pEQF, eqfBase)
	if c == "" {
		return 0
	}
	level, err := strconv.Atoi(strings.TrimPrefix(c, eqfBase))
	if err != nil || level < 1 || level > 8 {
		r.warn(n, curie(pEQF), "%s is not an EQF level 1–8", c)
		return 0
	}
	return level
}

// credits reads elm:creditPoint nodes: framework and point. The point is
// a string per the LOQ profile; "7,5" and typed numbers are read too.
func (r *reader) credits(n rdf.Term) []model.Credit {
	var out []model.Credit
	prop := curie(pCreditPoint)
	for _, o := range r.objects(n, pCreditPoint) {
		c := model.Credit{System: model.CreditECTS}
		point := o
		if o.IsLiteral() {
			r.warn(n, prop, "a literal; expected an elm:CreditPoint with elm:framework and elm:point; read as ECTS")
		} else {
			if fw := r.concept(o, pFramework, creditBase); fw != "" {
				c.System = fw
			} else {
				r.warn(n, prop+"/"+curie(pFramework), "no credit framework; read as ECTS")
			}
			var ok bool
			if point, ok = r.g.Object(o, rdf.IRI(pPoint)); !ok {
				r.warn(n, prop+"/"+curie(pPoint), "no point")
				continue
			}
		}
		v, ok := parsePoint(point)
		if !ok {
			r.warn(n, prop+"/"+curie(pPoint), "%s is not a number of credits", short(point))
			continue
		}
		c.Value = v
		out = append(out, c)
	}
	return out
}

func parsePoint(t rdf.Term) (float64, bool) {
	if !t.IsLiteral() {
		return 0, false
	}
	s := strings.TrimSpace(t.Value)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// homepage reads foaf:homepage: an elm:WebResource with elm:contentUrl
// as the profile asks, or, with a warning, a plain literal (the QL
// examples) or a bare IRI (FOAF's own usage).
func (r *reader) homepage(n rdf.Term) string {
	prop := curie(pHomepage)
	for _, o := range r.objects(n, pHomepage) {
		target := o
		if u, ok := r.g.Object(o, rdf.IRI(pContentURL)); ok && !o.IsLiteral() {
			target = u
		} else {
			r.warn(n, prop, "%s; expected an elm:WebResource with elm:contentUrl", short(o))
		}
		if u := r.checkURL(n, prop, target); u != "" {
			return u
		}
	}
	return ""
}

// url reads a URL-valued property (an xsd:anyURI literal or an IRI).
func (r *reader) url(n rdf.Term, p string) string {
	for _, o := range r.objects(n, p) {
		if u := r.checkURL(n, curie(p), o); u != "" {
			return u
		}
	}
	return ""
}

func (r *reader) checkURL(n rdf.Term, prop string, o rdf.Term) string {
	s := strings.TrimSpace(o.Value)
	u, err := url.Parse(s)
	if o.IsBlank() || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.warn(n, prop, "%s is not an http(s) URL", short(o))
		return ""
	}
	return s
}

func (r *reader) plain(n rdf.Term, p string) string {
	for _, o := range r.objects(n, p) {
		if o.IsLiteral() && strings.TrimSpace(o.Value) != "" {
			return strings.TrimSpace(o.Value)
		}
		r.warn(n, curie(p), "%s is not a literal", short(o))
	}
	return ""
}

func (r *reader) boolean(n rdf.Term, p string, def bool) bool {
	for _, o := range r.objects(n, p) {
		if o.IsLiteral() {
			switch strings.TrimSpace(o.Value) {
			case "true", "1":
				return true
			case "false", "0":
				return false
			}
		}
		r.warn(n, curie(p), "%s is not a boolean", short(o))
	}
	return def
}

// time reads the first date or date-time of (n, p).
func (r *reader) time(n rdf.Term, p string) time.Time {
	return r.timeAt(n, p, n, curie(p))
}

func (r *reader) timeAt(s rdf.Term, p string, n rdf.Term, prop string) time.Time {
	for _, o := range r.objects(s, p) {
		if t, ok := parseTime(o); ok {
			return t
		}
		r.warn(n, prop, "%s is not a date or date-time", short(o))
	}
	return time.Time{}
}

// parseTime reads xsd:dateTime (with or without zone; UTC assumed) and
// xsd:date values.
func parseTime(o rdf.Term) (time.Time, bool) {
	if !o.IsLiteral() {
		return time.Time{}, false
	}
	s := strings.TrimSpace(o.Value)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02", "2006-01-02Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// period reads dcterms:temporal [dcterms:PeriodOfTime; elm:startDate;
// elm:endDate; skos:prefLabel], the label naming the academic term.
func (r *reader) period(n rdf.Term) (start, end time.Time, term model.Text) {
	prop := curie(pTemporal)
	ps := r.objects(n, pTemporal)
	if len(ps) > 1 {
		r.warn(n, prop, "%d periods; the first is kept", len(ps))
	}
	for _, p := range ps {
		if p.IsLiteral() {
			r.warn(n, prop, "a literal; expected a dcterms:PeriodOfTime")
			continue
		}
		start = r.timeAt(p, pStartDate, n, prop+"/"+curie(pStartDate))
		end = r.timeAt(p, pEndDate, n, prop+"/"+curie(pEndDate))
		return start, end, r.textAt(p, pPrefLabel, n, prop+"/"+curie(pPrefLabel))
	}
	return start, end, nil
}

// study reads what a specification or instance says about how it is
// studied.
func (r *reader) study(n rdf.Term) model.Study {
	return model.Study{
		Schedule:         r.schedule(n),
		VolumeOfLearning: r.duration(n, pVolume),
		GradingScheme:    r.gradingScheme(n),
	}
}

// schedule reads elm:learningSchedule, a concept of the EU
// learning-schedule vocabulary.
func (r *reader) schedule(n rdf.Term) string {
	c := r.concept(n, pSchedule, scheduleBase)
	if c == "" {
		return ""
	}
	if _, ok := vocab.LearningSchedules.Lookup(c); !ok {
		r.warn(n, curie(pSchedule), "%s is not a learning-schedule concept", c)
		return ""
	}
	return c
}

// duration reads the first xsd:duration of (n, p).
func (r *reader) duration(n rdf.Term, p string) string {
	for _, o := range r.objects(n, p) {
		if d, ok := model.Duration(o.Value); ok && o.IsLiteral() {
			return d
		}
		r.warn(n, curie(p), "%s is not an xsd:duration such as \"PT150H\"", short(o))
	}
	return ""
}

// gradingScheme reads elm:gradingScheme [elm:GradingScheme;
// dcterms:title; dcterms:description]; a bare literal is taken as its
// title with a warning.
func (r *reader) gradingScheme(n rdf.Term) *model.GradingScheme {
	prop := curie(pGrading)
	for _, o := range r.objects(n, pGrading) {
		g := model.GradingScheme{Title: model.Text{}}
		if o.IsLiteral() {
			r.warn(n, prop, "a literal; expected an elm:GradingScheme with dcterms:title")
			r.addText(g.Title, o, n, prop)
		} else {
			g.Title = r.textAt(o, pTitle, n, prop+"/"+curie(pTitle))
			g.Description = r.textAt(o, pDescription, n, prop+"/"+curie(pDescription))
		}
		if !g.IsEmpty() {
			return &g
		}
		r.warn(n, prop, "%s has no title or description; skipped", short(o))
	}
	return nil
}

func (r *reader) count(n rdf.Term, p string) *int {
	for _, o := range r.objects(n, p) {
		v, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(o.Value), "+"))
		if !o.IsLiteral() || err != nil || v < 0 {
			r.warn(n, curie(p), "%s is not a non-negative integer", short(o))
			continue
		}
		return &v
	}
	return nil
}

// location reads elm:location [dcterms:Location; elm:geographicName].
func (r *reader) location(n rdf.Term) model.Text {
	t := model.Text{}
	prop := curie(pLocation)
	for _, o := range r.objects(n, pLocation) {
		if o.IsLiteral() {
			r.warn(n, prop, "a literal; expected a dcterms:Location with elm:geographicName")
			r.addText(t, o, n, prop)
			continue
		}
		for _, name := range r.objects(o, pGeoName) {
			r.addText(t, name, n, prop+"/"+curie(pGeoName))
		}
	}
	return t
}

// agent maps the first publisher-like value; without one, the source's
// own institution publishes (the profile's default).
func (r *reader) agent(n rdf.Term, p string) string {
	if as := r.agents(n, p); len(as) > 0 {
		return as[0]
	}
	return ""
}

// agents maps institution nodes to provider IDs: the source's own
// institution (recognised by IRI or identifier) is its provider ID, any
// other IRI is kept for the harvest's ownership policy to judge. Nothing
// else about the node is read.
func (r *reader) agents(n rdf.Term, p string) []string {
	var out []string
	for _, o := range r.objects(n, p) {
		id := ""
		switch {
		case r.own.matches(r.g, o):
			id = r.opts.Provider.ID
		case o.IsIRI():
			id = o.Value
		default:
			r.warn(n, curie(p), "%s does not identify the source's institution", short(o))
		}
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 && r.opts.Provider.ID != "" {
		out = append(out, r.opts.Provider.ID)
	}
	return out
}

// providerMatcher recognises the source's institution in a file: by the
// IRIs qlink or DEQAR give it, or by an adms:identifier notation equal to
// its SCHAC code, ETER/OrgReg id or DEQAR id.
type providerMatcher struct {
	iris, keys map[string]bool
}

func newProviderMatcher(p model.Provider) providerMatcher {
	m := providerMatcher{iris: map[string]bool{}, keys: map[string]bool{}}
	if p.ID != "" {
		m.iris[ProviderIRI(p)] = true
	}
	if u := deqarURI(p.DEQAR); u != "" {
		m.iris[u] = true
	}
	for _, k := range []string{p.SCHAC, p.ETER, p.DEQAR} {
		if k != "" {
			m.keys[strings.ToLower(k)] = true
		}
	}
	return m
}

func (m providerMatcher) matches(g *rdf.Graph, t rdf.Term) bool {
	if t.IsIRI() && m.iris[t.Value] {
		return true
	}
	if t.IsLiteral() || len(m.keys) == 0 {
		return false
	}
	for _, id := range g.Objects(t, rdf.IRI(pIdentifier)) {
		for _, n := range g.Objects(id, rdf.IRI(pNotation)) {
			if n.IsLiteral() && m.keys[strings.ToLower(strings.TrimSpace(n.Value))] {
				return true
			}
		}
	}
	return false
}
