package export

import (
	"compress/gzip"
	"context"
	"errors"
	"io"

	"qlink/internal/store"
)

// pipeChunk is how much text gzipPipe hands over at a time.
const pipeChunk = 256 << 10

// gzipPipe compresses on a goroutine of its own: while it compresses one
// chunk, the writer reads and encodes the next courses, so a dump uses
// two cores. Close must be called, whatever happened.
type gzipPipe struct {
	buf    []byte
	chunks chan []byte
	free   chan []byte
	done   chan error
}

// newGzipPipe compresses into w; name goes into the gzip header.
func newGzipPipe(w io.Writer, name string) *gzipPipe {
	zw := gzip.NewWriter(w)
	zw.Name = name
	p := &gzipPipe{buf: make([]byte, 0, pipeChunk), chunks: make(chan []byte, 1), free: make(chan []byte, 2), done: make(chan error, 1)}
	p.free <- make([]byte, 0, pipeChunk)
	go func() {
		var err error
		for c := range p.chunks {
			if err == nil {
				_, err = zw.Write(c)
			}
			p.free <- c[:0]
		}
		p.done <- errors.Join(err, zw.Close())
	}()
	return p
}

func (p *gzipPipe) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		room := min(cap(p.buf)-len(p.buf), len(b))
		p.buf = append(p.buf, b[:room]...)
		b = b[room:]
		if len(p.buf) == cap(p.buf) {
			p.chunks <- p.buf
			p.buf = <-p.free
		}
	}
	return n, nil
}

// Close compresses what is left and reports the first error of the
// compression or of the underlying writer.
func (p *gzipPipe) Close() error {
	if len(p.buf) > 0 {
		p.chunks <- p.buf
	}
	close(p.chunks)
	return <-p.done
}

// WriteCompressed is Write, gzip-compressed into w, the compression
// running beside the reading and encoding.
func WriteCompressed(ctx context.Context, st store.Store, w io.Writer, s Scope, f Format) (int, error) {
	p := newGzipPipe(w, "")
	n, err := Write(ctx, st, p, s, f)
	return n, errors.Join(err, p.Close())
}
