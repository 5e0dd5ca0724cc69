package turtle

import (
	"qlink/internal/rdf"
)

// trigBlock parses one top-level TriG block other than a directive or a
// GRAPH statement: a wrapped default graph, a labelled graph, or triples.
func (p *parser) trigBlock(c int) error {
	switch c {
	case '{':
		return p.wrappedGraph(rdf.Term{})
	case '[':
		s, optional, err := p.bracket()
		if err != nil {
			return err
		}
		p.R.SkipSpace(true)
		if !optional && p.R.Peek() == '{' {
			return p.wrappedGraph(s)
		}
		return p.triplesRest(s, optional)
	case '(':
		s, err := p.collection()
		if err != nil {
			return err
		}
		return p.triplesRest(s, false)
	}
	return p.graphStatement(false)
}

// graphStatement parses labelOrSubject followed by a wrapped graph or, when
// no GRAPH keyword was seen, by a predicateObjectList.
func (p *parser) graphStatement(keyword bool) error {
	p.R.SkipSpace(true)
	var label rdf.Term
	var err error
	if p.R.Peek() == '[' {
		p.R.Skip(1)
		p.R.SkipSpace(true)
		if p.R.Peek() != ']' {
			return p.R.Errorf("expected ']' (a graph name cannot have properties), found %s", p.R.Describe())
		}
		p.R.Skip(1)
		label = p.blanks.New()
	} else if label, err = p.subjectTerm(); err != nil {
		return err
	}
	p.R.SkipSpace(true)
	if p.R.Peek() == '{' || keyword {
		return p.wrappedGraph(label)
	}
	return p.triplesRest(label, false)
}

// triplesRest finishes a triples statement in the default graph.
func (p *parser) triplesRest(s rdf.Term, optional bool) error {
	if err := p.predicateObjectList(s, optional); err != nil {
		return err
	}
	return p.expect('.', "'.' at the end of a statement")
}

// wrappedGraph parses '{' triplesBlock? '}' into graph g.
func (p *parser) wrappedGraph(g rdf.Term) error {
	p.R.SkipSpace(true)
	if p.R.Peek() != '{' {
		return p.R.Errorf("expected '{' to open a graph, found %s", p.R.Describe())
	}
	p.R.Skip(1)
	p.graph = g
	defer func() { p.graph = rdf.Term{} }()
	for {
		p.R.SkipSpace(true)
		if p.R.Peek() == '}' {
			p.R.Skip(1)
			return nil
		}
		if err := p.triples(); err != nil {
			return err
		}
		p.R.SkipSpace(true)
		switch p.R.Peek() {
		case '.':
			p.R.Skip(1)
		case '}':
		default:
			return p.R.Errorf("expected '.' or '}' after triples in a graph, found %s", p.R.Describe())
		}
	}
}
