package shacl

import (
	"fmt"
	"strconv"

	"qlink/internal/rdf"
)

// Shapes is a compiled shapes graph. It is read-only after Compile, so one
// Shapes may validate many data graphs at the same time.
type Shapes struct {
	graph  *rdf.Graph
	byNode map[rdf.Term]*shape
	roots  []*shape // shapes with targets, in shapes-graph order
}

// shape is one node or property shape with its constraints precomputed.
type shape struct {
	node        rdf.Term
	path        *path    // nil for a node shape
	pathNode    rdf.Term // the sh:path value, copied into results
	deactivated bool
	severity    string
	messages    []rdf.Term
	targets     targets
	constraints []constraint
}

type targets struct {
	classes, nodes, subjectsOf, objectsOf []rdf.Term
}

func (t targets) empty() bool {
	return len(t.classes)+len(t.nodes)+len(t.subjectsOf)+len(t.objectsOf) == 0
}

// ShapeError reports a malformed shape: which shape, which parameter, why.
type ShapeError struct {
	Shape     rdf.Term
	Path      rdf.Term // the shape's sh:path, if any: names a blank property shape for a reader
	Parameter string   // e.g. "sh:minCount"; empty when the shape as a whole is wrong
	Reason    string
}

func (e *ShapeError) Error() string {
	where := e.Shape.String()
	if e.Shape.IsBlank() && e.Path.IsIRI() {
		where = "for path " + e.Path.String() + " (" + where + ")"
	}
	if e.Parameter == "" {
		return fmt.Sprintf("shacl: shape %s: %s", where, e.Reason)
	}
	return fmt.Sprintf("shacl: shape %s: %s: %s", where, e.Parameter, e.Reason)
}

// Predicates whose subject is a shape, and those whose object is one.
var (
	targetPredicates = []string{"targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"}
	shapeValued      = map[string]bool{NS + "node": true, NS + "property": true, NS + "not": true, NS + "qualifiedValueShape": true}
	shapeLists       = map[string]bool{NS + "and": true, NS + "or": true, NS + "xone": true}
)

// Compile reads every shape of the shapes graph and precomputes its
// targets, path and constraints. A malformed shape is a *ShapeError. The
// graph must not change afterwards: reports copy result paths from it.
func Compile(g *rdf.Graph) (*Shapes, error) {
	c := &compiler{g: g, s: &Shapes{graph: g, byNode: map[rdf.Term]*shape{}}}
	for _, node := range rootNodes(g) {
		s, err := c.shape(node)
		if err != nil {
			return nil, err
		}
		if !s.targets.empty() {
			c.s.roots = append(c.s.roots, s)
		}
	}
	return c.s, nil
}

// rootNodes finds the shapes of a graph in one pass: declared node and
// property shapes, subjects of targets and of sh:path, and the values of
// shape-expecting parameters.
func rootNodes(g *rdf.Graph) []rdf.Term {
	var nodes []rdf.Term
	seen := map[rdf.Term]bool{}
	add := func(t rdf.Term) {
		if (t.IsIRI() || t.IsBlank()) && !seen[t] {
			seen[t] = true
			nodes = append(nodes, t)
		}
	}
	subjectPreds := map[string]bool{NS + "path": true}
	for _, p := range targetPredicates {
		subjectPreds[NS+p] = true
	}
	for t := range g.All() {
		p := t.P.Value
		switch {
		case p == rdf.RDFType && (t.O.Value == NS+"NodeShape" || t.O.Value == NS+"PropertyShape"):
			add(t.S)
		case subjectPreds[p]:
			add(t.S)
		case shapeValued[p]:
			add(t.O)
		case shapeLists[p]:
			if members, err := readList(g, t.O); err == nil {
				for _, m := range members {
					add(m)
				}
			}
		}
	}
	return nodes
}

type compiler struct {
	g *rdf.Graph
	s *Shapes
}

// shape compiles node once; the entry is registered before its
// constraints, so shapes that refer to each other compile.
func (c *compiler) shape(node rdf.Term) (*shape, error) {
	if s, ok := c.s.byNode[node]; ok {
		return s, nil
	}
	if !node.IsIRI() && !node.IsBlank() {
		return nil, &ShapeError{Shape: node, Reason: "a shape must be an IRI or a blank node"}
	}
	s := &shape{node: node, severity: Violation}
	c.s.byNode[node] = s
	if err := c.fill(s); err != nil {
		return nil, err
	}
	return s, nil
}

