package rdfxml

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"unicode/utf8"

	"qlink/internal/rdf/internal/scan"
)

// tokKind says which field of a token is set.
type tokKind uint8

const (
	tokStart tokKind = iota + 1
	tokEnd
	tokText
	tokDirective // text holds the directive
	tokOther     // comments and processing instructions
)

// token is one XML token, filled in place so that reading a document
// allocates no token values. Attr and text alias tokenizer buffers until
// the next call.
type token struct {
	kind  tokKind
	start xml.StartElement
	end   xml.EndElement
	text  xml.CharData
}

// tokenizer is the token stream the RDF/XML parser reads: xmlTokenizer,
// the fast one Parse uses, or stdTokenizer on encoding/xml, the reference
// the differential tests compare it with.
type tokenizer interface {
	next(*token) error
	InputPos() (line, column int)
	InputOffset() int64
}

// stdTokenizer adapts xml.Decoder.RawToken.
type stdTokenizer struct{ *xml.Decoder }

func (s stdTokenizer) next(t *token) error {
	tok, err := s.RawToken()
	if err != nil {
		return err
	}
	switch x := tok.(type) {
	case xml.StartElement:
		t.kind, t.start = tokStart, x
	case xml.EndElement:
		t.kind, t.end = tokEnd, x
	case xml.CharData:
		t.kind, t.text = tokText, x
	case xml.Directive:
		t.kind, t.text = tokDirective, xml.CharData(x)
	default:
		t.kind = tokOther
	}
	return nil
}

// xmlTokenizer is a strict, non-validating XML 1.0 tokenizer producing the
// same tokens as xml.Decoder.RawToken, about five times faster: it scans a
// sliding byte buffer instead of reading byte by byte, interns names and
// short attribute values, and returns character data that aliases its
// scratch buffer (valid until the next call, as RawToken documents).
// Beyond what RawToken checks it also verifies that end tags match, that
// attributes are not repeated and that there is one root element.
type xmlTokenizer struct {
	r        *scan.Reader
	strs     scan.Interner
	entities map[string]string
	maxTerm  int
	text     []byte
	stack    []openElem
	raw      string // the last name read, as written
	pending  bool   // an empty-element tag still owes its EndElement
	rootSeen bool
}

// openElem is an element awaiting its end tag; raw is its qualified name
// as written, so the end tag is matched by comparing bytes.
type openElem struct {
	name xml.Name
	raw  string
}

// textChunk bounds one CharData token, so a huge text node streams in
// pieces instead of being buffered whole.
const textChunk = 64 << 10

func newXMLTokenizer(r io.Reader, entities map[string]string, maxTerm int) *xmlTokenizer {
	return &xmlTokenizer{r: scan.NewReader(r, "rdfxml"), strs: scan.NewInterner(), entities: entities, maxTerm: maxTerm}
}

func (z *xmlTokenizer) InputPos() (int, int) { return z.r.Pos() }
func (z *xmlTokenizer) InputOffset() int64   { return z.r.Offset() }

func (z *xmlTokenizer) errorf(format string, args ...any) error {
	return z.r.Errorf(format, args...)
}

// next reads the next token into t.
func (z *xmlTokenizer) next(t *token) error {
	if z.pending {
		z.pending = false
		t.kind, t.end.Name = tokEnd, z.stack[len(z.stack)-1].name
		z.stack = z.stack[:len(z.stack)-1]
		return nil
	}
	switch z.r.Peek() {
	case scan.EOF:
		if err := z.r.ReadErr(); err != nil {
			return z.errorf("read: %v", err)
		}
		if len(z.stack) > 0 {
			return z.errorf("unexpected end of document inside <%s>", z.stack[len(z.stack)-1].raw)
		}
		return io.EOF
	case '<':
		switch z.r.PeekAt(1) {
		case '/':
			return z.endTag(t)
		case '?':
			t.kind = tokOther
			return z.procInst()
		case '!':
			return z.bang(t)
		}
		return z.startTag(t)
	}
	return z.charData(t)
}

