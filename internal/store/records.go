package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"qlink/internal/model"
)

// This file holds how records are kept in a database, the same for every
// engine: the JSON documents stored in text columns and the decisions
// made on what was read. The SQL stays with each engine.

// EncodeProvider returns a provider's stored document. Alliances are left
// out: the alliance data keeps membership.
func EncodeProvider(p model.Provider) ([]byte, error) {
	p.Alliances = nil
	doc, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", p.ID, err)
	}
	return doc, nil
}

// DecodeProvider reads a provider's stored document.
func DecodeProvider(doc []byte) (model.Provider, error) {
	var p model.Provider
	if err := json.Unmarshal(doc, &p); err != nil {
		return p, fmt.Errorf("provider document: %w", err)
	}
	return p, nil
}

// ShownInDocumentsChanged reports whether what a course's search document
// carries of its provider (search.NewDocument: names, acronym and
// country) differs between two versions of the provider's record. Other
// fields are left out on purpose: a registry import that lacks the SCHAC
// code discovery adopted must not re-index the provider's courses at
// every harvest.
func ShownInDocumentsChanged(old, p model.Provider) bool {
	return shownInDocuments(old) != shownInDocuments(p)
}

func shownInDocuments(p model.Provider) string {
	b, _ := json.Marshal(struct {
		Name             model.Text
		Acronym, Country string
	}{p.Name, p.Acronym, p.Country})
	return string(b)
}

// allianceDoc is the part of an alliance kept as JSON; members have their
// own table so that a provider's alliances can be looked up by key.
type allianceDoc struct {
	Name    model.Text `json:"name"`
	Website string     `json:"website,omitempty"`
}

// EncodeAlliance returns an alliance's stored document (without members).
func EncodeAlliance(a model.Alliance) ([]byte, error) {
	doc, err := json.Marshal(allianceDoc{Name: a.Name, Website: a.Website})
	if err != nil {
		return nil, fmt.Errorf("alliance %s: %w", a.ID, err)
	}
	return doc, nil
}

// DecodeAlliance fills an alliance's name and website from its document.
func DecodeAlliance(doc []byte, a *model.Alliance) error {
	var d allianceDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return fmt.Errorf("alliance %s: %w", a.ID, err)
	}
	a.Name, a.Website = d.Name, d.Website
	return nil
}

// ResolveMembers matches the alliances' member keys with the registry's
// providers: matched ones fill Providers, the others Unmatched.
func ResolveMembers(as []model.Alliance, providers []model.Provider) {
	byKey := map[string]string{}
	for _, p := range providers {
		for _, k := range p.MemberKeys() {
			byKey[k] = p.ID
		}
	}
	for i := range as {
		a := &as[i]
		a.Providers, a.Unmatched = nil, nil
		for _, k := range a.Members {
			if pid, ok := byKey[k]; ok {
				a.Providers = append(a.Providers, pid)
			} else {
				a.Unmatched = append(a.Unmatched, k)
			}
		}
		a.Providers = slices.Compact(slices.Sorted(slices.Values(a.Providers)))
	}
}

// WithAlliances fills in the alliances a provider is a member of, given
// the alliances naming each member key.
func WithAlliances(p model.Provider, byKey map[string][]string) model.Provider {
	p.Alliances = nil
	for _, k := range p.MemberKeys() {
		p.Alliances = append(p.Alliances, byKey[k]...)
	}
	p.Alliances = slices.Compact(slices.Sorted(slices.Values(p.Alliances)))
	if len(p.Alliances) == 0 {
		p.Alliances = nil
	}
	return p
}

