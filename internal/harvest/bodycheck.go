package harvest

import (
	"bytes"
	"cmp"
	"fmt"
	"unicode/utf8"

	"qlink/internal/fetch"
)

// checkBody refuses an answer no adapter can read sensibly, saying why,
// before a parser reports only a puzzling first byte: an HTML page (a
// server's error or login page sent with 200) and text that is not UTF-8
// (JSON and Turtle must be; an XML document declares its own encoding and
// is left to its parser). Unchecked bytes would otherwise reach the
// catalogue as replacement characters.
func checkBody(resp *fetch.Response) error {
	body := bytes.TrimLeft(bytes.TrimPrefix(resp.Body, []byte("\uFEFF")), " \t\r\n")
	if looksLikeHTML(body) {
		return fmt.Errorf("%s: the server answered %d with an HTML page (%s), not course data; it may be an error or login page",
			resp.URL, resp.Status, cmp.Or(resp.ContentType, "no content type"))
	}
	if len(body) > 0 && body[0] != '<' && !utf8.Valid(body) {
		return fmt.Errorf("%s: not valid UTF-8 at byte %d; JSON and Turtle must be UTF-8 (was it exported as Latin-1?)",
			resp.URL, invalidUTF8At(resp.Body))
	}
	return nil
}

func looksLikeHTML(body []byte) bool {
	head := bytes.ToLower(body[:min(len(body), 15)])
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}

// invalidUTF8At returns the offset of the first byte that is not UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}
