package jsonread

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// Reader decodes a JSON document in one pass, without reflection: the
// adapters' fast path for the well-formed pages that are nearly all a
// harvest reads. encoding/json reads every document twice (once to
// validate it, once to decode it) and drives each value through
// reflection, which made decoding most of a conversion's cost.
//
// An adapter walks a page with a Reader, storing each member into its wire
// types (see members.go: Decode, Members). The Reader validates as it goes and refuses (Fail) the
// whole document on anything it or its caller does not expect: broken
// JSON, a value of another type than the field's, a number out of range, a
// key with escapes, or an unknown key that encoding/json would still match
// to a field case-insensitively. The caller then decodes the document with
// encoding/json as before, so leniency, errors and warnings stay where they
// were: what a Reader accepts, it decodes exactly as encoding/json would
// (FuzzReader, and each adapter's FuzzFastDecode, hold it to that). The
// zero value is not usable; see NewReader.
type Reader struct {
	b      []byte
	i      int
	depth  int
	failed bool
}

// maxDepth bounds nesting; deeper documents are left to encoding/json.
const maxDepth = 1000

// NewReader returns a Reader of b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Fail refuses the document. Every later read is a no-op.
func (r *Reader) Fail() {
	r.failed = true
	r.i = len(r.b)
}

// Done reports whether the document was read whole, with nothing but
// white space after it, and nothing refused.
func (r *Reader) Done() bool {
	if r.peek(); r.i != len(r.b) {
		r.Fail()
	}
	return !r.failed
}

// Next returns the first byte of the value at the cursor ('{', '[', '"',
// 'n', 't', 'f', '-' or a digit), for a caller deciding how to read it; 0
// at the end.
func (r *Reader) Next() byte { return r.peek() }

