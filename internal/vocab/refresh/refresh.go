// Package refresh reloads the labels of qlink's controlled vocabularies
// from the EU Publications Office SPARQL endpoint, where the European
// Learning Model's vocabularies are published. It runs on demand
// (`qlink vocab refresh`); qlink works offline from the embedded snapshot.
package refresh

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"qlink/internal/vocab"
)

// DefaultEndpoint is the Publications Office's public SPARQL endpoint.
const DefaultEndpoint = "https://publications.europa.eu/webapi/rdf/sparql"

// Getter GETs rawURL asking for the media type accept and returns the
// body, or an error for anything but a success. cmd/qlink makes one of the
// fetcher, so the request passes the same guard and limits as every other,
// while this package stays below the door.
type Getter func(ctx context.Context, rawURL, accept string) ([]byte, error)

// euLanguages are the official EU languages: the labels worth keeping.
var euLanguages = []string{"bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt",
	"lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv"}

// maxLabel bounds a label's length; anything longer is not a label.
const maxLabel = 300

// Result says what a refresh found per scheme.
type Result struct {
	Labels vocab.Labels
	// Counts holds labels per scheme name.
	Counts map[string]int
	// Ignored counts bindings that were not labels of a known scheme.
	Ignored int
}

// Run queries every scheme and returns the labels found. It fails as a
// whole if any scheme cannot be read, so a partial refresh never replaces
// a complete one.
func Run(ctx context.Context, get Getter, endpoint string) (Result, error) {
	res := Result{Labels: vocab.Labels{}, Counts: map[string]int{}}
	for _, s := range vocab.Schemes {
		n, ignored, err := refreshScheme(ctx, get, endpoint, s.Scheme, s.SchemeIRI, res.Labels)
		if err != nil {
			return res, fmt.Errorf("vocab refresh: %s: %w", s.Scheme.Name, err)
		}
		res.Counts[s.Scheme.Name] = n
		res.Ignored += ignored
	}
	return res, nil
}

func query(schemeIRI string) string {
	langs := make([]string, len(euLanguages))
	for i, l := range euLanguages {
		langs[i] = `"` + l + `"`
	}
	return fmt.Sprintf(`PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?c ?l FROM <%s> WHERE {
  ?c a skos:Concept ; skos:prefLabel ?l .
  FILTER (lang(?l) IN (%s))
}`, schemeIRI, strings.Join(langs, ", "))
}

type sparqlResults struct {
	Results struct {
		Bindings []map[string]struct {
			Type  string `json:"type"`
			Value string `json:"value"`
			Lang  string `json:"xml:lang"`
		} `json:"bindings"`
	} `json:"results"`
}

func refreshScheme(ctx context.Context, get Getter, endpoint string, s *vocab.Scheme, schemeIRI string, into vocab.Labels) (int, int, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return 0, 0, fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	q := u.Query()
	q.Set("query", query(schemeIRI))
	u.RawQuery = q.Encode()
	body, err := get(ctx, u.String(), "application/sparql-results+json")
	if err != nil {
		return 0, 0, err
	}
	var r sparqlResults
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, 0, fmt.Errorf("%s: not SPARQL JSON results: %w", endpoint, err)
	}
	n, ignored := 0, 0
	for _, b := range r.Results.Bindings {
		c, l := b["c"], b["l"]
		lang, ok := vocab.NormalizeLang(l.Lang)
		label := strings.TrimSpace(l.Value)
		// Only labels of concepts of this scheme, in a language, of a
		// sane length: the endpoint is another party's data.
		if c.Type != "uri" || !strings.HasPrefix(c.Value, s.Base) || !ok || label == "" || len(label) > maxLabel {
			ignored++
			continue
		}
		if into[c.Value] == nil {
			into[c.Value] = map[string]string{}
		}
		into[c.Value][lang] = label
		n++
	}
	if n == 0 {
		return 0, ignored, fmt.Errorf("the endpoint returned no labels for %s", schemeIRI)
	}
	return n, ignored, nil
}
