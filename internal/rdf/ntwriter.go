package rdf

import (
	"bufio"
	"encoding/hex"
	"io"
	"strings"
)

// byteAppender is what both strings.Builder and bufio.Writer offer; the
// N-Triples rendering is written once against it.
type byteAppender interface {
	WriteString(string) (int, error)
	WriteByte(byte) error
}

const hexDigits = "0123456789ABCDEF"

func appendQuad(b byteAppender, q Quad) {
	appendTerm(b, q.S)
	b.WriteByte(' ')
	appendTerm(b, q.P)
	b.WriteByte(' ')
	appendTerm(b, q.O)
	if !q.G.IsZero() {
		b.WriteByte(' ')
		appendTerm(b, q.G)
	}
	b.WriteString(" .")
}

func appendTerm(b byteAppender, t Term) {
	switch t.Kind {
	case KindIRI:
		appendIRI(b, t.Value)
	case KindBlank:
		b.WriteString("_:")
		b.WriteString(BlankLabel(t.Value))
	case KindLiteral:
		b.WriteByte('"')
		appendEscaped(b, t.Value)
		b.WriteByte('"')
		switch {
		case t.Lang != "":
			b.WriteByte('@')
			b.WriteString(t.Lang)
		case t.Datatype != XSDString && t.Datatype != "":
			b.WriteString("^^")
			appendIRI(b, t.Datatype)
		}
	}
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
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// appendIRI writes <iri>, escaping with \u the characters N-Triples does not
// allow inside IRIREF.
func appendIRI(b byteAppender, iri string) {
	b.WriteByte('<')
	start := 0
	for i := 0; i < len(iri); i++ {
		c := iri[i]
		if c > ' ' && !strings.ContainsRune("<>\"{}|^`\\", rune(c)) {
			continue
		}
		b.WriteString(iri[start:i])
		b.WriteString(`\u00`)
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
		start = i + 1
	}
	b.WriteString(iri[start:])
	b.WriteByte('>')
}

// appendEscaped writes a literal's lexical form with the escapes of
// canonical N-Triples: \" \\ \n \r, and \u for other control characters.
func appendEscaped(b byteAppender, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= ' ' && c != '"' && c != '\\' && c != 0x7f {
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
		start = i + 1
	}
	b.WriteString(s[start:])
}

// NQuadsWriter streams quads as N-Quads (or N-Triples when every quad is in
// the default graph, or when Triples is set). Call Flush at the end.
type NQuadsWriter struct {
	w *bufio.Writer
	// Triples drops graph names, producing N-Triples.
	Triples bool
}

// NewNQuadsWriter returns a writer producing N-Quads on w.
func NewNQuadsWriter(w io.Writer) *NQuadsWriter {
	return &NQuadsWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

// NewNTriplesWriter returns a writer producing N-Triples on w; graph names
// are dropped.
func NewNTriplesWriter(w io.Writer) *NQuadsWriter {
	nw := NewNQuadsWriter(w)
	nw.Triples = true
	return nw
}

// Write writes one quad. Errors from the underlying writer surface here or
// at Flush.
func (nw *NQuadsWriter) Write(q Quad) error {
	if nw.Triples {
		q.G = Term{}
	}
	appendQuad(nw.w, q)
	return nw.w.WriteByte('\n')
}

// Flush writes buffered data to the underlying writer.
func (nw *NQuadsWriter) Flush() error { return nw.w.Flush() }