// name reads an XML Name and splits it at the first colon.
func (z *xmlTokenizer) name() (xml.Name, error) {
	z.text = z.text[:0]
	for {
		buf := z.r.Buffered()
		i := 0
		for i < len(buf) && buf[i] < 0x80 && asciiNameChar[buf[i]] {
			i++
		}
		z.text = append(z.text, buf[:i]...)
		z.r.Skip(i)
		if len(z.text) > z.maxTerm {
			return xml.Name{}, z.r.LimitErr("name longer than %d bytes", z.maxTerm)
		}
		c := z.r.Peek()
		if c >= 0x80 {
			// In well-formed XML a name is never directly followed by a
			// non-ASCII character that cannot continue it.
			ch, n := z.r.PeekRune()
			if n == 0 || !isNameRune(ch) {
				return xml.Name{}, z.errorf("invalid character %s in name", z.r.Describe())
			}
			z.text = append(z.text, z.r.Buffered()[:n]...)
			z.r.Skip(n)
			continue
		}
		if c == scan.EOF || !asciiNameChar[c] {
			break
		}
	}
	if len(z.text) == 0 {
		return xml.Name{}, z.errorf("expected a name, found %s", z.r.Describe())
	}
	first, _ := utf8.DecodeRune(z.text)
	if !isNameStart(first) {
		return xml.Name{}, z.errorf("invalid name %q", z.text)
	}
	s := z.strs.Get(z.text)
	z.raw = s
	if space, local, ok := strings.Cut(s, ":"); ok {
		if space == "" || local == "" || strings.IndexByte(local, ':') >= 0 {
			return xml.Name{}, z.errorf("invalid qualified name %q", s)
		}
		return xml.Name{Space: space, Local: local}, nil
	}
	return xml.Name{Local: s}, nil
}

var asciiNameChar = func() (t [128]bool) {
	for c := range 128 {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == ':' || c == '-' || c == '.'
	}
	return t
}()

// isNameStart and isNameRune follow XML 1.0 (5th edition) NameStartChar
// and NameChar.
func isNameStart(c rune) bool {
	switch {
	case c < 0x80:
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':'
	}
	return c >= 0xC0 && c <= 0xD6 || c >= 0xD8 && c <= 0xF6 || c >= 0xF8 && c <= 0x2FF ||
		c >= 0x370 && c <= 0x37D || c >= 0x37F && c <= 0x1FFF || c >= 0x200C && c <= 0x200D ||
		c >= 0x2070 && c <= 0x218F || c >= 0x2C00 && c <= 0x2FEF || c >= 0x3001 && c <= 0xD7FF ||
		c >= 0xF900 && c <= 0xFDCF || c >= 0xFDF0 && c <= 0xFFFD || c >= 0x10000 && c <= 0xEFFFF
}

func isNameRune(c rune) bool {
	return isNameStart(c) || c < 0x80 && asciiNameChar[c] || c == 0xB7 ||
		c >= 0x300 && c <= 0x36F || c >= 0x203F && c <= 0x2040
}

func (z *xmlTokenizer) skipSpace() bool {
	skipped := false
	for {
		c := z.r.Peek()
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return skipped
		}
		z.r.Skip(1)
		skipped = true
	}
}

