package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"qlink/internal/store"
)

// upload posts a multipart form with one file, as a browser's file input
// sends it.
func (b *browser) upload(path, csrf, field, filename, content string) (*http.Response, string) {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	must(b.t, mw.WriteField("csrf", csrf))
	fw, err := mw.CreateFormFile(field, filename)
	must(b.t, err)
	io.WriteString(fw, content)
	must(b.t, mw.Close())
	req, err := http.NewRequest("POST", b.f.ts.URL+path, &buf)
	must(b.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	client := b.f.ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	must(b.t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func TestOperatorEntersAndRemovesAnAlliance(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	ctx := context.Background()
	b, tok := signedInOperator(t, f)
	form := url.Values{"csrf": {tok}, "id": {"duo"}, "name": {"Duo <script>alert(1)</script>"}, "lang": {"en"},
		"website": {"https://duo.example"}, "members": {"A\r\nnot-yet.example\r\n"}}
	if resp, body := b.do("POST", "/admin/alliances", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving an alliance: %d\n%s", resp.StatusCode, body)
	}
	a, err := f.st.Alliance(ctx, "duo")
	if err != nil || a.Origin != store.OriginOperator || len(a.Providers) != 1 || a.Providers[0] != "A" || len(a.Unmatched) != 1 {
		t.Fatalf("stored alliance: %+v, %v", a, err)
	}
	if f.ops.syncs != 1 {
		t.Errorf("index syncs queued: %d, want 1", f.ops.syncs)
	}
	_, body := b.do("GET", "/admin/alliances?done=alliance-saved", nil)
	if !strings.Contains(body, "The alliance is saved") || !strings.Contains(body, "not-yet.example") || strings.Contains(body, "<script>alert(1)") {
		t.Errorf("alliance page lacks the confirmation or the unmatched member, or shows the name unescaped")
	}
	if e := f.audit(t, "alliance.save"); len(e) != 1 || e[0].Target != "duo" || e[0].Actor != "ops" {
		t.Errorf("audit of the save: %+v", e)
	}

	for _, bad := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"id": {"a/b"}, "name": {"X"}}, "alliance id"},
		{url.Values{"id": {"x"}, "name": {""}}, "name is required"},
		{url.Values{"id": {"x"}, "name": {"X"}, "website": {"javascript:alert(1)"}}, "website"},
		{url.Values{"id": {"x"}, "name": {"X"}, "lang": {"not a tag!"}}, "language tag"},
		{url.Values{"id": {"x"}, "name": {"X"}, "members": {strings.Repeat("m.example\n", maxAllianceMembers+1)}}, "At most"},
	} {
		bad.form.Set("csrf", tok)
		resp, body := b.do("POST", "/admin/alliances", bad.form)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, bad.want) || !strings.Contains(body, `id="alliance-error"`) {
			t.Errorf("%v: %d, want 400 naming %q", bad.form, resp.StatusCode, bad.want)
		}
	}

	if resp, _ := b.do("POST", "/admin/alliances/duo/delete", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("removing: %d", resp.StatusCode)
	}
	if _, err := f.st.Alliance(ctx, "duo"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after removal: %v", err)
	}
	if resp, _ := b.do("POST", "/admin/alliances/duo/delete", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("removing an unknown alliance: %d, want 404", resp.StatusCode)
	}
}

func TestOperatorUploadsAllianceData(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	ctx := context.Background()
	b, tok := signedInOperator(t, f)
	csv := "alliance,name,lang,website,member\ntrio,Trio,en,,A\ntrio,,,,B\nsolo,Solo,en,,A\n"
	if resp, body := b.upload("/admin/alliances/import", tok, "data", "alliances.csv", csv); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", resp.StatusCode, body)
	}
	trio, err := f.st.Alliance(ctx, "trio")
	if err != nil || trio.Origin != "upload:alliances.csv" || len(trio.Providers) != 2 {
		t.Fatalf("trio: %+v, %v", trio, err)
	}
	// The same file again without solo removes solo, and nothing else.
	b.do("POST", "/admin/alliances", url.Values{"csrf": {tok}, "id": {"hand"}, "name": {"By hand"}})
	csv = "alliance,name,lang,website,member\ntrio,Trio,en,,A\n"
	if resp, _ := b.upload("/admin/alliances/import", tok, "data", `C:\data\alliances.csv`, csv); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second upload: %d", resp.StatusCode)
	}
	if _, err := f.st.Alliance(ctx, "solo"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("solo after the file dropped it: %v", err)
	}
	if _, err := f.st.Alliance(ctx, "hand"); err != nil {
		t.Errorf("an alliance entered by hand was touched by the upload: %v", err)
	}
	if e := f.audit(t, "alliance.import"); len(e) != 2 || !strings.Contains(string(e[0].Details), `"removed":["solo"]`) {
		t.Errorf("audit of the imports: %+v", e)
	}

	resp, body := b.upload("/admin/alliances/import", tok, "data", "broken.ttl", "@prefix ql: <http://x#> .\n<a> ql:isMemberOf")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "broken.ttl") {
		t.Errorf("a broken Turtle file: %d, want 400 naming the file\n%s", resp.StatusCode, body)
	}
	big := strings.Repeat("x", maxAllianceUploadBytes+1)
	if resp, body := b.upload("/admin/alliances/import", tok, "data", "big.csv", big); resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusOK {
		t.Errorf("an oversized file was taken: %d\n%.300s", resp.StatusCode, body)
	}
}

// TestMultipartFormsLeaveNoTempFiles: a multipart body is parsed for its
// CSRF token before anyone is known, so an anonymous visitor could post
// uploads whose file parts Go spills to temporary files. Those must not
// outlive the request, whether the form was accepted or not.
func TestMultipartFormsLeaveNoTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f := newAccountsFixture(t, false, nil)
	anon := f.browser(t)
	tok := anon.csrf("/admin/login")
	big := strings.Repeat("x", maxAllianceUploadBytes-1000)
	for range 3 {
		anon.upload("/admin/alliances/import", tok, "data", "big.csv", big)
	}
	operator, opTok := signedInOperator(t, f)
	operator.upload("/admin/alliances/import", opTok, "data", "big.csv", big)
	if resp, _ := operator.upload("/admin/alliances/import", opTok, "data", "bigger.csv", big+strings.Repeat("y", 200<<10)); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("an upload over the limit: %d, want 413", resp.StatusCode)
	}
	left, err := os.ReadDir(tmp)
	must(t, err)
	if len(left) > 0 {
		t.Errorf("%d files left in the temporary directory after the uploads, e.g. %s", len(left), left[0].Name())
	}
}
