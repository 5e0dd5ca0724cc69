package testfed

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// How the transport misbehaviours of [Profiles] are served: a wrapper
// around a data source's handler.

// serveFunc serves a request for rel relative to a mount's prefix.
type serveFunc func(w http.ResponseWriter, r *http.Request, rel string)

// Sizes and pace of the misbehaviours. The bombs and the huge file are
// written until the client hangs up, at most bombSize bytes of output.
const (
	slowDelay  = 100 * time.Millisecond
	dripPause  = 100 * time.Millisecond
	bombSize   = 1 << 30
	bombChunk  = 1 << 20
	jsonDepth  = 1_000_000
	xmlDepth   = 100_000
	maxHangFor = 10 * time.Minute // a bound on a hung handler, for Close
)

// metadataAddr is where PrivateRedirect and DNSRebinding send the client.
var metadataAddr = netip.AddrFrom4([4]byte{169, 254, 169, 254})

// bombs are the compressed chunks, made once: chunk bytes of spaces.
var bombs = sync.OnceValues(func() (gz, fl []byte) {
	spaces := bytes.Repeat([]byte(" "), bombChunk)
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(spaces)
	zw.Close()
	gz = bytes.Clone(b.Bytes())
	b.Reset()
	// A flushed, non-final deflate block: repeated, it is a valid stream
	// of spaces, since its back-references only reach spaces.
	fw, _ := flate.NewWriter(&b, flate.BestCompression)
	fw.Write(spaces)
	fw.Flush()
	return gz, b.Bytes()
})

// misbehave wraps a data source's handler as the institution's profile
// says, once the federation turned hostile.
func (f *Federation) misbehave(in *Institution, inner serveFunc) serveFunc {
	if !transportLevel(in.Misbehavior) {
		return inner
	}
	bad := spoil(in, f.port, inner)
	return func(w http.ResponseWriter, r *http.Request, rel string) {
		if !f.hostile.Load() {
			inner(w, r, rel)
			return
		}
		// A hostile answer is never "not modified": the client must meet it.
		r.Header.Del("If-None-Match")
		r.Header.Del("If-Modified-Since")
		bad(w, r, rel)
	}
}

// spoil wraps a data source's handler as the institution's profile says;
// port is the federation's.
func spoil(in *Institution, port int, inner serveFunc) serveFunc {
	switch in.Misbehavior {
	case SlowResponses:
		return func(w http.ResponseWriter, r *http.Request, rel string) {
			if sleep(r, slowDelay) {
				inner(w, r, rel)
			}
		}
	case SlowDrip:
		return drip
	case NoAnswer:
		return func(w http.ResponseWriter, r *http.Request, _ string) { sleep(r, maxHangFor) }
	case Unavailable:
		return func(w http.ResponseWriter, r *http.Request, _ string) {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		}
	case ServerError:
		return func(w http.ResponseWriter, r *http.Request, _ string) {
			http.Error(w, "internal server error: database connection lost", http.StatusInternalServerError)
		}
	case HTMLErrorPage:
		return func(w http.ResponseWriter, r *http.Request, _ string) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(htmlErrorPage))
		}
	case RedirectLoop:
		return func(w http.ResponseWriter, r *http.Request, _ string) {
			http.Redirect(w, r, r.URL.RequestURI(), http.StatusFound)
		}
	case PrivateRedirect:
		return func(w http.ResponseWriter, r *http.Request, _ string) {
			http.Redirect(w, r, origin(metadataHost(in), port)+"/latest/meta-data/", http.StatusFound)
		}
	case GzipBomb, DeflateBomb, HugeFile:
		return func(w http.ResponseWriter, r *http.Request, _ string) { bomb(w, in.Misbehavior) }
	case DeepJSON:
		return func(w http.ResponseWriter, r *http.Request, _ string) {
			w.Header().Set("Content-Type", contentTypeJSON)
			w.Write([]byte(`{"pageSize":10,"pageNumber":1,"hasNextPage":false,"items":`))
			w.Write(bytes.Repeat([]byte("["), jsonDepth))
			w.Write(bytes.Repeat([]byte("]"), jsonDepth))
			w.Write([]byte("}"))
		}
	case DeepXML, EntityExpansion:
		return func(w http.ResponseWriter, r *http.Request, _ string) {
			w.Header().Set("Content-Type", "application/rdf+xml")
			w.Write(xmlBomb(in.Misbehavior))
		}
	case DNSRebinding:
		return func(w http.ResponseWriter, r *http.Request, rel string) {
			// Each page on a new connection, so each is a new lookup.
			w.Header().Set("Connection", "close")
			inner(w, r, rel)
		}
	case Truncated, InvalidUTF8, WrongContentType:
		return func(w http.ResponseWriter, r *http.Request, rel string) {
			rec := httptest.NewRecorder()
			inner(rec, r, rel)
			rewrite(w, rec, in.Misbehavior)
		}
	}
	return inner
}

// sleep waits for d or the client to hang up, and tells which came first.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// drip sends headers, then a JSON body a byte at a time, forever.
func drip(w http.ResponseWriter, r *http.Request, _ string) {
	w.Header().Set("Content-Type", contentTypeJSON)
	rc := http.NewResponseController(w)
	for _, err := w.Write([]byte("{")); err == nil; _, err = w.Write([]byte(" ")) {
		if rc.Flush() != nil || !sleep(r, dripPause) {
			return
		}
	}
}

