package vocab

import (
	"fmt"
	"strings"
)

// Concept is one entry of a controlled vocabulary.
type Concept struct {
	// URI is the concept IRI as published by the EU.
	URI string
	// Code is the concept's notation: the last segment of its IRI
	// ("05053c1cbe", "0613", "6").
	Code string
	// Slug is a short stable key for URLs and the API ("course",
	// "online"); for numeric schemes it equals Code.
	Slug string
	// Labels maps language tags to preferred labels; "en" is always set.
	Labels map[string]string
}

// Label returns the concept's label in lang, falling back to English.
func (c Concept) Label(lang string) string {
	if l, ok := c.Labels[lang]; ok {
		return l
	}
	return c.Labels["en"]
}

// Scheme is a controlled vocabulary: concepts in their published order with
// lookups by IRI, code and slug.
type Scheme struct {
	Name     string
	Base     string
	concepts []Concept
	index    map[string]int
}

func newScheme(name, base string, concepts []Concept) *Scheme {
	s := &Scheme{Name: name, Base: base, concepts: concepts, index: map[string]int{}}
	for i := range s.concepts {
		c := &s.concepts[i]
		c.URI = base + c.Code
		if c.Slug == "" {
			c.Slug = c.Code
		}
		for _, key := range []string{c.URI, c.Code, c.Slug} {
			if prev, dup := s.index[key]; dup && prev != i {
				panic(fmt.Sprintf("vocab: %s: key %q used twice", name, key))
			}
			s.index[key] = i
		}
	}
	return s
}

// Lookup finds a concept by IRI, code or slug. IRIs in http and https form
// are both accepted, since sources mix them.
func (s *Scheme) Lookup(key string) (Concept, bool) {
	key = strings.TrimSpace(key)
	if i, ok := s.index[key]; ok {
		return s.concepts[i], true
	}
	if rest, ok := strings.CutPrefix(key, "https://"); ok {
		if i, ok := s.index["http://"+rest]; ok {
			return s.concepts[i], true
		}
	}
	return Concept{}, false
}

// URI returns the IRI of the concept with the given code or slug, or "".
func (s *Scheme) URI(key string) string {
	c, _ := s.Lookup(key)
	return c.URI
}

// All returns the scheme's concepts in published order.
func (s *Scheme) All() []Concept { return s.concepts }

func en(label string) map[string]string { return map[string]string{"en": label} }