// peek skips white space and returns the next byte, 0 at the end.
func (r *Reader) peek() byte {
	for ; r.i < len(r.b); r.i++ {
		switch c := r.b[r.i]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// literal reads true, false or null.
func (r *Reader) literal(lit string) {
	if len(r.b)-r.i >= len(lit) && string(r.b[r.i:r.i+len(lit)]) == lit {
		r.i += len(lit)
		return
	}
	r.Fail()
}

// Null reads a null if one is at the cursor and reports whether it did.
func (r *Reader) Null() bool {
	if r.peek() != 'n' {
		return false
	}
	r.literal("null")
	return !r.failed
}

func (r *Reader) enter() bool {
	if r.depth++; r.depth > maxDepth {
		r.Fail()
	}
	return !r.failed
}

// Object reads an object, calling member for each member with its key
// (not copied: valid during the call) and the cursor on its value, which
// member must read. A null is read as nothing: encoding/json leaves a
// struct alone for it. Any other value fails.
func (r *Reader) Object(member func(key []byte)) {
	if r.Null() {
		return
	}
	if r.peek() != '{' {
		r.Fail()
		return
	}
	r.i++
	if !r.enter() {
		return
	}
	if r.peek() == '}' {
		r.i++
		r.depth--
		return
	}
	for !r.failed {
		key := r.key()
		if r.peek() != ':' {
			r.Fail()
			return
		}
		r.i++
		member(key)
		if r.delim('}') {
			return
		}
	}
}

// Array reads an array, calling elem with the cursor on each element,
// which elem must read. It reports false for a null, which it reads; any
// other value fails.
func (r *Reader) Array(elem func()) bool {
	if r.Null() {
		return false
	}
	if r.peek() != '[' {
		r.Fail()
		return false
	}
	r.i++
	if !r.enter() {
		return false
	}
	if r.peek() == ']' {
		r.i++
		r.depth--
		return true
	}
	for !r.failed {
		elem()
		if r.delim(']') {
			return !r.failed
		}
	}
	return false
}

// delim reads the ',' between members or elements, or the closing
// bracket, which it reports.
func (r *Reader) delim(closing byte) bool {
	switch r.peek() {
	case ',':
		r.i++
		return false
	case closing:
		r.i++
		r.depth--
		return true
	}
	r.Fail()
	return true
}

// String reads a string into *dst; null leaves it alone.
func (r *Reader) String(dst *string) {
	switch r.peek() {
	case '"':
		if s, ok := r.str(); ok {
			*dst = s
		}
	case 'n':
		r.literal("null")
	default:
		r.Fail()
	}
}

// Strings reads an array of strings.
func (r *Reader) Strings(dst *[]string) { Slice(r, dst, r.String) }

// Float reads a number into *dst; null leaves it alone.
func (r *Reader) Float(dst *float64) {
	if r.Null() {
		return
	}
	lit := r.number()
	if r.failed {
		return
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		r.Fail() // out of range: encoding/json refuses it
		return
	}
	*dst = f
}

// Bool reads true or false into *dst; null leaves it alone.
func (r *Reader) Bool(dst *bool) {
	switch r.peek() {
	case 't':
		r.literal("true")
		*dst = true
	case 'f':
		r.literal("false")
		*dst = false
	case 'n':
		r.literal("null")
	default:
		r.Fail()
	}
}

// Raw reads any value and returns its bytes (not copied).
func (r *Reader) Raw() []byte {
	r.peek()
	start := r.i
	r.Skip()
	return r.b[start:r.i]
}

// Skip reads any value.
func (r *Reader) Skip() {
	switch c := r.peek(); c {
	case '"':
		r.skipString()
	case '{':
		r.Object(func([]byte) { r.Skip() })
	case '[':
		r.Array(r.Skip)
	case 't', 'f', 'n':
		var b bool
		r.Bool(&b)
	default:
		if c == '-' || c >= '0' && c <= '9' {
			r.number()
		} else {
			r.Fail()
		}
	}
}

// key reads a member name. A name with escapes fails: encoding/json
// would unescape it before matching.
func (r *Reader) key() []byte {
	if r.peek() != '"' {
		r.Fail()
		return nil
	}
	start := r.i + 1
	end := start + plainRun(r.b[start:])
	if end >= len(r.b) || r.b[end] != '"' {
		r.Fail()
		return nil
	}
	r.i = end + 1
	return r.b[start:end]
}

// str reads the string at the cursor as encoding/json does, escapes
// decoded and each byte of invalid UTF-8 turned into U+FFFD.
func (r *Reader) str() (string, bool) {
	start := r.i + 1
	end := start + plainRun(r.b[start:])
	if end < len(r.b) && r.b[end] == '"' {
		r.i = end + 1
		if seg := r.b[start:end]; utf8.Valid(seg) {
			return string(seg), true
		}
		return unquote(r.b[start:end])
	}
	r.skipString()
	if r.failed {
		return "", false
	}
	s, ok := unquote(r.b[start : r.i-1])
	if !ok {
		r.Fail()
	}
	return s, ok
}

// skipString reads the string at the cursor, checking its escapes and
// that it holds no control characters.
func (r *Reader) skipString() {
	j := r.i + 1
	for {
		j += plainRun(r.b[j:])
		if j >= len(r.b) {
			r.Fail()
			return
		}
		switch r.b[j] {
		case '"':
			r.i = j + 1
			return
		case '\\':
			n := escapeLen(r.b[j:])
			if n == 0 {
				r.Fail()
				return
			}
			j += n
		default: // a control character
			r.Fail()
			return
		}
	}
}

// escapeLen returns the length of the escape at the start of b, or 0 when
// it is not a valid one.
func escapeLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if _, n := hex4(b[2:]); n == 4 {
			return 6
		}
	}
	return 0
}

// plainRun returns the length of the plain run at the start of a string's
// contents: up to the closing quote, a backslash or a control character
// (which JSON forbids there). Strings are most of a page's bytes, so it
// tests eight at a time with the word tricks of "Bit Twiddling Hacks"
// (haszero, hasless): each flags exactly the lowest byte that matches,
// which TrailingZeros finds. BenchmarkPlainRun compares a byte loop.
func plainRun(b []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		quote, backslash := x^(ones*'"'), x^(ones*'\\')
		hits := ((x-ones*' ')&^x | (quote-ones)&^quote | (backslash-ones)&^backslash) & highs
		if hits != 0 {
			return i + bits.TrailingZeros64(hits)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < ' ' || c == '"' || c == '\\' {
			break
		}
	}
	return i
}

// number reads a number literal per the JSON grammar and returns it.
func (r *Reader) number() []byte {
	start := r.i
	b := r.b
	i := r.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		r.Fail()
		return nil
	}
	if i < len(b) && b[i] == '.' {
		if i++; i >= len(b) || b[i] < '0' || b[i] > '9' {
			r.Fail()
			return nil
		}
		i = digits(b, i)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		if i++; i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			r.Fail()
			return nil
		}
		i = digits(b, i)
	}
	r.i = i
	return b[start:i]
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
