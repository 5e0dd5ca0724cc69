package occapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"qlink/internal/fetch"
	"qlink/internal/source"
)

// errAbsent marks a collection the server does not publish (404).
var errAbsent = errors.New("not published")

// fetchDoc gets one JSON:API document. A link to another host is refused
// before any request: a source may only make qlink read its own host.
func (r *run) fetchDoc(ctx context.Context, href string) ([]byte, error) {
	host, ok := source.HostOf(href)
	if !ok {
		return nil, fmt.Errorf("occapi: %q is not a URL", href)
	}
	if !strings.EqualFold(host, r.host) {
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
	if ct := resp.ContentType; strings.HasPrefix(ct, "application/vnd.api+json") || strings.HasPrefix(ct, "application/json") {
		// the usual answer, known without parsing
	} else if mt := resp.MediaType(); mt != "application/vnd.api+json" && mt != "application/json" && mt != "" {
		r.Once("media-type", href, "", fmt.Sprintf("served as %s; OCCAPI documents are application/vnd.api+json", mt))
	}
	return resp.Body, nil
}

// errorsOf returns the JSON:API errors of a document that carries no data.
// Only a body that mentions errors is decoded for them: reading every
// document twice would double the cost of a harvest.
func errorsOf(body []byte) error {
	if !bytes.Contains(body, []byte(`"errors"`)) {
		return nil
	}
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

// walk reads a collection and the pages its links.next chain to (OCCAPI
// v2 has no paging, but JSON:API allows it), calling page for each
// document. It stops at the page cap and on a link back to a page already
// read.
func (r *run) walk(ctx context.Context, href string, page func(body []byte, where string) (next string, err error)) error {
	visited := map[string]bool{}
	for n := 1; href != ""; n++ {
		if r.cfg.MaxPages > 0 && n > r.cfg.MaxPages {
			return fmt.Errorf("occapi: %s: %w of %d pages", href, source.ErrPageCap, r.cfg.MaxPages)
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
		href = source.ResolveURL(href, next)
	}
	return nil
}
