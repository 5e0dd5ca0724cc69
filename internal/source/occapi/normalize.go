package occapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Leniency: a resource the strict wire types refuse is read as generic
// JSON, each value the specification types differently is rewritten into
// its shape where the intent is clear (a scalar for a one-item array, a
// string link for a link object, "7,5" for 7.5, a bare string for a text
// without language), and anything else is dropped with a warning naming
// the field. Well-formed documents never come here.

// shape is the type the specification gives a member.
type shape int

const (
	shapeString shape = iota + 1
	shapeStrings
	shapeTexts
	shapeNumber
	shapeBool
	shapeGrading
)

// attributeShapes are the attributes qlink reads; others pass untouched.
var attributeShapes = map[string]shape{
	"title": shapeTexts, "description": shapeTexts, "learningOutcomes": shapeTexts, "prerequisites": shapeTexts, "url": shapeTexts,
	"code": shapeString, "lastModified": shapeString, "validUntil": shapeString, "startDate": shapeString, "endDate": shapeString,
	"heiId": shapeString, "academicTermId": shapeString, "elmLearningScheduleType": shapeString,
	"engagementHours": shapeNumber, "gradingScheme": shapeGrading,
	"languageOfInstruction": shapeStrings, "elmLearningOpportunityType": shapeStrings, "elmModeOfLearning": shapeStrings,
	"iscedCode": shapeStrings,
	"ects":      shapeNumber, "eqfLevelProvided": shapeNumber, "deprecated": shapeBool,
}

// normalize rewrites one resource into the wire types' shapes. It
// returns the resource's id too, for warn, which names the field of each
// value dropped (attributes by their names, as the mapping's warnings
// do; other members by their path).
func normalize(raw []byte, warn func(id, field, msg string)) ([]byte, string, bool) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var res map[string]any
	if d.Decode(&res) != nil || res == nil {
		return nil, "", false
	}
	for _, key := range []string{"type", "id"} {
		if v, ok := res[key]; ok {
			res[key] = asString(v)
		}
	}
	id, _ := res["id"].(string)
	warnf := func(field, msg string) { warn(id, field, msg) }
	if attrs, ok := res["attributes"].(map[string]any); ok {
		for key, v := range attrs {
			if s, known := attributeShapes[key]; known {
				set(attrs, key, reshape(v, s), key, v, warnf)
			}
		}
	} else {
		delete(res, "attributes")
	}
	res["links"] = normalLinks(res["links"])
	res["relationships"] = normalRelationships(res["relationships"])
	res["meta"] = normalMeta(res["meta"], warnf)
	out, err := json.Marshal(res)
	return out, id, err == nil
}

// set stores a reshaped value, or drops the member with a warning.
func set(m map[string]any, key string, v any, path string, was any, warn func(field, msg string)) {
	if v == nil {
		delete(m, key)
		if was != nil {
			warn(path, fmt.Sprintf("%s is not of the type the specification gives it; ignored", brief(was)))
		}
		return
	}
	m[key] = v
}

func brief(v any) string {
	raw, _ := json.Marshal(v)
	if len(raw) > 60 {
		return string(raw[:57]) + "…"
	}
	return string(raw)
}

// reshape returns v in shape s, or nil when that cannot be done.
func reshape(v any, s shape) any {
	switch s {
	case shapeString:
		return asString(v)
	case shapeStrings:
		return asStrings(v)
	case shapeTexts:
		return asTexts(v)
	case shapeNumber:
		return asNumber(v)
	case shapeBool:
		return asBool(v)
	case shapeGrading:
		return asGrading(v)
	}
	return nil
}

// asGrading accepts a grading scheme object, its texts read leniently, or
// a bare string as its label.
func asGrading(v any) any {
	switch v := v.(type) {
	case string:
		return map[string]any{"label": asTexts(v)}
	case map[string]any:
		out := map[string]any{}
		for _, k := range []string{"label", "description"} {
			if t := asTexts(v[k]); v[k] != nil && t != nil {
				out[k] = t
			}
		}
		return out
	}
	return nil
}

// asString accepts a string or a number.
func asString(v any) any {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return nil
}

// asStrings accepts an array of strings and numbers, or one of them.
func asStrings(v any) any {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	out := []any{}
	for _, it := range items {
		if s := asString(it); s != nil {
			out = append(out, s)
		}
	}
	if len(out) == 0 && v != nil {
		return nil
	}
	return out
}

// asTexts accepts an array of text objects or strings, one text object,
// or one string (its language unstated).
func asTexts(v any) any {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	out := []any{}
	for _, it := range items {
		switch it := it.(type) {
		case string:
			out = append(out, map[string]any{"string": it})
		case map[string]any:
			t := map[string]any{}
			for _, k := range []string{"string", "multiline", "uri", "lang"} {
				if s, ok := asString(it[k]).(string); ok {
					t[k] = s
				}
			}
			out = append(out, t)
		}
	}
	if len(out) == 0 && v != nil {
		return nil
	}
	return out
}

// asNumber accepts a number or a numeric string, with a decimal comma.
func asNumber(v any) any {
	switch v := v.(type) {
	case json.Number:
		return v
	case string:
		f, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(v), ",", ".", 1), 64)
		if err == nil {
			return f
		}
	}
	return nil
}

func asBool(v any) any {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(v)); err == nil {
			return b
		}
	}
	return nil
}

// normalLinks turns string links into link objects and drops the rest.
func normalLinks(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for k, l := range m {
		switch l := l.(type) {
		case string:
			out[k] = map[string]any{"href": l}
		case map[string]any:
			if href, ok := l["href"].(string); ok {
				out[k] = map[string]any{"href": href}
			}
		}
	}
	return out
}

// normalRelationships makes relatedProgramme data an array of
// identifiers and course data one identifier.
func normalRelationships(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	refs := func(rel any) []any {
		r, _ := rel.(map[string]any)
		data := r["data"]
		items, ok := data.([]any)
		if !ok && data != nil {
			items = []any{data}
		}
		var out []any
		for _, it := range items {
			if obj, ok := it.(map[string]any); ok {
				out = append(out, map[string]any{"type": asString(obj["type"]), "id": asString(obj["id"])})
			}
		}
		return out
	}
	out := map[string]any{}
	if rp := refs(m["relatedProgramme"]); rp != nil {
		out["relatedProgramme"] = map[string]any{"data": rp}
	}
	if c := refs(m["course"]); c != nil {
		out["course"] = map[string]any{"data": c[0]}
	}
	return out
}

// normalMeta keeps the related programmes and v1's EQF level.
func normalMeta(v any, warn func(field, msg string)) any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for _, key := range []string{"relatedProgramme", "programme"} {
		items, _ := m[key].([]any)
		var refs []any
		for _, it := range items {
			if obj, ok := it.(map[string]any); ok {
				refs = append(refs, map[string]any{"programmeId": asString(obj["programmeId"])})
			}
		}
		if refs != nil {
			out[key] = refs
		}
	}
	if g, ok := m["global"].(map[string]any); ok && g["eqfLevel"] != nil {
		global := map[string]any{}
		set(global, "eqfLevel", asNumber(g["eqfLevel"]), "meta.global.eqfLevel", g["eqfLevel"], warn)
		out["global"] = global
	}
	return out
}