// bomb writes the body of a compression bomb or a huge file until the
// client hangs up.
func bomb(w http.ResponseWriter, mb Misbehavior) {
	gz, fl := bombs()
	w.Header().Set("Content-Type", contentTypeJSON)
	chunk := bytes.Repeat([]byte(" "), bombChunk)
	switch mb {
	case GzipBomb:
		// Concatenated gzip members are one stream of their contents.
		w.Header().Set("Content-Encoding", "gzip")
		chunk = gz
	case DeflateBomb:
		w.Header().Set("Content-Encoding", "deflate")
		chunk = fl
	}
	if mb == HugeFile {
		w.Write([]byte("{"))
	}
	for range bombSize / bombChunk {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// xmlBomb is the RDF/XML file of DeepXML or EntityExpansion.
func xmlBomb(mb Misbehavior) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	if mb == EntityExpansion {
		b.WriteString("<!DOCTYPE rdf:RDF [\n  <!ENTITY lol0 \"lol\">\n")
		for i := 1; i <= 9; i++ {
			b.WriteString("  <!ENTITY lol" + strconv.Itoa(i) + " \"" +
				strings.Repeat("&lol"+strconv.Itoa(i-1)+";", 10) + "\">\n")
		}
		b.WriteString("]>\n")
	}
	b.WriteString(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/terms/">` + "\n")
	if mb == EntityExpansion {
		b.WriteString(`<rdf:Description rdf:about="https://example.test/c/1"><dc:title>&lol9;</dc:title></rdf:Description>`)
	} else {
		b.WriteString(`<rdf:Description rdf:about="https://example.test/c/1">`)
		b.WriteString(strings.Repeat(`<dc:relation rdf:parseType="Resource">`, xmlDepth))
		b.WriteString(strings.Repeat(`</dc:relation>`, xmlDepth))
		b.WriteString(`</rdf:Description>`)
	}
	b.WriteString("\n</rdf:RDF>\n")
	return b.Bytes()
}

// rewrite sends a recorded response spoiled as mb says.
func rewrite(w http.ResponseWriter, rec *httptest.ResponseRecorder, mb Misbehavior) {
	body := rec.Body.Bytes()
	for k, v := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	switch mb {
	case InvalidUTF8:
		// Latin-1 bytes where UTF-8 is due, as a misconfigured export
		// writes them.
		body = bytes.ReplaceAll(body, []byte(`"value":"`), []byte("\"value\":\"\xe9t\xe9 \xff"))
	case WrongContentType:
		w.Header().Set("Content-Type", wrongRDFType[strings.Split(w.Header().Get("Content-Type"), ";")[0]])
	case Truncated:
		if rec.Code == http.StatusOK && len(body) > 1 {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(rec.Code)
			w.Write(body[:len(body)/2])
			http.NewResponseController(w).Flush()
			panic(http.ErrAbortHandler) // drops the connection
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	w.Write(body)
}

// wrongRDFType gives each RDF syntax the media type of another.
var wrongRDFType = map[string]string{
	"text/turtle":         "application/ld+json",
	"application/rdf+xml": "text/turtle",
	"application/ld+json": "application/rdf+xml",
}

const htmlErrorPage = `<!DOCTYPE html>
<html lang="en"><head><title>Service temporarily unavailable</title></head>
<body><h1>Sorry, something went wrong</h1><p>Our course catalogue is being updated. Please try again later.</p></body></html>
`

// metadataHost is the host name PrivateRedirect sends clients to; the
// federation's DNS resolves it to metadataAddr.
func metadataHost(in *Institution) string { return "metadata." + in.SCHAC }

// rebinding answers a DNSRebinding host's lookups: the institution's
// address the first time, the metadata address ever after, once the
// federation is hostile.
type rebinding struct {
	first   netip.Addr
	hostile *atomic.Bool
	lookups atomic.Int64
}

func (rb *rebinding) next() netip.Addr {
	if !rb.hostile.Load() || rb.lookups.Add(1) == 1 {
		return rb.first
	}
	return metadataAddr
}

// changingManifest serves a ChangingManifest institution's manifest: the
// two versions in turn, one per request.
type changingManifest struct {
	versions [2]file
	lookups  atomic.Int64
}

// newChangingManifest renders the institution's manifest and a second
// version in which its sources have another id, name and page size.
func newChangingManifest(in *Institution, f file) *changingManifest {
	other := *in
	other.Sources = slices.Clone(in.Sources)
	for i := range other.Sources {
		s := &other.Sources[i]
		s.ID += "-v2"
		s.Name += " (new system)"
		if s.PageSize > 0 {
			s.PageSize *= 2
		}
	}
	second := f
	second.body = renderManifest(&other)
	return &changingManifest{versions: [2]file{f, second}}
}

func (c *changingManifest) serve(w http.ResponseWriter, r *http.Request, _ string) {
	f := c.versions[(c.lookups.Add(1)-1)%2]
	serveDoc(w, r, f.contentType, f.body, f.lastModified)
}
