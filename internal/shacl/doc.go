// Package shacl is a SHACL Core validator over internal/rdf graphs.
//
//	shapes, err := shacl.Compile(shapesGraph) // once; safe for concurrent use afterwards
//	report := shapes.Validate(dataGraph)     // report.Conforms, report.Results, report.Graph()
//
// Supported: every SHACL Core target (sh:targetClass with rdfs:subClassOf*,
// sh:targetNode, sh:targetSubjectsOf, sh:targetObjectsOf, and implicit
// class targets for shapes that are also an rdfs:Class or owl:Class); every property
// path form (predicate, sequence, alternative, inverse, zeroOrMore,
// oneOrMore, zeroOrOne); every Core constraint component (class,
// datatype, nodeKind, minCount, maxCount, min/maxExclusive,
// min/maxInclusive, minLength, maxLength, pattern with flags, languageIn,
// uniqueLang, equals, disjoint, lessThan, lessThanOrEquals, not, and, or,
// xone, node, property, qualifiedValueShape with qualifiedMinCount,
// qualifiedMaxCount and qualifiedValueShapesDisjoint, closed with
// ignoredProperties, hasValue, in); sh:severity, sh:message and
// sh:deactivated. The report is available as Go values and as a
// sh:ValidationReport graph.
//
// Datatype checks validate lexical forms: xsd:integer and its derived types
// with their ranges, decimal, double, float, boolean, date, dateTime,
// dateTimeStamp, time, the g* types, duration, anyURI, hexBinary,
// base64Binary, language, string and rdf:langString. An ill-formed literal
// is a violation. Value ranges and lessThan compare numbers, strings,
// booleans, dates, times and date-times; values that cannot be compared
// (different kinds, NaN, a timezone on one side only) are violations.
//
// sh:pattern uses Go's RE2 after mapping the XPath flags i, s, m, x and q;
// XPath constructs RE2 lacks (back-references, character class
// subtraction) are refused by Compile with a *ShapeError.
//
// Recursive shapes, which the specification leaves undefined, are cut: a
// shape met again for the same focus node while it is being evaluated
// counts as passed, and nesting stops at a fixed depth, so validation
// always ends.
//
// Not supported: SHACL-SPARQL (sh:sparql constraints, SPARQL-based
// targets and constraint components) and SHACL Advanced Features
// (rules, functions, custom targets); their triples are ignored. The
// engine does not use owl:imports; the caller passes the whole shapes
// graph.
//
// The package passes every test of the W3C SHACL Core test suite
// (TestW3CCoreConformance, reading ../shared/conformance).
package shacl
