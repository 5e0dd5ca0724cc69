package rdf

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// byteLoopPrefix is cleanPrefix written the plain way: the reference the
// eight-bytes-a-step version must agree with.
func byteLoopPrefix(s string, special *[256]bool) int {
	for i := 0; i < len(s); i++ {
		if special[s[i]] {
			return i
		}
	}
	return len(s)
}

// TestCleanPrefix puts each special byte at every position of strings
// around the eight-byte step, and checks random strings too.
func TestCleanPrefix(t *testing.T) {
	tables := map[string]*[256]bool{"iri": &iriEscape, "literal": &literalEscape, "blank": &blankUnsafe}
	for name, table := range tables {
		for n := range 20 {
			for pos := range n {
				for c := range 256 {
					b := []byte(strings.Repeat("a", n))
					b[pos] = byte(c)
					s := string(b)
					if got, want := cleanPrefix(s, table), byteLoopPrefix(s, table); got != want {
						t.Fatalf("%s: cleanPrefix(%q) = %d, want %d", name, s, got, want)
					}
				}
			}
		}
		r := rand.New(rand.NewPCG(1, 2))
		for range 2000 {
			b := make([]byte, r.IntN(40))
			for i := range b {
				b[i] = byte(r.IntN(256))
			}
			if got, want := cleanPrefix(string(b), table), byteLoopPrefix(string(b), table); got != want {
				t.Fatalf("%s: cleanPrefix(%q) = %d, want %d", name, b, got, want)
			}
		}
	}
}

func TestAppendEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"http://x.test/a b<c>\"{|}^`\\":                       `<http://x.test/a\u0020b\u003Cc\u003E\u0022\u007B\u007C\u007D\u005E\u0060\u005C>`,
		"http://x.test/" + strings.Repeat("long", 5) + "\x00": `<http://x.test/longlonglonglonglong\u0000>`,
		"urn:é": "<urn:é>",
	} {
		if got := string(appendIRI(nil, in)); got != want {
			t.Errorf("appendIRI(%q) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"say \"hi\"\\\n\r\tend\x01\x7f": `say \"hi\"\\\n\r\tend\u0001\u007F`,
		"a long plain text, no escapes": "a long plain text, no escapes",
		"ünïcödé":                       "ünïcödé",
	} {
		if got := string(appendEscaped(nil, in)); got != want {
			t.Errorf("appendEscaped(%q) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{"b1234-id1": "b1234-id1", "a.": "z_612e", "z_1": "z_7a5f31", "ab cd": "z_6162206364"} {
		if got := BlankLabel(in); got != want {
			t.Errorf("BlankLabel(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestNQuadsWriterBuffer writes more than one buffer's worth, and stops at
// the first error of the underlying writer.
func TestNQuadsWriterBuffer(t *testing.T) {
	var out bytes.Buffer
	nw := NewNQuadsWriter(&out)
	var want strings.Builder
	for i := range 5000 {
		q := Quad{S: IRI(fmt.Sprintf("urn:s:%d", i)), P: IRI(RDFType), O: String("x"), G: IRI("urn:g")}
		if err := nw.Write(q); err != nil {
			t.Fatal(err)
		}
		want.WriteString(q.String() + "\n")
	}
	if err := nw.Flush(); err != nil || out.String() != want.String() {
		t.Fatalf("err %v; output differs (%d bytes, want %d)", err, out.Len(), want.Len())
	}

	broken := errors.New("disk full")
	nw = NewNQuadsWriter(failWriter{broken})
	var err error
	for i := 0; i < 5000 && err == nil; i++ {
		err = nw.Write(Quad{S: IRI("urn:s"), P: IRI(RDFType), O: String(strings.Repeat("x", 100))})
	}
	if !errors.Is(err, broken) || !errors.Is(nw.Flush(), broken) {
		t.Errorf("errors: %v, %v", err, nw.Flush())
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// BenchmarkCleanPrefix compares the eight-bytes-a-step scan with a byte
// loop on the IRIs the ELM writer writes most.
func BenchmarkCleanPrefix(b *testing.B) {
	iris := []string{
		"urn:schac:uniqueCourseId:uni-7.test:INF-1234:offering:INF-1234-26S",
		RDFType, "http://data.quality-link.eu/ontology/v1#LearningOpportunitySpecification",
		"https://data.deqar.eu/institution/382", "http://purl.org/dc/terms/title",
	}
	n := 0
	for _, s := range iris {
		n += len(s)
	}
	for name, f := range map[string]func(string, *[256]bool) int{"eight": cleanPrefix, "byte-loop": byteLoopPrefix} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				for _, s := range iris {
					if f(s, &iriEscape) != len(s) {
						b.Fatal(s)
					}
				}
			}
		})
	}
}

// TestSafeLocal holds safeLocal to the regular expression it spells out,
// on every string of up to three bytes from an alphabet of the edge cases.
func TestSafeLocal(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$`)
	alphabet := "aZ09_.-@/[{`:\xc3"
	var check func(prefix string)
	check = func(prefix string) {
		if got, want := safeLocal(prefix), re.MatchString(prefix); got != want {
			t.Errorf("safeLocal(%q) = %v, want %v", prefix, got, want)
		}
		if len(prefix) < 3 {
			for i := range len(alphabet) {
				check(prefix + alphabet[i:i+1])
			}
		}
	}
	check("")
}
