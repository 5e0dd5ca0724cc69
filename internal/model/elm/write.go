package elm

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/vocab"
)

// WriteOptions shape the statements Emit produces.
type WriteOptions struct {
	// NamedGraphs puts every specification, with its instances, in a graph
	// named by its publisher's IRI (see ProviderIRI), and each institution's
	// own description in its graph; otherwise all goes to the default graph.
	NamedGraphs bool
}

// Write serialises specifications and the institutions publishing them as
// ELM 3.3: Turtle with prefixes, N-Quads with one named graph per
// publishing institution, or JSON-LD compacted with qlink's context
// (jsonld.QLinkContextURL). providers describes the publishers; a
// specification whose publisher is not among them still names it by IRI.
func Write(w io.Writer, f rdf.Format, specs []model.Specification, providers []model.Provider) error {
	switch f {
	case rdf.FormatNQuads:
		nw := rdf.NewNQuadsWriter(w)
		var err error
		Emit(specs, providers, WriteOptions{NamedGraphs: true}, func(q rdf.Quad) {
			if err == nil {
				err = nw.Write(q)
			}
		})
		if err != nil {
			return err
		}
		return nw.Flush()
	case rdf.FormatTurtle, rdf.FormatJSONLD, rdf.FormatNTriples:
		return rdfio.Write(w, f, Quads(specs, providers, WriteOptions{}), Prefixes)
	}
	return fmt.Errorf("elm: cannot write %v; choose Turtle, N-Quads or JSON-LD", f)
}

// Quads returns the statements Emit produces.
func Quads(specs []model.Specification, providers []model.Provider, opts WriteOptions) []rdf.Quad {
	var qs []rdf.Quad
	Emit(specs, providers, opts, func(q rdf.Quad) { qs = append(qs, q) })
	return qs
}

// Emit produces the ELM 3.3 statements for specs (sorted by ID, each
// followed by its instances sorted by ID) and then for providers (sorted
// by ID), calling fn for each.
func Emit(specs []model.Specification, providers []model.Provider, opts WriteOptions, fn func(rdf.Quad)) {
	w := &writer{fn: fn, named: opts.NamedGraphs, iris: map[string]string{}, nal: map[string]string{}}
	for _, p := range providers {
		w.iris[p.ID] = ProviderIRI(p)
	}
	order := make([]int, len(specs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(specs[a].ID, specs[b].ID) })
	for _, i := range order {
		w.spec(&specs[i])
	}
	ps := slices.Clone(providers)
	slices.SortStableFunc(ps, func(a, b model.Provider) int { return cmp.Compare(a.ID, b.ID) })
	for i, p := range ps {
		if i == 0 || p.ID != ps[i-1].ID {
			w.provider(&p)
		}
	}
}

// ProviderIRI names an institution in ELM output: DEQAR's institution IRI
// when the provider has a DEQAR id (the IRI QualityLink's own data uses),
// its ID when that already is an IRI, else urn:qlink:provider:<ID>.
func ProviderIRI(p model.Provider) string {
	if u := deqarURI(p.DEQAR); u != "" {
		return u
	}
	if (strings.Contains(p.ID, "://") || strings.HasPrefix(p.ID, "urn:")) && rdf.IsValidIRI(p.ID) {
		return p.ID
	}
	return "urn:qlink:provider:" + url.PathEscape(p.ID)
}

