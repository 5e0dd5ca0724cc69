package scan

import (
	"io"

	"qlink/internal/rdf"
)

// Base is the state the Turtle and N-Triples parsers share: the reader,
// the limits, the intern table, the scratch token and the statement
// counter. Parsers embed it.
type Base struct {
	R    *Reader
	Lim  rdf.Limits
	Strs Interner
	Tok  []byte // scratch for the current token
	Out  *rdf.Counter
}

// NewBase prepares a parser reading r; format names the syntax in errors.
func NewBase(r io.Reader, format string, opts rdf.Options, fn rdf.QuadFunc) Base {
	return Base{
		R:    NewReader(r, format),
		Lim:  opts.Limits.WithDefaults(),
		Strs: NewInterner(),
		Out:  rdf.NewCounter(opts.Limits.MaxStatements, fn),
	}
}

// Emit passes q to the handler; a statement-limit error gets a position.
func (b *Base) Emit(q rdf.Quad) error {
	err := b.Out.Emit(q)
	if err != nil && IsLimit(err) {
		return b.R.LimitErr("%v", err)
	}
	return err
}

// AtEnd skips white space and comments and reports whether the input is
// exhausted; a read error ends the input with that error.
func (b *Base) AtEnd() (bool, error) {
	b.R.SkipSpace(true)
	if b.R.Peek() != EOF {
		return false, nil
	}
	if err := b.R.ReadErr(); err != nil {
		return true, b.R.Errorf("read: %v", err)
	}
	return true, nil
}

// LiteralTerm reads a literal with Literal and builds its term; datatype
// reads the datatype IRI after "^^" in the caller's syntax.
func (b *Base) LiteralTerm(quote byte, allowLong bool, datatype func() (string, error)) (rdf.Term, error) {
	lex, lang, typed, err := b.Literal(quote, allowLong)
	switch {
	case err != nil:
		return rdf.Term{}, err
	case lang != "":
		return rdf.LangLiteral(lex, lang), nil
	case typed:
		dt, err := datatype()
		return rdf.Literal(lex, dt), err
	}
	return rdf.String(lex), nil
}

// Literal reads a quoted string whose opening quote(s) are next, and a
// following language tag. datatype reports that "^^" followed (and was
// consumed), so the caller reads the datatype IRI in its own syntax.
// allowLong admits the triple-quoted form (Turtle, not N-Triples).
func (b *Base) Literal(quote byte, allowLong bool) (lex, lang string, datatype bool, err error) {
	long := allowLong && b.R.PeekAt(1) == int(quote) && b.R.PeekAt(2) == int(quote)
	if long {
		b.R.Skip(3)
	} else {
		b.R.Skip(1)
	}
	b.Tok, err = b.R.ReadString(b.Tok[:0], quote, long, b.Lim.MaxTermBytes)
	if err != nil {
		return "", "", false, err
	}
	lex = b.Strs.Lexical(b.Tok)
	switch b.R.Peek() {
	case '@':
		b.R.Skip(1)
		b.Tok, err = b.R.ReadLangTag(b.Tok[:0])
		return lex, b.Strs.Get(b.Tok), false, err
	case '^':
		if b.R.PeekAt(1) != '^' {
			return lex, "", false, b.R.Errorf("expected '^^' before datatype")
		}
		b.R.Skip(2)
		return lex, "", true, nil
	}
	return lex, "", false, nil
}
