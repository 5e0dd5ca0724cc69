package elm

import (
	"fmt"
	"slices"
	"strings"

	"qlink/internal/model"
	"qlink/internal/rdf"
)

// Identifier schemes the mapping gives identifiers it cannot name better.
const (
	// SchemeELM marks an adms:identifier without elm:schemeName or
	// elm:schemeId.
	SchemeELM = "elm"
	// SchemeIRI holds the IRI a source gave a resource when qlink
	// identifies it by a minted course identifier instead; written back
	// as owl:sameAs.
	SchemeIRI = "iri"
)

// ReadOptions say whose data a graph is.
type ReadOptions struct {
	// Provider is the institution the source belongs to. Course
	// identifiers are minted under its SCHAC code, and a publisher or
	// provider node carrying one of its identifiers is taken to be it.
	Provider model.Provider
}

// Warning is a problem with one node that did not stop the mapping.
type Warning struct {
	// Node is the specification or instance as published (its IRI, or
	// "_:label" for a blank node).
	Node string
	// Property is the property path, e.g. "elm:learningOutcome/dcterms:title".
	Property string
	Message  string
}

func (w Warning) String() string {
	if w.Property == "" {
		return w.Node + ": " + w.Message
	}
	return w.Node + ": " + w.Property + ": " + w.Message
}

// Result is what Read makes of a graph.
type Result struct {
	// Specs are the specifications in the order the graph first names
	// them, each with its instances.
	Specs    []model.Specification
	Warnings []Warning
	// OldNamespace is true when the graph used the ELM ≤3.2 namespace.
	OldNamespace bool
	// Instances counts the instances attached to specifications.
	Instances int
}

var (
	losClasses = []string{qlLOS, elmQualification, elmLAS, elmLActS}
	loiClasses = []string{qlLOI, elmLO}
)

// Read maps every learning opportunity specification in g, with its
// instances. It never fails: what cannot be mapped is reported in
// Result.Warnings and the rest still arrives.
func Read(g *rdf.Graph, opts ReadOptions) Result {
	g, old := NormalizeGraph(g)
	r := &reader{g: g, opts: opts, specIDs: map[rdf.Term]string{}, taken: map[string]rdf.Term{}}
	r.own = newProviderMatcher(opts.Provider)
	loses, lois := r.classify()
	specs := make([]model.Specification, 0, len(loses))
	index := map[rdf.Term]int{}
	for _, n := range loses {
		if s, ok := r.spec(n); ok {
			index[n] = len(specs)
			specs = append(specs, s)
		}
	}
	for _, n := range loses {
		if j, ok := index[n]; ok {
			r.structure(n, &specs[j])
		}
	}
	count := 0
	for _, n := range lois {
		los, ok := r.instanceOf(n, index)
		if !ok {
			continue
		}
		s := &specs[index[los]]
		s.Instances = append(s.Instances, r.instance(n, s))
		count++
	}
	return Result{Specs: specs, Warnings: r.warnings, OldNamespace: old, Instances: count}
}

// reader is the state of one Read.
type reader struct {
	g        *rdf.Graph
	opts     ReadOptions
	own      providerMatcher
	warnings []Warning
	// specIDs maps LOS nodes to the IDs minted for them; taken is the
	// reverse, to detect two nodes claiming one ID.
	specIDs map[rdf.Term]string
	taken   map[string]rdf.Term
}

func (r *reader) warn(n rdf.Term, prop, format string, args ...any) {
	r.warnings = append(r.warnings, Warning{Node: nodeName(n), Property: prop, Message: fmt.Sprintf(format, args...)})
}

func nodeName(n rdf.Term) string {
	if n.IsBlank() {
		return "_:" + n.Value
	}
	return n.Value
}

// classify finds the LOS and LOI nodes in document order. Objects of a
// LOS's elm:learningOpportunity count as instances even when untyped.
func (r *reader) classify() (loses, lois []rdf.Term) {
	isLOS, isLOI := map[rdf.Term]bool{}, map[rdf.Term]bool{}
	for t := range r.g.Match(rdf.Term{}, rdf.IRI(rdfType), rdf.Term{}) {
		switch {
		case t.O.IsIRI() && slices.Contains(losClasses, t.O.Value) && !isLOS[t.S]:
			isLOS[t.S] = true
			loses = append(loses, t.S)
		case t.O.IsIRI() && slices.Contains(loiClasses, t.O.Value) && !isLOI[t.S]:
			isLOI[t.S] = true
			lois = append(lois, t.S)
		}
	}
	for _, s := range loses {
		if isLOI[s] {
			r.warn(s, "rdf:type", "typed both as a specification and as an instance; read as a specification")
		}
		for _, o := range r.g.Objects(s, rdf.IRI(pLearningOpp)) {
			if isLOI[o] || isLOS[o] || o.IsLiteral() {
				continue
			}
			if !r.hasStatements(o) {
				r.warn(s, curie(pLearningOpp), "%s is not described in this file", nodeName(o))
				continue
			}
			isLOI[o] = true
			lois = append(lois, o)
		}
	}
	lois = slices.DeleteFunc(lois, func(n rdf.Term) bool { return isLOS[n] })
	loses = slices.DeleteFunc(loses, r.curriculumOnly)
	return loses, lois
}

