package shacl

import (
	"strconv"

	"qlink/internal/rdf"
)

// Graph returns the report as a sh:ValidationReport in RDF. Its own blank
// nodes are labelled "qr<n>", a form the qlink parsers never produce (see
// rdf.BlankNodes), so they cannot collide with focus nodes. Result paths
// are written out with their structure (sequences, inverse paths...), so
// the report stands on its own.
func (rep *Report) Graph() *rdf.Graph {
	g := rdf.NewGraph()
	n := 0
	fresh := func() rdf.Term { n++; return rdf.Blank("qr" + strconv.Itoa(n)) }
	report := fresh()
	g.Add(rdf.Triple{S: report, P: iriType, O: sh("ValidationReport")})
	g.Add(rdf.Triple{S: report, P: sh("conforms"), O: rdf.Literal(strconv.FormatBool(rep.Conforms), rdf.XSDBoolean)})
	for _, res := range rep.Results {
		node := fresh()
		g.Add(rdf.Triple{S: report, P: sh("result"), O: node})
		g.Add(rdf.Triple{S: node, P: iriType, O: sh("ValidationResult")})
		g.Add(rdf.Triple{S: node, P: sh("focusNode"), O: res.Focus})
		g.Add(rdf.Triple{S: node, P: sh("resultSeverity"), O: rdf.IRI(res.Severity)})
		g.Add(rdf.Triple{S: node, P: sh("sourceConstraintComponent"), O: rdf.IRI(res.Component)})
		g.Add(rdf.Triple{S: node, P: sh("sourceShape"), O: res.SourceShape})
		if !res.Value.IsZero() {
			g.Add(rdf.Triple{S: node, P: sh("value"), O: res.Value})
		}
		if !res.Path.IsZero() {
			g.Add(rdf.Triple{S: node, P: sh("resultPath"), O: rep.pathTerm(g, res, fresh)})
		}
		for _, m := range res.Messages {
			g.Add(rdf.Triple{S: node, P: sh("resultMessage"), O: m})
		}
	}
	return g
}

// pathTerm writes a result's path into g: an IRI as it is, a complex path
// rebuilt from the compiled form, so the report holds the path the engine
// followed (a blank node that is both a list and an inverse path is read
// as the list).
func (rep *Report) pathTerm(g *rdf.Graph, res Result, fresh func() rdf.Term) rdf.Term {
	if !res.Path.IsBlank() || rep.shapes == nil {
		return res.Path
	}
	s := rep.shapes.byNode[res.SourceShape]
	if s == nil || s.path == nil {
		return res.Path
	}
	return s.path.write(g, fresh)
}

// write adds p to g as SHACL path syntax and returns its node.
func (p *path) write(g *rdf.Graph, fresh func() rdf.Term) rdf.Term {
	if p.kind == pathPredicate {
		return p.pred
	}
	inner := make([]rdf.Term, len(p.inner))
	for i, q := range p.inner {
		inner[i] = q.write(g, fresh)
	}
	switch p.kind {
	case pathSequence:
		return writeList(g, inner, fresh)
	case pathAlternative:
		n := fresh()
		g.Add(rdf.Triple{S: n, P: sh("alternativePath"), O: writeList(g, inner, fresh)})
		return n
	}
	n := fresh()
	pred := map[pathKind]string{pathInverse: "inversePath", pathZeroOrMore: "zeroOrMorePath",
		pathOneOrMore: "oneOrMorePath", pathZeroOrOne: "zeroOrOnePath"}[p.kind]
	g.Add(rdf.Triple{S: n, P: sh(pred), O: inner[0]})
	return n
}

func writeList(g *rdf.Graph, members []rdf.Term, fresh func() rdf.Term) rdf.Term {
	head := rdf.IRI(rdf.RDFNil)
	for i := len(members) - 1; i >= 0; i-- {
		cell := fresh()
		g.Add(rdf.Triple{S: cell, P: iriFirst, O: members[i]})
		g.Add(rdf.Triple{S: cell, P: iriRest, O: head})
		head = cell
	}
	return head
}
