package shacl

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"qlink/internal/rdf"
)

// constraint is one compiled constraint component of a shape. check
// receives the focus node and its value nodes (the focus itself for a node
// shape) and reports through r.
type constraint interface {
	check(r *run, s *shape, focus rdf.Term, values []rdf.Term)
}

// builders read the parameters of each constraint component, in the order
// the results come out. They are set in init because the shape-based
// builders compile shapes, which calls the builders again.
var builders []func(*compiler, *shape) ([]constraint, error)

func init() {
	builders = []func(*compiler, *shape) ([]constraint, error){
		buildClass, buildDatatype, buildNodeKind, buildCounts, buildRanges, buildLengths, buildPattern,
		buildLanguageIn, buildUniqueLang, buildPairs, buildLogical, buildNode, buildProperty,
		buildQualified, buildClosed, buildHasValue, buildIn,
	}
}

// --- value type ---

type classC struct{ class rdf.Term }

func buildClass(c *compiler, s *shape) ([]constraint, error) {
	var cs []constraint
	for _, cl := range c.values(s, "class") {
		cs = append(cs, classC{cl})
	}
	return cs, nil
}

func (k classC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	for _, v := range values {
		if !r.isInstance(v, k.class) {
			r.report(s, focus, v, component("Class"), "value is not an instance of "+k.class.String())
		}
	}
}

type datatypeC struct{ datatype string }

func buildDatatype(c *compiler, s *shape) ([]constraint, error) {
	dt, ok, err := c.single(s, "datatype")
	if !ok || err != nil {
		return nil, err
	}
	if !dt.IsIRI() {
		return nil, c.errorf(s, "datatype", "%s is not an IRI", dt)
	}
	return []constraint{datatypeC{dt.Value}}, nil
}

func (k datatypeC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	for _, v := range values {
		switch {
		case !v.IsLiteral() || v.Datatype != k.datatype:
			r.report(s, focus, v, component("Datatype"), "value is not a literal of datatype <"+k.datatype+">")
		case !wellFormed(v):
			r.report(s, focus, v, component("Datatype"), "ill-formed <"+k.datatype+"> literal")
		}
	}
}

type nodeKindC struct {
	name                string
	blank, iri, literal bool
}

var nodeKinds = map[string]nodeKindC{
	NS + "BlankNode":          {"blank node", true, false, false},
	NS + "IRI":                {"IRI", false, true, false},
	NS + "Literal":            {"literal", false, false, true},
	NS + "BlankNodeOrIRI":     {"blank node or IRI", true, true, false},
	NS + "BlankNodeOrLiteral": {"blank node or literal", true, false, true},
	NS + "IRIOrLiteral":       {"IRI or literal", false, true, true},
}

func buildNodeKind(c *compiler, s *shape) ([]constraint, error) {
	nk, ok, err := c.single(s, "nodeKind")
	if !ok || err != nil {
		return nil, err
	}
	k, known := nodeKinds[nk.Value]
	if !nk.IsIRI() || !known {
		return nil, c.errorf(s, "nodeKind", "%s is not one of the six SHACL node kinds", nk)
	}
	return []constraint{k}, nil
}

func (k nodeKindC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	for _, v := range values {
		if !(v.IsBlank() && k.blank || v.IsIRI() && k.iri || v.IsLiteral() && k.literal) {
			r.report(s, focus, v, component("NodeKind"), "value is not a "+k.name)
		}
	}
}

// --- cardinality ---

type countC struct {
	n   int
	max bool
}

func buildCounts(c *compiler, s *shape) ([]constraint, error) {
	var cs []constraint
	for _, name := range []string{"minCount", "maxCount"} {
		n, ok, err := c.count(s, name)
		if err != nil {
			return nil, err
		}
		if ok && s.path != nil {
			cs = append(cs, countC{n, name == "maxCount"})
		}
	}
	return cs, nil
}

func (k countC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	switch {
	case !k.max && len(values) < k.n:
		r.report(s, focus, rdf.Term{}, component("MinCount"), fmt.Sprintf("%d values, at least %d required", len(values), k.n))
	case k.max && len(values) > k.n:
		r.report(s, focus, rdf.Term{}, component("MaxCount"), fmt.Sprintf("%d values, at most %d allowed", len(values), k.n))
	}
}

// --- value range ---

type rangeC struct {
	bound rdf.Term
	name  string
	pass  func(cmp int) bool
}

var ranges = []struct {
	name string
	pass func(int) bool
}{
	{"minExclusive", func(c int) bool { return c > 0 }},
	{"minInclusive", func(c int) bool { return c >= 0 }},
	{"maxExclusive", func(c int) bool { return c < 0 }},
	{"maxInclusive", func(c int) bool { return c <= 0 }},
}

