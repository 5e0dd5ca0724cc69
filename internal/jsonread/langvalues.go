package jsonread

import (
	"bytes"
	"encoding/json"
)

// LangValue is one value with the language tag a source gave it ("" when
// it gave none).
type LangValue struct {
	Lang  string
	Value string
}

// ReadLangValues reads a format's language-typed strings: an array of
// objects holding the value under "value" and the tag under langKey
// ("language" in OOAPI, "recordLanguage" in Edu-API), one such object, or
// a bare string (its language unstated). In an array, strings count as
// values without a tag and anything else is skipped; a member of another
// type is left empty. It fails only on broken JSON.
func ReadLangValues(b []byte, langKey string) ([]LangValue, error) {
	var out []LangValue
	var one *LangValue
	start := func() { out = append(out, LangValue{}); one = &out[len(out)-1] }
	member := func(k []byte, v string) {
		switch string(k) {
		case langKey:
			one.Lang = v
		case "value":
			one.Value = v
		}
	}
	if ScanObjects(b, start, member) {
		return out, nil
	}
	var v any
	if err := json.Unmarshal(bytes.TrimSpace(b), &v); err != nil {
		return nil, err
	}
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	out = out[:0]
	for _, it := range items {
		switch it := it.(type) {
		case string:
			out = append(out, LangValue{Value: it})
		case map[string]any:
			lang, _ := it[langKey].(string)
			value, _ := it["value"].(string)
			out = append(out, LangValue{lang, value})
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
