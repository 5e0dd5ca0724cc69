package main

import (
	"bufio"
	"fmt"
)

func writeNTriples(w *bufio.Writer, ds []course) { writeLines(w, ds, false) }

// writeNQuads puts each course in its own named graph (its source page).
func writeNQuads(w *bufio.Writer, ds []course) { writeLines(w, ds, true) }

func writeLines(w *bufio.Writer, ds []course, quads bool) {
	iri := func(s string) string { return "<" + s + ">" }
	for _, c := range ds {
		los, loi := iri(losIRI(c)), iri(loiIRI(c))
		b := func(name string) string { return fmt.Sprintf("_:c%d%s", c.id, name) }
		end := " .\n"
		if quads {
			end = fmt.Sprintf(" <%spage/%d> .\n", nsBase, c.id/100)
		}
		t := func(s, p, o string) { w.WriteString(s + " " + p + " " + o + end) }
		lit := func(x text) string { return `"` + ntEscape(x.value) + `"@` + x.lang }
		typed := func(v, dt string) string { return `"` + v + `"^^<` + nsXSD + dt + ">" }
		t(los, iri(nsRDF+"type"), iri(nsQL+"LearningOpportunitySpecification"))
		t(los, iri(nsADMS+"identifier"), b("id"))
		t(b("id"), iri(nsRDF+"type"), iri(nsELM+"Identifier"))
		t(b("id"), iri(nsSKOS+"notation"), fmt.Sprintf(`"C%06d"`, c.id))
		for _, x := range c.titles {
			t(los, iri(nsDC+"title"), lit(x))
		}
		for _, x := range c.descs {
			t(los, iri(nsDC+"description"), lit(x))
		}
		t(los, iri(nsDC+"type"), iri(typeLOS))
		t(los, iri(nsDC+"language"), iri(nsLANG+c.language))
		t(los, iri(nsELM+"ISCEDFCode"), iri(nsISCED+c.isced))
		t(los, iri(nsELM+"EQFLevel"), iri(nsEQF+c.eqf))
		t(los, iri(nsELM+"creditPoint"), b("cp"))
		t(b("cp"), iri(nsRDF+"type"), iri(nsELM+"CreditPoint"))
		t(b("cp"), iri(nsELM+"framework"), iri(ects))
		t(b("cp"), iri(nsELM+"point"), `"`+c.credits+`"`)
		for i, o := range c.outcomes {
			lo := b(fmt.Sprintf("lo%d", i))
			t(los, iri(nsELM+"learningOutcome"), lo)
			t(lo, iri(nsRDF+"type"), iri(nsELM+"LearningOutcome"))
			for _, x := range o {
				t(lo, iri(nsDC+"title"), lit(x))
			}
		}
		t(los, iri(nsDC+"publisher"), iri(providerIRI(c)))
		t(los, iri(nsELM+"learningOpportunity"), loi)
		t(los, iri(nsDC+"modified"), typed(c.modified, "dateTime"))
		t(loi, iri(nsRDF+"type"), iri(nsQL+"LearningOpportunityInstance"))
		t(loi, iri(nsELM+"learningAchievementSpecification"), los)
		t(loi, iri(nsELM+"providedBy"), iri(providerIRI(c)))
		t(loi, iri(nsELM+"defaultLanguage"), iri(nsLANG+c.language))
		t(loi, iri(nsELM+"mode"), iri(mode(c)))
		t(loi, iri(nsDC+"temporal"), b("t"))
		t(b("t"), iri(nsRDF+"type"), iri(nsDC+"PeriodOfTime"))
		t(b("t"), iri(nsELM+"startDate"), typed(c.start, "date"))
		t(b("t"), iri(nsELM+"endDate"), typed(c.end, "date"))
		t(loi, iri(nsQL+"enrolmentCapacity"), typed("120", "integer"))
	}
}

func writeTurtle(w *bufio.Writer, ds []course) {
	fmt.Fprintf(w, "@prefix ql: <%s> .\n@prefix elm: <%s> .\n@prefix dcterms: <%s> .\n@prefix adms: <%s> .\n"+
		"@prefix skos: <%s> .\n@prefix xsd: <%s> .\n@prefix isced: <%s> .\n@prefix eqf: <%s> .\n@prefix lang: <%s> .\n"+
		"@prefix la: <%s> .\n@base <%s> .\n\n", nsQL, nsELM, nsDC, nsADMS, nsSKOS, nsXSD, nsISCED, nsEQF, nsLANG, nsLA, nsBase)
	lits := func(xs []text, indent string) {
		for i, x := range xs {
			if i > 0 {
				w.WriteString(" ,\n" + indent)
			}
			if len(x.value) > 200 && i%2 == 0 {
				fmt.Fprintf(w, `"""%s"""@%s`, x.value, x.lang) // long form, raw newline
			} else {
				fmt.Fprintf(w, `"%s"@%s`, ntEscape(x.value), x.lang)
			}
		}
	}
	for _, c := range ds {
		fmt.Fprintf(w, "<los/C%06d> a ql:LearningOpportunitySpecification ;\n", c.id)
		fmt.Fprintf(w, "    adms:identifier [ a elm:Identifier ; skos:notation \"C%06d\" ] ;\n    dcterms:title ", c.id)
		lits(c.titles, "        ")
		w.WriteString(" ;\n    dcterms:description ")
		lits(c.descs, "        ")
		fmt.Fprintf(w, " ;\n    dcterms:type <%s> ;\n    dcterms:language lang:%s ;\n    elm:ISCEDFCode isced:%s ;\n    elm:EQFLevel eqf:%s ;\n",
			typeLOS, c.language, c.isced, c.eqf)
		fmt.Fprintf(w, "    elm:creditPoint [ a elm:CreditPoint ; elm:framework <%s> ; elm:point \"%s\" ] ;\n    elm:learningOutcome ", ects, c.credits)
		for i, o := range c.outcomes {
			if i > 0 {
				w.WriteString(" ,\n        ")
			}
			w.WriteString("[ a elm:LearningOutcome ; dcterms:title ")
			lits(o, "            ")
			w.WriteString(" ]")
		}
		fmt.Fprintf(w, " ;\n    dcterms:publisher <provider/%d> ;\n    elm:learningOpportunity <loi/C%06d-2026> ;\n    dcterms:modified \"%s\"^^xsd:dateTime .\n\n",
			c.provider, c.id, c.modified)
		fmt.Fprintf(w, "<loi/C%06d-2026> a ql:LearningOpportunityInstance ;\n    elm:learningAchievementSpecification <los/C%06d> ;\n", c.id, c.id)
		fmt.Fprintf(w, "    elm:providedBy <provider/%d> ;\n    elm:defaultLanguage lang:%s ;\n    elm:mode <%s> ;\n", c.provider, c.language, mode(c))
		fmt.Fprintf(w, "    dcterms:temporal [ a dcterms:PeriodOfTime ; elm:startDate \"%s\"^^xsd:date ; elm:endDate \"%s\"^^xsd:date ] ;\n", c.start, c.end)
		w.WriteString("    ql:enrolmentCapacity 120 .\n\n")
	}
}

