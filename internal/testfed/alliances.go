package testfed

import (
	"fmt"
	"strings"
)

// The registry host also publishes the federation's alliances as
// QualityLink alliance data (Turtle, as in the project's alliance.ttl):
// each ql:EuropeanUniversityAlliance with its OrgReg-style identifier,
// members linked by their DEQAR institution IRI. One member of each
// alliance is not in the registry, as real alliance data names
// institutions a registry may lack.
const alliancesPath = "/alliances.ttl"

// allianceNotation is the alliance's fictional OrgReg identifier.
func allianceNotation(i int) string { return fmt.Sprintf("INT9%03d", i+1) }

func renderAlliances(insts []Institution) []byte {
	var b strings.Builder
	b.WriteString(`@prefix ql: <http://data.quality-link.eu/ontology/v1#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix elm: <http://data.europa.eu/snb/model/elm/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
`)
	for i, a := range alliances {
		iri := "<http://data.quality-link.eu/alliance/" + allianceNotation(i) + ">"
		fmt.Fprintf(&b, "\n%s\n    a ql:EuropeanUniversityAlliance ;\n", iri)
		fmt.Fprintf(&b, "    adms:identifier [ a ql:OrgRegIdentifier ; elm:schemeId ql:OrgReg ; elm:schemeName \"ETER ID\" ; skos:notation %q ] ;\n", allianceNotation(i))
		fmt.Fprintf(&b, "    foaf:homepage <https://%s.eu.example/> ;\n", a.code)
		fmt.Fprintf(&b, "    skos:prefLabel %q@en .\n\n", a.name)
		for _, in := range insts {
			if in.Alliance == a.code {
				fmt.Fprintf(&b, "<https://data.deqar.eu/institution/%d> ql:isMemberOf %s .\n", in.RegistryID, iri)
			}
		}
		fmt.Fprintf(&b, "<https://data.deqar.eu/institution/%d> ql:isMemberOf %s .\n", 99000+i, iri)
	}
	return []byte(b.String())
}

// AlliancesURL is where the federation publishes its alliance data.
func (f *Federation) AlliancesURL() string { return AlliancesURLAt(f.port) }

// AlliancesURLAt returns the alliance data's URL of a federation whose web
// servers listen on port.
func AlliancesURLAt(port int) string { return origin(registryHost, port) + alliancesPath }

// AllianceID is the identifier the federation's alliance data gives the
// institution's alliance, "" when it belongs to none.
func (in Institution) AllianceID() string {
	for i, a := range alliances {
		if a.code == in.Alliance {
			return allianceNotation(i)
		}
	}
	return ""
}
