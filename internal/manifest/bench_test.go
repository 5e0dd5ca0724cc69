package manifest

import (
	"fmt"
	"strings"
	"testing"
)

// A usable source, so that the wide inputs go through every stage.
const benchSource = `{"type":"ooapi","path":"https://data.example.org/ooapi/v5/"}`

// deepJSON is a list nested depth levels deep, as pasted into the web
// validator: a few kilobytes that used to cost seconds of CPU.
func deepJSON(depth int) []byte {
	return []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth))
}

// deepYAML is the same in YAML, as the value of a key.
func deepYAML(depth int) []byte {
	return []byte("x: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n")
}

// wideJSON is a usable manifest with an extra key holding a flat list of
// zeros, size bytes in all: shallow, but with many values and lines.
func wideJSON(size int, sep string) []byte {
	var b strings.Builder
	b.WriteString(`{"sources":[` + benchSource + `],"x":[0`)
	for b.Len() < size {
		b.WriteString(sep + "0")
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// longYAML is a usable manifest followed by an extra list of many small
// block mappings, size bytes in all.
func longYAML(size int) []byte {
	var b strings.Builder
	b.WriteString("sources:\n  - type: ooapi\n    path: https://data.example.org/ooapi/v5/\nx:\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "  - k%d:\n      - v\n", i)
	}
	return []byte(b.String())
}

// BenchmarkParseDeep measures deeply nested input, which must cost about
// as little as its size.
func BenchmarkParseDeep(b *testing.B) {
	for _, depth := range []int{500, 2000} {
		for _, in := range []struct {
			name string
			body []byte
		}{{"json", deepJSON(depth)}, {"yaml", deepYAML(depth)}} {
			b.Run(fmt.Sprintf("%s/depth=%d", in.name, depth), func(b *testing.B) {
				b.SetBytes(int64(len(in.body)))
				for b.Loop() {
					Parse(in.body)
				}
			})
		}
	}
}

// BenchmarkParseWide measures large but shallow input: one long line,
// many lines, and a long YAML mapping.
func BenchmarkParseWide(b *testing.B) {
	for _, in := range []struct {
		name string
		body []byte
	}{
		{"json/oneline/256KB", wideJSON(256<<10, ",")},
		{"json/lines/256KB", wideJSON(256<<10, ",\n")},
		{"yaml/256KB", longYAML(256 << 10)},
	} {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.body)))
			for b.Loop() {
				if _, _, err := Parse(in.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