func (z *xmlTokenizer) startTag(t *token) error {
	if len(z.stack) == 0 && z.rootSeen {
		return z.errorf("a second root element")
	}
	z.rootSeen = true
	z.r.Skip(1)
	name, err := z.name()
	if err != nil {
		return err
	}
	raw := z.raw
	attrs := t.start.Attr[:0]
	t.kind, t.start.Name = tokStart, name
	defer func() { t.start.Attr = attrs }()
	for {
		space := z.skipSpace()
		switch z.r.Peek() {
		case '>':
			z.r.Skip(1)
			z.stack = append(z.stack, openElem{name, raw})
			return nil
		case '/':
			if z.r.PeekAt(1) != '>' {
				return z.errorf("expected '/>'")
			}
			z.r.Skip(2)
			z.stack = append(z.stack, openElem{name, raw})
			z.pending = true
			return nil
		}
		if !space {
			return z.errorf("expected white space, '>' or '/>' in <%s>, found %s", qname(name), z.r.Describe())
		}
		a, err := z.attr()
		if err != nil {
			return err
		}
		for _, b := range attrs {
			if b.Name == a.Name {
				return z.errorf("attribute %s repeated", qname(a.Name))
			}
		}
		attrs = append(attrs, a)
	}
}

func (z *xmlTokenizer) attr() (xml.Attr, error) {
	name, err := z.name()
	if err != nil {
		return xml.Attr{}, err
	}
	z.skipSpace()
	if z.r.Peek() != '=' {
		return xml.Attr{}, z.errorf("expected '=' after attribute %s, found %s", qname(name), z.r.Describe())
	}
	z.r.Skip(1)
	z.skipSpace()
	q := z.r.Peek()
	if q != '"' && q != '\'' {
		return xml.Attr{}, z.errorf("expected quoted value for attribute %s, found %s", qname(name), z.r.Describe())
	}
	z.r.Skip(1)
	z.text = z.text[:0]
	if err := z.readText(byte(q), false); err != nil {
		return xml.Attr{}, err
	}
	z.r.Skip(1)
	return xml.Attr{Name: name, Value: z.strs.Get(z.text)}, nil
}

// readText appends text up to (not including) the stop byte: '<' in
// content, the quote in attribute values. It decodes references,
// normalises line ends and checks characters. With chunked set it may
// return early, after textChunk bytes, at a character boundary.
func (z *xmlTokenizer) readText(stop byte, chunked bool) error {
	var hi byte
	start := len(z.text)
	for {
		buf := z.r.Buffered()
		i := 0
		for i < len(buf) {
			c := buf[i]
			if c == stop || c == '&' || c == '\r' || c == '<' || c < 0x20 && c != '\t' && c != '\n' {
				break
			}
			hi |= c
			i++
		}
		z.text = append(z.text, buf[:i]...)
		z.r.Skip(i)
		if len(z.text) > z.maxTerm {
			return z.r.LimitErr("text longer than %d bytes", z.maxTerm)
		}
		c := z.r.Peek()
		switch {
		case c == int(stop):
			return z.checkChars(start, hi)
		case c == scan.EOF:
			if stop == '<' {
				return z.checkChars(start, hi)
			}
			return z.errorf("unterminated attribute value")
		case c == '&':
			if err := z.reference(); err != nil {
				return err
			}
		case c == '\r':
			z.r.Skip(1)
			if z.r.Peek() != '\n' {
				z.text = append(z.text, '\n')
			}
		case c == '<':
			return z.errorf("'<' not allowed in attribute values")
		case c < 0x20 && c != '\t' && c != '\n':
			return z.errorf("illegal character code %U", rune(c))
		}
		if chunked && len(z.text)-start >= textChunk && z.r.Peek() < 0x80 {
			return z.checkChars(start, hi)
		}
	}
}

// checkChars validates the non-ASCII part of the text appended since
// start: UTF-8, and XML's Char production.
func (z *xmlTokenizer) checkChars(start int, hi byte) error {
	if hi < 0x80 {
		return nil
	}
	for b := z.text[start:]; len(b) > 0; {
		if b[0] < 0x80 {
			b = b[1:]
			continue
		}
		ch, n := utf8.DecodeRune(b)
		if ch == utf8.RuneError && n <= 1 || !isXMLChar(ch) {
			return z.errorf("invalid UTF-8 or illegal character in text")
		}
		b = b[n:]
	}
	return nil
}

