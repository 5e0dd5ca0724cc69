package scan

import (
	"unicode/utf8"
)

// ReadIRIRef reads an IRIREF whose '<' is next, appending the unescaped
// IRI to dst. It does not resolve relative IRIs.
func (r *Reader) ReadIRIRef(dst []byte, maxLen int) ([]byte, error) {
	r.Skip(1)   // '<'
	var hi byte // OR of all bytes: < 0x80 means pure ASCII, no UTF-8 check needed
	for {
		dst = r.appendRun(dst, &iriStop, &hi)
		if len(dst) > maxLen {
			return dst, r.LimitErr("IRI longer than %d bytes", maxLen)
		}
		switch c := r.Peek(); c {
		case '>':
			r.Skip(1)
			if hi >= 0x80 && !utf8.Valid(dst) {
				return dst, r.Errorf("invalid UTF-8 in IRI")
			}
			return dst, nil
		case '\\':
			ch, err := r.readUCHAR()
			if err != nil {
				return dst, err
			}
			if ch < 0x80 && iriStop[ch] {
				return dst, r.Errorf("escaped character %U not allowed in IRI", ch)
			}
			dst = utf8.AppendRune(dst, ch)
		case EOF:
			return dst, r.Errorf("unterminated IRI: expected '>', found %s", r.Describe())
		default:
			if c < 0x80 && iriStop[c] {
				return dst, r.Errorf("character %q not allowed in IRI", rune(c))
			}
		}
	}
}

// readUCHAR reads \uXXXX or \UXXXXXXXX (the backslash is next).
func (r *Reader) readUCHAR() (rune, error) {
	n := 0
	switch r.PeekAt(1) {
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		return 0, r.Errorf("expected \\u or \\U escape, found %s", r.describeAt(1))
	}
	r.Skip(2)
	var v rune
	for range n {
		c := r.Peek()
		if !isHex(c) {
			return 0, r.Errorf("expected hex digit in \\%c escape, found %s", map[int]rune{4: 'u', 8: 'U'}[n], r.Describe())
		}
		v = v<<4 | hexVal(c)
		r.Skip(1)
	}
	if v < 0 || v > utf8.MaxRune || v >= 0xD800 && v <= 0xDFFF { // v < 0: eight hex digits overflow a rune
		return 0, r.Errorf("escape \\U%08X is not a Unicode scalar value", v)
	}
	return v, nil
}

func (r *Reader) describeAt(i int) string {
	if !r.Ensure(i + 1) {
		return r.Describe()
	}
	return describeByte(r, i)
}

// ReadString reads a quoted string's body; the opening quote(s) are
// already consumed. long selects the triple-quoted form, in which raw
// newlines and lone quotes are allowed. The unescaped text is appended to
// dst.
func (r *Reader) ReadString(dst []byte, quote byte, long bool, maxLen int) ([]byte, error) {
	var hi byte // OR of all bytes: < 0x80 means pure ASCII
	stop := stringStop(quote, long)
	for {
		dst = r.appendRun(dst, stop, &hi)
		if len(dst) > maxLen {
			return dst, r.LimitErr("literal longer than %d bytes", maxLen)
		}
		c := r.Peek()
		switch {
		case c == int(quote):
			if !long {
				r.Skip(1)
				return dst, validUTF8(r, dst, hi)
			}
			if r.PeekAt(1) == int(quote) && r.PeekAt(2) == int(quote) {
				// """" closes with the fourth quote only if no more follow.
				r.Skip(3)
				return dst, validUTF8(r, dst, hi)
			}
			dst = append(dst, quote)
			r.Skip(1)
		case c == '\\':
			var err error
			if dst, err = r.readEscape(dst); err != nil {
				return dst, err
			}
		case c == EOF:
			return dst, r.Errorf("unterminated string: expected %c, found %s", quote, r.Describe())
		case c == '\n' || c == '\r':
			if !long {
				return dst, r.Errorf("line break in a single-quoted string")
			}
		}
	}
}

// Stop tables: bytes that end a run of plain token content. iriStop is
// also the set of characters an IRIREF may not contain, raw or escaped.
var (
	iriStop                = stopTable("<>\"{}|^`\\", true)
	dqStop, sqStop         = stopTable("\"\\\n\r", false), stopTable("'\\\n\r", false)
	dqLongStop, sqLongStop = stopTable("\"\\", false), stopTable("'\\", false)
)

func stopTable(stops string, controls bool) (t [256]bool) {
	for _, c := range []byte(stops) {
		t[c] = true
	}
	if controls {
		for c := range 0x21 {
			t[c] = true
		}
	}
	return t
}

