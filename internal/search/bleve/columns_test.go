package bleve

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestStrColumn: strings set, replaced and cleared read back as set; the
// arena is compacted once most of it is dead, and a string read before
// that stays as it was.
func TestStrColumn(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	c := newStrColumn(0, 0)
	want := []string{}
	for i := range 500 {
		s := ""
		if i%7 > 0 {
			s = fmt.Sprintf("urn:test:%d:%s", i, strings.Repeat("x", r.IntN(80)))
		}
		c.add(s)
		want = append(want, s)
	}
	check := func(when string) {
		t.Helper()
		if c.len() != len(want) {
			t.Fatalf("%s: len %d, want %d", when, c.len(), len(want))
		}
		live := 0
		for o, s := range want {
			if got := c.get(uint32(o)); got != s {
				t.Fatalf("%s: ordinal %d: %q, want %q", when, o, got, s)
			}
			live += len(s)
		}
		if len(c.data)-c.dead != live {
			t.Errorf("%s: arena holds %d bytes, %d dead; the live strings are %d", when, len(c.data), c.dead, live)
		}
	}
	early, earlyWant := c.get(3), want[3]
	compactions := 0
	for i := range 40_000 {
		o := uint32(r.IntN(len(want)))
		s := ""
		if r.IntN(10) > 0 {
			s = fmt.Sprintf("key %d %s", i, strings.Repeat("y", r.IntN(120)))
		}
		before := len(c.data)
		c.set(o, s)
		want[o] = s
		if len(c.data) < before {
			compactions++
			check(fmt.Sprintf("after compaction %d", compactions))
		}
	}
	if compactions == 0 {
		t.Error("the arena was never compacted")
	}
	check("at the end")
	if early != earlyWant {
		t.Errorf("a string read before compaction changed to %q", early)
	}
}

// TestIDIndex: random puts and removes agree with a map, also when every
// ID hashes alike or to one of a few values, so that most of them clash.
func TestIDIndex(t *testing.T) {
	for _, buckets := range []uint64{0, 1, 3} {
		t.Run(fmt.Sprint(buckets), func(t *testing.T) {
			r := rand.New(rand.NewPCG(buckets, 9))
			ids := newStrColumn(0, 0)
			x := newIDIndex(0)
			if buckets > 0 {
				x.hash = func(id string) uint64 { return uint64(len(id)) % buckets }
			}
			want := map[string]uint32{}
			var free []uint32
			for range 5000 {
				id := fmt.Sprintf("id-%d", r.IntN(300))
				if o, ok := want[id]; ok && r.IntN(2) == 0 {
					x.remove(&ids, id)
					ids.set(o, "")
					delete(want, id)
					free = append(free, o)
				} else if !ok {
					var o uint32
					if n := len(free); n > 0 {
						o, free = free[n-1], free[:n-1]
					} else {
						o = uint32(ids.len())
						ids.add("")
					}
					ids.set(o, id)
					x.put(&ids, id, o)
					want[id] = o
				}
				probe := fmt.Sprintf("id-%d", r.IntN(300))
				got, ok := x.get(&ids, probe)
				if wo, wok := want[probe]; ok != wok || ok && got != wo {
					t.Fatalf("get %s: %d %v, want %d %v", probe, got, ok, wo, wok)
				}
				if x.len() != len(want) {
					t.Fatalf("len %d, want %d", x.len(), len(want))
				}
			}
			if buckets > 0 && len(x.clashes) == 0 {
				t.Error("no ID clashed")
			}
		})
	}
}
