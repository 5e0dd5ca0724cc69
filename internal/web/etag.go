package web

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/zeebo/xxh3"
)

// maxETagBody is the largest body the ETag middleware holds back to hash;
// a longer one (a dataset download) streams on without an ETag.
const maxETagBody = 4 << 20

// etags gives every successful GET and HEAD answer a strong ETag, the
// hash of its exact bytes, and answers a matching If-None-Match with 304
// and no body. Strong, not weak: the tag is of the bytes themselves, so
// two answers with one tag are byte for byte the same, and range requests
// may rely on it. Each language version of a page has its own bytes and
// so its own tag.
//
// The hash is XXH3's 128 bits, not SHA-256: hashing an API answer of
// 80 KB with SHA-256 took a sixth of the CPU of a search answered from
// the caches. Two answers share a tag by chance with odds of 2^-128; a
// publisher who crafted two answers to collide would gain no more than
// clients keeping the earlier of them, which a tag is there to allow.
//
// The body is buffered to hash it. A handler opts out by setting its own
// ETag (it then answers If-None-Match itself, as http.ServeContent does),
// by flushing (server-sent events, progress streams), or by writing more
// than maxETagBody.
func etags(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		bw := &bufferedWriter{ResponseWriter: w, buf: newHeldBody()}
		next.ServeHTTP(bw, r)
		bw.finish(r)
		releaseHeldBody(bw.buf)
	})
}

// heldBodies are the buffers answers are held back in (here and at the
// search gate), reused: an API answer of twenty courses is some 80 KB,
// which a fresh buffer reached by doubling seven times, every answer (a
// fifth of serve's allocations under load).
var heldBodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxHeldBodyKept is the largest buffer put back for reuse; one grown
// larger by a rare long answer goes to the garbage collector.
const maxHeldBodyKept = 512 << 10

func newHeldBody() *bytes.Buffer { return heldBodies.Get().(*bytes.Buffer) }

// releaseHeldBody takes back a buffer from newHeldBody once what it held
// has been written on.
func releaseHeldBody(b *bytes.Buffer) {
	if b.Cap() <= maxHeldBodyKept {
		b.Reset()
		heldBodies.Put(b)
	}
}

// bufferedWriter holds back a 200 answer until the handler returns; any
// other status, an ETag of the handler's own, a cookie set, a flush or a
// large body make it pass everything straight through.
type bufferedWriter struct {
	http.ResponseWriter
	status      int
	buf         *bytes.Buffer
	passThrough bool
}

func (bw *bufferedWriter) WriteHeader(status int) {
	if bw.status != 0 {
		return
	}
	bw.status = status
	// An answer that sets a cookie (a visitor's first page gets its CSRF
	// cookie) is that visitor's alone: it is not tagged.
	if status != http.StatusOK || bw.Header().Get("ETag") != "" || bw.Header().Get("Set-Cookie") != "" {
		bw.startPassThrough()
	}
}

func (bw *bufferedWriter) Write(p []byte) (int, error) {
	if bw.status == 0 {
		bw.WriteHeader(http.StatusOK)
	}
	if bw.passThrough {
		return bw.ResponseWriter.Write(p)
	}
	if bw.buf.Len()+len(p) > maxETagBody {
		bw.startPassThrough()
		return bw.ResponseWriter.Write(p)
	}
	return bw.buf.Write(p)
}

// Flush is a streaming handler's signal: what is held goes out now,
// and so does everything after it.
func (bw *bufferedWriter) Flush() {
	if bw.status == 0 {
		bw.WriteHeader(http.StatusOK)
	}
	bw.startPassThrough()
	http.NewResponseController(bw.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (bw *bufferedWriter) Unwrap() http.ResponseWriter { return bw.ResponseWriter }

func (bw *bufferedWriter) startPassThrough() {
	if bw.passThrough {
		return
	}
	bw.passThrough = true
	bw.ResponseWriter.WriteHeader(bw.status)
	bw.ResponseWriter.Write(bw.buf.Bytes())
	bw.buf.Reset()
}

// finish tags and sends a held answer, or 304 when the client has it.
func (bw *bufferedWriter) finish(r *http.Request) {
	if bw.passThrough {
		return
	}
	if bw.status == 0 { // the handler wrote nothing at all
		bw.status = http.StatusOK
	}
	sum := xxh3.Hash128(bw.buf.Bytes()).Bytes()
	tag := `"` + base64.RawURLEncoding.EncodeToString(sum[:]) + `"`
	h := bw.Header()
	h.Set("ETag", tag)
	if etagMatches(r.Header.Get("If-None-Match"), tag) {
		// A 304 carries no body and no headers describing one.
		h.Del("Content-Length")
		h.Del("Content-Type")
		bw.ResponseWriter.WriteHeader(http.StatusNotModified)
		return
	}
	// The length is known: the answer goes out in one piece, not chunked.
	h.Set("Content-Length", strconv.Itoa(bw.buf.Len()))
	bw.ResponseWriter.WriteHeader(bw.status)
	bw.ResponseWriter.Write(bw.buf.Bytes())
}

// etagMatches reports whether an If-None-Match list names tag; "*" matches
// any, and the comparison is weak, as RFC 9110 §13.1.2 asks for this header.
func etagMatches(header, tag string) bool {
	for c := range strings.SplitSeq(header, ",") {
		c = strings.TrimPrefix(strings.TrimSpace(c), "W/")
		if c == "*" || c == tag {
			return true
		}
	}
	return false
}
