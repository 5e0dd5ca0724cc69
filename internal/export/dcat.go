package export

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"qlink/internal/rdf"
	"qlink/internal/rdf/jsonld"
	"qlink/internal/vocab"
)

// Licence is the dataset's licence, CC BY-NC 4.0.
const Licence = "https://creativecommons.org/licenses/by-nc/4.0/"

// Namespaces of the DCAT-AP description.
const (
	nsDCAT   = "http://www.w3.org/ns/dcat#"
	nsDCT    = "http://purl.org/dc/terms/"
	nsFOAF   = "http://xmlns.com/foaf/0.1/"
	nsVCard  = "http://www.w3.org/2006/vcard/ns#"
	nsSPDX   = "http://spdx.org/rdf/terms#"
	nsDCATAP = "http://data.europa.eu/r5r/"
	nsXSD    = "http://www.w3.org/2001/XMLSchema#"
	nsRDF    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

	euAuthority  = "http://publications.europa.eu/resource/authority/"
	ianaMedia    = "http://www.iana.org/assignments/media-types/"
	elmOntology  = "http://data.europa.eu/snb/model/ontology/"
	themeEDUC    = euAuthority + "data-theme/EDUC"
	themeScheme  = euAuthority + "data-theme"
	availability = euAuthority + "planned-availability/STABLE"
	english      = euAuthority + "language/ENG"
)

// DCATPrefixes are the prefixes of the Turtle description.
var DCATPrefixes = map[string]string{
	"dcat": nsDCAT, "dct": nsDCT, "foaf": nsFOAF, "vcard": nsVCard, "spdx": nsSPDX, "dcatap": nsDCATAP, "xsd": nsXSD,
}

// fileTypes are the EU file-type authority's names of the formats.
var fileTypes = map[Format]string{
	NQuads: "RDF_N_QUADS", Turtle: "RDF_TURTLE", JSONLD: "JSON_LD", CoursesCSV: "CSV", OfferingsCSV: "CSV",
}

// Catalogue is what the DCAT-AP description says about the instance.
type Catalogue struct {
	// BaseURL is the instance's public URL, without a final slash.
	BaseURL string
	// Publisher names the organisation running the instance.
	Publisher string
	// Contact is a mailto: or web URL to reach it.
	Contact string
}

func (c Catalogue) pageURL() string            { return c.BaseURL + "/dataset" }
func (c Catalogue) fileURL(name string) string { return c.BaseURL + "/dataset/" + name }

// datasetIRI names the dataset of a scope: the page for the whole
// catalogue, a fragment of it for the others.
func (c Catalogue) datasetIRI(s Scope) string {
	if s.Kind == ScopeAll {
		return c.pageURL()
	}
	return c.pageURL() + "#" + s.base()
}

// dcatGraph builds the statements of the description.
type dcatGraph struct {
	quads []rdf.Quad
	blank int
}

func (g *dcatGraph) add(s rdf.Term, p string, o rdf.Term) {
	g.quads = append(g.quads, rdf.Quad{S: s, P: rdf.IRI(p), O: o})
}

func (g *dcatGraph) newBlank() rdf.Term {
	g.blank++
	return rdf.Blank("n" + strconv.Itoa(g.blank))
}

func (g *dcatGraph) text(s rdf.Term, p, v string) { g.add(s, p, rdf.LangLiteral(v, "en")) }

func (g *dcatGraph) date(s rdf.Term, p string, t time.Time) {
	g.add(s, p, rdf.Literal(t.UTC().Format(time.RFC3339), nsXSD+"dateTime"))
}