func buildRanges(c *compiler, s *shape) ([]constraint, error) {
	var cs []constraint
	for _, rg := range ranges {
		b, ok, err := c.single(s, rg.name)
		if err != nil {
			return nil, err
		}
		if ok {
			if !b.IsLiteral() {
				return nil, c.errorf(s, rg.name, "%s is not a literal", b)
			}
			cs = append(cs, rangeC{b, rg.name, rg.pass})
		}
	}
	return cs, nil
}

func (k rangeC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	comp := component(strings.ToUpper(k.name[:1]) + k.name[1:])
	for _, v := range values {
		cmp, ok := compareValues(v, k.bound)
		if !ok {
			r.report(s, focus, v, comp, "value cannot be compared with "+k.bound.String())
		} else if !k.pass(cmp) {
			r.report(s, focus, v, comp, "value is outside sh:"+k.name+" "+k.bound.String())
		}
	}
}

// --- string based ---

type lengthC struct {
	n   int
	max bool
}

func buildLengths(c *compiler, s *shape) ([]constraint, error) {
	var cs []constraint
	for _, name := range []string{"minLength", "maxLength"} {
		n, ok, err := c.count(s, name)
		if err != nil {
			return nil, err
		}
		if ok {
			cs = append(cs, lengthC{n, name == "maxLength"})
		}
	}
	return cs, nil
}

func (k lengthC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	comp := component("MinLength")
	if k.max {
		comp = component("MaxLength")
	}
	for _, v := range values {
		if v.IsBlank() {
			r.report(s, focus, v, comp, "a blank node has no string length")
			continue
		}
		n := utf8.RuneCountInString(v.Value)
		if k.max && n > k.n || !k.max && n < k.n {
			r.report(s, focus, v, comp, fmt.Sprintf("length %d is outside the allowed %d", n, k.n))
		}
	}
}

type patternC struct{ re *regexp.Regexp }

func buildPattern(c *compiler, s *shape) ([]constraint, error) {
	pat, ok, err := c.single(s, "pattern")
	if !ok || err != nil {
		return nil, err
	}
	flags, _, err := c.single(s, "flags")
	if err != nil {
		return nil, err
	}
	re, err := compilePattern(pat.Value, flags.Value)
	if err != nil {
		return nil, c.errorf(s, "pattern", "%v", err)
	}
	return []constraint{patternC{re}}, nil
}

// compilePattern maps an XPath regular expression with its flags onto Go's
// RE2. Constructs RE2 lacks (back-references, class subtraction) are
// refused at compile time rather than matched wrongly.
func compilePattern(pattern, flags string) (*regexp.Regexp, error) {
	var goFlags string
	for _, f := range flags {
		switch f {
		case 'i', 's', 'm':
			goFlags += string(f)
		case 'q':
			pattern = regexp.QuoteMeta(pattern)
		case 'x':
			pattern = strings.Join(strings.Fields(pattern), "")
		default:
			return nil, fmt.Errorf("unknown flag %q", f)
		}
	}
	if goFlags != "" {
		pattern = "(?" + goFlags + ")" + pattern
	}
	return regexp.Compile(pattern)
}

func (k patternC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	for _, v := range values {
		if v.IsBlank() || !k.re.MatchString(v.Value) {
			r.report(s, focus, v, component("Pattern"), "value does not match "+k.re.String())
		}
	}
}

type languageInC struct{ ranges []string }

func buildLanguageIn(c *compiler, s *shape) ([]constraint, error) {
	members, ok, err := c.singleList(s, "languageIn")
	if !ok || err != nil {
		return nil, err
	}
	var k languageInC
	for _, m := range members {
		if !m.IsLiteral() {
			return nil, c.errorf(s, "languageIn", "member %s is not a literal", m)
		}
		k.ranges = append(k.ranges, strings.ToLower(m.Value))
	}
	return []constraint{k}, nil
}

func (k languageInC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	for _, v := range values {
		if !v.IsLiteral() || !k.matches(v.Lang) {
			r.report(s, focus, v, component("LanguageIn"), "language tag is not one of "+strings.Join(k.ranges, ", "))
		}
	}
}

// matches is SPARQL langMatches (RFC 4647 basic filtering).
func (k languageInC) matches(tag string) bool {
	if tag == "" {
		return false
	}
	tag = strings.ToLower(tag)
	for _, rg := range k.ranges {
		if rg == "*" || tag == rg || strings.HasPrefix(tag, rg) && tag[len(rg)] == '-' {
			return true
		}
	}
	return false
}

type uniqueLangC struct{}

func buildUniqueLang(c *compiler, s *shape) ([]constraint, error) {
	v, ok, err := c.single(s, "uniqueLang")
	if !ok || err != nil || !isTrue(v) || s.path == nil {
		return nil, err
	}
	return []constraint{uniqueLangC{}}, nil
}

