package testfed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"qlink/internal/rdf"
	"qlink/internal/rdf/jsonld"
)

// ELM rendering: an institution's courses, programmes and offerings as one
// static ELM file, the way an institution publishing `type: elm` would.
// The statements are built here from the ground truth, independently of
// qlink's own ELM mapping (internal/model/elm), so that tests of the ELM
// adapter compare two separate readings of the profile. For the same
// reason the namespaces are spelt out here rather than imported.
//
// Institutions differ the way real publishers do: every third one still
// uses the ELM 3.0–3.2 namespace (with xsd:date offering dates), classes
// alternate between ql:LearningOpportunitySpecification,
// elm:LearningAchievementSpecification and elm:Qualification, half the
// institutions name specifications by course-identifier URN and half by
// web IRI plus adms:identifier, some write homepages as plain literals
// and credit points with a decimal comma, and instances are linked from
// the specification, to it, or both.

const (
	elm33NS   = "http://data.europa.eu/snb/model/ontology/"
	elm32NS   = "http://data.europa.eu/snb/model/elm/"
	qlNS      = "http://data.quality-link.eu/ontology/v1#"
	dctNS     = "http://purl.org/dc/terms/"
	admsNS    = "http://www.w3.org/ns/adms#"
	skosNS    = "http://www.w3.org/2004/02/skos/core#"
	foafNS    = "http://xmlns.com/foaf/0.1/"
	xsdNS     = "http://www.w3.org/2001/XMLSchema#"
	snbNS     = "http://data.europa.eu/snb/"
	nalLangNS = "http://publications.europa.eu/resource/authority/language/"
)

// elmModes maps the generator's OOAPI modes of delivery to EU mode
// concepts (learning-assessment vocabulary).
var elmModes = map[string]string{
	"on campus": "9191af2ed9", "situated": "9191af2ed9", "online": "920fbb3cbe",
	"distance-learning": "920fbb3cbe", "hybrid": "c_3a90b26d", "blended": "e92d221e4d",
}

// ELMOldNamespace reports whether RenderELM writes the institution's data
// in the ELM 3.0–3.2 namespace.
func ELMOldNamespace(in *Institution) bool { return in.Index%3 == 1 }

// ELMCourseIRI is the IRI under which RenderELM publishes a course or
// programme with the given code.
func ELMCourseIRI(in *Institution, code string) string {
	if in.Index%2 == 0 {
		return "urn:schac:uniqueCourseId:" + in.SCHAC + ":" + code
	}
	return "https://" + in.SCHAC + "/elm/courses/" + code
}

// elmRoot is where institutions publish their ELM files.
const elmRoot = "/elm/"

// elmExtensions names each syntax's files.
var elmExtensions = map[string]string{"turtle": ".ttl", "rdfxml": ".rdf", "jsonld": ".jsonld"}

// ELMSyntax is the syntax an institution publishes its ELM files in, varied
// independently of the namespace so every combination occurs.
func ELMSyntax(in *Institution) string {
	if in.Misbehavior == DeepXML || in.Misbehavior == EntityExpansion {
		return "rdfxml" // its hostile file is XML, and named so
	}
	return []string{"turtle", "rdfxml", "jsonld"}[(in.Index/3)%3]
}

// elmFile serves a source as one ELM file, rendered on first use.
type elmFile struct {
	name         string
	contentType  string
	body         []byte
	lastModified time.Time
}

func newELMFile(in *Institution, src *Source, now time.Time) *elmFile {
	body, ct := RenderELM(*in, *src, ELMSyntax(in))
	u, _ := url.Parse(src.Path)
	return &elmFile{name: strings.TrimPrefix(u.Path, elmRoot), contentType: ct, body: body, lastModified: now}
}

func (f *elmFile) serve(w http.ResponseWriter, r *http.Request, rel string) {
	if rel != f.name {
		http.NotFound(w, r)
		return
	}
	serveDoc(w, r, f.contentType, f.body, f.lastModified)
}

// RenderELM renders the courses and programmes of src, with their
// offerings, as ELM in format "turtle", "rdfxml" or "jsonld", and returns
// the document with the content type to serve it as.
func RenderELM(in Institution, src Source, format string) ([]byte, string) {
	e := newELMDoc(&in)
	e.codes = sourceCodes(&src)
	// About 80 statements per specification: grown by appending, the
	// list of a large catalogue was copied over and over.
	e.triples = make([]rdf.Triple, 0, 16+96*(len(src.Courses)+len(src.Programs)))
	e.provider()
	for i := range src.Programs {
		e.program(&src.Programs[i])
	}
	for i := range src.Courses {
		e.course(&src.Courses[i])
	}
	switch format {
	case "turtle":
		return e.turtle(), "text/turtle; charset=utf-8"
	case "rdfxml":
		return e.rdfXML(), "application/rdf+xml"
	case "jsonld":
		return e.jsonLD(), "application/ld+json"
	}
	panic("testfed: RenderELM: unknown format " + format)
}

