package manifest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaJSON is qlink's JSON Schema for manifests: the published
// manifest-v1 schema's rules, with occapi accepted and the documented
// type-specific keys and auth parameters typed.
//
//go:embed schema.json
var schemaJSON []byte

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

func compiledSchema() (*jsonschema.Schema, error) {
	schemaOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if err := c.AddResource("schema.json", doc); err != nil {
			schemaErr = err
			return
		}
		schema, schemaErr = c.Compile("schema.json")
	})
	return schema, schemaErr
}

// Schema returns qlink's manifest JSON Schema, for publishers' tooling.
func Schema() []byte { return bytes.Clone(schemaJSON) }

var printer = message.NewPrinter(language.English)

// schemaDiagnostics validates doc (as decoded by decode) against the schema
// and returns one diagnostic per violated rule, at the innermost location.
func schemaDiagnostics(doc any) []Diagnostic {
	sch, err := compiledSchema()
	if err != nil {
		return []Diagnostic{{Message: "internal error: manifest schema: " + err.Error(), Fatal: true}}
	}
	// Round-trip through JSON so YAML values (ints, nested maps) have the
	// types the validator expects.
	raw, err := json.Marshal(doc)
	if err != nil {
		return []Diagnostic{{Message: "the manifest holds values JSON cannot express: " + err.Error(), Fatal: true}}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return []Diagnostic{{Message: err.Error(), Fatal: true}}
	}
	verr, ok := sch.Validate(inst).(*jsonschema.ValidationError)
	if !ok {
		return nil
	}
	var out []Diagnostic
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		switch e.ErrorKind.(type) {
		case *kind.Schema, *kind.Reference, *kind.Group, *kind.AllOf:
		default:
			if len(e.Causes) == 0 {
				out = append(out, Diagnostic{Pointer: pointer(e.InstanceLocation), Message: e.ErrorKind.LocalizedString(printer)})
			}
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(verr)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapeToken(t))
	}
	return b.String()
}

// tokenEscaper escapes a JSON pointer token (RFC 6901). It is built once:
// building a Replacer costs far more than using one, and is safe to share.
var tokenEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func escapeToken(t string) string { return tokenEscaper.Replace(t) }

// sourceIndex returns N for a pointer under /sources/N, or -1.
func sourceIndex(ptr string) int {
	rest, ok := strings.CutPrefix(ptr, "/sources/")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(strings.SplitN(rest, "/", 2)[0])
	if err != nil {
		return -1
	}
	return n
}

// schemaFatal decides whether a schema violation makes its source unusable:
// without a valid type and path there is nothing to harvest. Anything else
// is reported and the source kept, so the dashboard can show it; an
// incomplete auth block then fails the source's runs with the reason.
func schemaFatal(ptr string) bool {
	n := sourceIndex(ptr)
	if n < 0 {
		return ptr == "" || ptr == "/sources"
	}
	prefix := fmt.Sprintf("/sources/%d", n)
	rest := strings.TrimPrefix(ptr, prefix)
	return rest == "" || rest == "/type" || rest == "/path"
}
