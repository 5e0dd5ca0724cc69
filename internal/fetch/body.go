package fetch

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxEncodings bounds stacked Content-Encodings (gzip of gzip …): each
// layer is streamed, but there is no honest reason for more than two.
const maxEncodings = 2

// readBody reads and decodes a body. The cap applies to the bytes on the
// wire and again to the decoded bytes, and both are enforced while
// streaming, so a compression bomb fails with KindTooLarge after at most
// limit bytes of output instead of being inflated in memory.
func readBody(hresp *http.Response, limit int64) ([]byte, error) {
	encs, err := contentEncodings(hresp.Header)
	if err != nil {
		return nil, err
	}
	if len(encs) == 0 && hresp.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	var r io.Reader = &capReader{r: hresp.Body, left: limit}
	for i := len(encs) - 1; i >= 0; i-- {
		if r, err = decoder(encs[i], r); err != nil {
			return nil, err
		}
	}
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return body, encodingError(encs, err)
	}
	if int64(len(body)) > limit {
		return body[:limit], tooLarge(limit)
	}
	return body, nil
}

func tooLarge(limit int64) *Error {
	return &Error{Kind: KindTooLarge, Err: fmt.Errorf("body exceeds %d bytes", limit)}
}

// contentEncodings lists the codings applied to the body, in the order
// they were applied; identity is dropped.
func contentEncodings(h http.Header) ([]string, error) {
	var encs []string
	for _, v := range h.Values("Content-Encoding") {
		for _, e := range strings.Split(v, ",") {
			e = strings.ToLower(strings.TrimSpace(e))
			switch e {
			case "", "identity":
			case "gzip", "x-gzip", "deflate":
				encs = append(encs, e)
			default:
				return nil, &Error{Kind: KindEncoding, Err: fmt.Errorf("content encoding %q was not asked for (we accept gzip and deflate)", e)}
			}
		}
	}
	if len(encs) > maxEncodings {
		return nil, &Error{Kind: KindEncoding, Err: fmt.Errorf("%d stacked content encodings", len(encs))}
	}
	return encs, nil
}

func decoder(enc string, r io.Reader) (io.Reader, error) {
	if enc == "deflate" {
		return deflateReader(r)
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, encodingError([]string{enc}, err)
	}
	return zr, nil
}

// deflateReader reads "deflate", which RFC 9110 defines as zlib-wrapped
// but which many servers send as a raw RFC 1951 stream: the first two
// bytes tell them apart.
func deflateReader(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if err != nil {
		if len(head) == 0 && err == io.EOF {
			return br, nil // an empty body
		}
		return nil, encodingError([]string{"deflate"}, err)
	}
	if head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, encodingError([]string{"deflate"}, err)
		}
		return zr, nil
	}
	return flate.NewReader(br), nil
}

// encodingError calls a decoder's complaint corrupt compression; other
// errors (the size cap, a timeout, a dropped connection) keep their kind.
func encodingError(encs []string, err error) error {
	var corrupt flate.CorruptInputError
	if len(encs) == 0 || !(errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) ||
		errors.Is(err, zlib.ErrHeader) || errors.Is(err, zlib.ErrChecksum) || errors.Is(err, zlib.ErrDictionary) ||
		errors.As(err, &corrupt)) {
		return err
	}
	return &Error{Kind: KindEncoding, Err: fmt.Errorf("corrupt %s body: %w", strings.Join(encs, "+"), err)}
}

// capReader fails with KindTooLarge once more than left bytes arrive.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n + int(c.left), &Error{Kind: KindTooLarge, Err: fmt.Errorf("body on the wire exceeds the cap")}
	}
	return n, err
}
