package occapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"qlink/internal/fetch"
)

// errAbsent marks a collection the server does not publish (404).
var errAbsent = errors.New("not published")

// fetchDoc gets one JSON:API document. A link to another host is refused
// before any request: a source may only make qlink read its own host.
func (r *run) fetchDoc(ctx context.Context, href string) ([]byte, error) {
	u, err := url.Parse(href)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("occapi: %q is not a URL", href)
	}
	if !strings.EqualFold(u.Host, r.host) {
		return nil, fmt.Errorf("occapi: link %s points to another host than the source's (%s); not followed", href, r.host)
	}
	resp, err := r.get.Get(ctx, href)
	if err != nil {
		var fe *fetch.Error
		if errors.As(err, &fe) && fe.Kind == fetch.KindStatus && fe.Status == 404 {
			return nil, fmt.Errorf("occapi: %s: %w", href, errAbsent)
		}
		return nil, fmt.Errorf("occapi: %w", err)
	}
	if mt := resp.MediaType(); mt != "application/vnd.api+json" && mt != "application/json" && mt != "" {
		r.warnOnce("media-type", href, "", fmt.Sprintf("served as %s; OCCAPI documents are application/vnd.api+json", mt))
	}
	return resp.Body, nil
}

// errorsOf returns the JSON:API errors of a document that carries no data.
func errorsOf(body []byte) error {
	var env envelope
	if json.Unmarshal(body, &env) != nil || len(env.Errors) == 0 || len(bytes.TrimSpace(env.Data)) > 0 {
		return nil
	}
	var msgs []string
	for _, e := range env.Errors {
		msgs = append(msgs, strings.TrimSpace(e.Status+" "+e.Title))
	}
	return fmt.Errorf("the server answered with errors: %s", strings.Join(msgs, "; "))
}

// item is one resource of a collection, left raw, with where it was found.
type item struct {
	raw   json.RawMessage
	where string
}

// walk reads a collection and the pages its links.next chain to (OCCAPI
// v2 has no paging, but JSON:API allows it), calling page for each
// document. It stops at the page cap and on a link back to a page already
// read.
func (r *run) walk(ctx context.Context, href string, page func(body []byte, where string) (next string, err error)) error {
	visited := map[string]bool{}
	for n := 1; href != ""; n++ {
		if r.cfg.MaxPages > 0 && n > r.cfg.MaxPages {
			return fmt.Errorf("occapi: %s: stopped at the cap of %d pages", href, r.cfg.MaxPages)
		}
		if visited[href] {
			return fmt.Errorf("occapi: %s: the next link points back to a page already read; stopped", href)
		}
		visited[href] = true
		body, err := r.fetchDoc(ctx, href)
		if err != nil {
			return err
		}
		if err := errorsOf(body); err != nil {
			return fmt.Errorf("occapi: %s: %w", href, err)
		}
		next, err := page(body, href)
		if err != nil {
			return err
		}
		href = resolve(href, next)
	}
	return nil
}

// items splits a collection document into its resources.
func items(body []byte, where string) ([]item, string, error) {
	var doc struct {
		Data  []json.RawMessage `json:"data"`
		Links links             `json:"links"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, "", fmt.Errorf("occapi: %s: not a JSON:API collection: %w", where, err)
	}
	out := make([]item, len(doc.Data))
	for i, raw := range doc.Data {
		out[i] = item{raw, where + " item " + strconv.Itoa(i+1)}
	}
	return out, string(doc.Links.Next), nil
}

// resolve resolves ref against base ("" stays "").
func resolve(base, ref string) string {
	if ref == "" {
		return ""
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
