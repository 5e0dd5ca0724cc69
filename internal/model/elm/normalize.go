package elm

import "qlink/internal/rdf"

// NormalizeQuad rewrites ELM ≤3.2 IRIs in q (subject, predicate, object,
// datatype, graph) to ELM 3.3 and reports whether anything changed. The
// ELM adapter applies it to each statement as it streams into the graph,
// so old-namespace files cost no second copy.
func NormalizeQuad(q rdf.Quad) (rdf.Quad, bool) {
	changed := false
	for _, t := range []*rdf.Term{&q.S, &q.P, &q.O, &q.G} {
		if t.IsIRI() && IsOldNamespace(t.Value) {
			t.Value, changed = Normalize(t.Value), true
		}
	}
	if q.O.IsLiteral() && IsOldNamespace(q.O.Datatype) {
		q.O.Datatype, changed = Normalize(q.O.Datatype), true
	}
	return q, changed
}

// NormalizeGraph returns g with ELM ≤3.2 IRIs rewritten to ELM 3.3: g
// itself when it has none, else a rewritten copy. old reports which.
func NormalizeGraph(g *rdf.Graph) (out *rdf.Graph, old bool) {
	for t := range g.All() {
		if _, old = NormalizeQuad(rdf.Quad{S: t.S, P: t.P, O: t.O}); old {
			break
		}
	}
	if !old {
		return g, false
	}
	out = rdf.NewGraph()
	for t := range g.All() {
		q, _ := NormalizeQuad(rdf.Quad{S: t.S, P: t.P, O: t.O})
		out.Add(q.Triple())
	}
	return out, true
}