// DCAT describes the catalogue, its datasets (the whole catalogue, and
// each institution's and country's part of it) and every distribution in
// ms, after DCAT-AP 3: the mandatory and recommended properties of
// Catalogue, Dataset, Distribution and Agent.
func DCAT(c Catalogue, ms []Manifest) []rdf.Quad {
	g := &dcatGraph{}
	cat := rdf.IRI(c.pageURL() + "#catalogue")
	publisher := g.agent(c)
	contact := g.contact(c)
	licence := rdf.IRI(Licence)
	g.add(licence, nsRDF+"type", rdf.IRI(nsDCT+"LicenseDocument"))

	g.add(cat, nsRDF+"type", rdf.IRI(nsDCAT+"Catalog"))
	g.text(cat, nsDCT+"title", "qlink course catalogue")
	g.text(cat, nsDCT+"description", "Courses and micro-credentials that European higher education institutions publish, harvested and converted to the European Learning Model (ELM 3.3) by qlink.")
	g.add(cat, nsDCT+"publisher", publisher)
	g.add(cat, nsFOAF+"homepage", rdf.IRI(c.BaseURL+"/"))
	g.add(cat, nsDCT+"language", rdf.IRI(english))
	g.add(cat, nsDCT+"license", licence)
	g.add(cat, nsDCAT+"themeTaxonomy", rdf.IRI(themeScheme))
	g.add(rdf.IRI(themeScheme), nsRDF+"type", rdf.IRI("http://www.w3.org/2004/02/skos/core#ConceptScheme"))
	g.add(rdf.IRI(themeScheme), nsDCT+"title", rdf.LangLiteral("Data theme", "en"))

	byScope := map[Scope][]Manifest{}
	for _, m := range ms {
		byScope[m.Scope] = append(byScope[m.Scope], m)
	}
	scopes := slices.SortedFunc(maps.Keys(byScope), func(a, b Scope) int {
		return cmp.Or(scopeOrder[a.Kind]-scopeOrder[b.Kind], strings.Compare(a.ID, b.ID))
	})
	countries := countryIRIs(ms)
	for _, s := range scopes {
		ds := rdf.IRI(c.datasetIRI(s))
		g.add(cat, nsDCAT+"dataset", ds)
		g.dataset(c, ds, s, byScope[s], publisher, contact, licence, countries)
	}
	if len(ms) > 0 {
		g.date(cat, nsDCT+"modified", ms[0].Generated)
	}
	for _, iri := range countries[All] {
		g.add(cat, nsDCT+"spatial", rdf.IRI(iri))
	}
	return g.quads
}

func (g *dcatGraph) agent(c Catalogue) rdf.Term {
	a := rdf.IRI(c.pageURL() + "#publisher")
	g.add(a, nsRDF+"type", rdf.IRI(nsFOAF+"Agent"))
	g.add(a, nsFOAF+"name", rdf.LangLiteral(c.Publisher, "en"))
	return a
}

func (g *dcatGraph) contact(c Catalogue) rdf.Term {
	k := rdf.IRI(c.pageURL() + "#contact")
	g.add(k, nsRDF+"type", rdf.IRI(nsVCard+"Kind"))
	g.add(k, nsVCard+"fn", rdf.String(c.Publisher))
	if strings.HasPrefix(c.Contact, "mailto:") {
		g.add(k, nsVCard+"hasEmail", rdf.IRI(c.Contact))
	} else if c.Contact != "" {
		g.add(k, nsVCard+"hasURL", rdf.IRI(c.Contact))
	}
	return k
}

func (g *dcatGraph) dataset(c Catalogue, ds rdf.Term, s Scope, ms []Manifest, publisher, contact, licence rdf.Term, countries map[Scope][]string) {
	title := "qlink open course dataset"
	if s.Kind != ScopeAll {
		title += ": " + ms[0].ScopeName
		g.add(ds, nsDCT+"isPartOf", rdf.IRI(c.datasetIRI(All)))
	}
	g.add(ds, nsRDF+"type", rdf.IRI(nsDCAT+"Dataset"))
	g.text(ds, nsDCT+"title", title)
	g.text(ds, nsDCT+"description", scopeDescription(ms[0])+", with their offerings, as the catalogue holds them: "+
		"ELM 3.3 RDF (N-Quads with one named graph per institution, Turtle, JSON-LD) and two CSV tables (courses, offerings). "+
		"Regenerated after every harvest.")
	g.add(ds, nsDCT+"publisher", publisher)
	g.add(ds, nsDCAT+"contactPoint", contact)
	g.add(ds, nsDCAT+"theme", rdf.IRI(themeEDUC))
	for _, kw := range []string{"courses", "higher education", "micro-credentials", "European Learning Model"} {
		g.text(ds, nsDCAT+"keyword", kw)
	}
	for _, iri := range countries[s] {
		g.add(ds, nsDCT+"spatial", rdf.IRI(iri))
	}
	g.add(ds, nsDCAT+"landingPage", rdf.IRI(c.pageURL()))
	g.date(ds, nsDCT+"modified", ms[0].Generated)
	if m := ms[0]; !m.TemporalStart.IsZero() {
		period := g.newBlank()
		g.add(ds, nsDCT+"temporal", period)
		g.add(period, nsRDF+"type", rdf.IRI(nsDCT+"PeriodOfTime"))
		g.add(period, nsDCAT+"startDate", rdf.Literal(m.TemporalStart.Format(time.DateOnly), nsXSD+"date"))
		g.add(period, nsDCAT+"endDate", rdf.Literal(m.TemporalEnd.Format(time.DateOnly), nsXSD+"date"))
	}
	for _, m := range ms {
		d := rdf.IRI(c.fileURL(m.File))
		g.add(ds, nsDCAT+"distribution", d)
		g.distribution(c, d, m, licence)
	}
}

