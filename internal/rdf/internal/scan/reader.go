// Package scan holds the byte-level machinery shared by the Turtle/TriG and
// N-Triples/N-Quads lexers: a buffered reader that tracks line, column and
// offset cheaply, and the terminals the grammars share (IRIREF, quoted
// strings, blank node labels, language tags, escapes). It hands tokens to
// the parsers as byte slices in a reusable scratch buffer, so lexing does
// not allocate.
package scan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"qlink/internal/rdf"
)

const bufSize = 1 << 20

// EOF is returned by Peek at the end of input.
const EOF = -1

// Reader is a buffered byte reader. Lines are counted when bytes leave the
// buffer (with bytes.Count), not per byte, so position tracking costs
// almost nothing until an error needs it.
type Reader struct {
	r       io.Reader
	buf     []byte
	pos     int
	end     int
	off     int64 // input offset of buf[0]
	lines   int   // newlines before buf[0]
	lineOff int64 // input offset where the line holding buf[0] starts
	err     error // sticky read error (io.EOF at the end)
	format  string
}

// NewReader reads from r; format names the syntax in errors.
func NewReader(r io.Reader, format string) *Reader {
	return &Reader{r: r, buf: make([]byte, bufSize), format: format}
}

// Peek returns the next byte without consuming it, or EOF.
func (r *Reader) Peek() int {
	if r.pos < r.end {
		return int(r.buf[r.pos])
	}
	if !r.Ensure(1) {
		return EOF
	}
	return int(r.buf[r.pos])
}

// PeekAt returns the byte i positions ahead, or EOF.
func (r *Reader) PeekAt(i int) int {
	if r.pos+i < r.end || r.Ensure(i+1) {
		return int(r.buf[r.pos+i])
	}
	return EOF
}

// Skip consumes n bytes that the caller has already peeked.
func (r *Reader) Skip(n int) { r.pos += n }

// Buffered returns the unread bytes in the buffer; the parser's hot loops
// scan it directly and then Skip what they used.
func (r *Reader) Buffered() []byte { return r.buf[r.pos:r.end] }

// Ensure tries to have n unread bytes buffered, reading and compacting as
// needed. It returns false if the input ends first.
func (r *Reader) Ensure(n int) bool {
	for r.end-r.pos < n {
		if r.err != nil {
			return false
		}
		r.compact()
		if n > len(r.buf) {
			nb := make([]byte, max(n, 2*len(r.buf)))
			copy(nb, r.buf[:r.end])
			r.buf = nb
		}
		m, err := r.r.Read(r.buf[r.end:])
		r.end += m
		if err != nil {
			r.err = err
		} else if m == 0 {
			continue
		}
	}
	return true
}

// compact drops consumed bytes, counting the newlines they held.
func (r *Reader) compact() {
	if r.pos == 0 {
		return
	}
	done := r.buf[:r.pos]
	if n := bytes.Count(done, nl); n > 0 {
		r.lines += n
		r.lineOff = r.off + int64(bytes.LastIndexByte(done, '\n')) + 1
	}
	r.off += int64(r.pos)
	copy(r.buf, r.buf[r.pos:r.end])
	r.end -= r.pos
	r.pos = 0
}

var nl = []byte{'\n'}

// ReadErr returns the I/O error that ended input, if it was not io.EOF.
func (r *Reader) ReadErr() error {
	if r.err == io.EOF {
		return nil
	}
	return r.err
}

// Offset returns the input offset of the next byte.
func (r *Reader) Offset() int64 { return r.off + int64(r.pos) }

// Errorf builds a *rdf.ParseError at the current position.
func (r *Reader) Errorf(format string, args ...any) error {
	return r.wrapAt(nil, format, args...)
}

// LimitErr builds a *rdf.ParseError wrapping rdf.ErrLimit.
func (r *Reader) LimitErr(format string, args ...any) error {
	return r.wrapAt(rdf.ErrLimit, format, args...)
}

// Pos returns the 1-based line and byte column of the next byte.
func (r *Reader) Pos() (line, col int) {
	done := r.buf[:r.pos]
	line = r.lines + bytes.Count(done, nl) + 1
	start := r.lineOff
	if i := bytes.LastIndexByte(done, '\n'); i >= 0 {
		start = r.off + int64(i) + 1
	}
	return line, int(r.Offset()-start) + 1
}

func (r *Reader) wrapAt(cause error, format string, args ...any) error {
	line, col := r.Pos()
	if rerr := r.ReadErr(); rerr != nil && cause == nil {
		cause = rerr
	}
	return &rdf.ParseError{
		Format: r.format,
		Line:   line,
		Column: col,
		Offset: r.Offset(),
		Msg:    fmt.Sprintf(format, args...),
		Err:    cause,
	}
}

// Describe names the next input for "expected X, found Y" messages.
func (r *Reader) Describe() string {
	if r.Peek() == EOF {
		if r.ReadErr() != nil {
			return "read error"
		}
		return "end of input"
	}
	return describeByte(r, 0)
}

// describeByte quotes the character starting i bytes ahead, which the
// caller has made sure is buffered. It never moves the read position.
func describeByte(r *Reader, i int) string {
	if c := r.buf[r.pos+i]; c < 0x80 {
		return fmt.Sprintf("%q", rune(c))
	}
	r.Ensure(i + utf8.UTFMax)
	ch, n := utf8.DecodeRune(r.buf[r.pos+i : r.end])
	if ch == utf8.RuneError && n <= 1 {
		return fmt.Sprintf("byte 0x%02X (invalid UTF-8)", r.buf[r.pos+i])
	}
	return fmt.Sprintf("%q", ch)
}

// NextRune decodes one UTF-8 character; invalid encodings are errors.
func (r *Reader) NextRune() (rune, error) {
	c := r.Peek()
	if c < 0x80 {
		if c == EOF {
			return 0, r.Errorf("unexpected %s", r.Describe())
		}
		r.pos++
		return rune(c), nil
	}
	r.Ensure(utf8.UTFMax)
	ch, n := utf8.DecodeRune(r.Buffered())
	if ch == utf8.RuneError && n <= 1 {
		return 0, r.Errorf("invalid UTF-8")
	}
	r.pos += n
	return ch, nil
}

// PeekRune decodes the next character without consuming it; size 0 means
// end of input or invalid UTF-8.
func (r *Reader) PeekRune() (rune, int) {
	c := r.Peek()
	if c < 0x80 {
		if c == EOF {
			return 0, 0
		}
		return rune(c), 1
	}
	r.Ensure(utf8.UTFMax)
	ch, n := utf8.DecodeRune(r.Buffered())
	if ch == utf8.RuneError && n <= 1 {
		return 0, 0
	}
	return ch, n
}

// IsLimit reports whether err came from one of the parse limits.
func IsLimit(err error) bool { return errors.Is(err, rdf.ErrLimit) }
