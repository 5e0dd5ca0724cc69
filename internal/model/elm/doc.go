// Package elm maps between ELM RDF and qlink's model, in both directions.
//
// Read is the mapping stage of the ELM source adapter: it takes a parsed
// graph in either ELM namespace (3.3 …/model/ontology/ or ≤3.2
// …/model/elm/, normalised to 3.3 first), finds the learning opportunity
// specifications (ql:LearningOpportunitySpecification, elm:Qualification,
// elm:LearningAchievementSpecification, and elm:LearningActivitySpecification
// for opportunities of participation, kept as model.KindActivity and written
// back as that class) and instances (ql:LearningOpportunityInstance,
// elm:LearningOpportunity), and hands on
// model.Specification values with their instances plus warnings that name
// the node and property of every problem. It reads only statements about
// those nodes and their own sub-nodes (identifiers, outcomes, credit
// points, periods…). Vocabulary concepts and institutions are taken as
// IRIs, never described from the file: a provider cannot relabel an EU
// concept or another institution through its data (the reference
// aggregator's data-poisoning bug).
//
// Write (and Quads, Emit) is the last stage of ELM output: model values in,
// ELM 3.3 shaped by the QualityLink application profile out, as Turtle,
// N-Quads (one named graph per publishing institution) or JSON-LD
// compacted with qlink's context (jsonld.QLinkContextURL). Output is
// deterministic: specifications are sorted by ID and blank nodes are named
// from a hash of the node they belong to, so a course keeps its labels when
// others change.
package elm
