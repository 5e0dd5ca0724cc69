// Package gencache keeps values computed from one generation of some data
// (a search table, a database's content), least recently used out first
// past a budget of bytes. It is safe for concurrent use.
package gencache

import (
	"container/list"
	"sync"
	"sync/atomic"
)

// Cache keeps values computed from one generation of the data, by key,
// least recently used first out past a budget of bytes. A value asked for
// at another generation is stale: the first put at a new generation drops
// everything the old one left. Values are shared by every reader and must
// never change once put.
type Cache[V any] struct {
	budget  int
	mu      sync.Mutex
	gen     string
	entries map[string]*list.Element // of *entry[V]
	lru     list.List                // most recently used at the front
	bytes   int
	served  atomic.Int64
	missed  atomic.Int64
}

type entry[V any] struct {
	key   string
	value V
	bytes int
}

// New returns a cache that holds about budget bytes.
func New[V any](budget int) *Cache[V] { return &Cache[V]{budget: budget} }

// Get returns the value kept for key at generation gen.
func (c *Cache[V]) Get(gen, key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok || c.gen != gen {
		c.missed.Add(1)
		var zero V
		return zero, false
	}
	c.lru.MoveToFront(el)
	c.served.Add(1)
	return el.Value.(*entry[V]).value, true
}

// Put keeps v, which takes about bytes of memory, for key at generation
// gen, dropping what an older generation left and the least recently used
// values beyond the budget (never the one just put).
func (c *Cache[V]) Put(gen, key string, v V, bytes int) {
	bytes += len(key) + 96 // the entry, its list element and map slot
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || c.gen != gen {
		c.gen, c.entries, c.bytes = gen, map[string]*list.Element{}, 0
		c.lru.Init()
	}
	if old, ok := c.entries[key]; ok {
		c.bytes -= old.Value.(*entry[V]).bytes
		c.lru.Remove(old)
	}
	c.entries[key] = c.lru.PushFront(&entry[V]{key, v, bytes})
	c.bytes += bytes
	c.evict()
}

// evict drops the least recently used values beyond the budget, never
// the most recent one. The caller holds c.mu.
func (c *Cache[V]) evict() {
	for c.bytes > c.budget && c.lru.Len() > 1 {
		last := c.lru.Back()
		old := last.Value.(*entry[V])
		c.lru.Remove(last)
		delete(c.entries, old.key)
		c.bytes -= old.bytes
	}
}

// Has reports whether a value is kept for key at generation gen, without
// counting a lookup nor making it recently used.
func (c *Cache[V]) Has(gen, key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.entries[key]
	return ok && c.gen == gen
}

// Recent returns the keys of up to n values kept, most recently used
// first, whatever their generation.
func (c *Cache[V]) Recent(n int) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, min(n, c.lru.Len()))
	for el := c.lru.Front(); el != nil && len(keys) < n; el = el.Next() {
		keys = append(keys, el.Value.(*entry[V]).key)
	}
	return keys
}

// Kept returns the keys and values kept at generation gen, least recently
// used first: put in that order, they are kept in the same order again.
func (c *Cache[V]) Kept(gen string) (keys []string, values []V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return nil, nil
	}
	for el := c.lru.Back(); el != nil; el = el.Prev() {
		e := el.Value.(*entry[V])
		keys, values = append(keys, e.key), append(values, e.value)
	}
	return keys, values
}

// SetBudget changes the budget, dropping the least recently used values
// beyond it at once.
func (c *Cache[V]) SetBudget(budget int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.budget = budget
	c.evict()
}

// Bytes is about the memory the values kept take now.
func (c *Cache[V]) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Served counts the values handed out.
func (c *Cache[V]) Served() int64 { return c.served.Load() }

// Missed counts the lookups that found nothing of their generation.
func (c *Cache[V]) Missed() int64 { return c.missed.Load() }
