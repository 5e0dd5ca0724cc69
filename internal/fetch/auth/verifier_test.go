package auth

// An RFC 9421 verifier written for the tests from the RFC text alone, so
// that the signer (htmsig underneath) is checked by code that shares
// nothing with it: it parses Signature-Input, rebuilds the signature base
// per §2.5 and verifies with crypto/ed25519 and crypto/rsa.

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// sfParam is one structured-field parameter (RFC 8941 §3.1.2).
type sfParam struct {
	key string
	val any // int64, string, sfToken or bool
}

type sfToken string

// sfItem is a string item with parameters: a covered component.
type sfItem struct {
	name   string
	params []sfParam
}

// sigInput is one member of Signature-Input.
type sigInput struct {
	label      string
	components []sfItem
	params     []sfParam
}

func (s sigInput) param(key string) (any, bool) {
	for _, p := range s.params {
		if p.key == key {
			return p.val, true
		}
	}
	return nil, false
}

// sfParser reads the subset of RFC 8941 that signatures use.
type sfParser struct {
	s   string
	pos int
}

func (p *sfParser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *sfParser) skipSpaces() {
	for p.peek() == ' ' || p.peek() == '\t' {
		p.pos++
	}
}

func (p *sfParser) key() (string, error) {
	start := p.pos
	for c := p.peek(); c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '*'; c = p.peek() {
		p.pos++
	}
	if p.pos == start {
		return "", fmt.Errorf("key expected at %d in %q", start, p.s)
	}
	return p.s[start:p.pos], nil
}

func (p *sfParser) bareItem() (any, error) {
	switch c := p.peek(); {
	case c == '"':
		return p.str()
	case c == '?':
		p.pos += 2
		return p.s[p.pos-1] == '1', nil
	case c == ':':
		end := strings.IndexByte(p.s[p.pos+1:], ':')
		if end < 0 {
			return nil, errors.New("unterminated byte sequence")
		}
		b, err := base64.StdEncoding.DecodeString(p.s[p.pos+1 : p.pos+1+end])
		p.pos += end + 2
		return b, err
	case c == '-' || c >= '0' && c <= '9':
		start := p.pos
		for p.pos++; p.peek() >= '0' && p.peek() <= '9'; p.pos++ {
		}
		return strconv.ParseInt(p.s[start:p.pos], 10, 64)
	default:
		start := p.pos
		for c := p.peek(); c > ' ' && c < 0x7f && !strings.ContainsRune(`;,()"=`, rune(c)); c = p.peek() {
			p.pos++
		}
		return sfToken(p.s[start:p.pos]), nil
	}
}

func (p *sfParser) str() (string, error) {
	var b strings.Builder
	for p.pos++; p.pos < len(p.s); p.pos++ {
		switch c := p.s[p.pos]; c {
		case '\\':
			p.pos++
			b.WriteByte(p.s[p.pos])
		case '"':
			p.pos++
			return b.String(), nil
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("unterminated string")
}

func (p *sfParser) params() ([]sfParam, error) {
	var out []sfParam
	for p.peek() == ';' {
		p.pos++
		p.skipSpaces()
		k, err := p.key()
		if err != nil {
			return nil, err
		}
		var v any = true
		if p.peek() == '=' {
			p.pos++
			if v, err = p.bareItem(); err != nil {
				return nil, err
			}
		}
		out = append(out, sfParam{k, v})
	}
	return out, nil
}

// innerList reads ("a" "b";x=1);created=…
func (p *sfParser) innerList() ([]sfItem, []sfParam, error) {
	if p.peek() != '(' {
		return nil, nil, fmt.Errorf("inner list expected in %q", p.s)
	}
	p.pos++
	var items []sfItem
	for p.skipSpaces(); p.peek() != ')'; p.skipSpaces() {
		if p.peek() != '"' {
			return nil, nil, fmt.Errorf("component name expected in %q", p.s)
		}
		name, err := p.str()
		if err != nil {
			return nil, nil, err
		}
		ps, err := p.params()
		if err != nil {
			return nil, nil, err
		}
		items = append(items, sfItem{name, ps})
	}
	p.pos++
	ps, err := p.params()
	return items, ps, err
}

// dictionary reads label=value members, calling member for each value.
func (p *sfParser) dictionary(member func(label string) error) error {
	for p.skipSpaces(); p.pos < len(p.s); p.skipSpaces() {
		label, err := p.key()
		if err != nil {
			return err
		}
		if p.peek() != '=' {
			return fmt.Errorf("= expected after %s", label)
		}
		p.pos++
		if err := member(label); err != nil {
			return err
		}
		p.skipSpaces()
		if p.peek() == ',' {
			p.pos++
		}
	}
	return nil
}

func parseSignatureInput(field string) (map[string]sigInput, error) {
	out := map[string]sigInput{}
	p := &sfParser{s: field}
	err := p.dictionary(func(label string) error {
		items, params, err := p.innerList()
		out[label] = sigInput{label: label, components: items, params: params}
		return err
	})
	return out, err
}

func parseSignatures(field string) (map[string][]byte, error) {
	out := map[string][]byte{}
	p := &sfParser{s: field}
	err := p.dictionary(func(label string) error {
		v, err := p.bareItem()
		b, ok := v.([]byte)
		if err == nil && !ok {
			err = fmt.Errorf("signature %s is not a byte sequence", label)
		}
		out[label] = b
		_, err2 := p.params()
		return errors.Join(err, err2)
	})
	return out, err
}

// serialise writes values the way RFC 8941 §4.1 does.
func serialise(v any) string {
	switch v := v.(type) {
	case int64:
		return strconv.FormatInt(v, 10)
	case string:
		return strconv.Quote(v) // the strings here are plain ASCII
	case sfToken:
		return string(v)
	case bool:
		if v {
			return "?1"
		}
		return "?0"
	}
	return fmt.Sprint(v)
}

func serialiseParams(ps []sfParam) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(";" + p.key)
		if v, ok := p.val.(bool); !ok || !v {
			b.WriteString("=" + serialise(p.val))
		}
	}
	return b.String()
}

