package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"

	"qlink/internal/search"
)

// A cursor continues a search after the last hit a client saw, so the API
// can walk every result of a query, past the cap on page × limit, at the
// cost of one page each step. It holds the hit's sort key, a fingerprint
// of the query it belongs to, and a checksum:
//
//	base64url( version | fingerprint (16) | count | (length | value)… | checksum (16) )
//
// The checksum is a plain hash, not a keyed MAC: a cursor grants nothing
// (it only picks where to resume in public results), so the point is to
// catch damaged, edited or foreign cursors with a clear 400, not to keep
// a secret; and cursors stay valid across restarts and across servers.
// The limit is not part of the fingerprint: a walk may change its page
// size. The walk is stable while the index does not change; a course
// updated meanwhile may move (text queries rank by relevance, which
// changes as the index does).

const (
	cursorVersion = 1
	// maxCursorBytes bounds a cursor before it is decoded; real ones are a
	// few hundred bytes (a sort title is truncated, an ID is short).
	maxCursorBytes = 2048
	digestBytes    = 16
)

// encodeCursor returns the cursor that continues p after the hit at key.
func encodeCursor(p searchParams, key search.SortKey) string {
	var b []byte
	b = append(b, cursorVersion)
	b = append(b, queryFingerprint(p)...)
	b = binary.AppendUvarint(b, uint64(len(key)))
	for _, v := range key {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(append(b, sum[:digestBytes]...))
}

// decodeCursor reads a cursor of p's query back into its sort key; a
// cursor that is damaged or belongs to another query is a *limitError
// on the cursor parameter.
func decodeCursor(s string, p searchParams) (search.SortKey, error) {
	bad := paramErrorf("cursor", 0, "cursor is damaged or was not made by this server; start again without it")
	if len(s) > maxCursorBytes {
		return nil, paramErrorf("cursor", maxCursorBytes, "cursor is %d bytes long; the limit is %d", len(s), maxCursorBytes)
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) < 1+2*digestBytes {
		return nil, bad
	}
	body, check := raw[:len(raw)-digestBytes], raw[len(raw)-digestBytes:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:digestBytes], check) || body[0] != cursorVersion {
		return nil, bad
	}
	if !bytes.Equal(body[1:1+digestBytes], queryFingerprint(p)) {
		return nil, paramErrorf("cursor", 0, "cursor belongs to another query: keep q, the filters, status and quality as they were when it was given")
	}
	key, ok := readKey(body[1+digestBytes:])
	if !ok {
		return nil, bad
	}
	return key, nil
}

// readKey reads a count and that many length-prefixed values, which must
// fill b exactly.
func readKey(b []byte) (search.SortKey, bool) {
	n, used := binary.Uvarint(b)
	if used <= 0 || n > uint64(len(b)) {
		return nil, false
	}
	b = b[used:]
	key := make(search.SortKey, 0, n)
	for range n {
		l, used := binary.Uvarint(b)
		if used <= 0 || l > uint64(len(b)-used) {
			return nil, false
		}
		key = append(key, string(b[used:used+int(l)]))
		b = b[used+int(l):]
	}
	return key, len(b) == 0
}

// queryFingerprint identifies the result set of p: every parameter but
// the page and the page size, in the canonical order values() gives.
func queryFingerprint(p searchParams) []byte {
	v := p.values()
	v.Del("limit")
	sum := sha256.Sum256([]byte("qlink cursor\n" + v.Encode()))
	return sum[:digestBytes]
}

// nextURL links to the page after the hit at key, keeping the query and
// the page size.
func (p searchParams) nextURL(path string, key search.SortKey) (string, string) {
	c := encodeCursor(p, key)
	v := p.values()
	v.Set("cursor", c)
	return path + "?" + v.Encode(), c
}
