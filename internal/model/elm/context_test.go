package elm

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"qlink/internal/model"
	"qlink/internal/rdf"
)

// TestContextNamesEveryTerm: qlink's published JSON-LD context has a term
// for every property and class the writer uses, and says how each
// property's values are read, so compacted output has no prefixed names
// or full IRIs as keys or types, and no value objects where the context
// should have coerced the value.
func TestContextNamesEveryTerm(t *testing.T) {
	specs := goldenSpecs()
	specs[0].Identifiers = append(specs[0].Identifiers, model.Identifier{Scheme: SchemeIRI, Value: "https://data.uni.test/los/1"})
	var buf bytes.Buffer
	if err := Write(&buf, rdf.FormatJSONLD, specs, []model.Provider{testProvider}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, node := range doc["@graph"].([]any) {
		for key, v := range node.(map[string]any) {
			if strings.Contains(key, ":") {
				t.Errorf("property %s has no term in the context", key)
			}
			if key == "type" {
				for _, class := range asList(v) {
					if s, _ := class.(string); strings.Contains(s, ":") {
						t.Errorf("class %s has no term in the context", s)
					}
				}
				continue
			}
			for _, value := range asList(v) {
				if m, ok := value.(map[string]any); ok && (m["id"] != nil || m["@value"] != nil) && len(m) == 1 {
					t.Errorf("%s: the context does not say how its values %v are read", key, m)
				}
			}
		}
	}
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}
