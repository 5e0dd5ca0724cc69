package rdf

import (
	"errors"
	"fmt"
)

// ParseError is a syntax or limit error at a position in the input.
// Line and Column are 1-based; Column counts bytes from the start of the
// line. Offset is the 0-based byte offset.
type ParseError struct {
	Format string // "turtle", "rdfxml", ...
	Line   int
	Column int
	Offset int64
	Msg    string
	Err    error // the underlying cause, e.g. ErrLimit or an I/O error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s: line %d, column %d: %s", e.Format, e.Line, e.Column, e.Msg)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrLimit is wrapped by every error caused by one of the Limits.
var ErrLimit = errors.New("rdf: limit exceeded")

// ErrStop can be returned by a QuadFunc to end parsing early; parsers
// return it unchanged so the caller can recognise it.
var ErrStop = errors.New("rdf: stopped by handler")

// QuadFunc receives each statement a parser produces. Returning an error
// stops the parse; the parser returns that error unchanged.
type QuadFunc func(Quad) error

// Limits protect against hostile input. A zero field takes its default.
type Limits struct {
	// MaxDepth caps nesting: [ ] and ( ) in Turtle, elements in RDF/XML,
	// objects and arrays in JSON-LD. Default 256.
	MaxDepth int
	// MaxTermBytes caps the size of one literal, IRI or label. Default 16 MiB.
	MaxTermBytes int
	// MaxStatements caps the number of statements emitted; 0 means no cap.
	MaxStatements int64
}

// Default limits.
const (
	DefaultMaxDepth     = 256
	DefaultMaxTermBytes = 16 << 20
)

// WithDefaults returns l with zero fields set to their defaults.
func (l Limits) WithDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxTermBytes <= 0 {
		l.MaxTermBytes = DefaultMaxTermBytes
	}
	return l
}

// Options are shared by all parsers.
type Options struct {
	// Base is the base IRI for relative references; it should be the
	// document's retrieval IRI. Without one, a relative IRI in the data is
	// an error (N-Triples and N-Quads ignore Base: they allow no relative
	// IRIs at all).
	Base   string
	Limits Limits
}

// Counter enforces Limits.MaxStatements; parsers wrap their QuadFunc with it.
type Counter struct {
	max int64
	n   int64
	fn  QuadFunc
}

// NewCounter wraps fn so that it fails with ErrLimit past max statements
// (0 = unlimited).
func NewCounter(max int64, fn QuadFunc) *Counter { return &Counter{max: max, fn: fn} }

// Emit passes q on, or returns an error wrapping ErrLimit.
func (c *Counter) Emit(q Quad) error {
	c.n++
	if c.max > 0 && c.n > c.max {
		return fmt.Errorf("more than %d statements: %w", c.max, ErrLimit)
	}
	return c.fn(q)
}

// N returns the number of statements passed on so far.
func (c *Counter) N() int64 { return c.n }