func (c *compiler) fill(s *shape) error {
	g, node := c.g, s.node
	if p, ok := g.Object(node, sh("path")); ok {
		compiled, err := compilePath(g, p, 0)
		if err != nil {
			return &ShapeError{Shape: node, Parameter: "sh:path", Reason: err.Error()}
		}
		s.path, s.pathNode = compiled, p
	}
	if d, ok := g.Object(node, sh("deactivated")); ok {
		s.deactivated = isTrue(d)
	}
	if sev, ok := g.Object(node, sh("severity")); ok {
		if !sev.IsIRI() {
			return &ShapeError{Shape: node, Parameter: "sh:severity", Reason: "must be an IRI such as sh:Warning"}
		}
		s.severity = sev.Value
	}
	s.messages = g.Objects(node, sh("message"))
	s.targets = targets{
		classes:    g.Objects(node, sh("targetClass")),
		nodes:      g.Objects(node, sh("targetNode")),
		subjectsOf: g.Objects(node, sh("targetSubjectsOf")),
		objectsOf:  g.Objects(node, sh("targetObjectsOf")),
	}
	if isClass(g, node) {
		s.targets.classes = append(s.targets.classes, node) // implicit class target
	}
	for _, build := range builders {
		cs, err := build(c, s)
		if err != nil {
			if _, ok := err.(*ShapeError); !ok {
				err = &ShapeError{Shape: node, Path: s.pathNode, Reason: err.Error()}
			}
			return err
		}
		s.constraints = append(s.constraints, cs...)
	}
	return nil
}

// values returns the values of one parameter of s.
func (c *compiler) values(s *shape, name string) []rdf.Term {
	return c.g.Objects(s.node, sh(name))
}

func (c *compiler) errorf(s *shape, name, format string, args ...any) error {
	return &ShapeError{Shape: s.node, Path: s.pathNode, Parameter: "sh:" + name, Reason: fmt.Sprintf(format, args...)}
}

// single returns the one value of a parameter that allows only one.
func (c *compiler) single(s *shape, name string) (rdf.Term, bool, error) {
	vs := c.values(s, name)
	switch len(vs) {
	case 0:
		return rdf.Term{}, false, nil
	case 1:
		return vs[0], true, nil
	}
	return rdf.Term{}, false, c.errorf(s, name, "has %d values, allows one", len(vs))
}

// count reads a non-negative integer parameter.
func (c *compiler) count(s *shape, name string) (int, bool, error) {
	v, ok, err := c.single(s, name)
	if !ok || err != nil {
		return 0, ok, err
	}
	n, perr := strconv.Atoi(v.Value)
	if !v.IsLiteral() || perr != nil || n < 0 {
		return 0, false, c.errorf(s, name, "%s is not a non-negative integer", v)
	}
	return n, true, nil
}

// singleList reads a parameter that takes one RDF list (sh:in,
// sh:languageIn, sh:ignoredProperties); ok is false when it is absent.
func (c *compiler) singleList(s *shape, name string) (members []rdf.Term, ok bool, err error) {
	lists, err := c.list(s, name)
	switch {
	case err != nil:
		return nil, false, err
	case len(lists) > 1:
		return nil, false, c.errorf(s, name, "has %d lists, allows one", len(lists))
	case len(lists) == 0:
		return nil, false, nil
	}
	return lists[0], true, nil
}

// list reads a parameter whose values are RDF lists.
func (c *compiler) list(s *shape, name string) ([][]rdf.Term, error) {
	var lists [][]rdf.Term
	for _, head := range c.values(s, name) {
		members, err := readList(c.g, head)
		if err != nil {
			return nil, c.errorf(s, name, "%v", err)
		}
		lists = append(lists, members)
	}
	return lists, nil
}

// shapes compiles the shapes a parameter refers to.
func (c *compiler) shapes(nodes []rdf.Term) ([]*shape, error) {
	out := make([]*shape, len(nodes))
	for i, n := range nodes {
		s, err := c.shape(n)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// isTrue reads a boolean parameter. SHACL names the literal true; the
// suite (uniqueLang-002) checks that "1"^^xsd:boolean, a distinct term,
// does not switch a constraint on.
func isTrue(t rdf.Term) bool {
	return t == rdf.Literal("true", rdf.XSDBoolean)
}

// isClass reports whether a shape is also a class, which makes it target
// its own instances. owl:Class counts: OWL declares it a subclass of
// rdfs:Class, and profiles such as QualityLink's rely on it.
func isClass(g *rdf.Graph, node rdf.Term) bool {
	return g.Has(rdf.Triple{S: node, P: iriType, O: rdf.IRI(rdfsClass)}) ||
		g.Has(rdf.Triple{S: node, P: iriType, O: rdf.IRI(owlClass)})
}
