package gencache

import (
	"slices"
	"testing"
)

func TestCacheKeepsOneGenerationWithinItsBudget(t *testing.T) {
	c := New[string](3 * (1 + 96 + 100)) // three entries of 100 bytes, one-byte keys
	for _, k := range []string{"a", "b", "c"} {
		c.Put("g1", k, "v"+k, 100)
	}
	if v, ok := c.Get("g1", "a"); !ok || v != "va" {
		t.Fatalf("a = %q, %v", v, ok)
	}
	c.Put("g1", "d", "vd", 100) // b is the least recently used now
	if _, ok := c.Get("g1", "b"); ok {
		t.Error("b outlived the budget")
	}
	for _, k := range []string{"a", "c", "d"} {
		if _, ok := c.Get("g1", k); !ok {
			t.Errorf("%s dropped", k)
		}
	}
	if _, ok := c.Get("g2", "a"); ok {
		t.Error("a value of generation g1 served at g2")
	}
	c.Put("g2", "e", "ve", 100)
	if _, ok := c.Get("g1", "a"); ok {
		t.Error("a put at g2 kept what g1 left")
	}
	c.Put("g2", "huge", "v", 1<<20)
	if _, ok := c.Get("g2", "huge"); !ok {
		t.Error("a value over the budget is not kept until the next put")
	}
	if c.Served() != 5 {
		t.Errorf("served %d, want 5", c.Served())
	}
}

func TestSetBudgetDropsWhatNoLongerFits(t *testing.T) {
	c := New[string](1 << 20)
	for _, k := range []string{"a", "b", "c"} {
		c.Put("g", k, "v", 100)
	}
	if c.Bytes() != 3*(1+96+100) {
		t.Errorf("%d bytes kept, want %d", c.Bytes(), 3*(1+96+100))
	}
	c.SetBudget(2 * (1 + 96 + 100))
	if _, ok := c.Get("g", "a"); ok {
		t.Error("the least recently used value outlived the smaller budget")
	}
	for _, k := range []string{"b", "c"} {
		if _, ok := c.Get("g", k); !ok {
			t.Errorf("%s dropped", k)
		}
	}
}

// TestRecentAndHas: Recent lists the keys most recently used first,
// whatever their generation, and Has looks without counting or moving.
func TestRecentAndHas(t *testing.T) {
	c := New[string](1 << 20)
	for _, k := range []string{"a", "b", "c"} {
		c.Put("g1", k, "v", 1)
	}
	if !c.Has("g1", "a") || c.Has("g2", "a") || c.Has("g1", "z") {
		t.Error("Has is wrong about a, a at g2 or z")
	}
	c.Get("g1", "a")
	if got := c.Recent(2); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("Recent(2) = %q, want a, c", got)
	}
	// Has made nothing recent and counted nothing.
	c.Has("g1", "b")
	if got := c.Recent(5); !slices.Equal(got, []string{"a", "c", "b"}) {
		t.Errorf("Recent(5) = %q, want a, c, b", got)
	}
	if c.Served() != 1 || c.Missed() != 0 {
		t.Errorf("served %d, missed %d; want 1, 0", c.Served(), c.Missed())
	}
}

func TestKeptInOrderOfUse(t *testing.T) {
	c := New[int](1 << 20)
	for i, k := range []string{"a", "b", "c"} {
		c.Put("g1", k, i, 1)
	}
	c.Get("g1", "a") // the most recently used now
	keys, values := c.Kept("g1")
	if !slices.Equal(keys, []string{"b", "c", "a"}) || !slices.Equal(values, []int{1, 2, 0}) {
		t.Fatalf("kept %v %v, want least recently used first", keys, values)
	}
	if keys, _ := c.Kept("g0"); keys != nil {
		t.Errorf("kept at another generation: %v", keys)
	}
	again := New[int](1 << 20)
	for i, k := range keys {
		again.Put("g1", k, values[i], 1)
	}
	if got, _ := again.Kept("g1"); !slices.Equal(got, keys) {
		t.Errorf("put back in order, kept %v, want %v", got, keys)
	}
}
