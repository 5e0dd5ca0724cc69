package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"qlink/internal/rdf"
)

// representation is one form a course can be served in.
type representation struct {
	// Format is the value of the format parameter that asks for it.
	Format string
	// MediaType is what Accept names it by and Content-Type says.
	MediaType string
	// RDF is the serialisation, FormatUnknown for the page and the API JSON.
	RDF rdf.Format
}

// representations are the forms of a course, in the server's order of
// preference: where a client accepts several equally (*/*, as browsers
// send), the first wins, so people get the page.
var representations = []representation{
	{"html", "text/html", rdf.FormatUnknown},
	{"json", "application/json", rdf.FormatUnknown},
	{"jsonld", "application/ld+json", rdf.FormatJSONLD},
	{"ttl", "text/turtle", rdf.FormatTurtle},
	{"nt", "application/n-triples", rdf.FormatNTriples},
}

func (rep representation) isHTML() bool { return rep.Format == "html" }

// contentType is the Content-Type header of the representation: every
// form qlink writes is UTF-8.
func (rep representation) contentType() string { return rep.MediaType + "; charset=utf-8" }

// negotiate picks the representation a request asks for: the format
// parameter when present (for clients that cannot set headers), else the
// Accept header with its q-values, else the page. ok is false when nothing
// offered fits.
func negotiate(r *http.Request) (rep representation, ok bool) {
	if f := r.URL.Query().Get("format"); f != "" {
		for _, rep := range representations {
			if rep.Format == f {
				return rep, true
			}
		}
		return representation{}, false
	}
	ranges := parseAccept(r.Header.Values("Accept"))
	if len(ranges) == 0 {
		return representations[0], true
	}
	best, bestQ := -1, 0.0
	for i, rep := range representations {
		if q := quality(ranges, rep.MediaType); q > bestQ {
			best, bestQ = i, q
		}
	}
	if best < 0 {
		return representation{}, false
	}
	return representations[best], true
}

// mediaRange is one entry of an Accept header.
type mediaRange struct {
	typ, sub string
	q        float64
}

// parseAccept reads the media ranges of Accept headers (RFC 9110 §12.5.1),
// at most maxAcceptRanges of them. Malformed ranges are skipped, so a
// header with no valid range counts as no preference.
func parseAccept(headers []string) []mediaRange {
	var out []mediaRange
	for _, h := range headers {
		for part := range strings.SplitSeq(h, ",") {
			if len(out) == maxAcceptRanges {
				return out
			}
			if mr, ok := parseMediaRange(part); ok {
				out = append(out, mr)
			}
		}
	}
	return out
}

func parseMediaRange(s string) (mediaRange, bool) {
	mt, params, _ := strings.Cut(s, ";")
	typ, sub, ok := strings.Cut(strings.ToLower(strings.TrimSpace(mt)), "/")
	if !ok || typ == "" || sub == "" || (typ == "*" && sub != "*") {
		return mediaRange{}, false
	}
	mr := mediaRange{typ: typ, sub: sub, q: 1}
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue // media type parameters do not change the match
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(q) || q < 0 || q > 1 {
			return mediaRange{}, false
		}
		mr.q = q
		break // what follows q are accept extensions
	}
	return mr, true
}

// quality is the q-value the most specific range matching mediaType gives
// it (type/subtype over type/* over */*), 0 when none matches.
func quality(ranges []mediaRange, mediaType string) float64 {
	typ, sub, _ := strings.Cut(mediaType, "/")
	q, specificity := 0.0, 0
	for _, mr := range ranges {
		s := 0
		switch {
		case mr.typ == typ && mr.sub == sub:
			s = 3
		case mr.typ == typ && mr.sub == "*":
			s = 2
		case mr.typ == "*":
			s = 1
		}
		if s > specificity {
			q, specificity = mr.q, s
		}
	}
	return q
}

// offeredTypes lists the media types and format values on offer, for a 406.
func offeredTypes() string {
	var b strings.Builder
	for _, rep := range representations {
		b.WriteString(rep.MediaType + " (format=" + rep.Format + ")\n")
	}
	return b.String()
}
