// Package source defines the contract between the harvest and the source
// adapters (source/elm, source/ooapi, source/eduapi, source/occapi): what an
// adapter is told about its source, how it fetches pages, and how it hands
// on specifications and warnings. Adapters know only this package, the
// model and the vocabularies; they never touch the store or the index.
//
// It also holds what the adapters share: lenient JSON types and value
// parsers (numbers as strings, a scalar for an array, "" for absent
// dates), a fast path for decoding the common shapes of texts, a
// one-pass JSON Reader for decoding well-formed pages without
// encoding/json (which remains the fallback and the reference), language
// tags normalised once per harvest, identifier minting under the
// course-identifier specification, and structure linking.
package source

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qlink/internal/fetch"
	"qlink/internal/model"
)

// Adapter reads one source and emits its specifications. It returns an
// error when it could not read the whole source; what it emitted before
// the error is still used, but nothing is deleted on the strength of an
// incomplete read.
type Adapter interface {
	Harvest(ctx context.Context, cfg Config, get Getter, out Emitter) error
}

// Accepter is implemented by adapters that want an Accept header other
// than application/json on their requests.
type Accepter interface {
	Accept() string
}

// Converter is implemented by adapters that can map one document on its
// own (a file, or a single API response saved to disk) without fetching
// anything else: `qlink convert` uses it.
type Converter interface {
	Convert(body []byte, cfg Config, out Emitter) error
}

// ErrPageCap is wrapped by adapters when they stop at Config.MaxPages:
// the source may have more, so the read is incomplete.
var ErrPageCap = errors.New("stopped at the page cap")

// Config is what an adapter knows about the source it reads.
type Config struct {
	// URL is the manifest's path: the API root or the file.
	URL     string
	Version string
	// PageSize is the manifest's pageSize, or 0 for the adapter's default.
	PageSize int
	// ContentType overrides the served content type of static files.
	ContentType string
	// MaxPages caps every pagination loop.
	MaxPages int
	// Provider is the institution the source belongs to: specifications
	// are published by it and their identifiers minted under its SCHAC code.
	Provider model.Provider
	// Now is the harvest's reference time.
	Now time.Time
	// Since, when set, asks for a delta harvest: only records changed
	// after Since, for adapters whose format can filter by modification
	// time (edu-api). The output of a delta harvest is not the whole
	// source, so the harvest must treat it as incomplete (remove nothing),
	// and records deleted since then are reported as warnings only. Zero
	// means a full harvest; adapters that cannot filter ignore it.
	Since time.Time
	// Preview asks for a sample, as qlink check takes one: the adapter
	// reads up to MaxPages and hands on what it has read even where a
	// full harvest would withhold it as incomplete. Nothing of a preview
	// is stored.
	Preview bool
}

// Getter fetches one URL of the source with the source's headers, query
// parameters and credentials, and keeps the raw response as a snapshot.
type Getter interface {
	Get(ctx context.Context, url string) (*fetch.Response, error)
}

// Emitter receives an adapter's output.
type Emitter interface {
	Spec(model.Specification)
	Warn(Warning)
}

// Warning is a problem with one record or field that did not stop the read.
type Warning struct {
	// Record names the record (its identifier or URL).
	Record  string
	Field   string
	Message string
}

func (w Warning) String() string {
	switch {
	case w.Record != "" && w.Field != "":
		return fmt.Sprintf("%s: %s: %s", w.Record, w.Field, w.Message)
	case w.Record != "":
		return w.Record + ": " + w.Message
	}
	return w.Message
}
