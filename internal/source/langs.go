package source

import (
	"strings"
	"sync"

	"qlink/internal/model"
	"qlink/internal/vocab"
)

// Langs normalises language tags for one harvest, remembering each
// answer: a source repeats a handful of tags thousands of times, and
// parsing a tag is the dearest step of mapping a text. Safe for
// concurrent use; the zero value is ready.
type Langs struct {
	mu sync.Mutex
	m  map[string]normalized
}

type normalized struct {
	tag string
	ok  bool
}

// Normalize is vocab.NormalizeLang, remembered.
func (c *Langs) Normalize(tag string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n, hit := c.m[tag]; hit {
		return n.tag, n.ok
	}
	if c.m == nil {
		c.m = map[string]normalized{}
	}
	norm, ok := vocab.NormalizeLang(tag)
	c.m[tag] = normalized{norm, ok}
	return norm, ok
}

// Key is model.TextKey, remembered: the tag a Text keys a value in lang
// under, model.LangUnstated when lang is no language.
func (c *Langs) Key(lang string) string {
	if norm, ok := c.Normalize(lang); ok {
		return norm
	}
	return model.LangUnstated
}

// Set stores value in t under lang exactly as model.Text.Set does (blank
// values ignored, unknown languages under model.LangUnstated), with the
// tag remembered.
func (c *Langs) Set(t model.Text, lang, value string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return
	}
	t[c.Key(lang)] = value
}