func stringStop(quote byte, long bool) *[256]bool {
	switch {
	case quote == '"' && long:
		return &dqLongStop
	case quote == '"':
		return &dqStop
	case long:
		return &sqLongStop
	}
	return &sqStop
}

// appendRun appends the buffered bytes up to the first stop byte to dst,
// consumes them and ORs them into hi. It is the lexers' hot loop.
func (r *Reader) appendRun(dst []byte, stop *[256]bool, hi *byte) []byte {
	buf := r.Buffered()
	h := *hi
	i := 0
	for i < len(buf) && !stop[buf[i]] {
		h |= buf[i]
		i++
	}
	*hi = h
	r.Skip(i)
	return append(dst, buf[:i]...)
}

func validUTF8(r *Reader, b []byte, hi byte) error {
	if hi >= 0x80 && !utf8.Valid(b) {
		return r.Errorf("invalid UTF-8 in string")
	}
	return nil
}

// readEscape handles ECHAR and UCHAR inside strings.
func (r *Reader) readEscape(dst []byte) ([]byte, error) {
	var c byte
	switch r.PeekAt(1) {
	case 't':
		c = '\t'
	case 'b':
		c = '\b'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 'f':
		c = '\f'
	case '"':
		c = '"'
	case '\'':
		c = '\''
	case '\\':
		c = '\\'
	case 'u', 'U':
		ch, err := r.readUCHAR()
		return utf8.AppendRune(dst, ch), err
	default:
		return dst, r.Errorf("unknown escape \\%s", r.describeAt(1))
	}
	r.Skip(2)
	return append(dst, c), nil
}

// ReadBlankLabel reads a BLANK_NODE_LABEL after "_:".
func (r *Reader) ReadBlankLabel(dst []byte, maxLen int) ([]byte, error) {
	ch, n := r.PeekRune()
	if n == 0 || !(IsPNCharsU(ch) || ch >= '0' && ch <= '9') {
		return dst, r.Errorf("expected blank node label after '_:', found %s", r.Describe())
	}
	for {
		ch, n = r.PeekRune()
		switch {
		case n == 0:
			return dst, nil
		case IsPNChars(ch):
		case ch == '.' && r.DotsThenName():
		default:
			return dst, nil
		}
		if len(dst) > maxLen {
			return dst, r.LimitErr("blank node label longer than %d bytes", maxLen)
		}
		dst = append(dst, r.Buffered()[:n]...)
		r.Skip(n)
	}
}

// DotsThenName reports whether the dots starting here are followed by a
// PN_CHARS character, i.e. belong to the name rather than end the statement.
func (r *Reader) DotsThenName() bool {
	i := 0
	for r.PeekAt(i) == '.' {
		i++
	}
	r.Ensure(i + utf8.UTFMax)
	ch, n := utf8.DecodeRune(r.Buffered()[i:])
	return n > 0 && ch != utf8.RuneError && IsPNChars(ch)
}

// ReadLangTag reads a language tag after '@': [a-zA-Z]+ ('-' [a-zA-Z0-9]+)*.
func (r *Reader) ReadLangTag(dst []byte) ([]byte, error) {
	start := len(dst)
	for {
		c := r.Peek()
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && r.hasDash(dst[start:]):
		case c == '-' && len(dst) > start && dst[len(dst)-1] != '-' && isAlnum(r.PeekAt(1)):
		default:
			if len(dst) == start {
				return dst, r.Errorf("expected language tag after '@', found %s", r.Describe())
			}
			return dst, nil
		}
		if len(dst)-start > 256 {
			return dst, r.LimitErr("language tag too long")
		}
		dst = append(dst, byte(c))
		r.Skip(1)
	}
}

func (r *Reader) hasDash(tag []byte) bool {
	for _, c := range tag {
		if c == '-' {
			return true
		}
	}
	return false
}

func isAlnum(c int) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// SkipSpace skips white space and, if comments is set, '#' comments.
func (r *Reader) SkipSpace(comments bool) {
	for {
		buf := r.Buffered()
		i := 0
		for i < len(buf) {
			c := buf[i]
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				i++
				continue
			}
			if c == '#' && comments {
				j := i + 1
				for j < len(buf) && buf[j] != '\n' && buf[j] != '\r' {
					j++
				}
				if j == len(buf) {
					// Comment runs past the buffer: drop what we have and refill.
					r.Skip(j)
					r.skipComment()
					i = 0
					buf = r.Buffered()
					continue
				}
				i = j
				continue
			}
			r.Skip(i)
			return
		}
		r.Skip(i)
		if !r.Ensure(1) {
			return
		}
	}
}

func (r *Reader) skipComment() {
	for {
		c := r.Peek()
		if c == EOF || c == '\n' || c == '\r' {
			return
		}
		r.Skip(1)
	}
}
