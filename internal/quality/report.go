package quality

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"

	"qlink/internal/model"
	modelelm "qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/shacl"
	"qlink/internal/vocab"
)

// Severities as reports spell them.
const (
	SeverityViolation = "violation"
	SeverityWarning   = "warning"
	SeverityInfo      = "info"
)

// Kinds of record a report is about.
const (
	KindCourse      = "course"
	KindOffering    = "offering"    // an offering whose course is not in the data
	KindInstitution = "institution" // a publisher described in the data
	KindOther       = "other"
)

// Violation is one broken rule at one place.
type Violation struct {
	Rule      string `json:"rule"`
	Component string `json:"component"` // the SHACL component, short: "minCount", "class"...
	Severity  string `json:"severity"`
	// Node is where the problem is: the course, one of its offerings, or a
	// sub-node such as a learning outcome (a blank node label then).
	Node  string `json:"node"`
	Value string `json:"value,omitempty"` // the offending value, when there is one
	// Explanation is the plain-words statement of the rule's breach; the
	// same for every record, so it groups.
	Explanation string            `json:"explanation"`
	Property    string            `json:"property"`         // ELM property
	Fields      map[string]string `json:"fields,omitempty"` // field name per source format
	Detail      string            `json:"detail,omitempty"` // what the validator found, in its words
}

// Completeness measures a course against the minimum the QualityLink seed
// names (title, learning outcomes, language, ISCED-F thematic area) plus
// EQF level, credits and an enrolment link.
type Completeness struct {
	Score   int      `json:"score"` // 0–100, the share of Items present
	Present []string `json:"present"`
	Missing []string `json:"missing"`
}

// Completeness items, in the order reports list them.
const (
	ItemTitle           = "title"
	ItemLearningOutcome = "learning outcomes"
	ItemLanguage        = "language of delivery"
	ItemISCEDF          = "ISCED-F thematic area"
	ItemEQF             = "EQF level"
	ItemCredits         = "ECTS credits"
	ItemEnrolmentLink   = "enrolment link"
)

// Items lists the completeness items.
var Items = []string{ItemTitle, ItemLearningOutcome, ItemLanguage, ItemISCEDF, ItemEQF, ItemCredits, ItemEnrolmentLink}

// CourseReport is the quality report of one record.
type CourseReport struct {
	Record       string        `json:"record"`
	Kind         string        `json:"kind"`
	Violations   []Violation   `json:"violations,omitempty"`
	Completeness *Completeness `json:"completeness,omitempty"` // courses only
}

// Conforms reports whether the record breaks no rule at violation severity.
func (c CourseReport) Conforms() bool {
	return !slices.ContainsFunc(c.Violations, func(v Violation) bool { return v.Severity == SeverityViolation })
}

// Report is the quality report of one graph: one entry per course,
// offering without its course, or institution, sorted by record.
type Report struct {
	Records []CourseReport `json:"records"`
}

// Conforms reports whether no record breaks a rule at violation severity.
func (r Report) Conforms() bool {
	return !slices.ContainsFunc(r.Records, func(c CourseReport) bool { return !c.Conforms() })
}

// CheckGraph validates native ELM (either namespace) against the profile.
// g is not changed.
func CheckGraph(g *rdf.Graph) Report {
	return checkPrepared(prepare(g))
}

// checkPrepared validates a graph prepare or enrich made ready.
func checkPrepared(data *rdf.Graph) Report {
	res := compiledShapes().Validate(data)
	a := newAttribution(data)
	byRecord := map[string]*CourseReport{}
	get := func(rec, kind string) *CourseReport {
		if c, ok := byRecord[rec]; ok {
			return c
		}
		c := &CourseReport{Record: rec, Kind: kind}
		byRecord[rec] = c
		return c
	}
	for _, n := range a.courses {
		c := get(n.Value, KindCourse)
		c.Completeness = completeness(data, n)
	}
	seen := map[[3]string]bool{}
	for _, r := range res.Results {
		rec, kind := a.record(r.Focus)
		v := violation(r)
		// A value that breaks two constraints of one rule (a homepage given
		// as a plain string is neither a WebResource nor has a URL) is one
		// defect for the provider.
		key := [3]string{rec, v.Rule + "\x00" + v.Node, v.Value}
		if v.Value != "" && seen[key] {
			continue
		}
		seen[key] = true
		c := get(rec, kind)
		c.Violations = append(c.Violations, v)
	}
	var rep Report
	for _, c := range byRecord {
		slices.SortStableFunc(c.Violations, func(a, b Violation) int {
			return cmp.Or(cmp.Compare(ruleOrder[a.Rule], ruleOrder[b.Rule]), cmp.Compare(a.Node, b.Node))
		})
		rep.Records = append(rep.Records, *c)
	}
	slices.SortFunc(rep.Records, func(a, b CourseReport) int { return cmp.Compare(a.Record, b.Record) })
	return rep
}

