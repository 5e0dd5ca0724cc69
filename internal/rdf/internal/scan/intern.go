package scan

// Interner turns token bytes into strings, reusing the string when the
// same bytes were seen recently. Vocabulary IRIs, prefixes, datatypes and
// language tags repeat constantly in real data, so most lookups hit and
// cost no allocation (the map lookup with string(b) does not allocate).
// The table is cleared when full, which keeps memory bounded on documents
// with millions of distinct IRIs.
type Interner struct {
	m map[string]string
}

const (
	internMax     = 1 << 16
	internMaxSize = 256 // longer tokens are rarely repeated
	lexicalMax    = 32  // literals longer than this are not interned
)

// NewInterner returns an empty table.
func NewInterner() Interner { return Interner{m: make(map[string]string, 1024)} }

// Get returns b as a string, shared with earlier equal tokens.
func (in *Interner) Get(b []byte) string {
	if len(b) > internMaxSize {
		return string(b)
	}
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	if len(in.m) >= internMax {
		clear(in.m)
	}
	s := string(b)
	in.m[s] = s
	return s
}

// Lexical interns only short literal forms (numbers, codes, booleans);
// titles and descriptions are almost always unique.
func (in *Interner) Lexical(b []byte) string {
	if len(b) > lexicalMax {
		return string(b)
	}
	return in.Get(b)
}
