package occapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"qlink/internal/jsonread"
	"qlink/internal/source"
)

// decoded is a resource with where it was found.
type decoded[A any] struct {
	res   resource[A]
	where string
}

// decodePage decodes a collection page: whole and strictly first, which
// is all a well-formed page needs (by the fast path when it can, see
// fast.go); item by item when that fails, so that a bad item costs only
// itself and its warnings name it.
func decodePage[A any](r *run, body []byte, where, what string) ([]decoded[A], string, error) {
	var doc collection[A]
	if jsonread.Decode(body, &doc) || json.Unmarshal(body, &doc) == nil {
		out := make([]decoded[A], len(doc.Data))
		for i := range doc.Data {
			out[i] = decoded[A]{doc.Data[i], where + " item " + strconv.Itoa(i+1)}
		}
		return out, doc.Links.Next.Href, nil
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, "", fmt.Errorf("occapi: %s: not a JSON:API document: %w", where, err)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(env.Data, &items); err != nil {
		return nil, "", fmt.Errorf("occapi: %s: not a JSON:API collection: %w", where, err)
	}
	var out []decoded[A]
	for i, raw := range items {
		at := where + " item " + strconv.Itoa(i+1)
		if res, ok := decodeResource[A](r, raw, at, what); ok {
			out = append(out, decoded[A]{res, at})
		}
	}
	return out, linkOf(env.Links, "next"), nil
}

// decodeSingle decodes a document holding one resource, and its links.
func decodeSingle[A any](r *run, body []byte, where, what string) (resource[A], links, error) {
	var doc single[A]
	if jsonread.Decode(body, &doc) || json.Unmarshal(body, &doc) == nil {
		return doc.Data, doc.Links, nil
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil || len(bytes.TrimSpace(env.Data)) == 0 {
		return doc.Data, links{}, fmt.Errorf("occapi: %s: not a JSON:API document", where)
	}
	res, ok := decodeResource[A](r, env.Data, where, what)
	if !ok {
		return res, links{}, fmt.Errorf("occapi: %s: not a valid %s", where, what)
	}
	var l links
	for _, kind := range []string{kindCourse, kindProgramme, kindOunit} {
		l.set(kind, linkOf(env.Links, kind))
	}
	return res, l, nil
}

// decodeResource decodes one resource: strictly, else normalised (see
// normalize), else leniently as source.DecodeRecord does.
func decodeResource[A any](r *run, raw []byte, where, what string) (resource[A], bool) {
	var res resource[A]
	if json.Unmarshal(raw, &res) == nil {
		return res, true
	}
	norm, id, ok := normalize(raw, func(id, field, msg string) { r.Warn(orWhere(id, where), field, msg) })
	if !ok {
		r.Warn(where, "", "not a valid "+what+", skipped")
		return res, false
	}
	res = resource[A]{}
	w, ok := source.DecodeRecord(norm, &res, what)
	if w != nil {
		r.Warn(orWhere(id, where), w.Field, w.Message)
	}
	return res, ok
}

func orWhere(id, where string) string {
	if id != "" {
		return id
	}
	return where
}

// linkOf reads one link, in any form, from a raw links object.
func linkOf(raw json.RawMessage, name string) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	l, _ := normalLinks(m).(map[string]any)
	obj, _ := l[name].(map[string]any)
	href, _ := obj["href"].(string)
	return href
}
