package jsonread

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Decoding wire types with a Reader: each type lists its members
// (FieldsOf) and reads itself (Decoder), and Decode runs it over a
// document, leaving encoding/json the documents it refuses.

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
// value of the i-th member goes through into[i], a *string, *[]string,
// *float64, **float64, *bool, **bool or Decoder, read as encoding/json
// reads into that type. Other members are skipped (see SkipOther); null
// reads as nothing.
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

// FieldsOf lists the member names of struct type T as encoding/json sees
// them: its exported fields' json tags (or names), in order.
func FieldsOf[T any]() *Fields {
	var names []string
	for f := range reflect.TypeFor[T]().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	fs := &Fields{names: names, folded: map[string]bool{}}
	for _, n := range names {
		fs.folded[string(foldASCII(nil, []byte(n)))] = true
		fs.max = max(fs.max, len(n))
	}
	return fs
}

// index returns the position of key among the names, or -1 (a wire type
// has a few dozen members at most).
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
