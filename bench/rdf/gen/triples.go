package main

import (
	"fmt"
	"strings"
)

// The dataset as triples: one function walks a course and reports each
// triple, and each writer formats them. Turtle and RDF/XML nest blank
// nodes, N-Triples labels them; all three describe the same graph.

const (
	nsQL    = "http://data.quality-link.eu/ontology/v1#"
	nsELM   = "http://data.europa.eu/snb/model/ontology/"
	nsDC    = "http://purl.org/dc/terms/"
	nsADMS  = "http://www.w3.org/ns/adms#"
	nsSKOS  = "http://www.w3.org/2004/02/skos/core#"
	nsXSD   = "http://www.w3.org/2001/XMLSchema#"
	nsRDF   = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsISCED = "http://data.europa.eu/snb/isced-f/"
	nsEQF   = "http://data.europa.eu/snb/eqf/"
	nsLANG  = "http://publications.europa.eu/resource/authority/language/"
	nsLA    = "http://data.europa.eu/snb/learning-assessment/"
	nsBase  = "https://data.example-university.eu/"
	ects    = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
	typeLOS = "http://data.europa.eu/snb/learning-opportunity/05053c1cbe"
)

func losIRI(c course) string      { return fmt.Sprintf("%slos/C%06d", nsBase, c.id) }
func loiIRI(c course) string      { return fmt.Sprintf("%sloi/C%06d-2026", nsBase, c.id) }
func providerIRI(c course) string { return fmt.Sprintf("%sprovider/%d", nsBase, c.provider) }

func mode(c course) string {
	if c.onlineModes {
		return nsLA + "920fbb3cbe"
	}
	return nsLA + "9191af2ed9"
}

func countTriples(ds []course) int {
	n := 0
	for _, c := range ds {
		n += 25 + len(c.titles) + len(c.descs)
		for _, o := range c.outcomes {
			n += 2 + len(o)
		}
	}
	return n
}

// ntEscape escapes a literal for N-Triples and Turtle "..." strings.
func ntEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`).Replace(s)
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