// elmDoc collects the statements of one ELM document.
type elmDoc struct {
	in      *Institution
	elm     string            // the ELM namespace in use
	codes   map[string]string // course and programme ids → codes
	triples []rdf.Triple
	blanks  int
}

func newELMDoc(in *Institution) *elmDoc {
	e := &elmDoc{in: in, elm: elm33NS}
	if ELMOldNamespace(in) {
		e.elm = elm32NS
	}
	return e
}

func (e *elmDoc) add(s rdf.Term, p string, o rdf.Term) {
	e.triples = append(e.triples, rdf.Triple{S: s, P: rdf.IRI(p), O: o})
}

func (e *elmDoc) a(s rdf.Term, class string) {
	e.add(s, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", rdf.IRI(class))
}

func (e *elmDoc) blank() rdf.Term {
	e.blanks++
	return rdf.Blank("b" + strconv.Itoa(e.blanks))
}

// publisherSCHAC is the institution the file names as publisher: its
// own, or for a ClaimsOther institution another one of the federation.
func (e *elmDoc) publisherSCHAC() string {
	if e.in.Misbehavior == ClaimsOther {
		return strings.TrimPrefix(foreignHost(e.in, 0), "api.")
	}
	return e.in.SCHAC
}

func (e *elmDoc) providerIRI() rdf.Term {
	return rdf.IRI("https://" + e.publisherSCHAC() + "/elm/institution")
}

func (e *elmDoc) provider() {
	p := e.providerIRI()
	e.a(p, qlNS+"HigherEducationInstitution")
	id := e.blank()
	e.add(p, admsNS+"identifier", id)
	e.a(id, qlNS+"SchacIdentifier")
	e.add(id, e.elm+"schemeId", rdf.IRI(qlNS+"Schac"))
	e.add(id, skosNS+"notation", rdf.String(e.publisherSCHAC()))
	e.add(p, "http://www.w3.org/ns/regorg#legalName", rdf.LangLiteral(e.in.Name, e.in.HomeLanguage))
}

// specClass alternates the classes a specification is typed with.
func (e *elmDoc) specClass() string {
	return [...]string{qlNS + "LearningOpportunitySpecification", e.elm + "LearningAchievementSpecification",
		qlNS + "LearningOpportunitySpecification", e.elm + "Qualification"}[e.in.Index%4]
}

// spec writes what courses and programmes share.
func (e *elmDoc) spec(code string, name, desc Text, los []Text, lang string, isced string, eqf int, ects float64, link, typ string) rdf.Term {
	s := rdf.IRI(ELMCourseIRI(e.in, code))
	e.a(s, e.specClass())
	id := e.blank()
	e.add(s, admsNS+"identifier", id)
	e.a(id, e.elm+"Identifier")
	e.add(id, skosNS+"notation", rdf.String(code))
	e.text(s, dctNS+"title", name)
	e.text(s, dctNS+"description", desc)
	for _, lo := range los {
		b := e.blank()
		e.add(s, e.elm+"learningOutcome", b)
		e.a(b, e.elm+"LearningOutcome")
		e.text(b, dctNS+"title", lo)
	}
	e.add(s, dctNS+"language", rdf.IRI(nalLangNS+strings.ToUpper(lang)))
	e.add(s, e.elm+"ISCEDFCode", rdf.IRI(snbNS+"isced-f/"+isced))
	if eqf > 0 {
		e.add(s, e.elm+"EQFLevel", rdf.IRI(snbNS+"eqf/"+strconv.Itoa(eqf)))
	}
	e.credit(s, ects)
	e.add(s, dctNS+"type", rdf.IRI(snbNS+"learning-opportunity/"+typ))
	e.homepage(s, link)
	e.add(s, dctNS+"publisher", e.providerIRI())
	return s
}

func (e *elmDoc) text(s rdf.Term, p string, t Text) {
	for _, ls := range t {
		e.add(s, p, rdf.LangLiteral(ls.Value, ls.Language))
	}
}

func (e *elmDoc) credit(s rdf.Term, ects float64) {
	point := strconv.FormatFloat(ects, 'f', -1, 64)
	if e.in.Index%3 == 2 {
		point = strings.Replace(point, ".", ",", 1) // a decimal comma, as some publishers write it
	}
	b := e.blank()
	e.add(s, e.elm+"creditPoint", b)
	e.a(b, e.elm+"CreditPoint")
	e.add(b, e.elm+"framework", rdf.IRI(snbNS+"education-credit/6fcec5c5af"))
	e.add(b, e.elm+"point", rdf.String(point))
}

func (e *elmDoc) homepage(s rdf.Term, link string) {
	if e.in.Index%5 == 2 {
		e.add(s, foafNS+"homepage", rdf.String(link)) // the QL examples' plain literal
		return
	}
	b := e.blank()
	e.add(s, foafNS+"homepage", b)
	e.a(b, e.elm+"WebResource")
	e.add(b, e.elm+"contentUrl", rdf.Literal(link, xsdNS+"anyURI"))
}

func (e *elmDoc) course(c *Course) {
	s := e.spec(c.Code, c.Name, c.Description, c.LearningOutcomes, c.Language, c.ISCED, c.EQF, c.ECTS, c.Link, "05053c1cbe")
	e.parts(s, "isPartOf", c.Programs, c.Offerings, c.Language)
}

func (e *elmDoc) program(p *Program) {
	s := e.spec(p.Code, p.Name, p.Description, p.LearningOutcomes, p.Language, p.ISCED, p.EQF, p.ECTS, p.Link, "79343569f3")
	e.parts(s, "hasPart", p.Courses, p.Offerings, p.Language)
}

// parts links s to the specifications with the given ids and writes its
// offerings.
func (e *elmDoc) parts(s rdf.Term, prop string, ids []string, offs []Offering, lang string) {
	for _, id := range ids {
		e.add(s, e.elm+prop, rdf.IRI(ELMCourseIRI(e.in, e.codes[id])))
	}
	for i := range offs {
		e.offering(s, &offs[i], lang)
	}
}

// sourceCodes maps the ids of a source's courses and programmes to their
// codes.
func sourceCodes(src *Source) map[string]string {
	codes := map[string]string{}
	for _, c := range src.Courses {
		codes[c.ID] = c.Code
	}
	for _, p := range src.Programs {
		codes[p.ID] = p.Code
	}
	return codes
}

// offering writes one instance of spec, linked only from the
// specification (every third institution), only to it (the odd ones of
// the rest) or both ways.
func (e *elmDoc) offering(spec rdf.Term, o *Offering, lang string) {
	n := rdf.IRI("https://" + e.in.SCHAC + "/elm/offerings/" + o.Code)
	e.a(n, qlNS+"LearningOpportunityInstance")
	id := e.blank()
	e.add(n, admsNS+"identifier", id)
	e.a(id, e.elm+"Identifier")
	e.add(id, skosNS+"notation", rdf.String(o.Code))
	if e.in.Index%3 != 0 {
		e.add(n, e.elm+"learningAchievementSpecification", spec)
	}
	if e.in.Index%2 == 0 || e.in.Index%3 == 0 {
		e.add(spec, e.elm+"learningOpportunity", n)
	}
	e.text(n, dctNS+"title", o.Name)
	e.add(n, e.elm+"providedBy", e.providerIRI())
	e.add(n, e.elm+"defaultLanguage", rdf.IRI(nalLangNS+strings.ToUpper(lang)))
	for _, m := range o.Modes {
		e.add(n, e.elm+"mode", rdf.IRI(snbNS+"learning-assessment/"+elmModes[m]))
	}
	period := e.blank()
	e.add(n, dctNS+"temporal", period)
	e.a(period, dctNS+"PeriodOfTime")
	e.add(period, e.elm+"startDate", e.date(o.Start))
	e.add(period, e.elm+"endDate", e.date(o.End))
	e.add(n, e.elm+"applicationDeadline", e.date(o.EnrollEnd))
	if o.EnrollmentURL != "" {
		e.add(n, qlNS+"registrationPortal", rdf.Literal(o.EnrollmentURL, xsdNS+"anyURI"))
	}
	for _, c := range []struct {
		p string
		v int
	}{{"enrolmentCapacity", o.MaxStudents}, {"enrolledLearnerCount", o.EnrolledStudents}, {"enrolmentMinimum", o.MinStudents}} {
		e.add(n, qlNS+c.p, rdf.Literal(strconv.Itoa(c.v), xsdNS+"nonNegativeInteger"))
	}
	e.homepage(n, o.Link)
}

// date writes xsd:date in the old namespace and xsd:dateTime in 3.3, as
// older and newer exports do.
func (e *elmDoc) date(t time.Time) rdf.Term {
	if e.elm == elm32NS {
		return rdf.Literal(t.Format(time.DateOnly), xsdNS+"date")
	}
	return rdf.Literal(t.UTC().Format(time.RFC3339), xsdNS+"dateTime")
}

func (e *elmDoc) prefixes() map[string]string {
	return map[string]string{"elm": e.elm, "ql": qlNS, "dcterms": dctNS, "adms": admsNS, "skos": skosNS, "foaf": foafNS, "xsd": xsdNS}
}

func (e *elmDoc) graph() *rdf.Graph {
	g := rdf.NewGraph()
	for _, t := range e.triples {
		g.Add(t)
	}
	return g
}

func (e *elmDoc) turtle() []byte {
	var buf bytes.Buffer
	buf.Grow(bytesPerTriple * len(e.triples))
	if err := rdf.WriteTurtle(&buf, e.graph(), e.prefixes()); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// jsonLD compacts with the context a publisher of that ELM version would
// use: the EC's EDC-AP context for 3.0–3.2, qlink's for 3.3.
func (e *elmDoc) jsonLD() []byte {
	qs := make([]rdf.Quad, len(e.triples))
	for i, t := range e.triples {
		qs[i] = rdf.Quad{S: t.S, P: t.P, O: t.O}
	}
	doc, err := jsonld.FromRDF(qs, jsonld.Options{})
	if err != nil {
		panic(err)
	}
	ctx := jsonld.QLinkContextURL
	if e.elm == elm32NS {
		ctx = jsonld.EDCAPContextURL
	}
	compacted, err := jsonld.Compact(doc, ctx, jsonld.Options{})
	if err != nil {
		panic(err)
	}
	out, err := json.MarshalIndent(compacted, "", "  ")
	if err != nil {
		panic(err)
	}
	return out
}

// bytesPerTriple is about what a statement of a generated course takes
// in Turtle (RDF/XML takes twice that), to size the output once.
const bytesPerTriple = 64

// rdfXML writes one rdf:Description per subject, in first-seen order,
// with the namespaces of the predicates declared on rdf:RDF.
func (e *elmDoc) rdfXML() []byte {
	ns := map[string]string{rdf.RDFNS: "rdf"}
	var subjects []rdf.Term
	bySubject := map[rdf.Term][]rdf.Triple{}
	for _, t := range e.triples {
		if _, seen := bySubject[t.S]; !seen {
			subjects = append(subjects, t.S)
		}
		bySubject[t.S] = append(bySubject[t.S], t)
		space, _ := splitIRI(t.P.Value)
		if _, ok := ns[space]; !ok {
			ns[space] = "n" + strconv.Itoa(len(ns)-1)
		}
	}
	var b strings.Builder
	b.Grow(2 * bytesPerTriple * len(e.triples))
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"`)
	spaces := make([]string, 0, len(ns))
	for space := range ns {
		if space != rdf.RDFNS {
			spaces = append(spaces, space)
		}
	}
	sort.Slice(spaces, func(i, j int) bool { return ns[spaces[i]] < ns[spaces[j]] })
	for _, space := range spaces {
		fmt.Fprintf(&b, "\n    xmlns:%s=\"%s\"", ns[space], xmlEscape(space))
	}
	b.WriteString(">\n")
	for _, s := range subjects {
		writeDescription(&b, s, bySubject[s], ns)
	}
	b.WriteString("</rdf:RDF>\n")
	return []byte(b.String())
}

func writeDescription(b *strings.Builder, s rdf.Term, ts []rdf.Triple, ns map[string]string) {
	if s.IsBlank() {
		fmt.Fprintf(b, "  <rdf:Description rdf:nodeID=\"%s\">\n", s.Value)
	} else {
		fmt.Fprintf(b, "  <rdf:Description rdf:about=\"%s\">\n", xmlEscape(s.Value))
	}
	for _, t := range ts {
		space, local := splitIRI(t.P.Value)
		name := ns[space] + ":" + local
		switch {
		case t.O.IsIRI():
			fmt.Fprintf(b, "    <%s rdf:resource=\"%s\"/>\n", name, xmlEscape(t.O.Value))
		case t.O.IsBlank():
			fmt.Fprintf(b, "    <%s rdf:nodeID=\"%s\"/>\n", name, t.O.Value)
		case t.O.Lang != "":
			fmt.Fprintf(b, "    <%s xml:lang=\"%s\">%s</%s>\n", name, t.O.Lang, xmlEscape(t.O.Value), name)
		case t.O.Datatype != xsdNS+"string":
			fmt.Fprintf(b, "    <%s rdf:datatype=\"%s\">%s</%s>\n", name, t.O.Datatype, xmlEscape(t.O.Value), name)
		default:
			fmt.Fprintf(b, "    <%s>%s</%s>\n", name, xmlEscape(t.O.Value), name)
		}
	}
	b.WriteString("  </rdf:Description>\n")
}

// splitIRI splits a property IRI after its last '#' or '/'.
func splitIRI(iri string) (space, local string) {
	i := strings.LastIndexAny(iri, "#/")
	return iri[:i+1], iri[i+1:]
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\r", "&#13;")

func xmlEscape(s string) string { return xmlEscaper.Replace(s) }