func (g *dcatGraph) distribution(c Catalogue, d rdf.Term, m Manifest, licence rdf.Term) {
	g.add(d, nsRDF+"type", rdf.IRI(nsDCAT+"Distribution"))
	g.text(d, nsDCT+"title", m.ScopeName+", "+m.Format.Name())
	g.text(d, nsDCT+"description", fmt.Sprintf("%s in %s, gzip-compressed: %d records.", m.ScopeName, m.Format.Name(), m.Records))
	g.add(d, nsDCAT+"accessURL", rdf.IRI(c.pageURL()))
	g.add(d, nsDCAT+"downloadURL", rdf.IRI(c.fileURL(m.File)))
	g.add(d, nsDCAT+"mediaType", rdf.IRI(ianaMedia+m.MediaType))
	g.add(d, nsDCAT+"compressFormat", rdf.IRI(ianaMedia+"application/gzip"))
	g.add(d, nsDCT+"format", rdf.IRI(euAuthority+"file-type/"+fileTypes[m.Format]))
	g.add(d, nsDCAT+"byteSize", rdf.Literal(strconv.FormatInt(m.Bytes, 10), nsXSD+"nonNegativeInteger"))
	sum := g.newBlank()
	g.add(d, nsSPDX+"checksum", sum)
	g.add(sum, nsRDF+"type", rdf.IRI(nsSPDX+"Checksum"))
	g.add(sum, nsSPDX+"algorithm", rdf.IRI(nsSPDX+"checksumAlgorithm_sha256"))
	g.add(sum, nsSPDX+"checksumValue", rdf.Literal(m.SHA256, nsXSD+"hexBinary"))
	g.add(d, nsDCT+"license", licence)
	g.add(d, nsDCATAP+"availability", rdf.IRI(availability))
	g.date(d, nsDCT+"issued", m.Generated)
	g.date(d, nsDCT+"modified", m.Generated)
	if m.Format == NQuads || m.Format == Turtle || m.Format == JSONLD {
		g.add(d, nsDCT+"conformsTo", rdf.IRI(elmOntology))
	}
}

// scopeDescription starts the description of a scope's dataset.
func scopeDescription(m Manifest) string {
	switch m.Scope.Kind {
	case ScopeProvider:
		return "The active courses of " + m.ScopeName
	case ScopeCountry:
		return "The active courses of the institutions in " + m.ScopeName
	}
	return "All active courses of the catalogue"
}

// countryIRIs says which countries (EU authority IRIs) each scope covers.
func countryIRIs(ms []Manifest) map[Scope][]string {
	out := map[Scope][]string{}
	for _, m := range ms {
		if m.Country == "" || slices.Contains(out[m.Scope], vocab.CountryURI(m.Country)) {
			continue
		}
		iri := vocab.CountryURI(m.Country)
		if iri == "" {
			continue
		}
		out[m.Scope] = append(out[m.Scope], iri)
		if m.Scope.Kind != ScopeAll && !slices.Contains(out[All], iri) {
			out[All] = append(out[All], iri)
		}
	}
	for s := range out {
		slices.Sort(out[s])
	}
	return out
}

// WriteDCAT writes the description as Turtle or JSON-LD.
func WriteDCAT(w io.Writer, f rdf.Format, c Catalogue, ms []Manifest) error {
	quads := DCAT(c, ms)
	switch f {
	case rdf.FormatTurtle:
		g := rdf.NewGraph()
		for _, q := range quads {
			g.Add(q.Triple())
		}
		return rdf.WriteTurtle(w, g, DCATPrefixes)
	case rdf.FormatJSONLD:
		doc, err := jsonld.FromRDF(quads, jsonld.Options{})
		if err != nil {
			return err
		}
		ctx := map[string]any{}
		for p, ns := range DCATPrefixes {
			ctx[p] = ns
		}
		compacted, err := jsonld.Compact(doc, map[string]any{"@context": ctx}, jsonld.Options{})
		if err != nil {
			return err
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(compacted)
	}
	return fmt.Errorf("export: no DCAT description in %v", f)
}