// CheckSpec validates one specification, as converted from any source
// format, through its ELM form: the same shapes as native ELM. provider is
// the institution publishing it. Institutions the offerings name besides
// it come from the registry, not the record, so they are typed but not
// themselves checked; only the course's own report is returned. An
// activity specification (model.KindActivity) is outside the profile's
// targets: its report has no findings and no completeness score.
func CheckSpec(spec model.Specification, provider model.Provider) CourseReport {
	return CheckSpecs([]model.Specification{spec}, provider)[0]
}

// specBatch is how many specifications CheckSpecs validates in one graph:
// one graph per record costs about half the speed in setting up, a graph
// of a whole large source holds it all in memory at once.
const specBatch = 500

// CheckSpecs is CheckSpec for a source's records, one report per
// specification in order, validated a batch at a time.
func CheckSpecs(specs []model.Specification, provider model.Provider) []CourseReport {
	out := make([]CourseReport, 0, len(specs))
	for start := 0; start < len(specs); start += specBatch {
		out = append(out, checkBatch(specs[start:min(start+specBatch, len(specs))], provider)...)
	}
	return out
}

// batchGraphs keeps the graphs of finished batches: a graph refilled
// keeps its grown maps and slices, where a new one grows them again for
// every batch.
var batchGraphs = sync.Pool{New: func() any { return rdf.NewGraph() }}

func checkBatch(specs []model.Specification, provider model.Provider) []CourseReport {
	out := make([]CourseReport, len(specs))
	providers := []model.Provider{provider}
	named := map[string]bool{provider.ID: true}
	var valid []model.Specification
	for i, spec := range specs {
		if spec.ID == "" || !rdf.IsValidIRI(spec.ID) {
			r := rules[RuleRecordID]
			out[i] = CourseReport{Record: spec.ID, Kind: KindCourse, Violations: []Violation{
				ruleViolation(r, "", spec.ID, spec.ID, "the record's ID "+quote(spec.ID)+" is not an absolute IRI")}}
			continue
		}
		out[i] = CourseReport{Record: spec.ID, Kind: KindCourse}
		valid = append(valid, spec)
		for _, in := range spec.Instances {
			for _, id := range in.ProviderIDs {
				if !named[id] {
					named[id] = true
					providers = append(providers, model.Provider{ID: id})
				}
			}
		}
	}
	if len(valid) == 0 {
		return out
	}
	g := batchGraphs.Get().(*rdf.Graph)
	defer func() { g.Reset(); batchGraphs.Put(g) }()
	modelelm.Emit(valid, providers, modelelm.WriteOptions{}, func(q rdf.Quad) { g.Add(q.Triple()) })
	enrich(g) // the writer speaks ELM 3.3 already: no copy to normalise
	byRecord := map[string]CourseReport{}
	for _, c := range checkPrepared(g).Records {
		byRecord[c.Record] = c
	}
	for i := range out {
		if c, ok := byRecord[out[i].Record]; ok && out[i].Violations == nil {
			out[i] = c
		}
	}
	return out
}

func quote(s string) string { return "\"" + s + "\"" }

// violation turns one SHACL result into a violation of a profile rule.
func violation(r shacl.Result) Violation {
	comp := componentName(r.Component)
	id := strings.TrimPrefix(r.SourceShape.Value, RuleNS)
	rule, ok := rules[id]
	if !ok || !r.SourceShape.IsIRI() {
		// Every property shape of shapes.ttl is named (a test checks); a
		// result from elsewhere still reaches the provider, unexplained.
		rule = Rule{ID: r.SourceShape.Value, Subject: "record", Thing: "data"}
	}
	v := ruleViolation(rule, comp, termString(r.Focus), termString(r.Value), r.Detail)
	v.Severity = severity(r.Severity)
	return v
}

func ruleViolation(r Rule, comp, node, value, detail string) Violation {
	return Violation{Rule: r.ID, Component: comp, Severity: SeverityViolation, Node: node, Value: value,
		Explanation: r.Explain(comp), Property: r.Property, Fields: r.Fields, Detail: detail}
}

func severity(iri string) string {
	switch iri {
	case shacl.Warning:
		return SeverityWarning
	case shacl.Info:
		return SeverityInfo
	}
	return SeverityViolation
}

// termString shows a term as a provider would recognise it: an IRI or
// literal as written, a blank node as _:label, nothing for the zero term.
func termString(t rdf.Term) string {
	switch {
	case t.IsIRI(), t.IsLiteral():
		return t.Value
	case t.IsBlank():
		return "_:" + t.Value
	}
	return ""
}

// Class and property IRIs the attribution and completeness read.
var (
	typeTerm      = rdf.IRI(rdfType)
	courseClasses = []string{modelelm.QL + "LearningOpportunitySpecification", modelelm.NS + "Qualification",
		modelelm.NS + "LearningAchievementSpecification"}
	offeringClasses  = []string{modelelm.QL + "LearningOpportunityInstance", modelelm.NS + "LearningOpportunity"}
	institutionClass = modelelm.QL + "HigherEducationInstitution"
	pLAS             = rdf.IRI(modelelm.NS + "learningAchievementSpecification")
	pLearningOpp     = rdf.IRI(modelelm.NS + "learningOpportunity")
)

