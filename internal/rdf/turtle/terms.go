package turtle

import (
	"unicode/utf8"

	"qlink/internal/rdf"
	"qlink/internal/rdf/internal/scan"
)

// object parses one object: IRI, blank node, collection, property list or
// literal.
func (p *parser) object() (rdf.Term, error) {
	switch c := p.R.Peek(); {
	case c == '<':
		iri, err := p.iriRef()
		return rdf.IRI(iri), err
	case c == '_':
		return p.blankLabel()
	case c == '[':
		p.R.Skip(1)
		p.R.SkipSpace(true)
		if p.R.Peek() == ']' {
			p.R.Skip(1)
			return p.blanks.New(), nil
		}
		return p.propertyList()
	case c == '(':
		return p.collection()
	case c == '"' || c == '\'':
		return p.LiteralTerm(byte(c), true, p.datatype)
	case c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.':
		return p.number()
	case c == scan.EOF || c == ',' || c == ';' || c == ']' || c == ')' || c == '}':
		return rdf.Term{}, p.R.Errorf("expected object, found %s", p.R.Describe())
	}
	iri, kw, err := p.nameOrKeyword()
	if err != nil {
		return rdf.Term{}, err
	}
	switch kw {
	case "":
		return rdf.IRI(iri), nil
	case "true", "false":
		return rdf.Literal(kw, rdf.XSDBoolean), nil
	}
	return rdf.Term{}, p.R.Errorf("expected object, found %q", kw)
}

// iriRef reads <...> and resolves it against the base.
func (p *parser) iriRef() (string, error) {
	if p.R.Peek() != '<' {
		return "", p.R.Errorf("expected IRI, found %s", p.R.Describe())
	}
	tok, err := p.R.ReadIRIRef(p.Tok[:0], p.Lim.MaxTermBytes)
	p.Tok = tok
	if err != nil {
		return "", err
	}
	if rdf.IsAbsolute(string(tok)) {
		iri := p.Strs.Get(tok)
		if hasDotSegment(tok) {
			iri = p.base.Resolve(iri)
		}
		return iri, nil
	}
	if p.base.IsZero() {
		return "", p.R.Errorf("relative IRI <%s> and no base IRI", tok)
	}
	return p.base.Resolve(string(tok)), nil
}

// hasDotSegment is a cheap pre-check before RFC 3986 dot removal.
func hasDotSegment(b []byte) bool {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '/' && b[i+1] == '.' {
			return true
		}
	}
	return false
}

func (p *parser) blankLabel() (rdf.Term, error) {
	if p.R.PeekAt(1) != ':' {
		return rdf.Term{}, p.R.Errorf("expected '_:' blank node label, found %s", p.R.Describe())
	}
	p.R.Skip(2)
	tok, err := p.R.ReadBlankLabel(p.Tok[:0], p.Lim.MaxTermBytes)
	p.Tok = tok
	if err != nil {
		return rdf.Term{}, err
	}
	t := p.blanks.Label(p.Strs.Get(tok))
	return t, nil
}

// nameOrKeyword reads a prefixed name and returns its IRI, or returns a
// bare word (true, false, a, ...) as kw when no ':' follows it.
func (p *parser) nameOrKeyword() (iri, kw string, err error) {
	tok, err := p.readPrefix(p.Tok[:0])
	p.Tok = tok
	if err != nil {
		return "", "", err
	}
	if p.R.Peek() != ':' {
		if len(tok) == 0 {
			return "", "", p.R.Errorf("unexpected %s", p.R.Describe())
		}
		return "", string(tok), nil
	}
	ns, ok := p.prefixes[string(tok)]
	if !ok {
		return "", "", p.R.Errorf("undefined prefix %q", tok)
	}
	p.R.Skip(1)
	tok = append(tok[:0], ns...)
	tok, err = p.readLocal(tok)
	p.Tok = tok
	if err != nil {
		return "", "", err
	}
	return p.Strs.Get(tok), "", nil
}

