package jsonread

import (
	"unicode/utf16"
	"unicode/utf8"
)

// A fast path for the lenient types. encoding/json validates a value
// again each time it hands it to an UnmarshalJSON method, which for texts
// and code lists costs as much as decoding them. The input of
// UnmarshalJSON has already been validated by the decoder, so the common
// shapes (arrays of strings, arrays of objects whose members are strings
// or null) are read here directly; anything else makes these functions
// report false, and the caller takes the general path.

// scanner reads validated JSON.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\n' || s.b[s.i] == '\t' || s.b[s.i] == '\r') {
		s.i++
	}
}

// next skips white space and returns the next byte (0 at the end).
func (s *scanner) next() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// str reads the string at the cursor.
func (s *scanner) str() (string, bool) {
	if s.next() != '"' {
		return "", false
	}
	start := s.i + 1
	escaped := false
	for j := start; j < len(s.b); j++ {
		switch s.b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			s.i = j + 1
			if seg := s.b[start:j]; !escaped && utf8.Valid(seg) {
				return string(seg), true
			}
			return unquote(s.b[start:j])
		}
	}
	return "", false
}

// key reads a member name without escapes, uncopied.
func (s *scanner) key() ([]byte, bool) {
	if s.next() != '"' {
		return nil, false
	}
	start := s.i + 1
	for j := start; j < len(s.b); j++ {
		switch s.b[j] {
		case '\\':
			return nil, false
		case '"':
			s.i = j + 1
			return s.b[start:j], true
		}
	}
	return nil, false
}

// unquote decodes the escapes of a JSON string's contents (the decoder
// has checked them; encoding/json writes <, > and & as \u escapes, so
// HTML texts are full of them) and, as encoding/json does, turns each
// byte of invalid UTF-8 into U+FFFD.
func unquote(b []byte) (string, bool) {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(b[i:])
			out = utf8.AppendRune(out, r)
			i += size - 1
			continue
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i++; i >= len(b) {
			return "", false
		}
		switch b[i] {
		case '"', '\\', '/':
			out = append(out, b[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n := hex4(b[i+1:])
			if n == 0 {
				return "", false
			}
			i += n
			if utf16.IsSurrogate(r) {
				// A surrogate pair is two escapes; a lone half is U+FFFD.
				r2, n2 := rune(-1), 0
				if i+2 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
					r2, n2 = hex4(b[i+3:])
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError && n2 > 0 {
					r, i = d, i+2+n2
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return string(out), true
}

// hex4 reads four hex digits; n is 4, or 0 when they are not there.
func hex4(b []byte) (r rune, n int) {
	if len(b) < 4 {
		return 0, 0
	}
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, 0
		}
		r = r<<4 | rune(c)
	}
	return r, 4
}

// null reads a null at the cursor.
func (s *scanner) null() bool {
	if s.next() == 'n' && s.i+4 <= len(s.b) && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// delim reads c at the cursor.
func (s *scanner) delim(c byte) bool {
	if s.next() == c {
		s.i++
		return true
	}
	return false
}

// ScanStrings reads an array of strings, appending them to out. It
// reports false for any other shape.
func ScanStrings(b []byte, out []string) ([]string, bool) {
	s := scanner{b: b}
	ok := s.array(func() bool {
		v, ok := s.str()
		out = append(out, v)
		return ok
	})
	return out, ok
}

// ScanObject reads one object whose members are all strings or null,
// calling member for each (null as ""; the key is only valid during the
// call, and switch string(key) compares it without copying). It reports
// false for any other shape; member may have been called by then.
func ScanObject(b []byte, member func(key []byte, value string)) bool {
	s := scanner{b: b}
	return s.object(member) && s.next() == 0
}

// ScanObjects reads an array of such objects, calling start before each.
func ScanObjects(b []byte, start func(), member func(key []byte, value string)) bool {
	s := scanner{b: b}
	return s.array(func() bool {
		start()
		return s.object(member)
	})
}

// array reads an array whose elements elem reads, and nothing after it.
func (s *scanner) array(elem func() bool) bool {
	if !s.delim('[') {
		return false
	}
	if s.delim(']') {
		return s.next() == 0
	}
	for {
		if !elem() {
			return false
		}
		if s.delim(']') {
			return s.next() == 0
		}
		if !s.delim(',') {
			return false
		}
	}
}

func (s *scanner) object(member func(key []byte, value string)) bool {
	if !s.delim('{') {
		return false
	}
	if s.delim('}') {
		return true
	}
	for {
		key, ok := s.key()
		if !ok || !s.delim(':') {
			return false
		}
		var value string
		if !s.null() {
			if value, ok = s.str(); !ok {
				return false
			}
		}
		member(key, value)
		if s.delim('}') {
			return true
		}
		if !s.delim(',') {
			return false
		}
	}
}

// ScanArray calls elem with the raw bytes of each element of an array,
// and reports false when b is not an array or elem returns false.
func ScanArray(b []byte, elem func(raw []byte) bool) bool {
	s := scanner{b: b}
	return s.array(func() bool {
		s.ws()
		start := s.i
		return s.skip() && elem(s.b[start:s.i])
	})
}

// skip moves past the value at the cursor (the input is valid JSON).
func (s *scanner) skip() bool {
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			if !s.skipString() {
				return false
			}
			if depth == 0 {
				return true
			}
			continue
		case '[', '{':
			depth++
		case ']', '}':
			if depth == 0 {
				return true // the end of a literal, and of the outer array
			}
			if depth--; depth == 0 {
				s.i++
				return true
			}
		case ',':
			if depth == 0 {
				return true
			}
		}
		s.i++
	}
	return depth == 0
}

// skipString moves past the string at the cursor.
func (s *scanner) skipString() bool {
	for j := s.i + 1; j < len(s.b); j++ {
		switch s.b[j] {
		case '\\':
			j++
		case '"':
			s.i = j + 1
			return true
		}
	}
	return false
}
