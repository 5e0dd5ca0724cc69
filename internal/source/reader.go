package source

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Reader decodes a JSON document in one pass, without reflection: the
// adapters' fast path for the well-formed pages that are nearly all a
// harvest reads. encoding/json reads every document twice (once to
// validate it, once to decode it) and drives each value through
// reflection, which made decoding most of a conversion's cost.
//
// An adapter walks a page with a Reader, storing each member into its wire
// types by hand. The Reader validates as it goes and refuses (Failed) the
// whole document on anything it or its caller does not expect: broken
// JSON, a value of another type than the field's, a number out of range, a
// key with escapes, or an unknown key that encoding/json would still match
// to a field case-insensitively. The caller then decodes the document with
// encoding/json as before, so leniency, errors and warnings stay where they
// were: what a Reader accepts, it decodes exactly as encoding/json would
// (each adapter's differential fuzz test holds it to that). The zero value
// is not usable; see NewReader.
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

// CheckDecode decodes doc with Decode and with encoding/json, and reports
// whether Decode accepted it and, if it did, an error when encoding/json
// refused the document or decoded something else. The adapters' tests and
// fuzz targets hold their fast paths to encoding/json with it.
func CheckDecode[T any, D interface {
	*T
	Decoder
}](doc []byte) (accepted bool, err error) {
	var fast, slow T
	accepted = Decode[T, D](doc, &fast)
	if jsonErr := json.Unmarshal(doc, &slow); accepted && jsonErr != nil {
		return true, fmt.Errorf("%.200s: accepted, but encoding/json says %w", doc, jsonErr)
	}
	if accepted && !reflect.DeepEqual(fast, slow) {
		return true, fmt.Errorf("%.200s:\nfast path     %+v\nencoding/json %+v", doc, fast, slow)
	}
	return accepted, nil
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

// Slice reads an array into *s as encoding/json does: null makes it nil
// and [] empty, and each element is decoded by elem over what the slice's
// storage held at its place.
func Slice[T any](r *Reader, s *[]T, elem func(*T)) {
	out := (*s)[:0]
	isArray := r.Array(func() {
		if len(out) < cap(out) {
			out = out[:len(out)+1]
		} else {
			var zero T
			out = append(out, zero)
		}
		elem(&out[len(out)-1])
	})
	switch {
	case r.failed:
	case !isArray:
		*s = nil
	case len(out) == 0:
		*s = []T{}
	default:
		*s = out
	}
}

// Ptr reads a value that *p points to, as encoding/json does: null makes
// it nil, anything else is decoded by read into *p, allocated if nil.
func Ptr[T any](r *Reader, p **T, read func(*T)) {
	if r.Null() {
		*p = nil
		return
	}
	if *p == nil {
		*p = new(T)
	}
	read(*p)
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

// Decoder is a wire type that reads itself from a Reader, as encoding/json
// would decode it.
type Decoder interface {
	DecodeJSON(r *Reader)
}

// Decode decodes a document into *v with a Reader. When the Reader
// refuses it, Decode leaves *v zero and reports false, for the caller to
// decode it with encoding/json instead.
func Decode[T any, D interface {
	*T
	Decoder
}](doc []byte, v *T) bool {
	r := NewReader(doc)
	if D(v).DecodeJSON(r); !r.Done() {
		*v = *new(T)
		return false
	}
	return true
}

// Members reads an object into a wire type whose members fs names: the
// value of the member named fs.Names()[i] goes through into[i], a
// *string, *[]string, *float64, **float64, *bool, **bool or Decoder, read as
// encoding/json reads into that type. Other members are skipped (see
// SkipOther); null reads as nothing.
func (r *Reader) Members(fs *Fields, into ...any) {
	if len(into) != len(fs.names) {
		panic(fmt.Sprintf("source: %d targets for the members %v", len(into), fs.names))
	}
	r.Object(func(key []byte) {
		if i := fs.index(key); i >= 0 {
			r.value(into[i])
		} else {
			r.SkipOther(key, fs)
		}
	})
}

func (r *Reader) value(p any) {
	switch p := p.(type) {
	case *string:
		r.String(p)
	case *[]string:
		r.Strings(p)
	case *float64:
		r.Float(p)
	case **float64:
		Ptr(r, p, r.Float)
	case *bool:
		r.Bool(p)
	case **bool:
		Ptr(r, p, r.Bool)
	case Decoder:
		p.DecodeJSON(r)
	default:
		panic(fmt.Sprintf("source: Members cannot read into %T", p))
	}
}

// List reads an array of Decoders as Slice does.
func List[T any, D interface {
	*T
	Decoder
}](r *Reader, s *[]T) {
	Slice(r, s, func(v *T) { D(v).DecodeJSON(r) })
}

// SliceOf returns a Members target that reads an array into *s as Slice
// does, each element by elem.
func SliceOf[T any](s *[]T, elem func(*T)) Decoder { return sliceOf[T]{s, elem} }

type sliceOf[T any] struct {
	s    *[]T
	elem func(*T)
}

func (t sliceOf[T]) DecodeJSON(r *Reader) { Slice(r, t.s, t.elem) }

// PtrTo returns a Members target for a pointer to a Decoder, read as Ptr
// reads it.
func PtrTo[T any, D interface {
	*T
	Decoder
}](p **T) Decoder {
	return ptrTo[T, D]{p}
}

type ptrTo[T any, D interface {
	*T
	Decoder
}] struct{ p **T }

func (t ptrTo[T, D]) DecodeJSON(r *Reader) { Ptr(r, t.p, func(v *T) { D(v).DecodeJSON(r) }) }

// Fields are the member names of a wire type, in the order of its fields,
// which is the order Members takes its targets in.
type Fields struct {
	names  []string
	folded map[string]bool
	max    int
}

// FieldsOf lists the member names of struct type T: its fields' json
// tags (or names), in order.
func FieldsOf[T any]() *Fields {
	var names []string
	for f := range reflect.TypeFor[T]().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return NewFields(names...)
}

// NewFields lists a wire type's member names.
func NewFields(names ...string) *Fields {
	fs := &Fields{names: names, folded: map[string]bool{}}
	for _, n := range names {
		fs.folded[string(foldASCII(nil, []byte(n)))] = true
		fs.max = max(fs.max, len(n))
	}
	return fs
}

// index returns the position of key among the names, or -1. A wire type
// has a few dozen members at most, so a scan beats hashing the key.
func (fs *Fields) index(key []byte) int {
	for i, n := range fs.names {
		if len(n) == len(key) && n == string(key) {
			return i
		}
	}
	return -1
}

// SkipOther skips the value of a member whose key is none of fs exactly.
// encoding/json matches keys to fields case-insensitively too (with
// Unicode folding), so a key equal to one of fs but for case, or with any
// non-ASCII byte, fails: encoding/json decides those.
func (r *Reader) SkipOther(key []byte, fs *Fields) {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			r.Fail()
			return
		}
	}
	if len(key) <= fs.max {
		var buf [64]byte
		if fs.folded[string(foldASCII(buf[:0], key))] {
			r.Fail()
			return
		}
	}
	r.Skip()
}

func foldASCII(dst, s []byte) []byte {
	for _, c := range s {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
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
