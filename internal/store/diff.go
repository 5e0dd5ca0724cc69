package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// FieldChange is one field of a specification that changed: Old and New
// are its JSON values, absent (nil) when the field was or became empty.
// Multilingual texts change per language, named "field.lang" (for
// example "title.en"); every other field is compared whole.
type FieldChange struct {
	Field string          `json:"field"`
	Old   json.RawMessage `json:"old,omitempty"`
	New   json.RawMessage `json:"new,omitempty"`
}

// DiffSpecs compares two model.Specification JSON documents field by
// field. Only fields that changed are listed, whole, in field order.
func DiffSpecs(oldDoc, newDoc []byte) ([]FieldChange, error) {
	var before, after map[string]json.RawMessage
	if err := json.Unmarshal(oldDoc, &before); err != nil {
		return nil, fmt.Errorf("previous version: %w", err)
	}
	if err := json.Unmarshal(newDoc, &after); err != nil {
		return nil, fmt.Errorf("new version: %w", err)
	}
	keys := slices.Sorted(maps.Keys(before))
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []FieldChange
	for _, k := range keys {
		o, n := before[k], after[k]
		if bytes.Equal(o, n) {
			continue
		}
		if isText(o) && isText(n) {
			out = append(out, diffText(k, asText(o), asText(n))...)
			continue
		}
		out = append(out, FieldChange{Field: k, Old: o, New: n})
	}
	return out, nil
}

// isText reports whether a value is a multilingual text (a JSON object
// of strings) or absent.
func isText(v json.RawMessage) bool {
	if v == nil {
		return true
	}
	var t map[string]string
	return json.Unmarshal(v, &t) == nil
}

func asText(v json.RawMessage) map[string]json.RawMessage {
	var t map[string]json.RawMessage
	if v != nil {
		_ = json.Unmarshal(v, &t) // isText checked the shape
	}
	return t
}

func diffText(field string, before, after map[string]json.RawMessage) []FieldChange {
	langs := slices.Collect(maps.Keys(before))
	for l := range after {
		if _, ok := before[l]; !ok {
			langs = append(langs, l)
		}
	}
	slices.Sort(langs)
	var out []FieldChange
	for _, l := range langs {
		if o, n := before[l], after[l]; !bytes.Equal(o, n) {
			out = append(out, FieldChange{Field: field + "." + l, Old: o, New: n})
		}
	}
	return out
}
