package eduapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"qlink/internal/model"
	"qlink/internal/sharedtest"
)

// No real Edu-API payloads exist (the samples' README says why), so these
// tests hold the adapter against the published OpenAPI document itself.

func openAPI(t *testing.T) map[string]any {
	t.Helper()
	raw := sharedtest.ReadFile(t, "samples", "eduapi", "openapi", "eduapi_v1p0_openapi3.json")
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func schemas(doc map[string]any) map[string]any {
	return doc["components"].(map[string]any)["schemas"].(map[string]any)
}

// TestWireNamesAreTheSpecification's catches misspelt field names (the old
// aggregator read "language" where Edu-API says "recordLanguage").
func TestWireNamesAreTheSpecifications(t *testing.T) {
	s := schemas(openAPI(t))
	tests := []struct {
		v       any
		schemas []string
	}{
		{template{}, []string{"CourseTemplate", "CollectionTemplate"}},
		{offering{}, []string{"CourseOffering", "CollectionOffering"}},
		{organization{}, []string{"Organization"}},
		{identifier{}, []string{"IdentifierEntry"}},
		{location{}, []string{"Location"}},
	}
	// Language-typed strings are read with these two names.
	lts := s["LanguageTypedString"].(map[string]any)["properties"].(map[string]any)
	if lts["recordLanguage"] == nil || lts["value"] == nil {
		t.Errorf("LanguageTypedString has no recordLanguage or value: %v", lts)
	}
	for _, tt := range tests {
		props := map[string]bool{}
		for _, name := range tt.schemas {
			for p := range s[name].(map[string]any)["properties"].(map[string]any) {
				props[p] = true
			}
		}
		typ := reflect.TypeOf(tt.v)
		for i := range typ.NumField() {
			tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if !props[tag] {
				t.Errorf("%s.%s: %q is not a property of %v", typ.Name(), typ.Field(i).Name, tag, tt.schemas)
			}
		}
	}
}

// example builds a value of a schema with every property filled: the
// first alternative, enum value or array item; strings as "x".
func example(all map[string]any, schema map[string]any, depth int) any {
	if ref, ok := schema["$ref"].(string); ok {
		return example(all, all[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any), depth)
	}
	for _, key := range []string{"anyOf", "oneOf", "allOf"} {
		if alts, ok := schema[key].([]any); ok {
			return example(all, alts[0].(map[string]any), depth)
		}
	}
	if enum, ok := schema["enum"].([]any); ok {
		return enum[0]
	}
	switch schema["type"] {
	case "array":
		return []any{example(all, schema["items"].(map[string]any), depth)}
	case "integer", "number":
		return 1
	case "boolean":
		return true
	case "string":
		if schema["format"] == "date-time" {
			return "2026-09-01T00:00:00Z"
		}
		return "x"
	}
	obj := map[string]any{}
	props, _ := schema["properties"].(map[string]any)
	for name, p := range props {
		if depth < 4 {
			obj[name] = example(all, p.(map[string]any), depth+1)
		}
	}
	return obj
}

// TestEveryPropertyOfTheSpecification harvests records with every
// property the specification defines, filled with well-typed values: the
// adapter must read them without a single warning.
func TestEveryPropertyOfTheSpecification(t *testing.T) {
	all := schemas(openAPI(t))
	record := func(name string, set map[string]any) string {
		obj := example(all, all[name].(map[string]any), 0).(map[string]any)
		for k, v := range set {
			obj[k] = v
		}
		raw, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	lang := map[string]any{"recordLanguage": "en", "value": "Text"}
	common := func(id, code string) map[string]any {
		return map[string]any{"sourcedId": id, "recordLanguage": "en", "teachingLanguage": "en-GB", "organization": "org",
			"title": []any{lang}, "description": []any{lang}, "gradingScheme": lang,
			"primaryCode": map[string]any{"identifier": code, "identifierType": "identifier"}, "otherCodes": []any{}}
	}
	with := func(m map[string]any, kv ...any) map[string]any {
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	srv := &fakeServer{headers: "total", items: map[string][]string{
		"organizations":       {record("Organization", map[string]any{"sourcedId": "org", "parent": "", "name": []any{lang}})},
		"collectionTemplates": {record("CollectionTemplate", with(common("coll", "P1"), "creditsAwarded", "180 ECTS", "parent", []any{}))},
		"courseTemplates":     {record("CourseTemplate", with(common("course", "C1"), "creditsAwarded", "6 ECTS", "parent", []any{"coll"}))},
		"courseOfferings":     {record("CourseOffering", with(common("off", "C1-1"), "course", "course", "locations", []any{map[string]any{"identifier": "B1", "description": []any{lang}}}))},
		"collectionOfferings": {record("CollectionOffering", with(common("coff", "P1-1"), "collection", "coll"))},
	}}
	out, _, err := harvest(t, srv, config(0))
	if err != nil || len(out.Warnings) > 0 {
		t.Fatalf("Harvest: %v\n%s", err, out.WarningList())
	}
	c := out.ByID("urn:schac:uniqueCourseId:uni.test:C1")
	if len(out.Specs) != 2 || c == nil || len(c.Instances) != 1 || c.Title["en"] != "Text" || c.EQFLevel != 7 || len(c.PartOf) != 1 {
		t.Fatalf("specs: %+v", out.Specs)
	}
	if e, _ := c.ECTS(); e != 6 || c.Instances[0].Capacity == nil || !maps(c.Instances[0].Location, model.Text{"en": "Text"}) {
		t.Errorf("course: %+v", c)
	}
}
