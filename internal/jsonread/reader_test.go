package jsonread

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// probe has a field of every kind a Reader decodes.
type probe struct {
	S     string          `json:"s"`
	L     []string        `json:"l"`
	F     float64         `json:"f"`
	P     *float64        `json:"p"`
	B     bool            `json:"b"`
	Raw   json.RawMessage `json:"raw"`
	Items []probeItem     `json:"items"`
	Inner *probeItem      `json:"inner"`
}

type probeItem struct {
	Name string   `json:"name"`
	Tags []string `json:"tags"`
}

var (
	probeFields     = FieldsOf[probe]()
	probeItemFields = FieldsOf[probeItem]()
)

func TestFieldsOf(t *testing.T) {
	type tagged struct {
		A      string `json:"a,omitempty"`
		B      string
		hidden string //lint:ignore U1000 present so the test proves FieldsOf skips unexported fields
		C      string `json:"-"`
	}
	if got := FieldsOf[tagged]().names; !slices.Equal(got, []string{"a", "B"}) {
		t.Errorf("FieldsOf = %v, want [a B] as encoding/json sees them", got)
	}
}

type (
	rawValue   json.RawMessage
	probeItems []probeItem
)

func (p *probe) read(r *Reader) {
	r.Members(probeFields, &p.S, &p.L, &p.F, &p.P, &p.B, (*rawValue)(&p.Raw), (*probeItems)(&p.Items), PtrTo(&p.Inner))
}

func (v *rawValue) DecodeJSON(r *Reader)   { *v = append((*v)[:0], r.Raw()...) }
func (s *probeItems) DecodeJSON(r *Reader) { List(r, (*[]probeItem)(s)) }
func (it *probeItem) DecodeJSON(r *Reader) { r.Members(probeItemFields, &it.Name, &it.Tags) }

// readerAgrees decodes in with a Reader and with encoding/json. A Reader
// may refuse anything; what it accepts, encoding/json must accept and
// decode to the same value. It reports whether the Reader accepted.
func readerAgrees(t *testing.T, in string) bool {
	t.Helper()
	var fast, slow probe
	r := NewReader([]byte(in))
	fast.read(r)
	ok := r.Done()
	err := json.Unmarshal([]byte(in), &slow)
	if ok && (err != nil || !reflect.DeepEqual(fast, slow)) {
		t.Errorf("%s:\nreader  %+v\nencoding/json %+v (%v)", in, fast, slow, err)
	}
	if ok && !json.Valid([]byte(in)) {
		t.Errorf("%s: accepted, but it is not JSON", in)
	}
	return ok
}

func TestReaderAccepts(t *testing.T) {
	for _, in := range []string{
		`{}`, ` null `, `{"s":"x"}`, `{"s":null,"l":null,"p":null,"items":null,"inner":null}`,
		`{"s":"caf\u00e9 \"q\" \\ \/ \b\f\n\r\t","l":["a","",null],"f":-1.5e3,"p":0,"b":true}`,
		`{"s":"\ud83d\ude00 \ud83d x","l":[]}`, "{\"s\":\"bad \xff utf-8\"}",
		`{"raw":{"a":[1,{"b":null}],"c":"}"},"items":[{"name":"n","tags":["t"]},{}],"inner":{"name":"i"}}`,
		`{"raw":null}`, `{"unknown":[{"deep":[1,2,{"x":"y"}]},true,false,-0.0e-1],"s":"after"}`,
		`{"items":[],"items":[{"name":"again"}]}`, `{"f":1,"f":2}`, `{"p":3}`,
		"\t{ \"s\" : \"spaced\" ,\n\"b\" : false }\r\n",
	} {
		if !readerAgrees(t, in) {
			t.Errorf("%s: refused", in)
		}
	}
}

// TestReaderRefuses: broken JSON, wrong types, and keys encoding/json
// might match to a field some other way.
func TestReaderRefuses(t *testing.T) {
	for _, in := range []string{
		``, `{`, `{"s":"x"`, `{"s":"x",}`, `{,}`, `{"s" "x"}`, `{"s":"x"} x`, `[]`, `"s"`,
		`{"s":1}`, `{"l":"one"}`, `{"f":"1"}`, `{"f":1e999}`, `{"b":"true"}`, `{"items":{}}`,
		`{"S":"case"}`, `{"\u0073":"escaped key"}`, `{"ſ":"unicode fold"}`,
		`{"s":"ctrl ` + "\x01" + `"}`, `{"s":"bad \x escape"}`, `{"s":"\u12"}`,
		`{"f":01}`, `{"f":1.}`, `{"f":.5}`, `{"f":-}`, `{"f":1e}`, `{"f":+1}`, `{"x":tru}`, `{"x":nul}`,
		`{"x":[1,]}`, `{"x":[1 2]}`, `{"x":` + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + `}`,
	} {
		if readerAgrees(t, in) {
			t.Errorf("%s: accepted", in)
		}
	}
}

// FuzzReader holds the Reader to encoding/json on any input.
func FuzzReader(f *testing.F) {
	f.Add(`{"s":"x","l":["a"],"f":1.5,"p":2,"b":true,"raw":[1],"items":[{"name":"n"}],"inner":{"tags":null}}`)
	f.Add(`{"other":{"s":[1,"\u00e9"]},"items":[{"Name":"case"}]}`)
	f.Fuzz(func(t *testing.T, in string) { readerAgrees(t, in) })
}

// TestPlainRun puts each byte value at every place of strings around the
// eight-byte step of plainRun, against a byte loop.
func TestPlainRun(t *testing.T) {
	for n := range 20 {
		for pos := range n {
			for c := range 256 {
				b := []byte(strings.Repeat("a", n))
				b[pos] = byte(c)
				if got, want := plainRun(b), byteLoopRun(b); got != want {
					t.Fatalf("plainRun(%q) = %d, want %d", b, got, want)
				}
			}
		}
	}
}

func byteLoopRun(b []byte) int {
	for i, c := range b {
		if c < ' ' || c == '"' || c == '\\' {
			return i
		}
	}
	return len(b)
}

func BenchmarkPlainRun(b *testing.B) {
	text := []byte(strings.Repeat("Die Studierenden können Ergebnisse klar darstellen. ", 8) + `"`)
	for name, f := range map[string]func([]byte) int{"words": plainRun, "byte-loop": byteLoopRun} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if f(text) != len(text)-1 {
					b.Fatal("wrong end")
				}
			}
		})
	}
}

func BenchmarkReader(b *testing.B) {
	in := []byte(`{"s":"` + strings.Repeat("plain text ", 40) + `","l":["a","b","c"],"f":6,"p":7.5,"b":true,` +
		`"items":[{"name":"first","tags":["x","y"]},{"name":"second"}],"unknown":{"a":[1,2,3],"b":"c"}}`)
	b.Run("reader", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			var p probe
			r := NewReader(in)
			if p.read(r); !r.Done() {
				b.Fatal("refused")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			var p probe
			if err := json.Unmarshal(in, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