func (it sfItem) String() string { return serialise(it.name) + serialiseParams(it.params) }

func (s sigInput) signatureParams() string {
	names := make([]string, len(s.components))
	for i, c := range s.components {
		names[i] = c.String()
	}
	return "(" + strings.Join(names, " ") + ")" + serialiseParams(s.params)
}

// componentValue derives a covered component from a request as a server
// received it (RFC 9421 §2.1, §2.2).
func componentValue(r *http.Request, c sfItem) (string, error) {
	switch c.name {
	case "@method":
		return r.Method, nil
	case "@authority":
		return strings.ToLower(r.Host), nil
	case "@path":
		return r.URL.EscapedPath(), nil
	case "@query":
		return "?" + r.URL.RawQuery, nil
	case "@scheme":
		if r.TLS != nil {
			return "https", nil
		}
		return "http", nil
	case "@query-param":
		for _, p := range c.params {
			if p.key == "name" {
				q, _ := url.ParseQuery(r.URL.RawQuery)
				if vs, ok := q[p.val.(string)]; ok {
					return url.QueryEscape(vs[0]), nil
				}
			}
		}
		return "", fmt.Errorf("query parameter of %v missing", c)
	}
	if strings.HasPrefix(c.name, "@") {
		return "", fmt.Errorf("component %s not supported by this verifier", c.name)
	}
	vs := r.Header.Values(c.name)
	if len(vs) == 0 {
		return "", fmt.Errorf("header %s not present", c.name)
	}
	for i := range vs {
		vs[i] = strings.TrimSpace(vs[i])
	}
	return strings.Join(vs, ", "), nil
}

// signatureBase builds the §2.5 signature base.
func signatureBase(r *http.Request, in sigInput) ([]byte, error) {
	var b strings.Builder
	for _, c := range in.components {
		v, err := componentValue(r, c)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s: %s\n", c, v)
	}
	b.WriteString(`"@signature-params": ` + in.signatureParams())
	return []byte(b.String()), nil
}

// verifySignature checks the signature labelled label on r with the key
// keyFor returns for its keyid and algorithm.
func verifySignature(r *http.Request, label string, keyFor func(keyid, alg string) (crypto.PublicKey, error)) (sigInput, error) {
	inputs, err := parseSignatureInput(r.Header.Get("Signature-Input"))
	if err != nil {
		return sigInput{}, fmt.Errorf("Signature-Input: %w", err)
	}
	sigs, err := parseSignatures(r.Header.Get("Signature"))
	if err != nil {
		return sigInput{}, fmt.Errorf("Signature: %w", err)
	}
	in, ok := inputs[label]
	if !ok || sigs[label] == nil {
		return sigInput{}, fmt.Errorf("no signature %q", label)
	}
	keyid, _ := in.param("keyid")
	alg, _ := in.param("alg")
	algName, _ := alg.(string)
	keyidStr, _ := keyid.(string)
	pub, err := keyFor(keyidStr, algName)
	if err != nil {
		return in, err
	}
	base, err := signatureBase(r, in)
	if err != nil {
		return in, err
	}
	return in, verifyBytes(pub, base, sigs[label])
}

func verifyBytes(pub crypto.PublicKey, base, sig []byte) error {
	switch pub := pub.(type) {
	case ed25519.PublicKey:
		if !ed25519.Verify(pub, base, sig) {
			return errors.New("ed25519 signature does not verify")
		}
		return nil
	case *rsa.PublicKey:
		digest := sha512.Sum512(base)
		return rsa.VerifyPSS(pub, crypto.SHA512, digest[:], sig, &rsa.PSSOptions{SaltLength: 64, Hash: crypto.SHA512})
	}
	return fmt.Errorf("unsupported key %T", pub)
}