// deqarURI turns "DEQARINST0382" into https://data.deqar.eu/institution/382.
func deqarURI(deqar string) string {
	digits, ok := strings.CutPrefix(strings.ToUpper(strings.TrimSpace(deqar)), "DEQARINST")
	if !ok {
		return ""
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n <= 0 {
		return ""
	}
	return deqarInstURI + strconv.Itoa(n)
}

// writer is the state of one Emit.
type writer struct {
	fn    func(rdf.Quad)
	named bool
	graph rdf.Term
	// iris caches provider ID → IRI.
	iris map[string]string
	// nal caches language tag → NAL IRI: a catalogue names a handful of
	// languages thousands of times, and each lookup parses the tag.
	nal map[string]string
	// langs is scratch space for the languages of one text.
	langs []string
	// owner prefixes the blank nodes of the resource being written.
	owner string
}

func (w *writer) add(s rdf.Term, p string, o rdf.Term) {
	w.fn(rdf.Quad{S: s, P: rdf.IRI(p), O: o, G: w.graph})
}

func (w *writer) typed(s rdf.Term, class string) { w.add(s, rdfType, rdf.IRI(class)) }

// iri adds (s, p, <v>) when v is a valid IRI; model values from other
// adapters are not trusted to be.
func (w *writer) iri(s rdf.Term, p, v string) {
	if v != "" && rdf.IsValidIRI(v) {
		w.add(s, p, rdf.IRI(v))
	}
}

// setOwner starts a resource: its blank nodes are named from a hash of its
// IRI, so labels do not shift when other resources come and go.
func (w *writer) setOwner(iri string) {
	sum := sha256.Sum256([]byte(iri))
	w.owner = "b" + hex.EncodeToString(sum[:8]) + "-"
}

func (w *writer) blank(role string, i int) rdf.Term {
	return rdf.Blank(w.owner + role + strconv.Itoa(i))
}

func (w *writer) providerIRI(id string) string {
	if u, ok := w.iris[id]; ok {
		return u
	}
	u := ProviderIRI(model.Provider{ID: id})
	w.iris[id] = u
	return u
}

// nalLanguage is NALLanguage, remembered.
func (w *writer) nalLanguage(tag string) string {
	u, ok := w.nal[tag]
	if !ok {
		u = NALLanguage(tag)
		w.nal[tag] = u
	}
	return u
}

func (w *writer) text(s rdf.Term, p string, t model.Text) {
	w.langs = t.AppendLangs(w.langs[:0])
	for _, lang := range w.langs {
		if lang == model.LangUnstated || lang == "" {
			// RDF says "no language" with a plain string, not "und".
			w.add(s, p, rdf.String(t[lang]))
		} else {
			w.add(s, p, rdf.LangLiteral(t[lang], lang))
		}
	}
}

// textNode writes (n, p, b) with b a node of class holding t under textProp:
// an outcome's title, a note's literal, a location's name.
func (w *writer) textNode(n rdf.Term, p string, b rdf.Term, class, textProp string, t model.Text) {
	w.add(n, p, b)
	w.typed(b, class)
	w.text(b, textProp, t)
}

func dateTime(t time.Time) rdf.Term {
	return rdf.Literal(t.UTC().Format(time.RFC3339Nano), xsdDateTime)
}

// FormatPoint writes a credit value as the LOQ profile's string ("6", "7.5").
func FormatPoint(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (w *writer) spec(s *model.Specification) {
	if s.ID == "" || !rdf.IsValidIRI(s.ID) {
		return
	}
	if w.named {
		w.graph = rdf.IRI(w.providerIRI(s.PublisherID))
	}
	n := rdf.IRI(s.ID)
	w.setOwner(s.ID)
	w.typed(n, specClass(s.Kind))
	w.identifiers(n, s.Identifiers)
	w.text(n, pTitle, s.Title)
	w.text(n, pDescription, s.Description)
	w.iri(n, pType, s.Type)
	for _, l := range s.Languages {
		w.iri(n, pLanguage, w.nalLanguage(l))
	}
	w.fields(n, s)
	w.credits(n, s.Credits)
	w.study(n, &s.Study)
	for i, lo := range s.LearningOutcomes {
		w.textNode(n, pLearnOutcome, w.blank("lo", i+1), elmLearnOutcome, pTitle, lo)
	}
	w.homepage(n, s.Homepage)
	if !s.EntryRequirements.IsEmpty() {
		w.textNode(n, pEntryReq, w.blank("er", 1), elmNote, pNoteLiteral, s.EntryRequirements)
	}
	w.add(n, pIsActive, rdf.Literal(strconv.FormatBool(s.Active), xsdBoolean))
	if s.Version != "" {
		w.add(n, pVersion, rdf.String(s.Version))
	}
	if !s.Modified.IsZero() {
		w.add(n, pModified, dateTime(s.Modified))
	}
	if s.PublisherID != "" {
		w.iri(n, pPublisher, w.providerIRI(s.PublisherID))
	}
	for _, id := range s.PartOf {
		w.iri(n, pIsPartOf, id)
	}
	for _, id := range s.HasPart {
		w.iri(n, pHasPart, id)
	}
	w.instances(n, s)
}

// specClass is the class a specification is written as. An activity
// specification stays elm:LearningActivitySpecification: ql:LOS is an
// elm:LearningAchievementSpecification, which ELM declares disjoint from
// it, so typing a course of participation ql:LOS would claim an
// achievement the source never specified.
func specClass(kind string) string {
	if kind == model.KindActivity {
		return elmLActS
	}
	return qlLOS
}

// specLink is the property linking an instance to its specification, by
// the specification's kind.
func specLink(kind string) string {
	if kind == model.KindActivity {
		return pLActS
	}
	return pLAS
}

// study writes schedule, workload and grading scheme.
func (w *writer) study(n rdf.Term, st *model.Study) {
	w.iri(n, pSchedule, st.Schedule)
	if d, ok := model.Duration(st.VolumeOfLearning); ok {
		w.add(n, pVolume, rdf.Literal(d, xsdDuration))
	}
	if g := st.GradingScheme; !g.IsEmpty() {
		b := w.blank("gs", 1)
		w.add(n, pGrading, b)
		w.typed(b, elmGradingScheme)
		w.text(b, pTitle, g.Title)
		w.text(b, pDescription, g.Description)
	}
}

// fields writes the controlled-vocabulary classification: ISCED-F codes
// with the broad and narrow fields derived from them, and the EQF level.
func (w *writer) fields(n rdf.Term, s *model.Specification) {
	for _, c := range s.ISCEDF {
		w.iri(n, pISCEDF, iscedBase+c)
	}
	for _, c := range model.ISCEDBroad(s.ISCEDF) {
		w.iri(n, pBroadField, iscedBase+c)
	}
	for _, c := range model.ISCEDNarrow(s.ISCEDF) {
		w.iri(n, pNarrowField, iscedBase+c)
	}
	if s.EQFLevel >= 1 && s.EQFLevel <= 8 {
		w.add(n, pEQF, rdf.IRI(eqfBase+strconv.Itoa(s.EQFLevel)))
	}
}

func (w *writer) credits(n rdf.Term, cs []model.Credit) {
	for i, c := range cs {
		b := w.blank("cp", i+1)
		w.add(n, pCreditPoint, b)
		w.typed(b, elmCreditPoint)
		w.iri(b, pFramework, c.System)
		w.add(b, pPoint, rdf.String(FormatPoint(c.Value)))
	}
}

// identifiers writes adms:identifier nodes; SchemeIRI identifiers become
// owl:sameAs links, and a scheme that is an IRI becomes elm:schemeId.
func (w *writer) identifiers(n rdf.Term, ids []model.Identifier) {
	for i, id := range ids {
		if id.Scheme == SchemeIRI && rdf.IsValidIRI(id.Value) {
			w.add(n, pSameAs, rdf.IRI(id.Value))
			continue
		}
		b := w.blank("id", i+1)
		w.add(n, pIdentifier, b)
		w.typed(b, elmIdentifier)
		w.add(b, pNotation, rdf.String(id.Value))
		switch {
		case id.Scheme == "" || id.Scheme == SchemeELM:
		case strings.Contains(id.Scheme, "://") && rdf.IsValidIRI(id.Scheme):
			w.add(b, pSchemeID, rdf.IRI(id.Scheme))
		default:
			w.add(b, pSchemeName, rdf.String(id.Scheme))
		}
	}
}

func (w *writer) homepage(n rdf.Term, u string) {
	if u == "" {
		return
	}
	b := w.blank("hp", 1)
	w.add(n, pHomepage, b)
	w.typed(b, elmWebResource)
	w.add(b, pContentURL, rdf.Literal(u, xsdAnyURI))
}

func (w *writer) instances(n rdf.Term, s *model.Specification) {
	ins := slices.Clone(s.Instances)
	slices.SortStableFunc(ins, func(a, b model.Instance) int { return cmp.Compare(a.ID, b.ID) })
	ins = slices.DeleteFunc(ins, func(in model.Instance) bool { return in.ID == "" || !rdf.IsValidIRI(in.ID) })
	// elm:learningOpportunity belongs to achievement specifications; the
	// instances of an activity specification point to it instead.
	if s.Kind != model.KindActivity {
		for _, in := range ins {
			w.add(n, pLearningOpp, rdf.IRI(in.ID))
		}
	}
	for i := range ins {
		w.instance(n, s.Kind, &ins[i])
	}
}

func (w *writer) instance(spec rdf.Term, kind string, in *model.Instance) {
	n := rdf.IRI(in.ID)
	w.setOwner(in.ID)
	w.typed(n, qlLOI)
	w.identifiers(n, in.Identifiers)
	w.add(n, specLink(kind), spec)
	for _, p := range in.ProviderIDs {
		w.iri(n, pProvidedBy, w.providerIRI(p))
	}
	w.text(n, pTitle, in.Title)
	w.text(n, pDescription, in.Description)
	if in.DefaultLanguage != "" {
		w.iri(n, pDefaultLang, w.nalLanguage(in.DefaultLanguage))
	}
	for _, m := range in.Modes {
		w.iri(n, pMode, m)
	}
	w.period(n, in)
	w.credits(n, in.Credits)
	w.study(n, &in.Study)
	if in.RegistrationPortal != "" {
		w.add(n, pRegPortal, rdf.Literal(in.RegistrationPortal, xsdAnyURI))
	}
	if !in.ApplicationDeadline.IsZero() {
		w.add(n, pAppDeadline, dateTime(in.ApplicationDeadline))
	}
	w.count(n, pCapacity, in.Capacity)
	w.count(n, pEnrolled, in.Enrolled)
	w.count(n, pMinimum, in.Minimum)
	w.homepage(n, in.Homepage)
	if !in.Location.IsEmpty() {
		w.textNode(n, pLocation, w.blank("loc", 1), dctLocation, pGeoName, in.Location)
	}
}

// period writes dcterms:temporal: the dates and the academic term's name
// (skos:prefLabel, the QL profile's "term").
func (w *writer) period(n rdf.Term, in *model.Instance) {
	if in.Start.IsZero() && in.End.IsZero() && in.AcademicTerm.IsEmpty() {
		return
	}
	b := w.blank("period", 1)
	w.add(n, pTemporal, b)
	w.typed(b, dctPeriodOfTime)
	w.text(b, pPrefLabel, in.AcademicTerm)
	if !in.Start.IsZero() {
		w.add(b, pStartDate, dateTime(in.Start))
	}
	if !in.End.IsZero() {
		w.add(b, pEndDate, dateTime(in.End))
	}
}

func (w *writer) count(n rdf.Term, p string, v *int) {
	if v != nil && *v >= 0 {
		w.add(n, p, rdf.Literal(strconv.Itoa(*v), xsdNonNeg))
	}
}

// orgRegID is the OrgReg (ETER) identifier pattern of the QL profile.
var orgRegID = regexp.MustCompile(`^(INT|[A-Z]{2})[0-9]{4}$`)

// provider describes an institution as ql:HigherEducationInstitution with
// the identifiers the profile accepts (SCHAC, OrgReg), its names, website
// and country.
func (w *writer) provider(p *model.Provider) {
	u := w.providerIRI(p.ID)
	if w.named {
		w.graph = rdf.IRI(u)
	}
	n := rdf.IRI(u)
	w.setOwner(u)
	w.typed(n, qlHEI)
	if p.SCHAC != "" {
		w.orgIdentifier(n, "schac", qlSchacID, qlSchac, strings.ToLower(p.SCHAC))
	}
	if orgRegID.MatchString(p.ETER) {
		w.orgIdentifier(n, "orgreg", qlOrgRegID, qlOrgReg, p.ETER)
	}
	w.text(n, pLegalName, p.Name)
	w.homepage(n, p.Website)
	if c := vocab.CountryURI(p.Country); c != "" {
		loc, addr := w.blank("loc", 1), w.blank("addr", 1)
		w.add(n, pLocation, loc)
		w.typed(loc, dctLocation)
		w.add(loc, pAddress, addr)
		w.typed(addr, elmAddress)
		w.add(addr, pCountryCode, rdf.IRI(c))
	}
}

func (w *writer) orgIdentifier(n rdf.Term, role, class, scheme, notation string) {
	b := w.blank(role, 1)
	w.add(n, pIdentifier, b)
	w.typed(b, class)
	w.add(b, pSchemeID, rdf.IRI(scheme))
	w.add(b, pNotation, rdf.String(notation))
}
