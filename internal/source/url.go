package source

import (
	"net/url"
	"strings"
)

// HostOf returns the host (with port) of an absolute http(s) URL, without
// parsing all of it: it is asked of every link a source gives.
func HostOf(href string) (string, bool) {
	var rest string
	switch {
	case len(href) > 8 && strings.EqualFold(href[:8], "https://"):
		rest = href[8:]
	case len(href) > 7 && strings.EqualFold(href[:7], "http://"):
		rest = href[7:]
	default:
		return "", false
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if rest == "" || strings.ContainsAny(rest, "@\\ ") {
		return "", false
	}
	return rest, true
}

// ResolveURL resolves a link against the URL of the page that gave it
// ("" stays ""). Absolute links, what servers mostly give, need no
// parsing.
func ResolveURL(base, ref string) string {
	if ref == "" {
		return ""
	}
	if _, ok := HostOf(ref); ok {
		return ref
	}
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	u, err := b.Parse(ref)
	if err != nil {
		return ref
	}
	return u.String()
}