// curriculumOnly reports whether n is an activity specification that only
// details the activities of instances specified by an achievement
// specification: part of that course, not a learning opportunity of its
// own.
func (r *reader) curriculumOnly(n rdf.Term) bool {
	if r.kind(n) != model.KindActivity {
		return false
	}
	users := r.g.Subjects(rdf.IRI(pLActS), n)
	for _, loi := range users {
		if _, ok := r.g.Object(loi, rdf.IRI(pLAS)); !ok {
			return false
		}
	}
	return len(users) > 0
}

// kind tells an activity specification from an achievement one. A node
// typed as both (which ELM forbids) is read as an achievement.
func (r *reader) kind(n rdf.Term) string {
	if !r.isType(n, elmLActS) {
		return model.KindAchievement
	}
	for _, c := range losClasses[:3] {
		if r.isType(n, c) {
			return model.KindAchievement
		}
	}
	return model.KindActivity
}

func (r *reader) hasStatements(n rdf.Term) bool {
	for range r.g.Match(n, rdf.Term{}, rdf.Term{}) {
		return true
	}
	return false
}

// spec maps the fields of one LOS; links to other nodes follow in
// structure once every LOS has its ID.
func (r *reader) spec(n rdf.Term) (model.Specification, bool) {
	ids := r.identifiers(n)
	id, ok := r.specID(n, ids)
	if !ok {
		return model.Specification{}, false
	}
	if n.IsIRI() && n.Value != id && !hasIdentifier(ids, SchemeIRI, n.Value) {
		ids = append(ids, model.Identifier{Scheme: SchemeIRI, Value: n.Value})
	}
	s := model.Specification{
		ID:                id,
		Identifiers:       ids,
		Kind:              r.kind(n),
		Title:             r.text(n, pTitle),
		Description:       r.text(n, pDescription),
		LearningOutcomes:  r.outcomes(n),
		Languages:         r.languages(n, pLanguage),
		ISCEDF:            r.iscedf(n),
		EQFLevel:          r.eqf(n),
		Credits:           r.credits(n),
		Homepage:          r.homepage(n),
		EntryRequirements: r.note(n, pEntryReq),
		Active:            r.boolean(n, pIsActive, true),
		Version:           r.plain(n, pVersion),
		Modified:          r.time(n, pModified),
		PublisherID:       r.agent(n, pPublisher),
		Study:             r.study(n),
	}
	s.Type = r.specType(n, s.Kind)
	if s.Title.IsEmpty() {
		r.warn(n, curie(pTitle), "no title in any language")
	}
	return s, true
}

// specType reads dcterms:type. An activity specification may type itself
// from the learning-activity vocabulary instead (lectures, e-learning),
// which is no learning-opportunity type and no mistake either.
func (r *reader) specType(n rdf.Term, kind string) string {
	if kind == model.KindActivity {
		for _, o := range r.objects(n, pType) {
			if strings.HasPrefix(o.Value, activityBase) {
				return ""
			}
		}
	}
	return r.concept(n, pType, typeBase)
}

// specID keeps an IRI that already is one of the provider's course
// identifiers and mints one otherwise, from the first identifier's
// notation or the IRI's last segment.
func (r *reader) specID(n rdf.Term, ids []model.Identifier) (string, bool) {
	p := r.opts.Provider
	prefix := model.CourseID(p.SCHAC, p.ID, "")
	if n.IsIRI() && len(n.Value) > len(prefix) && strings.EqualFold(n.Value[:len(prefix)], prefix) {
		return r.claim(n, prefix+n.Value[len(prefix):])
	}
	if n.IsIRI() && strings.HasPrefix(n.Value, "urn:schac:uniqueCourseId:") {
		r.warn(n, "", "course identifier of another institution; identified under %s instead", prefix)
	}
	local := localID(n, ids)
	if local == "" {
		r.warn(n, curie(pIdentifier), "a blank node without adms:identifier cannot be identified; skipped")
		return "", false
	}
	id := model.CourseID(p.SCHAC, p.ID, local)
	if prev, dup := r.taken[id]; dup && prev != n {
		r.warn(n, curie(pIdentifier), "identifier %q is also used by %s; identified by its IRI instead", local, nodeName(prev))
		if !n.IsIRI() {
			return "", false
		}
		id = model.CourseID(p.SCHAC, p.ID, n.Value)
	}
	return r.claim(n, id)
}

