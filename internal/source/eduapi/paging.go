package eduapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"qlink/internal/source"
)

// item is one record of a collection with a label that locates it.
type item struct {
	raw   json.RawMessage
	where string
}

// errIgnoresOffset marks a server that sends the same page for every
// offset: without the check it would be read forever.
var errIgnoresOffset = errors.New("the server sent the same page again (it ignores offset, or its next link does); stopped")

// list reads every page of collection name with limit and offset.
//
// Where the next page is: the RFC 8288 Link header's rel="next" when the
// server sends paging links (none means this is the last page); else the
// X-Total-Count header; else a page shorter than both the limit and an
// earlier page (a server may cap the limit, so a first page shorter than
// asked is not yet the end: one more request settles it). An empty page
// always ends the list. Reading stops with an error at the page cap, on a
// Link loop, and when a full page repeats the previous one.
func (r *run) list(ctx context.Context, name string, extra url.Values) ([]item, error) {
	var (
		items   []item
		offset  int
		longest int
		prev    [sha256.Size]byte
		visited = map[string]bool{}
		next    = r.pageURL(name, 0, extra)
	)
	for n := 1; ; n++ {
		if r.cfg.MaxPages > 0 && n > r.cfg.MaxPages {
			return items, fmt.Errorf("%s: %w of %d pages", r.base+name, source.ErrPageCap, r.cfg.MaxPages)
		}
		if visited[next] {
			return items, fmt.Errorf("%s: the Link header points back to a page already read; stopped", next)
		}
		visited[next] = true
		resp, err := r.get.Get(ctx, next)
		if err != nil {
			return items, err
		}
		page, err := r.decodePage(resp.Body, name, next)
		if err != nil {
			return items, err
		}
		link, paged := nextLink(resp.Header.Values("Link"), next)
		total, counted := totalCount(resp.Header)
		sum := sha256.Sum256(resp.Body)
		if n > 1 && len(page) > 0 && sum == prev {
			if link == "" && !counted && len(page) < r.limit {
				return items, nil // it ignores offset, but everything fitted on one page
			}
			return items, fmt.Errorf("%s: %w", next, errIgnoresOffset)
		}
		prev = sum
		for i, raw := range page {
			items = append(items, item{raw, next + " item " + strconv.Itoa(i+1)})
		}
		offset += len(page)
		switch {
		case len(page) == 0:
			r.checkTotal(total, counted, name, offset)
			return items, nil
		case paged && link == "":
			return items, nil
		case paged:
			next = link
			continue
		case counted && offset >= total:
			return items, nil
		case !counted && len(page) < r.limit && len(page) < longest:
			return items, nil
		}
		longest = max(longest, len(page))
		next = r.pageURL(name, offset, extra)
	}
}

func (r *run) pageURL(name string, offset int, extra url.Values) string {
	q := url.Values{"limit": {strconv.Itoa(r.limit)}, "offset": {strconv.Itoa(offset)}}
	for k, v := range extra {
		q[k] = v
	}
	return r.base + name + "?" + q.Encode()
}

// checkTotal warns when a list ended before the count the server gave.
func (r *run) checkTotal(total int, counted bool, name string, got int) {
	if counted && got < total {
		r.Warn("", "X-Total-Count", fmt.Sprintf("%s: the server counted %d records but sent %d", name, total, got))
	}
}

func totalCount(h http.Header) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Total-Count")))
	return n, err == nil && n >= 0
}

// decodePage returns the records of one page: a bare JSON array as the
// specification says, or, with a warning, an object wrapping it under the
// collection's name.
func (r *run) decodePage(body []byte, name, pageURL string) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	var page []json.RawMessage
	if len(body) > 0 && body[0] == '{' {
		var wrapped map[string]json.RawMessage
		if err := json.Unmarshal(body, &wrapped); err != nil {
			return nil, fmt.Errorf("%s: not JSON: %w", pageURL, err)
		}
		inner, ok := wrapped[name]
		if !ok || json.Unmarshal(inner, &page) != nil {
			return nil, fmt.Errorf("%s: not an Edu-API collection: an object without a %q array", pageURL, name)
		}
		r.Once("wrapped:"+name, "", "", fmt.Sprintf("%s: the records are wrapped in an object under %q; Edu-API sends a bare array", name, name))
		return page, nil
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, fmt.Errorf("%s: not an Edu-API collection (a JSON array): %w", pageURL, err)
	}
	return page, nil
}

// nextLink reads RFC 8288 Link header values. paged is true when they
// hold any paging relation (next, prev, first, last); next is the target
// of rel="next", resolved against the page's URL, or "" when there is
// none.
func nextLink(values []string, base string) (next string, paged bool) {
	for _, v := range values {
		for _, link := range splitLinks(v) {
			target, params, ok := strings.Cut(link, ">")
			target = strings.TrimSpace(target)
			if !ok || !strings.HasPrefix(target, "<") {
				continue
			}
			for _, rel := range linkRels(params) {
				switch rel {
				case "next":
					if next == "" {
						next = source.ResolveURL(base, target[1:])
					}
					paged = true
				case "prev", "previous", "first", "last":
					paged = true
				}
			}
		}
	}
	return next, paged
}

// splitLinks splits a Link header value at the commas between links
// (commas inside <…> or quotes belong to the link).
func splitLinks(v string) []string {
	var out []string
	inURL, inQuote, start := false, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '<' && !inQuote:
			inURL = true
		case c == '>' && !inQuote:
			inURL = false
		case c == '"' && !inURL:
			inQuote = !inQuote
		case c == ',' && !inURL && !inQuote:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

// linkRels returns the lower-cased relation types of a link's parameters
// (rel may hold several, space-separated).
func linkRels(params string) []string {
	var rels []string
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
			continue
		}
		rels = append(rels, strings.Fields(strings.ToLower(strings.Trim(strings.TrimSpace(v), `"`)))...)
	}
	return rels
}