// attribution finds the record a focus node belongs to: a course, the
// course of an offering, or the record a sub-node (blank node) hangs from.
type attribution struct {
	g         *rdf.Graph
	kinds     map[rdf.Term]string
	courses   []rdf.Term
	offerings []rdf.Term
}

func newAttribution(g *rdf.Graph) *attribution {
	a := &attribution{g: g, kinds: map[rdf.Term]string{}}
	mark := func(classes []string, kind string, list *[]rdf.Term) {
		for _, c := range classes {
			for _, n := range g.Subjects(typeTerm, rdf.IRI(c)) {
				if _, done := a.kinds[n]; !done {
					a.kinds[n] = kind
					*list = append(*list, n)
				}
			}
		}
	}
	mark(courseClasses, KindCourse, &a.courses)
	mark(offeringClasses, KindOffering, &a.offerings)
	var institutions []rdf.Term
	mark([]string{institutionClass}, KindInstitution, &institutions)
	return a
}

// maxClimb bounds the walk from a sub-node up to its record; ELM nests a
// few levels (course → credit point → ...), never dozens.
const maxClimb = 8

func (a *attribution) record(n rdf.Term) (string, string) {
	for range maxClimb {
		switch a.kinds[n] {
		case KindCourse:
			return n.Value, KindCourse
		case KindOffering:
			if c, ok := a.courseOf(n); ok {
				return c.Value, KindCourse
			}
			return n.Value, KindOffering
		case KindInstitution:
			return n.Value, KindInstitution
		}
		if !n.IsBlank() {
			break
		}
		parent, ok := a.parent(n)
		if !ok {
			break
		}
		n = parent
	}
	return termString(n), KindOther
}

// courseOf returns the course an offering belongs to, when the data
// describes it.
func (a *attribution) courseOf(offering rdf.Term) (rdf.Term, bool) {
	for _, c := range a.g.Objects(offering, pLAS) {
		if a.kinds[c] == KindCourse {
			return c, true
		}
	}
	for _, c := range a.g.Subjects(pLearningOpp, offering) {
		if a.kinds[c] == KindCourse {
			return c, true
		}
	}
	return rdf.Term{}, false
}

func (a *attribution) parent(n rdf.Term) (rdf.Term, bool) {
	for t := range a.g.Match(rdf.Term{}, rdf.Term{}, n) {
		return t.S, true
	}
	return rdf.Term{}, false
}

// completeness scores a course on the graph the shapes saw: the course's
// own statements and those of its offerings.
func completeness(g *rdf.Graph, course rdf.Term) *Completeness {
	has := func(n rdf.Term, p string) bool { return len(g.Objects(n, rdf.IRI(p))) > 0 }
	offerings := g.Objects(course, pLearningOpp)
	offerings = append(offerings, g.Subjects(pLAS, course)...)
	onOffering := func(p string) bool {
		return slices.ContainsFunc(offerings, func(o rdf.Term) bool { return has(o, p) })
	}
	titledOutcome := slices.ContainsFunc(g.Objects(course, rdf.IRI(modelelm.NS+"learningOutcome")),
		func(lo rdf.Term) bool { return has(lo, modelelm.DCT+"title") })
	present := map[string]bool{
		ItemTitle:           has(course, modelelm.DCT+"title"),
		ItemLearningOutcome: titledOutcome,
		ItemLanguage:        has(course, modelelm.DCT+"language") || onOffering(modelelm.NS+"defaultLanguage"),
		ItemISCEDF:          has(course, modelelm.NS+"ISCEDFCode"),
		ItemEQF:             has(course, modelelm.NS+"EQFLevel"),
		ItemCredits:         hasECTS(g, course) || slices.ContainsFunc(offerings, func(o rdf.Term) bool { return hasECTS(g, o) }),
		ItemEnrolmentLink:   onOffering(modelelm.QL + "registrationPortal"),
	}
	c := &Completeness{Present: []string{}, Missing: []string{}}
	for _, item := range Items {
		if present[item] {
			c.Present = append(c.Present, item)
		} else {
			c.Missing = append(c.Missing, item)
		}
	}
	c.Score = int(math.Round(100 * float64(len(c.Present)) / float64(len(Items))))
	return c
}

// ectsIRI is the ECTS concept of the EU education-credit vocabulary.
var ectsIRI = rdf.IRI(vocab.CreditSystems.URI("ects"))

// hasECTS reports whether n has a credit point in ECTS, or in no named
// system (the profile's default, "should be using ECTS").
func hasECTS(g *rdf.Graph, n rdf.Term) bool {
	return slices.ContainsFunc(g.Objects(n, rdf.IRI(modelelm.NS+"creditPoint")), func(cp rdf.Term) bool {
		systems := g.Objects(cp, rdf.IRI(modelelm.NS+"framework"))
		return len(systems) == 0 || slices.Contains(systems, ectsIRI)
	})
}