func (r *reader) claim(n rdf.Term, id string) (string, bool) {
	if prev, dup := r.taken[id]; dup && prev != n {
		r.warn(n, "", "%s is also the identifier of %s; skipped", id, nodeName(prev))
		return "", false
	}
	r.taken[id], r.specIDs[n] = n, id
	return id, true
}

// localID picks a node's local identifier: its first unnamed or named
// identifier notation, else the last segment of its IRI.
func localID(n rdf.Term, ids []model.Identifier) string {
	for _, id := range ids {
		if id.Scheme != SchemeIRI && id.Value != "" {
			return id.Value
		}
	}
	if !n.IsIRI() {
		return ""
	}
	v := strings.TrimRight(n.Value, "/#")
	if i := strings.LastIndexAny(v, "/#:"); i >= 0 && i < len(v)-1 {
		return v[i+1:]
	}
	return v
}

func hasIdentifier(ids []model.Identifier, scheme, value string) bool {
	return slices.Contains(ids, model.Identifier{Scheme: scheme, Value: value})
}

// identifiers reads adms:identifier nodes and owl:sameAs IRIs.
func (r *reader) identifiers(n rdf.Term) []model.Identifier {
	var ids []model.Identifier
	add := func(id model.Identifier) {
		if id.Value != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, o := range r.g.Objects(n, rdf.IRI(pIdentifier)) {
		if o.IsLiteral() {
			r.warn(n, curie(pIdentifier), "a literal %q; expected an elm:Identifier with skos:notation", o.Value)
			add(model.Identifier{Scheme: SchemeELM, Value: strings.TrimSpace(o.Value)})
			continue
		}
		notation, ok := r.literal(o, pNotation)
		if !ok {
			r.warn(n, curie(pIdentifier)+"/"+curie(pNotation), "identifier without a notation")
			continue
		}
		add(model.Identifier{Scheme: r.scheme(o), Value: strings.TrimSpace(notation)})
	}
	for _, o := range r.g.Objects(n, rdf.IRI(pSameAs)) {
		if o.IsIRI() {
			add(model.Identifier{Scheme: SchemeIRI, Value: o.Value})
		}
	}
	return ids
}

// scheme names an identifier's scheme: elm:schemeName, else elm:schemeId.
func (r *reader) scheme(id rdf.Term) string {
	if name, ok := r.literal(id, pSchemeName); ok && strings.TrimSpace(name) != "" {
		return strings.TrimSpace(name)
	}
	if o, ok := r.g.Object(id, rdf.IRI(pSchemeID)); ok && !o.IsBlank() {
		return o.Value
	}
	return SchemeELM
}

// literal returns the first literal object of (n, p).
func (r *reader) literal(n rdf.Term, p string) (string, bool) {
	for _, o := range r.g.Objects(n, rdf.IRI(p)) {
		if o.IsLiteral() {
			return o.Value, true
		}
	}
	return "", false
}

// structure resolves elm:isPartOf and elm:hasPart once every LOS has an
// ID: links to specifications in the file use their minted IDs, course
// identifier URNs are kept, other targets are reported.
func (r *reader) structure(n rdf.Term, s *model.Specification) {
	s.PartOf = r.links(n, pIsPartOf)
	s.HasPart = r.links(n, pHasPart)
}

func (r *reader) links(n rdf.Term, p string) []string {
	var out []string
	for _, o := range r.g.Objects(n, rdf.IRI(p)) {
		id := r.specIDs[o]
		switch {
		case id != "":
		case o.IsIRI() && strings.HasPrefix(o.Value, "urn:schac:uniqueCourseId:"):
			id = o.Value
		case r.isType(o, qlLOSRef):
			id = r.reference(n, p, o)
		default:
			r.warn(n, curie(p), "%s is not a specification in this file", nodeName(o))
		}
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// reference maps a ql:LearningOpportunitySpecificationReference of the
// source's own institution to the course identifier it stands for.
func (r *reader) reference(n rdf.Term, p string, ref rdf.Term) string {
	if by, ok := r.g.Object(ref, rdf.IRI(pProvidedBy)); ok && !r.own.matches(r.g, by) {
		r.warn(n, curie(p), "reference to a specification of another institution (%s); not kept", nodeName(by))
		return ""
	}
	local := localID(rdf.Term{}, r.identifiers(ref))
	if local == "" {
		r.warn(n, curie(p), "reference without an identifier")
		return ""
	}
	return model.CourseID(r.opts.Provider.SCHAC, r.opts.Provider.ID, local)
}

func (r *reader) isType(n rdf.Term, class string) bool {
	return r.g.Has(rdf.Triple{S: n, P: rdf.IRI(rdfType), O: rdf.IRI(class)})
}

// instanceOf finds the specification an instance belongs to:
// elm:learningAchievementSpecification first, else the LOS naming it in
// elm:learningOpportunity, else its elm:learningActivitySpecification
// (an opportunity of participation, specified by its activity alone).
func (r *reader) instanceOf(n rdf.Term, index map[rdf.Term]int) (rdf.Term, bool) {
	var found []rdf.Term
	for _, o := range r.g.Objects(n, rdf.IRI(pLAS)) {
		if _, ok := index[o]; ok {
			found = append(found, o)
		} else {
			r.warn(n, curie(pLAS), "%s is not a specification in this file", nodeName(o))
		}
	}
	for _, s := range r.g.Subjects(rdf.IRI(pLearningOpp), n) {
		if _, ok := index[s]; ok && !slices.Contains(found, s) {
			found = append(found, s)
		}
	}
	if len(found) == 0 {
		for _, o := range r.g.Objects(n, rdf.IRI(pLActS)) {
			if _, ok := index[o]; ok && !slices.Contains(found, o) {
				found = append(found, o)
			}
		}
	}
	switch len(found) {
	case 0:
		r.warn(n, curie(pLAS), "the instance belongs to no specification in this file; skipped")
		return rdf.Term{}, false
	case 1:
	default:
		r.warn(n, curie(pLAS), "the instance belongs to %d specifications; kept with %s", len(found), nodeName(found[0]))
	}
	return found[0], true
}

// instance maps one LOI of specification s.
func (r *reader) instance(n rdf.Term, s *model.Specification) model.Instance {
	ids := r.identifiers(n)
	id := r.instanceID(n, s, ids)
	if n.IsIRI() && n.Value != id && !hasIdentifier(ids, SchemeIRI, n.Value) {
		ids = append(ids, model.Identifier{Scheme: SchemeIRI, Value: n.Value})
	}
	in := model.Instance{
		ID:                  id,
		Identifiers:         ids,
		SpecificationID:     s.ID,
		Title:               r.text(n, pTitle),
		Description:         r.text(n, pDescription),
		Modes:               r.concepts(n, pMode, modeBase),
		DefaultLanguage:     r.defaultLanguage(n),
		ProviderIDs:         r.agents(n, pProvidedBy),
		RegistrationPortal:  r.url(n, pRegPortal),
		ApplicationDeadline: r.time(n, pAppDeadline),
		Capacity:            r.count(n, pCapacity),
		Enrolled:            r.count(n, pEnrolled),
		Minimum:             r.count(n, pMinimum),
		Homepage:            r.homepage(n),
		Location:            r.location(n),
		Credits:             r.credits(n),
		Study:               r.study(n),
	}
	in.Start, in.End, in.AcademicTerm = r.period(n)
	return in
}

// instanceID keeps an IRI minted under the specification, else mints
// one from the instance's identifier or IRI; a blank instance without
// identifier is numbered within its specification.
func (r *reader) instanceID(n rdf.Term, s *model.Specification, ids []model.Identifier) string {
	prefix := model.InstanceID(s.ID, "")
	if n.IsIRI() && strings.HasPrefix(n.Value, prefix) && len(n.Value) > len(prefix) {
		return n.Value
	}
	local := localID(n, ids)
	if local == "" {
		local = fmt.Sprintf("instance-%d", len(s.Instances)+1)
	}
	id := model.InstanceID(s.ID, local)
	if slices.ContainsFunc(s.Instances, func(in model.Instance) bool { return in.ID == id }) {
		r.warn(n, curie(pIdentifier), "identifier %q is used by another instance of %s; identified by its IRI instead", local, s.ID)
		id = model.InstanceID(s.ID, nodeName(n))
	}
	return id
}
