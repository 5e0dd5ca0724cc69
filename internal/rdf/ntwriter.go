package rdf

import (
	"encoding/hex"
	"io"
	"strings"
)

const hexDigits = "0123456789ABCDEF"

// The N-Triples rendering appends to a byte slice: one quad is built in a
// reused buffer and handed to the output in one write, which is what makes
// N-Quads output cheap enough to stream whole catalogues.

func appendQuad(b []byte, q Quad) []byte {
	b = appendTerm(b, q.S)
	b = append(b, ' ')
	b = appendTerm(b, q.P)
	b = append(b, ' ')
	b = appendTerm(b, q.O)
	if !q.G.IsZero() {
		b = append(b, ' ')
		b = appendTerm(b, q.G)
	}
	return append(b, " ."...)
}

func appendTerm(b []byte, t Term) []byte {
	switch t.Kind {
	case KindIRI:
		b = appendIRI(b, t.Value)
	case KindBlank:
		b = append(b, "_:"...)
		b = append(b, BlankLabel(t.Value)...)
	case KindLiteral:
		b = append(b, '"')
		b = appendEscaped(b, t.Value)
		b = append(b, '"')
		switch {
		case t.Lang != "":
			b = append(b, '@')
			b = append(b, t.Lang...)
		case t.Datatype != XSDString && t.Datatype != "":
			b = append(b, "^^"...)
			b = appendIRI(b, t.Datatype)
		}
	}
	return b
}

// BlankLabel returns label in a form every RDF syntax accepts after "_:".
// Labels from RDF/XML (any NCName, e.g. "a.") or JSON-LD need not be
// valid Turtle labels; those, and safe labels that happen to start with
// "z_", are written as "z_" and the label's hex bytes. The mapping is
// one-to-one, so distinct blank nodes stay distinct.
func BlankLabel(label string) string {
	if safeBlank(label) && !strings.HasPrefix(label, "z_") {
		return label
	}
	return "z_" + hex.EncodeToString([]byte(label))
}

// safeBlank accepts a conservative, ASCII-only subset of BLANK_NODE_LABEL.
func safeBlank(label string) bool {
	if label == "" || label[len(label)-1] == '.' || label[0] == '-' || label[0] == '.' {
		return false
	}
	return cleanPrefix(label, &blankUnsafe) == len(label)
}

// blankUnsafe marks the bytes safeBlank refuses: all but [A-Za-z0-9_.-].
var blankUnsafe = func() (t [256]bool) {
	for c := range t {
		t[c] = !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.')
	}
	return t
}()

// cleanPrefix returns the length of the longest prefix of s holding no
// byte that special marks. Every byte of every term written goes through
// here, and almost none needs escaping, so it looks at eight bytes per
// step: eight independent table loads and one branch instead of eight
// (BenchmarkCleanPrefix; about twice the speed of a byte loop on IRIs).
func cleanPrefix(s string, special *[256]bool) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		if special[b[0]] || special[b[1]] || special[b[2]] || special[b[3]] ||
			special[b[4]] || special[b[5]] || special[b[6]] || special[b[7]] {
			break
		}
	}
	for ; i < len(s) && !special[s[i]]; i++ {
	}
	return i
}

// appendIRI writes <iri>, escaping with \u the characters N-Triples does not
// allow inside IRIREF.
func appendIRI(b []byte, iri string) []byte {
	b = append(b, '<')
	for {
		i := cleanPrefix(iri, &iriEscape)
		b = append(b, iri[:i]...)
		if i == len(iri) {
			return append(b, '>')
		}
		c := iri[i]
		b = append(b, `\u00`...)
		b = append(b, hexDigits[c>>4], hexDigits[c&15])
		iri = iri[i+1:]
	}
}

// iriEscape marks the bytes an IRIREF cannot hold as they are: controls,
// space and <>"{}|^`\ (a table: this runs for every byte of every IRI).
var iriEscape = func() (t [256]bool) {
	for c := 0; c <= ' '; c++ {
		t[c] = true
	}
	for _, c := range "<>\"{}|^`\\" {
		t[c] = true
	}
	return t
}()

// appendEscaped writes a literal's lexical form with the escapes of
// canonical N-Triples: \" \\ \n \r, and \u for other control characters.
func appendEscaped(b []byte, s string) []byte {
	for {
		i := cleanPrefix(s, &literalEscape)
		b = append(b, s[:i]...)
		if i == len(s) {
			return b
		}
		switch c := s[i]; c {
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&15])
		}
		s = s[i+1:]
	}
}

// literalEscape marks the bytes appendEscaped escapes: controls, DEL, "
// and \.
var literalEscape = func() (t [256]bool) {
	for c := range ' ' {
		t[c] = true
	}
	t['"'], t['\\'], t[0x7f] = true, true, true
	return t
}()

// NQuadsWriter streams quads as N-Quads (or N-Triples when every quad is in
// the default graph, or when Triples is set). Call Flush at the end.
type NQuadsWriter struct {
	w io.Writer
	// buf collects whole lines until flushAt; quads are appended to it
	// directly rather than copied into a bufio.Writer.
	buf []byte
	err error
	// Triples drops graph names, producing N-Triples.
	Triples bool
}

// flushAt is the size at which buffered lines are written out.
const flushAt = 64 << 10

// NewNQuadsWriter returns a writer producing N-Quads on w.
func NewNQuadsWriter(w io.Writer) *NQuadsWriter {
	return &NQuadsWriter{w: w, buf: make([]byte, 0, flushAt+4<<10)}
}

// NewNTriplesWriter returns a writer producing N-Triples on w; graph names
// are dropped.
func NewNTriplesWriter(w io.Writer) *NQuadsWriter {
	nw := NewNQuadsWriter(w)
	nw.Triples = true
	return nw
}

// Write writes one quad. Errors from the underlying writer surface here or
// at Flush; after one, nothing more is written.
func (nw *NQuadsWriter) Write(q Quad) error {
	if nw.err != nil {
		return nw.err
	}
	if nw.Triples {
		q.G = Term{}
	}
	nw.buf = append(appendQuad(nw.buf, q), '\n')
	if len(nw.buf) >= flushAt {
		return nw.Flush()
	}
	return nil
}

// Flush writes buffered data to the underlying writer.
func (nw *NQuadsWriter) Flush() error {
	if nw.err == nil && len(nw.buf) > 0 {
		_, nw.err = nw.w.Write(nw.buf)
		nw.buf = nw.buf[:0]
	}
	return nw.err
}
