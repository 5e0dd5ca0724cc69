package manifest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// lineIndex maps JSON pointers to the line where the value starts, so that
// diagnostics can point a publisher at the line to fix.
type lineIndex map[string]int

// lineOf returns the line of ptr, or of its nearest ancestor that has one.
func (l lineIndex) lineOf(ptr string) int {
	for {
		if n, ok := l[ptr]; ok {
			return n
		}
		i := strings.LastIndexByte(ptr, '/')
		if i < 0 {
			return 0
		}
		ptr = ptr[:i]
	}
}

type jsonFrame struct {
	object    bool
	expectKey bool
	key       string
	index     int
}

// jsonLines walks a JSON document token by token, recording where each
// value starts. It stops quietly at the first syntax error: the decoder
// reports that separately.
func jsonLines(body []byte) lineIndex {
	lines := lineIndex{}
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []jsonFrame
	for {
		start := skipSeparators(body, int(dec.InputOffset()))
		tok, err := dec.Token()
		if err != nil {
			return lines
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
			if key, ok := tok.(string); ok {
				stack[n-1].key, stack[n-1].expectKey = key, false
				continue
			}
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			advance(stack)
			continue
		}
		lines[framePointer(stack)] = 1 + bytes.Count(body[:start], []byte("\n"))
		switch tok {
		case json.Delim('{'):
			stack = append(stack, jsonFrame{object: true, expectKey: true})
		case json.Delim('['):
			stack = append(stack, jsonFrame{})
		default:
			advance(stack)
		}
	}
}

func skipSeparators(b []byte, i int) int {
	for i < len(b) && strings.IndexByte(" \t\r\n,:", b[i]) >= 0 {
		i++
	}
	return i
}

// advance moves the innermost container past the value just read.
func advance(stack []jsonFrame) {
	if n := len(stack); n > 0 {
		if stack[n-1].object {
			stack[n-1].expectKey = true
		} else {
			stack[n-1].index++
		}
	}
}

func framePointer(stack []jsonFrame) string {
	var tokens []string
	for _, f := range stack {
		if f.object {
			tokens = append(tokens, f.key)
		} else {
			tokens = append(tokens, strconv.Itoa(f.index))
		}
	}
	return pointer(tokens)
}

// yamlLines records the line of every value in a YAML document.
func yamlLines(root *yaml.Node) lineIndex {
	lines := lineIndex{}
	var walk func(n *yaml.Node, tokens []string)
	walk = func(n *yaml.Node, tokens []string) {
		lines[pointer(tokens)] = n.Line
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, tokens)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], append(tokens[:len(tokens):len(tokens)], n.Content[i].Value))
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, append(tokens[:len(tokens):len(tokens)], strconv.Itoa(i)))
			}
		}
	}
	walk(root, nil)
	return lines
}
