package jsonread

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Lenient JSON types and value parsers shared by the adapters. Real
// servers send numbers as strings, one string where an array is due, ""
// for absent dates and URLs without a scheme; these accept all of that.
// None of them fails a record's decoding on a wrong value: they keep what
// they could not read so the mapping can warn about the field by name.

// Number is a JSON number that also accepts a numeric string ("6", "7,5",
// " 7.5 "). A value it cannot read is kept in Invalid.
type Number struct {
	Value float64
	Set   bool
	// Invalid holds the raw JSON of a value that is not a number.
	Invalid string
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Number) UnmarshalJSON(b []byte) error {
	*n = Number{}
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if len(s) > 0 && s[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			n.Invalid = string(b)
			return nil
		}
		if s = strings.TrimSpace(s); s == "" {
			return nil
		}
	}
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) { // "NaN" and "Inf" parse, but are no data
		n.Invalid = string(b)
		return nil
	}
	n.Value, n.Set = f, true
	return nil
}

// Count returns a non-negative whole count, or nil when n is unset,
// negative or fractional.
func (n Number) Count() *int {
	if !n.Set || n.Value < 0 || n.Value != float64(int(n.Value)) {
		return nil
	}
	v := int(n.Value)
	return &v
}

// StudentCount is Count for a mapping that warns: a value that was
// published but is no count (not a number, negative, fractional) comes
// back as an error saying so, for a warning on the field.
func (n Number) StudentCount() (*int, error) {
	switch {
	case n.Invalid != "":
		return nil, fmt.Errorf("%s is not a number of students", n.Invalid)
	case n.Set && n.Count() == nil:
		return nil, fmt.Errorf("%v is not a number of students", n.Value)
	}
	return n.Count(), nil
}

// DecodeJSON is the Reader's fast path: the value read as UnmarshalJSON
// reads it, so the two cannot disagree.
func (n *Number) DecodeJSON(r *Reader) { _ = n.UnmarshalJSON(r.Raw()) }

// DecodeJSON is the Reader's fast path, as UnmarshalJSON reads the value.
func (s *Strings) DecodeJSON(r *Reader) {
	if raw := r.Raw(); raw != nil && s.UnmarshalJSON(raw) != nil {
		r.Fail()
	}
}

// Strings accepts an array of strings or scalars, one string, or one
// scalar (numbers keep their JSON spelling, so an ISCED code published as
// 0613 without quotes is "613" but 613.0 is "613.0"; mapping decides).
// Blank values are dropped.
type Strings []string

// UnmarshalJSON implements json.Unmarshaler.
func (s *Strings) UnmarshalJSON(b []byte) error {
	*s = nil
	if fast, ok := ScanStrings(b, nil); ok {
		kept := fast[:0]
		for _, v := range fast {
			if v = strings.TrimSpace(v); v != "" {
				kept = append(kept, v)
			}
		}
		if len(kept) > 0 {
			*s = kept
		}
		return nil
	}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		for _, it := range items {
			s.add(it)
		}
		return nil
	}
	s.add(b)
	return nil
}

func (s *Strings) add(raw []byte) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null" || raw[0] == '{' || raw[0] == '[':
		return
	case raw[0] == '"':
		var v string
		if json.Unmarshal(raw, &v) == nil && strings.TrimSpace(v) != "" {
			*s = append(*s, strings.TrimSpace(v))
		}
	default: // a number or boolean
		*s = append(*s, string(raw))
	}
}

// ParseTime reads a date ("2026-09-01") or date-time (RFC 3339, with or
// without a zone; no zone means UTC) and returns it in UTC. "" is absent,
// not an error: real servers send it for every unset date.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, ok := parseDay(s); ok {
		return t, nil
	}
	layouts := []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", time.DateOnly}
	if len(s) == len(time.DateOnly) {
		layouts = layouts[3:]
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date", s)
}

// parseDay reads the two forms nearly every source uses, "2026-09-01"
// and "2026-09-01T00:00:00Z", without time.Parse's generality.
func parseDay(s string) (time.Time, bool) {
	if len(s) != 10 && (len(s) != 20 || s[10:] != "T00:00:00Z") {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, m, d := num(0, 4), num(5, 2), num(8, 2)
	if s[4] != '-' || s[7] != '-' || y < 0 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31 April rolled over: let time.Parse refuse it
		return time.Time{}, false
	}
	return t, true
}

// ErrNotHTTP is returned by HTTPURL for anything but an http(s) URL.
var ErrNotHTTP = errors.New("not an http(s) URL")

// HTTPURL checks that s is an absolute http(s) URL and returns it trimmed;
// "" is absent, not an error. A link given without a scheme but starting
// with a host name ("www.uni.test/course", as the OCCAPI examples do) gets
// https://, the scheme every institution's website answers on.
func HTTPURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if !strings.Contains(s, "://") && looksLikeHost(s) {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is %w", s, ErrNotHTTP)
	}
	return s, nil
}

// looksLikeHost reports whether s starts with a dotted host name.
func looksLikeHost(s string) bool {
	host, _, _ := strings.Cut(s, "/")
	if !strings.Contains(host, ".") || strings.HasPrefix(host, ".") {
		return false
	}
	for _, r := range host {
		if !(r == '.' || r == '-' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
