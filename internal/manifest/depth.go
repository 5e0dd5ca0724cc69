package manifest

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// maxDepth is how deeply a manifest's objects and lists may nest. A
// manifest needs four or five levels (the sources list, a source, its auth
// block or headers); the decoders accept thousands, and every later stage
// (line index, schema validation) walks what they accept. Refusing absurd
// nesting first keeps a small hostile paste or harvested manifest cheap.
const maxDepth = 64

// maxKeys is how many keys a YAML mapping may hold. The YAML decoder
// compares every key of a mapping with every other to find duplicates, so
// a long mapping costs the square of its length; a manifest's mappings
// (a source, its auth block, its headers) hold a few keys each.
const maxKeys = 1000

// shapeError reports the first place where a document is shaped as no
// manifest is: nested too deeply, or a mapping too long.
type shapeError struct {
	Pointer string
	Line    int
	Reason  string
}

func (e *shapeError) Error() string {
	return fmt.Sprintf("line %d, at %q: %s", e.Line, e.Pointer, e.Reason)
}

func tooDeep(ptr string, line int) *shapeError {
	return &shapeError{ptr, line, fmt.Sprintf("objects and lists nested more than %d levels deep; a manifest needs no more than a few", maxDepth)}
}

// yamlDepth checks a YAML document's nesting as it decodes, and the length
// of its mappings. An alias counts as the value it stands for, since
// decoding copies that in its place, so a chain of anchors can nest deeply
// in a few lines. Each node's height is remembered, so that a node aliased
// many times is measured once.
type yamlDepth struct {
	height map[*yaml.Node]int // containers in and below a measured node
	tokens []string           // the pointer of the node being measured
}

func checkYAMLDepth(root *yaml.Node) error {
	c := yamlDepth{height: map[*yaml.Node]int{}}
	_, err := c.measure(root, 0)
	return err
}

// measure returns the height of n, found inside depth containers, or the
// error for the first container nested deeper than maxDepth. Recursion is
// bounded by maxDepth, and an alias cycle measures as nothing (decoding
// reports it).
func (c *yamlDepth) measure(n *yaml.Node, depth int) (int, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	// A node being measured is given height 0, which ends a cycle. A known
	// height that would go too deep here is measured again, to find the
	// place to report.
	if h, ok := c.height[n]; ok && depth+h <= maxDepth {
		return h, nil
	}
	c.height[n] = 0
	inner := depth
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		inner++
		if inner > maxDepth {
			return 0, tooDeep(pointer(c.tokens), n.Line)
		}
		if n.Kind == yaml.MappingNode && len(n.Content)/2 > maxKeys {
			return 0, &shapeError{pointer(c.tokens), n.Line, fmt.Sprintf("a mapping with more than %d keys; a manifest needs no more than a few", maxKeys)}
		}
	}
	h := 0
	for i, child := range n.Content {
		var token string
		switch n.Kind {
		case yaml.MappingNode:
			token = n.Content[i&^1].Value // a key is measured at its value's place
		case yaml.SequenceNode:
			token = strconv.Itoa(i)
		}
		if n.Kind != yaml.DocumentNode {
			c.tokens = append(c.tokens, token)
		}
		ch, err := c.measure(child, inner)
		if err != nil {
			return 0, err
		}
		if n.Kind != yaml.DocumentNode {
			c.tokens = c.tokens[:len(c.tokens)-1]
		}
		h = max(h, ch)
	}
	h += inner - depth
	c.height[n] = h
	return h, nil
}
