package jsonld

import (
	"errors"
	"fmt"
	"strings"

	"github.com/piprate/json-gold/ld"
)

// ErrRemoteDocument is returned for any context or document the offline
// loader does not hold: qlink never fetches JSON-LD contexts at run time
// (harvested data must not make the aggregator issue requests).
var ErrRemoteDocument = errors.New("jsonld: remote document refused (offline loader)")

// Loader is an offline ld.DocumentLoader serving embedded documents by URL.
type Loader struct {
	docs map[string]any
}

// NewLoader returns a loader that serves the EDC-AP, VC 1.0 and qlink
// contexts and the qlink frame, plus any extra documents given (URL →
// parsed JSON), e.g. a provider's own context checked in by an operator.
func NewLoader(extra map[string]any) *Loader {
	l := &Loader{docs: map[string]any{
		EDCAPContextURL: edcAPContext(),
		VCv1ContextURL:  vcContext(),
		QLinkContextURL: qlinkContext(),
		QLinkFrameURL:   qlinkFrame(),
	}}
	for u, d := range extra {
		l.docs[u] = d
	}
	return l
}

// LoadDocument implements ld.DocumentLoader. URLs match with or without a
// trailing slash or ".jsonld", and http and https are interchangeable, as
// publishers refer to the same context in all these ways.
func (l *Loader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	if doc, ok := l.docs[u]; ok {
		return &ld.RemoteDocument{DocumentURL: u, Document: ld.CloneDocument(doc)}, nil
	}
	key := normalizeURL(u)
	for known, doc := range l.docs {
		if normalizeURL(known) == key {
			return &ld.RemoteDocument{DocumentURL: u, Document: ld.CloneDocument(doc)}, nil
		}
	}
	return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, fmt.Errorf("%w: %s", ErrRemoteDocument, u))
}

func normalizeURL(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	u = strings.TrimSuffix(u, ".jsonld")
	return strings.TrimSuffix(u, "/")
}
