package manifest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestParseRefusesDeepNesting: a small but deeply nested paste is refused
// with one diagnostic that names the place, before anything walks it.
func TestParseRefusesDeepNesting(t *testing.T) {
	inner := "/x" + strings.Repeat("/0", maxDepth-1) // the first list too deep under x
	var block strings.Builder                        // x: {a: {a: …}} in block style
	block.WriteString("x:\n")
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&block, "%sa:\n", strings.Repeat(" ", i))
	}
	var chain strings.Builder // each anchor a list holding the one before
	chain.WriteString("a0: &a0 [0]\n")
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&chain, "a%d: &a%d [*a%d]\n", i, i, i-1)
	}
	for _, tc := range []struct {
		name, body, pointer string
		line                int
	}{
		{"json depth 5000", string(deepJSON(5000)), strings.Repeat("/0", maxDepth), 1},
		{"json depth 9000", string(deepJSON(9000)), strings.Repeat("/0", maxDepth), 1},
		{"json in a manifest", "{\"sources\": [],\n\"x\": " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "}", inner, 2},
		{"yaml depth 5000", string(deepYAML(5000)), inner, 1},
		{"yaml depth 9000", string(deepYAML(9000)), inner, 1},
		{"yaml block", block.String(), "/x" + strings.Repeat("/a", maxDepth-1), maxDepth + 1},
		{"yaml aliases", chain.String(), "/a63" + strings.Repeat("/0", maxDepth-1), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, diags, err := Parse([]byte(tc.body))
			if !errors.Is(err, ErrInvalid) || m != nil || !strings.Contains(err.Error(), "nested more than 64 levels deep") {
				t.Fatalf("Parse = %v, %v", m, err)
			}
			if len(diags) != 1 || !diags[0].Fatal || diags[0].Pointer != tc.pointer || diags[0].Line != tc.line ||
				!strings.Contains(diags[0].Message, "nested more than 64 levels deep") {
				t.Errorf("diagnostics: %+v\nwant pointer %s, line %d", diags, tc.pointer, tc.line)
			}
		})
	}
}

// TestParseAcceptsNestingToTheLimit: an unknown key may hold nesting up to
// maxDepth levels in all, the manifest's own object being the first.
func TestParseAcceptsNestingToTheLimit(t *testing.T) {
	n := maxDepth - 1
	nested := strings.Repeat("[", n) + strings.Repeat("]", n)
	for _, body := range []string{
		`{"sources":[` + benchSource + `],"x":` + nested + `}`,
		"sources:\n  - type: elm\n    path: https://x.example/y\nx: " + nested + "\n",
	} {
		m, diags, err := Parse([]byte(body))
		if err != nil || len(m.Sources) != 1 || len(diags) != 1 || diags[0].Pointer != "/x" || diags[0].Fatal {
			t.Errorf("%.40s…: %v %v", body, err, diags)
		}
	}
}

// TestParseLargeFlatInput: large but shallow manifests are read, and a
// diagnostic after many values and lines still has the right line.
func TestParseLargeFlatInput(t *testing.T) {
	oneLine := wideJSON(1<<20, ",")
	lines := wideJSON(1<<20, ",\n")
	var yamlList strings.Builder
	yamlList.WriteString("sources:\n  - type: ooapi\n    path: https://data.example.org/\nx:\n")
	for yamlList.Len() < 1<<20 {
		yamlList.WriteString("  - 0\n")
	}
	for _, tc := range []struct {
		name string
		body []byte
		line int // of the key after the long list
	}{
		{"json one line", oneLine, 1},
		{"json lines", lines, 1 + strings.Count(string(lines), "\n")},
		{"yaml list", []byte(yamlList.String()), strings.Count(yamlList.String(), "\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if body[0] == '{' {
				body = append(body[:len(body)-1:len(body)-1], []byte(",\n\"after\": 1}")...)
			} else {
				body = append(body[:len(body):len(body)], []byte("after: 1\n")...)
			}
			m, diags, err := Parse(body)
			if err != nil || len(m.Sources) != 1 {
				t.Fatalf("%v %v", err, diags)
			}
			got := map[string]int{}
			for _, d := range diags {
				got[d.Pointer] = d.Line
			}
			if len(diags) != 2 || got["/after"] != tc.line+1 {
				t.Errorf("diagnostics %v, want /after at line %d", diags, tc.line+1)
			}
		})
	}
}

// TestParseRefusesLongYAMLMappings: the YAML decoder's duplicate check is
// quadratic in a mapping's keys, so a mapping longer than maxKeys is
// refused before it is decoded; one at the limit is read.
func TestParseRefusesLongYAMLMappings(t *testing.T) {
	manifest := func(keys int) []byte {
		var b strings.Builder
		b.WriteString("sources:\n  - type: elm\n    path: https://x.example/y\nx:\n")
		for i := range keys {
			fmt.Fprintf(&b, "  k%d: v\n", i)
		}
		return []byte(b.String())
	}
	m, diags, err := Parse(manifest(maxKeys + 1))
	if !errors.Is(err, ErrInvalid) || m != nil || len(diags) != 1 || diags[0].Pointer != "/x" || diags[0].Line != 5 ||
		!strings.Contains(diags[0].Message, "a mapping with more than 1000 keys") {
		t.Errorf("Parse = %v, %+v", err, diags)
	}
	if m, diags, err := Parse(manifest(maxKeys)); err != nil || len(m.Sources) != 1 {
		t.Errorf("at the limit: %v %v", err, diags)
	}
}
