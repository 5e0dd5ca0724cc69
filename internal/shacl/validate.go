package shacl

import (
	"qlink/internal/rdf"
)

// Result is one sh:ValidationResult.
type Result struct {
	Focus       rdf.Term
	Path        rdf.Term // the shape's sh:path node in the shapes graph (zero for node shapes), or for sh:closed the offending predicate
	Value       rdf.Term // zero when the component reports no single value (minCount, uniqueLang...)
	SourceShape rdf.Term
	Component   string     // IRI of the constraint component, e.g. NS+"MinCountConstraintComponent"
	Severity    string     // Violation, Warning, Info or the shape's own severity IRI
	Messages    []rdf.Term // the shape's sh:message values, language-tagged as written; shared between results, do not modify
	Detail      string     // what the engine found, in English, for logs and reports
}

// Report is the outcome of validating a data graph.
type Report struct {
	Conforms bool
	Results  []Result
	shapes   *Shapes
}

// maxDepth bounds nested shape evaluation (sh:node, sh:property, logical
// constraints). SHACL leaves recursive shapes undefined; qlink stops at
// a cycle or at this depth and counts the inner check as passed.
const maxDepth = 64

// run holds the state of one Validate call; Shapes itself stays
// read-only.
type run struct {
	data     *rdf.Graph
	results  []Result
	checking int  // > 0 while only conformance matters (sh:node, sh:not...)
	failed   bool // a result was found while checking
	active   []visit
	memo     map[visit]bool // conforms answers of this run
}

type visit struct {
	s     *shape
	focus rdf.Term
}

// Validate checks data against every targeted shape.
func (s *Shapes) Validate(data *rdf.Graph) *Report {
	r := &run{data: data}
	for _, sh := range s.roots {
		if sh.deactivated {
			continue
		}
		for _, focus := range r.focusNodes(sh) {
			r.validate(sh, focus)
		}
	}
	return &Report{Conforms: len(r.results) == 0, Results: r.results, shapes: s}
}

// focusNodes collects the distinct targets of a shape in the data graph.
// Target lists can hold every course of a provider, so they are merged
// through a set, not by scanning.
func (r *run) focusNodes(s *shape) []rdf.Term {
	f := termSet{}
	f.add(s.targets.nodes...)
	for _, c := range s.targets.classes {
		classes := termSet{}
		classes.add(c)
		for i := 0; i < len(classes.list); i++ {
			f.add(r.data.Subjects(iriType, classes.list[i])...)
			classes.add(r.data.Subjects(iriSubClassOf, classes.list[i])...)
		}
	}
	for _, p := range s.targets.subjectsOf {
		for t := range r.data.Match(rdf.Term{}, p, rdf.Term{}) {
			f.add(t.S)
		}
	}
	for _, p := range s.targets.objectsOf {
		for t := range r.data.Match(rdf.Term{}, p, rdf.Term{}) {
			f.add(t.O)
		}
	}
	return f.list
}

// termSet is an insertion-ordered set of terms.
type termSet struct {
	list []rdf.Term
	seen map[rdf.Term]struct{}
}

func (s *termSet) add(ts ...rdf.Term) {
	if s.seen == nil {
		s.seen = make(map[rdf.Term]struct{}, len(ts))
	}
	for _, t := range ts {
		if _, dup := s.seen[t]; !dup {
			s.seen[t] = struct{}{}
			s.list = append(s.list, t)
		}
	}
}

// isInstance reports whether node is a SHACL instance of class.
func (r *run) isInstance(node, class rdf.Term) bool {
	if node.IsLiteral() {
		return false
	}
	types := r.data.Objects(node, iriType)
	for i := 0; i < len(types); i++ {
		if types[i] == class {
			return true
		}
		if i < 256 { // a bound on hostile subclass chains
			types = union(types, r.data.Objects(types[i], iriSubClassOf))
		}
	}
	return false
}

// validate evaluates every constraint of s against one focus node.
func (r *run) validate(s *shape, focus rdf.Term) {
	if s.deactivated || len(r.active) >= maxDepth {
		return
	}
	for _, v := range r.active {
		if v.s == s && v.focus == focus {
			return
		}
	}
	r.active = append(r.active, visit{s, focus})
	defer func() { r.active = r.active[:len(r.active)-1] }()

	values := []rdf.Term{focus}
	if s.path != nil {
		values = s.path.values(r.data, focus, nil)
	}
	for _, c := range s.constraints {
		if r.stopped() {
			return
		}
		c.check(r, s, focus, values)
	}
}

// conforms reports whether node conforms to s, without recording results.
// Answers are remembered for the rest of the run: the same concept or
// organisation is checked against the same shape for every course that
// points to it, and the memo keeps hostile nestings of sh:and/sh:or
// polynomial instead of exponential.
func (r *run) conforms(s *shape, node rdf.Term) bool {
	key := visit{s, node}
	if ok, known := r.memo[key]; known {
		return ok
	}
	saved := r.failed
	r.failed = false
	r.checking++
	r.validate(s, node)
	ok := !r.failed
	r.checking--
	r.failed = saved
	if r.memo == nil {
		r.memo = map[visit]bool{}
	}
	r.memo[key] = ok
	return ok
}

// stopped tells a constraint it may stop: a conformance check already
// failed.
func (r *run) stopped() bool { return r.checking > 0 && r.failed }

// report records one result (or, while checking, just the failure).
func (r *run) report(s *shape, focus, value rdf.Term, comp, detail string) {
	r.reportAt(s, focus, s.pathNode, value, comp, detail)
}

// reportAt is report with a result path other than the shape's own
// (sh:closed names the offending predicate).
func (r *run) reportAt(s *shape, focus, path, value rdf.Term, comp, detail string) {
	if r.checking > 0 {
		r.failed = true
		return
	}
	r.results = append(r.results, Result{
		Focus: focus, Path: path, Value: value, SourceShape: s.node,
		Component: comp, Severity: s.severity, Messages: s.messages, Detail: detail,
	})
}
