package turtle

import (
	"unicode/utf8"

	"qlink/internal/rdf"
	"qlink/internal/rdf/internal/scan"
)

// object parses one object: IRI, blank node, collection, property list or
// literal.
func (p *parser) object() (rdf.Term, error) {
	switch c := p.r.Peek(); {
	case c == '<':
		iri, err := p.iriRef()
		return rdf.IRI(iri), err
	case c == '_':
		return p.blankLabel()
	case c == '[':
		p.r.Skip(1)
		p.r.SkipSpace(true)
		if p.r.Peek() == ']' {
			p.r.Skip(1)
			return p.blanks.New(), nil
		}
		return p.propertyList()
	case c == '(':
		return p.collection()
	case c == '"' || c == '\'':
		return p.literal(byte(c))
	case c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.':
		return p.number()
	case c == scan.EOF || c == ',' || c == ';' || c == ']' || c == ')' || c == '}':
		return rdf.Term{}, p.r.Errorf("expected object, found %s", p.r.Describe())
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
	return rdf.Term{}, p.r.Errorf("expected object, found %q", kw)
}

// iriRef reads <...> and resolves it against the base.
func (p *parser) iriRef() (string, error) {
	if p.r.Peek() != '<' {
		return "", p.r.Errorf("expected IRI, found %s", p.r.Describe())
	}
	tok, err := p.r.ReadIRIRef(p.tok[:0], p.lim.MaxTermBytes)
	p.tok = tok
	if err != nil {
		return "", err
	}
	if rdf.IsAbsolute(string(tok)) {
		iri := p.strs.Get(tok)
		if hasDotSegment(tok) {
			iri = p.base.Resolve(iri)
		}
		return iri, nil
	}
	if p.base.IsZero() {
		return "", p.r.Errorf("relative IRI <%s> and no base IRI", tok)
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
	if p.r.PeekAt(1) != ':' {
		return rdf.Term{}, p.r.Errorf("expected '_:' blank node label, found %s", p.r.Describe())
	}
	p.r.Skip(2)
	tok, err := p.r.ReadBlankLabel(p.tok[:0], p.lim.MaxTermBytes)
	p.tok = tok
	if err != nil {
		return rdf.Term{}, err
	}
	t := p.blanks.Label(p.strs.Get(tok))
	return t, nil
}

// nameOrKeyword reads a prefixed name and returns its IRI, or returns a
// bare word (true, false, a, ...) as kw when no ':' follows it.
func (p *parser) nameOrKeyword() (iri, kw string, err error) {
	tok, err := p.readPrefix(p.tok[:0])
	p.tok = tok
	if err != nil {
		return "", "", err
	}
	if p.r.Peek() != ':' {
		if len(tok) == 0 {
			return "", "", p.r.Errorf("unexpected %s", p.r.Describe())
		}
		return "", string(tok), nil
	}
	ns, ok := p.prefixes[string(tok)]
	if !ok {
		return "", "", p.r.Errorf("undefined prefix %q", tok)
	}
	p.r.Skip(1)
	tok = append(tok[:0], ns...)
	tok, err = p.readLocal(tok)
	p.tok = tok
	if err != nil {
		return "", "", err
	}
	return p.strs.Get(tok), "", nil
}

// readPrefix reads PN_PREFIX (possibly empty), stopping before ':'.
func (p *parser) readPrefix(dst []byte) ([]byte, error) {
	for {
		buf := p.r.Buffered()
		i := 0
		for i < len(buf) && scan.IsASCIIName(buf[i]) && (len(dst)+i > 0 || isLetter(buf[i])) {
			i++
		}
		dst = append(dst, buf[:i]...)
		p.r.Skip(i)
		c := p.r.Peek()
		switch {
		case c == '.' && len(dst) > 0 && p.r.DotsThenName():
			dst = append(dst, '.')
			p.r.Skip(1)
		case c >= 0 && c < 0x80 && scan.IsASCIIName(byte(c)) && (len(dst) > 0 || isLetter(byte(c))):
			// The buffer ended inside the name; the loop refills it.
		case c >= 0x80:
			ch, n := p.r.PeekRune()
			if n == 0 || !(scan.IsPNCharsBase(ch) || len(dst) > 0 && scan.IsPNChars(ch)) {
				return dst, nil
			}
			dst = utf8.AppendRune(dst, ch)
			p.r.Skip(n)
		default:
			if len(dst) > p.lim.MaxTermBytes {
				return dst, p.r.LimitErr("prefix longer than %d bytes", p.lim.MaxTermBytes)
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
		buf := p.r.Buffered()
		i := 0
		for i < len(buf) {
			c := buf[i]
			if !(scan.IsASCIIName(c) || c == ':') || c == '-' && len(dst)+i == start {
				break
			}
			i++
		}
		dst = append(dst, buf[:i]...)
		p.r.Skip(i)
		if len(dst)-start > p.lim.MaxTermBytes {
			return dst, p.r.LimitErr("local name longer than %d bytes", p.lim.MaxTermBytes)
		}
		first := len(dst) == start
		switch c := p.r.Peek(); {
		case c == '.' && !first && p.dotsThenLocal():
			dst = append(dst, '.')
			p.r.Skip(1)
		case c >= 0 && c < 0x80 && (scan.IsASCIIName(byte(c)) || c == ':') && !(first && c == '-'):
			// The buffer ended inside the name; the loop refills it.
		case c == '%':
			h1, h2 := p.r.PeekAt(1), p.r.PeekAt(2)
			if !isHexByte(h1) || !isHexByte(h2) {
				return dst, p.r.Errorf("expected two hex digits after '%%' in local name")
			}
			dst = append(dst, '%', byte(h1), byte(h2))
			p.r.Skip(3)
		case c == '\\':
			e := p.r.PeekAt(1)
			if e < 0 || e >= 0x80 || !localEscapable[e] {
				return dst, p.r.Errorf("invalid escape in local name")
			}
			dst = append(dst, byte(e))
			p.r.Skip(2)
		case c >= 0x80:
			ch, n := p.r.PeekRune()
			if n == 0 || !(scan.IsPNChars(ch) && (!first || scan.IsPNCharsU(ch))) {
				return dst, nil
			}
			dst = append(dst, p.r.Buffered()[:n]...)
			p.r.Skip(n)
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
	for p.r.PeekAt(i) == '.' {
		i++
	}
	c := p.r.PeekAt(i)
	switch {
	case c == scan.EOF:
		return false
	case c < 0x80:
		return scan.IsASCIIName(byte(c)) || c == ':' || c == '%' || c == '\\'
	}
	p.r.Ensure(i + utf8.UTFMax)
	ch, _ := utf8.DecodeRune(p.r.Buffered()[i:])
	return scan.IsPNChars(ch)
}

// literal parses a quoted literal with optional language tag or datatype.
func (p *parser) literal(quote byte) (rdf.Term, error) {
	long := p.r.PeekAt(1) == int(quote) && p.r.PeekAt(2) == int(quote)
	if long {
		p.r.Skip(3)
	} else {
		p.r.Skip(1)
	}
	tok, err := p.r.ReadString(p.tok[:0], quote, long, p.lim.MaxTermBytes)
	p.tok = tok
	if err != nil {
		return rdf.Term{}, err
	}
	lex := p.strs.Lexical(tok)
	switch p.r.Peek() {
	case '@':
		p.r.Skip(1)
		tok, err = p.r.ReadLangTag(p.tok[:0])
		p.tok = tok
		return rdf.LangLiteral(lex, p.strs.Get(tok)), err
	case '^':
		if p.r.PeekAt(1) != '^' {
			return rdf.Term{}, p.r.Errorf("expected '^^' before datatype")
		}
		p.r.Skip(2)
		dt, err := p.datatype()
		return rdf.Literal(lex, dt), err
	}
	return rdf.String(lex), nil
}

func (p *parser) datatype() (string, error) {
	if p.r.Peek() == '<' {
		return p.iriRef()
	}
	iri, kw, err := p.nameOrKeyword()
	if err == nil && kw != "" {
		err = p.r.Errorf("expected datatype IRI, found %q", kw)
	}
	return iri, err
}

// number parses INTEGER, DECIMAL or DOUBLE.
func (p *parser) number() (rdf.Term, error) {
	tok := p.tok[:0]
	if c := p.r.Peek(); c == '+' || c == '-' {
		tok = append(tok, byte(c))
		p.r.Skip(1)
	}
	tok, intDigits := p.digits(tok)
	dt := rdf.XSDInteger
	fracDigits := 0
	if p.r.Peek() == '.' {
		if d := p.r.PeekAt(1); d >= '0' && d <= '9' || (d == 'e' || d == 'E') && intDigits > 0 {
			tok = append(tok, '.')
			p.r.Skip(1)
			tok, fracDigits = p.digits(tok)
			dt = rdf.XSDDecimal
		}
	}
	if intDigits+fracDigits == 0 {
		p.tok = tok
		return rdf.Term{}, p.r.Errorf("expected number, found %s", p.r.Describe())
	}
	if c := p.r.Peek(); c == 'e' || c == 'E' {
		tok = append(tok, byte(c))
		p.r.Skip(1)
		if s := p.r.Peek(); s == '+' || s == '-' {
			tok = append(tok, byte(s))
			p.r.Skip(1)
		}
		var expDigits int
		tok, expDigits = p.digits(tok)
		if expDigits == 0 {
			p.tok = tok
			return rdf.Term{}, p.r.Errorf("expected exponent digits, found %s", p.r.Describe())
		}
		dt = rdf.XSDDouble
	}
	p.tok = tok
	return rdf.Literal(p.strs.Lexical(tok), dt), nil
}

func (p *parser) digits(tok []byte) ([]byte, int) {
	n := 0
	for {
		c := p.r.Peek()
		if c < '0' || c > '9' {
			return tok, n
		}
		if len(tok) > p.lim.MaxTermBytes {
			return tok, n
		}
		tok = append(tok, byte(c))
		p.r.Skip(1)
		n++
	}
}
