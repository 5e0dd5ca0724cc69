package jsonld

import (
	"encoding/json"
	"strings"
)

// QLinkContextPath is where every qlink server publishes its ELM 3.3 +
// QualityLink context (the document QLinkContextURL names), so that
// JSON-LD it serves can refer to the context by a URL anyone can fetch.
const QLinkContextPath = "/ns/qlink-elm-3.3.jsonld"

// QLinkContextMediaType is the media type the published context is served as.
const QLinkContextMediaType = "application/ld+json"

// PublishedContextURL is the absolute URL of qlink's context on the server
// whose public URL is baseURL.
func PublishedContextURL(baseURL string) string {
	return strings.TrimRight(baseURL, "/") + QLinkContextPath
}

// QLinkContextJSON is qlink's context document as a server publishes it.
// It is built from the same term tables as the one the loader serves, so
// the two cannot drift apart; keys come out sorted, so the bytes are
// stable from one build to the next.
func QLinkContextJSON() []byte {
	data, err := json.MarshalIndent(qlinkContext(), "", "  ")
	if err != nil {
		panic("jsonld: qlink context does not encode: " + err.Error()) // static data
	}
	return append(data, '\n')
}

// PublishedLoader is the offline loader that also serves qlink's context
// under its published URL on the server at baseURL: documents that
// server writes refer to the context by that URL, and reading them back
// must not fetch it.
func PublishedLoader(baseURL string) *Loader {
	return NewLoader(map[string]any{PublishedContextURL(baseURL): qlinkContext()})
}
