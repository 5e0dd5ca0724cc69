// Package quality checks course records against the QualityLink
// application profile and tells a provider, in plain words, what to fix.
//
//	rep := quality.CheckGraph(g)                // native ELM, either namespace
//	cr := quality.CheckSpec(spec, provider)     // a record converted from OOAPI, Edu-API or OCCAPI
//	sum := quality.Summarise(provider.ID, url, reports)
//
// Every record goes the same way: as ELM 3.3 (CheckSpec writes the
// specification with internal/model/elm first), with the EU vocabulary
// concepts it names typed skos:Concept from internal/vocab and the few
// class axioms of the QualityLink ontology added, through the SHACL shapes
// in shapes.ttl (qlink's restatement of the profile and of the LOQ shapes
// it references; see the comment at its top). Violations are grouped by
// rule (the shape's local name: "course-title", "outcome-title"…), with
// an explanation, the ELM property and the field name in each source
// format. Each course also gets a completeness score over the minimum the
// QualityLink seed names plus EQF level, credits and an enrolment link.
//
// Policy checks that SHACL cannot express over one record (ownership,
// identifiers unique within a provider) work over a set of specifications
// and report like rule violations.
//
// All report types are plain JSON-serialisable values, so a harvest run
// can store them as they are.
package quality