// readPrefix reads PN_PREFIX (possibly empty), stopping before ':'.
func (p *parser) readPrefix(dst []byte) ([]byte, error) {
	for {
		buf := p.R.Buffered()
		i := 0
		for i < len(buf) && scan.IsASCIIName(buf[i]) && (len(dst)+i > 0 || isLetter(buf[i])) {
			i++
		}
		dst = append(dst, buf[:i]...)
		p.R.Skip(i)
		c := p.R.Peek()
		switch {
		case c == '.' && len(dst) > 0 && p.R.DotsThenName():
			dst = append(dst, '.')
			p.R.Skip(1)
		case c >= 0 && c < 0x80 && scan.IsASCIIName(byte(c)) && (len(dst) > 0 || isLetter(byte(c))):
			// The buffer ended inside the name; the loop refills it.
		case c >= 0x80:
			ch, n := p.R.PeekRune()
			if n == 0 || !(scan.IsPNCharsBase(ch) || len(dst) > 0 && scan.IsPNChars(ch)) {
				return dst, nil
			}
			dst = utf8.AppendRune(dst, ch)
			p.R.Skip(n)
		default:
			if len(dst) > p.Lim.MaxTermBytes {
				return dst, p.R.LimitErr("prefix longer than %d bytes", p.Lim.MaxTermBytes)
			}
			return dst, nil
		}
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// readLocal reads PN_LOCAL and appends its unescaped form to dst.
func (p *parser) readLocal(dst []byte) ([]byte, error) {
	start := len(dst)
	for {
		buf := p.R.Buffered()
		i := 0
		for i < len(buf) {
			c := buf[i]
			if !(scan.IsASCIIName(c) || c == ':') || c == '-' && len(dst)+i == start {
				break
			}
			i++
		}
		dst = append(dst, buf[:i]...)
		p.R.Skip(i)
		if len(dst)-start > p.Lim.MaxTermBytes {
			return dst, p.R.LimitErr("local name longer than %d bytes", p.Lim.MaxTermBytes)
		}
		first := len(dst) == start
		switch c := p.R.Peek(); {
		case c == '.' && !first && p.dotsThenLocal():
			dst = append(dst, '.')
			p.R.Skip(1)
		case c >= 0 && c < 0x80 && (scan.IsASCIIName(byte(c)) || c == ':') && !(first && c == '-'):
			// The buffer ended inside the name; the loop refills it.
		case c == '%':
			h1, h2 := p.R.PeekAt(1), p.R.PeekAt(2)
			if !isHexByte(h1) || !isHexByte(h2) {
				return dst, p.R.Errorf("expected two hex digits after '%%' in local name")
			}
			dst = append(dst, '%', byte(h1), byte(h2))
			p.R.Skip(3)
		case c == '\\':
			e := p.R.PeekAt(1)
			if e < 0 || e >= 0x80 || !localEscapable[e] {
				return dst, p.R.Errorf("invalid escape in local name")
			}
			dst = append(dst, byte(e))
			p.R.Skip(2)
		case c >= 0x80:
			ch, n := p.R.PeekRune()
			if n == 0 || !(scan.IsPNChars(ch) && (!first || scan.IsPNCharsU(ch))) {
				return dst, nil
			}
			dst = append(dst, p.R.Buffered()[:n]...)
			p.R.Skip(n)
		default:
			return dst, nil
		}
	}
}

var localEscapable = func() (t [128]bool) {
	for _, c := range "_~.-!$&'()*+,;=/?#@%" {
		t[c] = true
	}
	return t
}()

func isHexByte(c int) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// dotsThenLocal reports whether the dots starting here continue a name.
func (p *parser) dotsThenLocal() bool {
	i := 0
	for p.R.PeekAt(i) == '.' {
		i++
	}
	c := p.R.PeekAt(i)
	switch {
	case c == scan.EOF:
		return false
	case c < 0x80:
		return scan.IsASCIIName(byte(c)) || c == ':' || c == '%' || c == '\\'
	}
	p.R.Ensure(i + utf8.UTFMax)
	ch, _ := utf8.DecodeRune(p.R.Buffered()[i:])
	return scan.IsPNChars(ch)
}

func (p *parser) datatype() (string, error) {
	if p.R.Peek() == '<' {
		return p.iriRef()
	}
	iri, kw, err := p.nameOrKeyword()
	if err == nil && kw != "" {
		err = p.R.Errorf("expected datatype IRI, found %q", kw)
	}
	return iri, err
}

// number parses INTEGER, DECIMAL or DOUBLE.
func (p *parser) number() (rdf.Term, error) {
	tok := p.Tok[:0]
	if c := p.R.Peek(); c == '+' || c == '-' {
		tok = append(tok, byte(c))
		p.R.Skip(1)
	}
	tok, intDigits := p.digits(tok)
	dt := rdf.XSDInteger
	fracDigits := 0
	if p.R.Peek() == '.' {
		if d := p.R.PeekAt(1); d >= '0' && d <= '9' || (d == 'e' || d == 'E') && intDigits > 0 {
			tok = append(tok, '.')
			p.R.Skip(1)
			tok, fracDigits = p.digits(tok)
			dt = rdf.XSDDecimal
		}
	}
	if intDigits+fracDigits == 0 {
		p.Tok = tok
		return rdf.Term{}, p.R.Errorf("expected number, found %s", p.R.Describe())
	}
	if c := p.R.Peek(); c == 'e' || c == 'E' {
		tok = append(tok, byte(c))
		p.R.Skip(1)
		if s := p.R.Peek(); s == '+' || s == '-' {
			tok = append(tok, byte(s))
			p.R.Skip(1)
		}
		var expDigits int
		tok, expDigits = p.digits(tok)
		if expDigits == 0 {
			p.Tok = tok
			return rdf.Term{}, p.R.Errorf("expected exponent digits, found %s", p.R.Describe())
		}
		dt = rdf.XSDDouble
	}
	p.Tok = tok
	return rdf.Literal(p.Strs.Lexical(tok), dt), nil
}

func (p *parser) digits(tok []byte) ([]byte, int) {
	n := 0
	for {
		c := p.R.Peek()
		if c < '0' || c > '9' {
			return tok, n
		}
		if len(tok) > p.Lim.MaxTermBytes {
			return tok, n
		}
		tok = append(tok, byte(c))
		p.R.Skip(1)
		n++
	}
}
