package vocab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Labels are preferred labels refreshed from the EU Publications Office
// (see package vocab/refresh), keyed by concept IRI and language tag. They
// overlay the embedded snapshot, which stays the fallback: the snapshot is
// immutable package data, so nothing here is global mutable state.
type Labels map[string]map[string]string

// Label returns c's label in lang from the overlay, else from the snapshot.
// A nil Labels is valid and holds nothing.
func (l Labels) Label(c Concept, lang string) string {
	if byLang, ok := l[c.URI]; ok {
		if v, ok := byLang[lang]; ok {
			return v
		}
	}
	if v, ok := c.Labels[lang]; ok {
		return v
	}
	if byLang, ok := l[c.URI]; ok {
		if v, ok := byLang["en"]; ok {
			return v
		}
	}
	return c.Labels["en"]
}

// Count returns the number of labels held.
func (l Labels) Count() int {
	n := 0
	for _, byLang := range l {
		n += len(byLang)
	}
	return n
}

// LoadLabels reads labels saved by Save; a missing file is an empty set.
func LoadLabels(path string) (Labels, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Labels{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("vocab: %w", err)
	}
	var l Labels
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("vocab: %s: %w", path, err)
	}
	return l, nil
}

// Save writes the labels atomically (temporary file, then rename), so a
// reader never sees half a file.
func (l Labels) Save(path string) error {
	data, err := json.MarshalIndent(l, "", " ")
	if err != nil {
		return fmt.Errorf("vocab: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".labels-*")
	if err != nil {
		return fmt.Errorf("vocab: %w", err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("vocab: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("vocab: %w", err)
	}
	return nil
}

// Schemes lists the controlled vocabularies of the snapshot with the IRI of
// the concept scheme each is published as.
var Schemes = []struct {
	Scheme    *Scheme
	SchemeIRI string
}{
	{ISCEDF, "http://data.europa.eu/snb/isced-f/25831c2"},
	{EQF, "http://data.europa.eu/snb/eqf/25831c2"},
	{LearningOpportunityTypes, "http://data.europa.eu/snb/learning-opportunity/25831c2"},
	{Modes, "http://data.europa.eu/snb/learning-assessment/25831c2"},
	{LearningSchedules, "http://data.europa.eu/snb/learning-schedule/25831c2"},
	{CreditSystems, "http://data.europa.eu/snb/education-credit/25831c2"},
}
