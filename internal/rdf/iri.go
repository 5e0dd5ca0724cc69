package rdf

import "strings"

// BaseIRI is a parsed base IRI ready to resolve references against
// (RFC 3986 §5.2). Parsing once matters: Turtle resolves every <...>.
type BaseIRI struct {
	raw       string
	scheme    string // without ':'
	authority string
	hasAuth   bool
	path      string
	query     string
	hasQuery  bool
}

// ParseBase splits an absolute IRI into its components. An empty or
// relative base gives a BaseIRI whose IsZero reports true.
func ParseBase(iri string) BaseIRI {
	if i := strings.IndexByte(iri, '#'); i >= 0 {
		iri = iri[:i]
	}
	n := schemeLen(iri)
	if n == 0 {
		return BaseIRI{}
	}
	b := BaseIRI{raw: iri, scheme: iri[:n]}
	rest := iri[n+1:]
	b.authority, b.hasAuth, b.path, b.query, b.hasQuery = splitRef(rest)
	return b
}

// IsZero reports whether there is no usable base.
func (b BaseIRI) IsZero() bool { return b.scheme == "" }

// String returns the base without fragment.
func (b BaseIRI) String() string { return b.raw }

// IsAbsolute reports whether s starts with a scheme.
func IsAbsolute(s string) bool { return schemeLen(s) > 0 }

// schemeLen returns the length of s's scheme, or 0 if s has none.
func schemeLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case c == ':' && i > 0:
			return i
		default:
			return 0
		}
	}
	return 0
}

// splitRef splits a hierarchical part (after "scheme:" or a relative
// reference without fragment) into authority, path and query.
func splitRef(s string) (auth string, hasAuth bool, path, query string, hasQuery bool) {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		query, hasQuery, s = s[i+1:], true, s[:i]
	}
	if strings.HasPrefix(s, "//") {
		s = s[2:]
		i := strings.IndexByte(s, '/')
		if i < 0 {
			i = len(s)
		}
		auth, hasAuth, s = s[:i], true, s[i:]
	}
	return auth, hasAuth, s, query, hasQuery
}

// Resolve returns ref resolved against b. An absolute ref only has its dot
// segments removed; with a zero base, relative refs come back unchanged.
func (b BaseIRI) Resolve(ref string) string {
	if n := schemeLen(ref); n > 0 {
		if !strings.Contains(ref, "/.") {
			return ref
		}
		a, ha, p, q, hq := splitRef(ref[n+1:])
		return compose(ref[:n], a, ha, removeDots(p), q, hq, fragmentOf(ref))
	}
	if b.IsZero() {
		return ref
	}
	frag := fragmentOf(ref)
	a, ha, p, q, hq := splitRef(ref)
	switch {
	case ha:
		p = removeDots(p)
	case p == "":
		a, ha, p = b.authority, b.hasAuth, b.path
		if !hq {
			q, hq = b.query, b.hasQuery
		}
	default:
		a, ha = b.authority, b.hasAuth
		if p[0] != '/' {
			p = merge(b, p)
		}
		p = removeDots(p)
	}
	return compose(b.scheme, a, ha, p, q, hq, frag)
}

// fragmentOf returns "#frag" (with the '#') or "".
func fragmentOf(s string) string {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return s[i:]
	}
	return ""
}

func merge(b BaseIRI, p string) string {
	if b.hasAuth && b.path == "" {
		return "/" + p
	}
	if i := strings.LastIndexByte(b.path, '/'); i >= 0 {
		return b.path[:i+1] + p
	}
	return p
}

func compose(scheme, auth string, hasAuth bool, path, query string, hasQuery bool, frag string) string {
	var sb strings.Builder
	sb.Grow(len(scheme) + len(auth) + len(path) + len(query) + len(frag) + 5)
	sb.WriteString(scheme)
	sb.WriteByte(':')
	if hasAuth {
		sb.WriteString("//")
		sb.WriteString(auth)
	}
	sb.WriteString(path)
	if hasQuery {
		sb.WriteByte('?')
		sb.WriteString(query)
	}
	sb.WriteString(frag)
	return sb.String()
}

// removeDots implements RFC 3986 §5.2.4.
func removeDots(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	out := make([]string, 0, 8)
	abs := strings.HasPrefix(p, "/")
	segs := strings.Split(p, "/")
	if abs {
		segs = segs[1:]
	}
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	r := strings.Join(out, "/")
	if abs {
		return "/" + r
	}
	return r
}

// IsValidIRI reports whether s is absolute and free of the characters RDF
// syntaxes forbid in IRIs (controls, space and <>"{}|^`\). Parsers for
// formats without lexical IRI rules (RDF/XML, JSON-LD) check with it, so
// every IRI they emit can be written back as N-Triples.
func IsValidIRI(s string) bool {
	if !IsAbsolute(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if iriInvalid[s[i]] {
			return false
		}
	}
	return true
}

var iriInvalid = func() (t [256]bool) {
	for c := range 0x21 {
		t[c] = true
	}
	for _, c := range []byte("<>\"{}|^`\\") {
		t[c] = true
	}
	return t
}()
