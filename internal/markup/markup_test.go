package markup

import (
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Plain text\nsecond line", "Plain text<br>second line"},
		{"I <3 data", "I &lt;3 data"},
		{"<p>Hello <strong>world</strong></p>", "<p>Hello <strong>world</strong></p>"},
		{`<p onclick="x()" class="a">Hi</p>`, "<p>Hi</p>"},
		{`<script>alert(1)</script><p>ok</p>`, "<p>ok</p>"},
		{`<a href="javascript:alert(1)">x</a>`, "<a>x</a>"},
		{`<a href="https://uni.test/?a=1&b=2" target="_blank">x</a>`, `<a href="https://uni.test/?a=1&amp;b=2" rel="nofollow noopener">x</a>`},
		{`<img src=x onerror=alert(1)>text`, "text"},
		{`<h2>Heading</h2><p>Body`, "<strong>Heading</strong><p>Body</p>"},
		{`<p><em>unclosed`, "<p><em>unclosed</em></p>"},
		{`</p>stray close<div>in div</div>`, "stray closein div"},
		{`<style>p{}</style><svg><script>x</script></svg>kept`, "kept"},
		{`<table border='1'><tr><td style='w'>R1</td></tr></table>`, "<table><tr><td>R1</td></tr></table>"},
		{`a &amp; b &lt;i&gt;`, "a &amp; b &lt;i&gt;"},
	}
	for _, tc := range cases {
		if got := Sanitize(tc.in); got != tc.want {
			t.Errorf("Sanitize(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestPlainTextAndSnippet(t *testing.T) {
	in := "<p>Conjuntos de números.</p> \n <p>Funciones,&nbsp;límites<br>continuidad</p><script>x()</script><ul><li>one</li><li>two</li></ul>"
	want := "Conjuntos de números.\nFunciones,\u00a0límites\ncontinuidad\none\ntwo"
	if got := PlainText(in); got != strings.ReplaceAll(want, "\u00a0", " ") && got != want {
		t.Errorf("PlainText = %q", got)
	}
	if got := Snippet("<p>The quick brown fox jumps over the lazy dog</p>", 20); got != "The quick brown fox…" {
		t.Errorf("Snippet = %q", got)
	}
	if got := Snippet("short", 20); got != "short" {
		t.Errorf("Snippet = %q", got)
	}
}

// FuzzSanitize checks that whatever goes in, only allowed elements come
// out, with no attribute but a vetted href.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"<p>x</p>", `<a href="https://x">y</a>`, "<script>x</script>", `<img onerror=x>`, "<p><b>x</p></b>", "<<>>&&;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Sanitize(in)
		z := html.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return
			}
			tok := z.Token()
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			if !allowed[tok.DataAtom] {
				t.Fatalf("Sanitize(%q) emitted <%s>: %q", in, tok.Data, out)
			}
			for _, a := range tok.Attr {
				if a.Key == "href" && tok.DataAtom == atom.A && (strings.HasPrefix(a.Val, "http") || strings.HasPrefix(a.Val, "mailto:")) {
					continue
				}
				if a.Key == "rel" && tok.DataAtom == atom.A {
					continue
				}
				t.Fatalf("Sanitize(%q) kept attribute %s=%q: %q", in, a.Key, a.Val, out)
			}
		}
	})
}
