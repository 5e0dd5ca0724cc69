// Package markup handles the HTML that sources put in text fields (OOAPI
// descriptions routinely carry <p>, <br>, tables and links). Sanitize keeps
// a small set of harmless formatting for display; PlainText strips all of
// it for search and snippets. Both are built on the HTML5 tokenizer, never
// on regular expressions.
package markup

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// allowed lists the elements Sanitize keeps (without attributes, except a
// vetted href on links). Headings are kept as strong text: a course page
// has its own heading structure that source headings must not break.
var allowed = map[atom.Atom]bool{
	atom.P: true, atom.Br: true, atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Strong: true, atom.B: true,
	atom.Em: true, atom.I: true, atom.A: true, atom.Table: true, atom.Thead: true, atom.Tbody: true, atom.Tr: true,
	atom.Th: true, atom.Td: true, atom.Sub: true, atom.Sup: true,
}

// dropped elements lose their content too.
var dropped = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Iframe: true, atom.Object: true,
	atom.Embed: true, atom.Template: true, atom.Noscript: true, atom.Svg: true, atom.Math: true, atom.Head: true, atom.Title: true}

var headings = map[atom.Atom]bool{atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true}

// Sanitize returns s as safe HTML: allowed elements without attributes,
// links only to http(s) and mailto with rel="nofollow noopener", and every
// other element removed with its text kept. Plain text (no markup) comes
// back with line breaks as <br>.
func Sanitize(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.ReplaceAll(html.EscapeString(strings.TrimSpace(s)), "\n", "<br>")
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	var open []atom.Atom // elements we emitted, to close them properly
	skip := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break // io.EOF, or input the tokenizer gave up on
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			if skip == 0 {
				b.WriteString(html.EscapeString(tok.Data))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			if dropped[tok.DataAtom] {
				if tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if skip > 0 {
				continue
			}
			if headings[tok.DataAtom] {
				b.WriteString("<strong>")
				open = append(open, atom.Strong)
				continue
			}
			if !allowed[tok.DataAtom] {
				continue
			}
			b.WriteString(openTag(tok))
			if tt == html.StartTagToken && tok.DataAtom != atom.Br {
				open = append(open, tok.DataAtom)
			}
		case html.EndTagToken:
			if dropped[tok.DataAtom] {
				if skip > 0 {
					skip--
				}
				continue
			}
			want := tok.DataAtom
			if headings[want] {
				want = atom.Strong
			}
			if skip > 0 || !contains(open, want) {
				continue
			}
			// Close everything opened since, so output stays well formed.
			for len(open) > 0 {
				last := open[len(open)-1]
				open = open[:len(open)-1]
				b.WriteString("</" + last.String() + ">")
				if last == want {
					break
				}
			}
		}
	}
	for i := len(open) - 1; i >= 0; i-- {
		b.WriteString("</" + open[i].String() + ">")
	}
	return strings.TrimSpace(b.String())
}

func contains(open []atom.Atom, a atom.Atom) bool {
	for _, o := range open {
		if o == a {
			return true
		}
	}
	return false
}

func openTag(tok html.Token) string {
	if tok.DataAtom != atom.A {
		return "<" + tok.DataAtom.String() + ">"
	}
	for _, a := range tok.Attr {
		if a.Key != "href" {
			continue
		}
		u, err := url.Parse(strings.TrimSpace(a.Val))
		if err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "mailto") {
			return `<a href="` + html.EscapeString(u.String()) + `" rel="nofollow noopener">`
		}
	}
	return "<a>"
}

// blocks end a line in plain text.
var blocks = map[atom.Atom]bool{atom.P: true, atom.Br: true, atom.Li: true, atom.Div: true, atom.Tr: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Table: true}

// PlainText strips markup and entities, keeping block boundaries as
// newlines and collapsing runs of white space.
func PlainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return collapse(s)
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			if skip == 0 {
				b.WriteString(tok.Data)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			if dropped[tok.DataAtom] && tt == html.StartTagToken {
				skip++
			}
			if blocks[tok.DataAtom] {
				b.WriteByte('\n')
			} else if tok.DataAtom == atom.Td || tok.DataAtom == atom.Th {
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			if dropped[tok.DataAtom] && skip > 0 {
				skip--
			}
			if blocks[tok.DataAtom] {
				b.WriteByte('\n')
			}
		}
	}
	return collapse(b.String())
}

// collapse trims each line, folds runs of spaces and drops empty lines.
func collapse(s string) string {
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// Snippet returns the first n runes of the plain text, cut at a word.
func Snippet(s string, n int) string {
	plain := strings.ReplaceAll(PlainText(s), "\n", " ")
	r := []rune(plain)
	if len(r) <= n {
		return plain
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}
