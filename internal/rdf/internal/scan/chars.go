package scan

// Character classes from the Turtle / N-Triples grammars (RDF 1.1).

// IsPNCharsBase reports PN_CHARS_BASE.
func IsPNCharsBase(c rune) bool {
	switch {
	case c < 0x80:
		return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
	case c <= 0x02FF:
		return c >= 0xC0 && c != 0xD7 && c != 0xF7
	case c <= 0x1FFF:
		return c >= 0x0370 && c != 0x037E
	}
	return c == 0x200C || c == 0x200D ||
		c >= 0x2070 && c <= 0x218F ||
		c >= 0x2C00 && c <= 0x2FEF ||
		c >= 0x3001 && c <= 0xD7FF ||
		c >= 0xF900 && c <= 0xFDCF ||
		c >= 0xFDF0 && c <= 0xFFFD ||
		c >= 0x10000 && c <= 0xEFFFF
}

// IsPNCharsU reports PN_CHARS_U (PN_CHARS_BASE or '_').
func IsPNCharsU(c rune) bool { return c == '_' || IsPNCharsBase(c) }

// IsPNChars reports PN_CHARS.
func IsPNChars(c rune) bool {
	return IsPNCharsU(c) || c == '-' || c >= '0' && c <= '9' || c == 0xB7 ||
		c >= 0x0300 && c <= 0x036F || c == 0x203F || c == 0x2040
}

// asciiName marks ASCII bytes that are PN_CHARS; the hot loops use it to
// skip the general test.
var asciiName = func() (t [128]bool) {
	for c := range 128 {
		t[c] = IsPNChars(rune(c))
	}
	return t
}()

// IsASCIIName reports an ASCII PN_CHARS byte.
func IsASCIIName(c byte) bool { return c < 0x80 && asciiName[c] }

// IsWS reports Turtle/N-Triples white space.
func IsWS(c int) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isHex(c int) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c int) rune {
	switch {
	case c <= '9':
		return rune(c - '0')
	case c >= 'a':
		return rune(c - 'a' + 10)
	}
	return rune(c - 'A' + 10)
}
