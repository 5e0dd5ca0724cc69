package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var formToken = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// anonymousForm is what a browser holds after loading a page with a form
// of ts: the anonymous CSRF cookie and the token that goes with it.
func anonymousForm(t *testing.T, base, page string) (cookie *http.Cookie, token string) {
	t.Helper()
	resp, err := http.Get(base + page)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		body.Write(buf[:n])
		if err != nil {
			break
		}
	}
	m := formToken.FindStringSubmatch(body.String())
	if m == nil {
		t.Fatalf("no CSRF field on %s", page)
	}
	for _, c := range resp.Cookies() {
		if strings.HasSuffix(c.Name, csrfCookie) {
			return c, m[1]
		}
	}
	t.Fatalf("no CSRF cookie from %s", page)
	return nil, ""
}

// withToken puts the token first in an encoded form body (the form's
// first csrf value is the one read).
func withToken(body, token string) string {
	return url.Values{csrfField: {token}}.Encode() + "&" + body
}

// postWithToken posts an encoded form body with the anonymous cookie and
// its token, as a browser on the same site does.
func postWithToken(u, body string, cookie *http.Cookie, token string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(withToken(body, token)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	return http.DefaultClient.Do(req)
}
