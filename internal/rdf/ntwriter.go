package rdf

import (
	"bufio"
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
func appendIRI(b []byte, iri string) []byte {
	b = append(b, '<')
	start := 0
	for i := 0; i < len(iri); i++ {
		c := iri[i]
		if !iriEscape[c] {
			continue
		}
		b = append(b, iri[start:i]...)
		b = append(b, `\u00`...)
		b = append(b, hexDigits[c>>4], hexDigits[c&15])
		start = i + 1
	}
	b = append(b, iri[start:]...)
	return append(b, '>')
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
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= ' ' && c != '"' && c != '\\' && c != 0x7f {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
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
		start = i + 1
	}
	return append(b, s[start:]...)
}

// NQuadsWriter streams quads as N-Quads (or N-Triples when every quad is in
// the default graph, or when Triples is set). Call Flush at the end.
type NQuadsWriter struct {
	w   *bufio.Writer
	buf []byte
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
	nw.buf = append(appendQuad(nw.buf[:0], q), '\n')
	_, err := nw.w.Write(nw.buf)
	return err
}

// Flush writes buffered data to the underlying writer.
func (nw *NQuadsWriter) Flush() error { return nw.w.Flush() }