func isXMLChar(c rune) bool {
	return c == 0x09 || c == 0x0A || c == 0x0D || c >= 0x20 && c <= 0xD7FF ||
		c >= 0xE000 && c <= 0xFFFD || c >= 0x10000 && c <= 0x10FFFF
}

// reference decodes &name; or &#N; / &#xH; into z.text.
func (z *xmlTokenizer) reference() error {
	z.r.Skip(1)
	var name [64]byte
	n := 0
	for {
		c := z.r.Peek()
		if c == ';' {
			z.r.Skip(1)
			break
		}
		if c == scan.EOF || n == len(name) || !(c < 0x80 && (asciiNameChar[c] || c == '#')) {
			return z.errorf("invalid character entity (expected ';')")
		}
		name[n] = byte(c)
		n++
		z.r.Skip(1)
	}
	ref := string(name[:n])
	if strings.HasPrefix(ref, "#") {
		ch, ok := charRef(ref[1:])
		if !ok {
			return z.errorf("invalid character reference &%s;", ref)
		}
		z.text = utf8.AppendRune(z.text, ch)
		return nil
	}
	switch ref {
	case "lt":
		z.text = append(z.text, '<')
	case "gt":
		z.text = append(z.text, '>')
	case "amp":
		z.text = append(z.text, '&')
	case "apos":
		z.text = append(z.text, '\'')
	case "quot":
		z.text = append(z.text, '"')
	default:
		v, ok := z.entities[ref]
		if !ok {
			return z.errorf("invalid character entity &%s;", ref)
		}
		z.text = append(z.text, v...)
	}
	return nil
}

func charRef(s string) (rune, bool) {
	base := 10
	if strings.HasPrefix(s, "x") {
		base, s = 16, s[1:]
	}
	if s == "" || len(s) > 8 {
		return 0, false
	}
	var v rune
	for _, c := range s {
		d := rune(-1)
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case base == 16 && c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		}
		if d < 0 {
			return 0, false
		}
		v = v*rune(base) + d
	}
	return v, isXMLChar(v)
}

func (z *xmlTokenizer) charData(t *token) error {
	z.text = z.text[:0]
	if err := z.readText('<', true); err != nil {
		return err
	}
	if len(z.stack) == 0 && !isSpace(z.text) {
		return z.errorf("text outside the root element")
	}
	t.kind, t.text = tokText, z.text
	return nil
}

func (z *xmlTokenizer) endTag(t *token) error {
	z.r.Skip(2)
	if len(z.stack) == 0 {
		return z.errorf("end tag without an open element")
	}
	open := z.stack[len(z.stack)-1]
	// The end tag must name the open element byte for byte; comparing
	// bytes spares a name lookup per element.
	z.r.Ensure(len(open.raw) + 1)
	if buf := z.r.Buffered(); len(buf) > len(open.raw) && string(buf[:len(open.raw)]) == open.raw &&
		(buf[len(open.raw)] == '>' || scan.IsWS(int(buf[len(open.raw)]))) {
		z.r.Skip(len(open.raw))
	} else {
		name, err := z.name()
		if err != nil {
			return err
		}
		return z.errorf("expected </%s>, found </%s>", open.raw, qname(name))
	}
	z.skipSpace()
	if z.r.Peek() != '>' {
		return z.errorf("expected '>' to end </%s>, found %s", open.raw, z.r.Describe())
	}
	z.r.Skip(1)
	z.stack = z.stack[:len(z.stack)-1]
	t.kind, t.end.Name = tokEnd, open.name
	return nil
}

