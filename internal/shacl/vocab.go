package shacl

import "qlink/internal/rdf"

// Namespaces and the IRIs of the SHACL vocabulary the engine reads and writes.
const (
	NS     = "http://www.w3.org/ns/shacl#"
	rdfsNS = "http://www.w3.org/2000/01/rdf-schema#"

	rdfsClass      = rdfsNS + "Class"
	owlClass       = "http://www.w3.org/2002/07/owl#Class"
	rdfsSubClassOf = rdfsNS + "subClassOf"
)

// Severities a shape can declare with sh:severity.
const (
	Violation = NS + "Violation"
	Warning   = NS + "Warning"
	Info      = NS + "Info"
)

var (
	iriType       = rdf.IRI(rdf.RDFType)
	iriFirst      = rdf.IRI(rdf.RDFFirst)
	iriRest       = rdf.IRI(rdf.RDFRest)
	iriSubClassOf = rdf.IRI(rdfsSubClassOf)
)

// sh returns the IRI term of a SHACL vocabulary name.
func sh(local string) rdf.Term { return rdf.IRI(NS + local) }

// component returns the IRI of a constraint component, e.g. "MinCount" →
// sh:MinCountConstraintComponent.
func component(name string) string { return NS + name + "ConstraintComponent" }
