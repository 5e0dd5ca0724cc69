package jsonld

import (
	"fmt"

	"github.com/piprate/json-gold/ld"
)

// Compactor compacts many small documents with one context. json-gold's
// Compact processes the context and builds its inverse for every document,
// which is most of the work for a document of one course; a Compactor
// does it once. It is not safe for concurrent use.
type Compactor struct {
	ctx  *ld.Context
	opts *ld.JsonLdOptions
}

// NewCompactor processes context (an object or a URL the loader serves,
// such as QLinkContextURL).
func NewCompactor(context any, o Options) (c *Compactor, err error) {
	defer guard("compact", &err)
	opts := o.ld()
	if m, ok := context.(map[string]any); ok {
		if inner, ok := m["@context"]; ok {
			context = inner
		}
	}
	active, err := ld.NewContext(nil, opts).Parse(context)
	if err != nil {
		return nil, wrap("compact", err)
	}
	return &Compactor{ctx: active, opts: opts}, nil
}

// Nodes compacts an expanded document, as FromRDF returns it, and returns
// its top-level node objects without a @context.
func (c *Compactor) Nodes(expanded []any) (nodes []any, err error) {
	defer guard("compact", &err)
	out, err := ld.NewJsonLdApi().Compact(c.ctx, "", expanded, true)
	if err != nil {
		return nil, wrap("compact", err)
	}
	switch v := out.(type) {
	case []any:
		return v, nil
	case map[string]any:
		if g, ok := v["@graph"].([]any); ok {
			return g, nil
		}
		if len(v) == 0 {
			return nil, nil
		}
		return []any{v}, nil
	}
	return nil, fmt.Errorf("jsonld: compact: unexpected %T", out)
}
