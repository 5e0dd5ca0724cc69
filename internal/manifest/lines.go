package manifest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// lineIndex records the line where each value of a document starts, so
// that diagnostics can point a publisher at the line to fix.
//
// Values are numbered as they are met, and each is filed under its
// parent's number and its own (escaped) pointer token. Recording a value
// thus costs the same at any depth, where keying by whole pointers would
// copy every ancestor's tokens for every value: quadratic in the depth, and
// in the length of a long key above many values.
type lineIndex struct {
	lines []int // by value number; value 0 is the document's root
	child map[childKey]int
}

type childKey struct {
	parent int
	token  string
}

func newLineIndex() *lineIndex {
	return &lineIndex{lines: []int{0}, child: map[childKey]int{}}
}

// add records that the value at token under parent starts on line, and
// returns its number. A repeated key keeps its number, so that, as with a
// map of pointers, the last line wins and both values' members are found.
func (l *lineIndex) add(parent int, token string, line int) int {
	k := childKey{parent, token}
	if n, ok := l.child[k]; ok {
		l.lines[n] = line
		return n
	}
	l.lines = append(l.lines, line)
	l.child[k] = len(l.lines) - 1
	return len(l.lines) - 1
}

// lineOf returns the line of ptr, or of its nearest ancestor that has one.
func (l *lineIndex) lineOf(ptr string) int {
	if ptr != "" && ptr[0] != '/' {
		return 0
	}
	n := 0
	for ptr != "" {
		token, _, more := strings.Cut(ptr[1:], "/")
		c, ok := l.child[childKey{n, token}]
		if !ok {
			break
		}
		n = c
		if !more {
			break
		}
		ptr = ptr[1+len(token):]
	}
	return l.lines[n]
}

type jsonFrame struct {
	object    bool
	expectKey bool
	key       string // the current member's key, as read
	index     int
	value     int // the container's number in the lineIndex
}

// token is the escaped pointer token of the frame's current member.
func (f jsonFrame) token() string {
	if f.object {
		return escapeToken(f.key)
	}
	return strconv.Itoa(f.index)
}

// jsonLines walks a JSON document token by token, recording where each
// value starts. It stops quietly at the first syntax error: the decoder
// reports that separately. It refuses a document nested deeper than
// maxDepth, before anything else spends time on it.
func jsonLines(body []byte) (*lineIndex, error) {
	lines := newLineIndex()
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []jsonFrame
	var count lineCounter
	for {
		start := skipSeparators(body, int(dec.InputOffset()))
		tok, err := dec.Token()
		if err != nil {
			return lines, nil
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
		line := count.lineAt(body, start)
		value := 0
		if n := len(stack); n > 0 {
			value = lines.add(stack[n-1].value, stack[n-1].token(), line)
		} else {
			lines.lines[0] = line
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) == maxDepth {
				return nil, tooDeep(framePointer(stack), line)
			}
			object := tok == json.Delim('{')
			stack = append(stack, jsonFrame{object: object, expectKey: object, value: value})
		default:
			advance(stack)
		}
	}
}

// lineCounter turns byte offsets into line numbers, for offsets that only
// grow: each byte is counted once, however many values there are.
type lineCounter struct {
	offset int // counted up to here
	line   int // newlines before offset
}

func (c *lineCounter) lineAt(body []byte, offset int) int {
	c.line += bytes.Count(body[c.offset:offset], []byte("\n"))
	c.offset = offset
	return 1 + c.line
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

// framePointer is the pointer of the value being read; it is built only
// for a diagnostic.
func framePointer(stack []jsonFrame) string {
	var b strings.Builder
	for _, f := range stack {
		b.WriteByte('/')
		b.WriteString(f.token())
	}
	return b.String()
}

// yamlLines records the line of every value in a YAML document. Aliases
// are not followed: their values are found at the alias's line.
func yamlLines(root *yaml.Node) *lineIndex {
	lines := newLineIndex()
	var walk func(n *yaml.Node, value int)
	walk = func(n *yaml.Node, value int) {
		switch n.Kind {
		case yaml.DocumentNode:
			// The top level is the document, which starts where the
			// document does: an empty one's null value sits past its end.
			for _, c := range n.Content {
				walk(c, value)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				// A member is found at its value, or at its key when the
				// value is left out: the parser places that null after
				// the key, past the end of the document at its end.
				k, c := n.Content[i], n.Content[i+1]
				line := c.Line
				if c.Kind == yaml.ScalarNode && c.Tag == "!!null" && c.Value == "" {
					line = k.Line
				}
				walk(c, lines.add(value, escapeToken(k.Value), line))
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, lines.add(value, strconv.Itoa(i), c.Line))
			}
		}
	}
	lines.lines[0] = root.Line
	walk(root, 0)
	return lines
}