func (uniqueLangC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	var reported []string
	for i, v := range values {
		lang := strings.ToLower(v.Lang)
		if lang == "" || contains0(reported, lang) {
			continue
		}
		for _, w := range values[i+1:] {
			if strings.ToLower(w.Lang) == lang {
				reported = append(reported, lang)
				r.report(s, focus, rdf.Term{}, component("UniqueLang"), "more than one value in language "+lang)
				break
			}
		}
	}
}

func contains0(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// --- property pairs ---

type pairC struct {
	pred rdf.Term
	name string
}

func buildPairs(c *compiler, s *shape) ([]constraint, error) {
	var cs []constraint
	for _, name := range []string{"equals", "disjoint", "lessThan", "lessThanOrEquals"} {
		for _, p := range c.values(s, name) {
			if !p.IsIRI() {
				return nil, c.errorf(s, name, "%s is not an IRI", p)
			}
			if strings.HasPrefix(name, "less") && s.path == nil {
				continue // only defined on property shapes
			}
			cs = append(cs, pairC{p, name})
		}
	}
	return cs, nil
}

func (k pairC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	others := r.data.Objects(focus, k.pred)
	comp := component(strings.ToUpper(k.name[:1]) + k.name[1:])
	switch k.name {
	case "equals":
		for _, v := range values {
			if !contains(others, v) {
				r.report(s, focus, v, comp, "value is not a value of "+k.pred.String())
			}
		}
		for _, o := range others {
			if !contains(values, o) {
				r.report(s, focus, o, comp, "value of "+k.pred.String()+" is missing here")
			}
		}
	case "disjoint":
		for _, v := range values {
			if contains(others, v) {
				r.report(s, focus, v, comp, "value is also a value of "+k.pred.String())
			}
		}
	default:
		for _, v := range values {
			for _, o := range others {
				cmp, ok := compareValues(v, o)
				if !ok || cmp > 0 || cmp == 0 && k.name == "lessThan" {
					r.report(s, focus, v, comp, "value is not "+k.name+" "+o.String())
				}
			}
		}
	}
}

// --- logical and shape-based ---

type logicalC struct {
	name   string // not, and, or, xone
	shapes []*shape
}

func buildLogical(c *compiler, s *shape) ([]constraint, error) {
	var cs []constraint
	nots, err := c.shapes(c.values(s, "not"))
	if err != nil {
		return nil, err
	}
	for _, n := range nots {
		cs = append(cs, logicalC{"not", []*shape{n}})
	}
	for _, name := range []string{"and", "or", "xone"} {
		lists, err := c.list(s, name)
		if err != nil {
			return nil, err
		}
		for _, l := range lists {
			members, err := c.shapes(l)
			if err != nil {
				return nil, err
			}
			cs = append(cs, logicalC{name, members})
		}
	}
	return cs, nil
}

func (k logicalC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	comp := component(strings.ToUpper(k.name[:1]) + k.name[1:])
	for _, v := range values {
		n := 0
		for _, m := range k.shapes {
			if r.conforms(m, v) {
				n++
			} else if k.name == "and" {
				break
			}
		}
		ok := false
		switch k.name {
		case "not":
			ok = n == 0
		case "and":
			ok = n == len(k.shapes)
		case "or":
			ok = n > 0
		case "xone":
			ok = n == 1
		}
		if !ok {
			r.report(s, focus, v, comp, fmt.Sprintf("value fails sh:%s (%d of %d shapes conform)", k.name, n, len(k.shapes)))
		}
		if r.stopped() {
			return
		}
	}
}

type nodeC struct{ shape *shape }

func buildNode(c *compiler, s *shape) ([]constraint, error) {
	shapes, err := c.shapes(c.values(s, "node"))
	cs := make([]constraint, len(shapes))
	for i, n := range shapes {
		cs[i] = nodeC{n}
	}
	return cs, err
}

func (k nodeC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	for _, v := range values {
		if !r.conforms(k.shape, v) {
			r.report(s, focus, v, component("Node"), "value does not conform to shape "+k.shape.node.String())
		}
	}
}

type propertyC struct{ shape *shape }

func buildProperty(c *compiler, s *shape) ([]constraint, error) {
	shapes, err := c.shapes(c.values(s, "property"))
	if err != nil {
		return nil, err
	}
	cs := make([]constraint, len(shapes))
	for i, p := range shapes {
		if p.path == nil {
			return nil, c.errorf(s, "property", "%s has no sh:path", p.node)
		}
		cs[i] = propertyC{p}
	}
	return cs, nil
}

// check validates each value node against the property shape; its results
// are the property shape's own, as SHACL specifies.
func (k propertyC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	for _, v := range values {
		r.validate(k.shape, v)
		if r.stopped() {
			return
		}
	}
}

type qualifiedC struct {
	shape    *shape
	siblings []*shape
	min, max int // -1 when not set
}

func buildQualified(c *compiler, s *shape) ([]constraint, error) {
	q, ok, err := c.single(s, "qualifiedValueShape")
	if !ok || err != nil || s.path == nil {
		return nil, err
	}
	k := qualifiedC{min: -1, max: -1}
	if k.shape, err = c.shape(q); err != nil {
		return nil, err
	}
	for _, name := range []string{"qualifiedMinCount", "qualifiedMaxCount"} {
		n, ok, err := c.count(s, name)
		if err != nil {
			return nil, err
		}
		if ok && name == "qualifiedMinCount" {
			k.min = n
		} else if ok {
			k.max = n
		}
	}
	if d, ok := c.g.Object(s.node, sh("qualifiedValueShapesDisjoint")); ok && isTrue(d) {
		if k.siblings, err = c.siblings(s, q); err != nil {
			return nil, err
		}
	}
	return []constraint{k}, nil
}

// siblings are the qualified value shapes of the other property shapes of
// every shape that has s as a property.
func (c *compiler) siblings(s *shape, q rdf.Term) ([]*shape, error) {
	var nodes []rdf.Term
	for _, parent := range c.g.Subjects(sh("property"), s.node) {
		for _, ps := range c.g.Objects(parent, sh("property")) {
			for _, other := range c.g.Objects(ps, sh("qualifiedValueShape")) {
				if other != q {
					nodes = union(nodes, []rdf.Term{other})
				}
			}
		}
	}
	return c.shapes(nodes)
}

func (k qualifiedC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	n := 0
	for _, v := range values {
		if r.conforms(k.shape, v) && !k.conformsToSibling(r, v) {
			n++
		}
	}
	if k.min >= 0 && n < k.min {
		r.report(s, focus, rdf.Term{}, component("QualifiedMinCount"), fmt.Sprintf("%d values conform to the qualified shape, at least %d required", n, k.min))
	}
	if k.max >= 0 && n > k.max {
		r.report(s, focus, rdf.Term{}, component("QualifiedMaxCount"), fmt.Sprintf("%d values conform to the qualified shape, at most %d allowed", n, k.max))
	}
}

func (k qualifiedC) conformsToSibling(r *run, v rdf.Term) bool {
	for _, sib := range k.siblings {
		if r.conforms(sib, v) {
			return true
		}
	}
	return false
}

// --- other ---

type closedC struct{ allowed map[rdf.Term]bool }

func buildClosed(c *compiler, s *shape) ([]constraint, error) {
	v, ok, err := c.single(s, "closed")
	if !ok || err != nil || !isTrue(v) {
		return nil, err
	}
	k := closedC{allowed: map[rdf.Term]bool{}}
	for _, ps := range c.values(s, "property") {
		if p, ok := c.g.Object(ps, sh("path")); ok && p.IsIRI() {
			k.allowed[p] = true
		}
	}
	ignored, _, err := c.singleList(s, "ignoredProperties")
	if err != nil {
		return nil, err
	}
	for _, p := range ignored {
		k.allowed[p] = true
	}
	return []constraint{k}, nil
}

func (k closedC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	for _, v := range values {
		for t := range r.data.Match(v, rdf.Term{}, rdf.Term{}) {
			if !k.allowed[t.P] {
				r.reportAt(s, focus, t.P, t.O, component("Closed"), "property "+t.P.String()+" is not allowed by the closed shape")
			}
		}
	}
}

type hasValueC struct{ value rdf.Term }

func buildHasValue(c *compiler, s *shape) ([]constraint, error) {
	var cs []constraint
	for _, v := range c.values(s, "hasValue") {
		cs = append(cs, hasValueC{v})
	}
	return cs, nil
}

func (k hasValueC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	if !contains(values, k.value) {
		r.report(s, focus, rdf.Term{}, component("HasValue"), "missing the required value "+k.value.String())
	}
}

type inC struct{ members map[rdf.Term]bool }

func buildIn(c *compiler, s *shape) ([]constraint, error) {
	members, ok, err := c.singleList(s, "in")
	if !ok || err != nil {
		return nil, err
	}
	k := inC{members: map[rdf.Term]bool{}}
	for _, m := range members {
		k.members[m] = true
	}
	return []constraint{k}, nil
}

func (k inC) check(r *run, s *shape, focus rdf.Term, values []rdf.Term) {
	for _, v := range values {
		if !k.members[v] {
			r.report(s, focus, v, component("In"), "value is not one of the allowed values")
		}
	}
}
