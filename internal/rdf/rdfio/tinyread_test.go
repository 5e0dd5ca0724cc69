package rdfio

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"qlink/internal/rdf"
	"qlink/internal/sharedtest"
)

// TestOneByteReads parses every W3C evaluation input a second time through
// a reader that returns one byte per call, so that every token straddles
// a buffer refill somewhere: the graphs must be the same.
func TestOneByteReads(t *testing.T) {
	root := sharedtest.Require(t, "conformance", "rdf-tests", "rdf", "rdf11")
	for _, s := range suites {
		for _, tc := range readManifest(t, filepath.Join(root, s.dir), suiteBase+s.dir+"/") {
			if !strings.HasSuffix(tc.kind, "Eval") || strings.Contains(tc.kind, "Negative") {
				continue
			}
			data, err := os.ReadFile(localPath(root, tc.action))
			if err != nil {
				t.Fatal(err)
			}
			opts := rdf.Options{Base: tc.action}
			whole, err1 := LoadQuads(bytes.NewReader(data), s.format, opts)
			bytewise, err2 := LoadQuads(iotest.OneByteReader(bytes.NewReader(data)), s.format, opts)
			if err1 != nil || err2 != nil || !rdf.Isomorphic(whole, bytewise) {
				t.Errorf("%s: one-byte reads differ (%v, %v)", tc.name, err1, err2)
			}
		}
	}
}