func writeRDFXML(w *bufio.Writer, ds []course) {
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rdf:RDF xmlns:rdf=\"%s\" xmlns:ql=\"%s\" xmlns:elm=\"%s\"\n"+
		"    xmlns:dcterms=\"%s\" xmlns:adms=\"%s\" xmlns:skos=\"%s\" xml:base=\"%s\">\n", nsRDF, nsQL, nsELM, nsDC, nsADMS, nsSKOS, nsBase)
	lits := func(tag string, xs []text, indent string) {
		for _, x := range xs {
			fmt.Fprintf(w, "%s<%s xml:lang=\"%s\">%s</%s>\n", indent, tag, x.lang, xmlEscape(x.value), tag)
		}
	}
	for _, c := range ds {
		fmt.Fprintf(w, "  <ql:LearningOpportunitySpecification rdf:about=\"los/C%06d\">\n", c.id)
		fmt.Fprintf(w, "    <adms:identifier><elm:Identifier><skos:notation>C%06d</skos:notation></elm:Identifier></adms:identifier>\n", c.id)
		lits("dcterms:title", c.titles, "    ")
		lits("dcterms:description", c.descs, "    ")
		fmt.Fprintf(w, "    <dcterms:type rdf:resource=\"%s\"/>\n    <dcterms:language rdf:resource=\"%s%s\"/>\n", typeLOS, nsLANG, c.language)
		fmt.Fprintf(w, "    <elm:ISCEDFCode rdf:resource=\"%s%s\"/>\n    <elm:EQFLevel rdf:resource=\"%s%s\"/>\n", nsISCED, c.isced, nsEQF, c.eqf)
		fmt.Fprintf(w, "    <elm:creditPoint>\n      <elm:CreditPoint>\n        <elm:framework rdf:resource=\"%s\"/>\n        <elm:point>%s</elm:point>\n      </elm:CreditPoint>\n    </elm:creditPoint>\n", ects, c.credits)
		for _, o := range c.outcomes {
			w.WriteString("    <elm:learningOutcome>\n      <elm:LearningOutcome>\n")
			lits("dcterms:title", o, "        ")
			w.WriteString("      </elm:LearningOutcome>\n    </elm:learningOutcome>\n")
		}
		fmt.Fprintf(w, "    <dcterms:publisher rdf:resource=\"provider/%d\"/>\n    <elm:learningOpportunity rdf:resource=\"loi/C%06d-2026\"/>\n", c.provider, c.id)
		fmt.Fprintf(w, "    <dcterms:modified rdf:datatype=\"%sdateTime\">%s</dcterms:modified>\n  </ql:LearningOpportunitySpecification>\n", nsXSD, c.modified)
		fmt.Fprintf(w, "  <ql:LearningOpportunityInstance rdf:about=\"loi/C%06d-2026\">\n    <elm:learningAchievementSpecification rdf:resource=\"los/C%06d\"/>\n", c.id, c.id)
		fmt.Fprintf(w, "    <elm:providedBy rdf:resource=\"provider/%d\"/>\n    <elm:defaultLanguage rdf:resource=\"%s%s\"/>\n    <elm:mode rdf:resource=\"%s\"/>\n", c.provider, nsLANG, c.language, mode(c))
		fmt.Fprintf(w, "    <dcterms:temporal rdf:parseType=\"Resource\">\n      <rdf:type rdf:resource=\"%sPeriodOfTime\"/>\n", nsDC)
		fmt.Fprintf(w, "      <elm:startDate rdf:datatype=\"%sdate\">%s</elm:startDate>\n      <elm:endDate rdf:datatype=\"%sdate\">%s</elm:endDate>\n    </dcterms:temporal>\n", nsXSD, c.start, nsXSD, c.end)
		fmt.Fprintf(w, "    <ql:enrolmentCapacity rdf:datatype=\"%sinteger\">120</ql:enrolmentCapacity>\n  </ql:LearningOpportunityInstance>\n", nsXSD)
	}
	w.WriteString("</rdf:RDF>\n")
}