// until consumes input through the terminator and returns what preceded
// it, refusing more than max bytes.
func (z *xmlTokenizer) until(term string, max int) ([]byte, error) {
	z.text = z.text[:0]
	for {
		buf := z.r.Buffered()
		if i := bytes.Index(buf, []byte(term)); i >= 0 {
			z.text = append(z.text, buf[:i]...)
			z.r.Skip(i + len(term))
			return z.text, nil
		}
		keep := max0(len(buf) - len(term) + 1)
		z.text = append(z.text, buf[:keep]...)
		z.r.Skip(keep)
		if len(z.text) > max {
			return nil, z.r.LimitErr("construct longer than %d bytes", max)
		}
		if !z.r.Ensure(len(buf) - keep + 1) {
			return nil, z.errorf("unexpected end of document (expected %q)", term)
		}
	}
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

func (z *xmlTokenizer) procInst() error {
	z.r.Skip(2)
	target, err := z.name()
	if err != nil {
		return err
	}
	if c := z.r.Peek(); c != '?' && !scan.IsWS(c) {
		return z.errorf("expected white space or '?>' after <?%s, found %s", qname(target), z.r.Describe())
	}
	body, err := z.until("?>", z.maxTerm)
	if err != nil {
		return err
	}
	if target.Space == "" && target.Local == "xml" {
		content := string(body)
		if v := procInstParam("version", content); v != "" && v != "1.0" {
			return z.errorf("unsupported version %q; only version 1.0 is supported", v)
		}
		if enc := procInstParam("encoding", content); enc != "" && !strings.EqualFold(enc, "utf-8") {
			return z.errorf("encoding %q declared; only UTF-8 is supported", enc)
		}
	}
	return nil
}

// procInstParam extracts param="value" from a processing instruction.
func procInstParam(param, s string) string {
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		if ok && k == param && len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			return v[1 : len(v)-1]
		}
	}
	return ""
}

const maxDoctype = 64 << 10

// bang handles comments, CDATA sections and the DOCTYPE declaration.
func (z *xmlTokenizer) bang(t *token) error {
	switch {
	case z.hasPrefix("<!--"):
		z.r.Skip(4)
		if _, err := z.until("--", z.maxTerm); err != nil {
			return err
		}
		if z.r.Peek() != '>' {
			return z.errorf(`invalid sequence "--" not allowed in comments`)
		}
		z.r.Skip(1)
		t.kind = tokOther
		return nil
	case z.hasPrefix("<![CDATA["):
		if len(z.stack) == 0 {
			return z.errorf("CDATA section outside the root element")
		}
		z.r.Skip(9)
		body, err := z.until("]]>", z.maxTerm)
		if err != nil {
			return err
		}
		body = bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))
		body = bytes.ReplaceAll(body, []byte("\r"), []byte("\n"))
		if !utf8.Valid(body) || bytes.ContainsFunc(body, func(r rune) bool { return !isXMLChar(r) }) {
			return z.errorf("illegal character in CDATA section")
		}
		t.kind, t.text = tokText, body
		return nil
	case z.hasPrefix("<!DOCTYPE"):
		if z.rootSeen {
			return z.errorf("DOCTYPE after the root element")
		}
		return z.doctype(t)
	}
	return z.errorf("unexpected markup after '<!'")
}

func (z *xmlTokenizer) hasPrefix(s string) bool {
	for i := range len(s) {
		if z.r.PeekAt(i) != int(s[i]) {
			return false
		}
	}
	return true
}

// doctype reads <!DOCTYPE ...> including an internal subset, honouring
// quotes and comments so a '>' inside them does not end it.
func (z *xmlTokenizer) doctype(t *token) error {
	z.r.Skip(2)
	var d []byte
	depth, quote := 0, 0
	for {
		c := z.r.Peek()
		if c == scan.EOF {
			return z.errorf("unterminated DOCTYPE")
		}
		z.r.Skip(1)
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '>' && depth <= 0:
			t.kind, t.text = tokDirective, d
			return nil
		}
		d = append(d, byte(c))
		if len(d) > maxDoctype {
			return z.r.LimitErr("DOCTYPE longer than %d bytes", maxDoctype)
		}
	}
}
