package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// convertPasted writes a pasted manifest, JSON or YAML, in both
// notations, keys in the order they were written. Only manifests the
// validator accepted are converted, so the YAML decoder's own guards
// (nesting depth, aliases) have already passed over the same text.
func convertPasted(body []byte) (jsonText, yamlText string, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil {
		return "", "", err
	}
	var compact bytes.Buffer
	if err := writeNodeJSON(&compact, &doc); err != nil {
		return "", "", err
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, compact.Bytes(), "", "  "); err != nil {
		return "", "", err
	}
	blockStyle(&doc)
	var y bytes.Buffer
	enc := yaml.NewEncoder(&y)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return "", "", err
	}
	enc.Close()
	return indented.String() + "\n", y.String(), nil
}

// writeNodeJSON writes a YAML node as JSON, objects keeping their key order.
func writeNodeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return errors.New("not a single document")
		}
		return writeNodeJSON(buf, n.Content[0])
	case yaml.AliasNode:
		return writeNodeJSON(buf, n.Alias)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONValue(buf, n.Content[i].Value)
			buf.WriteByte(':')
			if err := writeNodeJSON(buf, n.Content[i+1]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeNodeJSON(buf, c); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return err
		}
		writeJSONValue(buf, v)
	default:
		return fmt.Errorf("unexpected YAML node kind %d", n.Kind)
	}
	return nil
}

func writeJSONValue(buf *bytes.Buffer, v any) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		enc.Encode(fmt.Sprint(v)) // a value JSON has no form for, as text
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
}

// blockStyle drops the styles the text was written in (JSON's braces and
// quotes), so the YAML comes out in block style, quoting only where needed.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}