// MembershipChange returns the member keys an alliance gains or loses
// when its members go from old to the new members (in any order, with
// repeats), and the new members sorted and unique. Nothing changed when
// the keys are empty.
func MembershipChange(old, members []string) (keys, sorted []string) {
	sorted = slices.Compact(slices.Sorted(slices.Values(members)))
	for _, k := range old {
		if !slices.Contains(sorted, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range sorted {
		if !slices.Contains(old, k) {
			keys = append(keys, k)
		}
	}
	return keys, sorted
}

// ProvidersNamed returns the IDs of the providers that any of the member
// keys names: their courses' documents carry the alliances.
func ProvidersNamed(providers []model.Provider, keys []string) []string {
	var out []string
	for _, p := range providers {
		if slices.ContainsFunc(p.MemberKeys(), func(k string) bool { return slices.Contains(keys, k) }) {
			out = append(out, p.ID)
		}
	}
	return out
}

// DecodeCourse fills a course's specification and quality report from
// their stored documents (quality empty: never checked).
//
// A course's document is decoded each time a list shows a course not kept
// (the API's items, the catalogue's cards) and for every course of the
// open dataset. It is read by the JSON v2 implementation that Go ships as
// encoding/json/v2 behind GOEXPERIMENT=jsonv2, with encoding/json's rules
// (DefaultOptionsV1): in half the time of encoding/json (about 20 against
// 40 µs for a document of the million-course benchmark), with the same
// result (tested on stored documents in decode_test.go).
func DecodeCourse(c *Course, id string, doc, quality []byte, flagged bool) error {
	if err := jsonv2.Unmarshal(doc, &c.Spec, jsonv1.DefaultOptionsV1()); err != nil {
		return fmt.Errorf("course %s document: %w", id, err)
	}
	if len(quality) == 0 {
		return nil
	}
	c.Quality = &CourseQuality{}
	if err := json.Unmarshal(quality, c.Quality); err != nil {
		return fmt.Errorf("course %s quality report: %w", id, err)
	}
	c.Quality.Flagged = flagged
	return nil
}

// EncodeQuality returns a course's stored quality report.
func EncodeQuality(q CourseQuality) ([]byte, error) {
	if q.Violations == nil {
		q.Violations = []QualityFinding{}
	}
	return json.Marshal(q)
}

// EncodeWarnings returns a run's stored warnings, a JSON array.
func EncodeWarnings(ws []Warning) ([]byte, error) {
	if ws == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(ws)
}

// DecodeRun fills what a run keeps encoded: its status, warnings (a JSON
// array), quality summary ("" when the run checked nothing) and the time
// its checks took, in microseconds.
func DecodeRun(r *Run, status, warnings, quality string, validationUS int64) error {
	r.Status = RunStatus(status)
	if quality != "" {
		r.Quality = []byte(quality)
	}
	r.ValidationTime = time.Duration(validationUS) * time.Microsecond
	if err := json.Unmarshal([]byte(warnings), &r.Warnings); err != nil {
		return fmt.Errorf("run %d warnings: %w", r.ID, err)
	}
	return nil
}

// RunBlob is one page blob of a run.
type RunBlob struct {
	RunID int64
	Blob  string
}

// RunsBeyondSnapshots sorts out a source's runs for retention: prune are
// those whose snapshots fall outside the newest keep distinct ones (a
// run's snapshot is the list of its page blobs), sparing latest, the
// latest run that read data; repeats are older runs with the same
// snapshot as a kept newer one (a source without validators, read again
// and unchanged), whose page rows only repeat the newer run's. pages are
// the page blobs of a source's runs, newest run first and each run's pages
// in order.
func RunsBeyondSnapshots(pages []RunBlob, latest int64, keep int) (prune, repeats []int64) {
	var order []int64
	// A builder per run: appending to a string would copy it at every
	// page, quadratic in a source of a thousand pages.
	snapshot := map[int64]*strings.Builder{}
	for _, p := range pages {
		b, ok := snapshot[p.RunID]
		if !ok {
			b = &strings.Builder{}
			snapshot[p.RunID] = b
			order = append(order, p.RunID)
		}
		b.WriteString(p.Blob)
		b.WriteByte(',')
	}
	kept := map[string]bool{}
	for _, id := range order {
		switch snap := snapshot[id].String(); {
		case kept[snap] && id != latest: // the same bytes as a kept newer run
			repeats = append(repeats, id)
		case kept[snap] || len(kept) < keep || id == latest:
			kept[snap] = true
		default:
			prune = append(prune, id)
		}
	}
	return prune, repeats
}
