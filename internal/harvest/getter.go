package harvest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"qlink/internal/fetch"
	"qlink/internal/manifest"
	"qlink/internal/store"
)

// pageGetter is the source.Getter a harvest gives its adapter: it applies
// the manifest's headers and query parameters, keeps every response as a
// snapshot with a run page, and refuses URLs off the source's host, so a
// source cannot make qlink fetch (and store) someone else's data.
type pageGetter struct {
	h     *Harvester
	runID int64
	entry manifest.Source
	host  string

	// preview skips snapshots: `qlink check` stores nothing.
	preview bool

	mu    sync.Mutex
	seq   int
	bytes int64
}

func newPageGetter(h *Harvester, runID int64, entry manifest.Source) (*pageGetter, error) {
	u, err := url.Parse(entry.Path)
	if err != nil {
		return nil, fmt.Errorf("source path %q: %w", entry.Path, err)
	}
	return &pageGetter{h: h, runID: runID, entry: entry, host: u.Host}, nil
}

func (g *pageGetter) Get(ctx context.Context, raw string) (*fetch.Response, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &fetch.Error{Kind: fetch.KindURL, URL: raw, Err: err}
	}
	if u.Host != g.host {
		return nil, &fetch.Error{Kind: fetch.KindBlocked, URL: raw, Err: fmt.Errorf("outside the source's host %s", g.host)}
	}
	req := fetch.Request{URL: raw, Header: http.Header{}, Query: url.Values{}}
	for k, v := range g.entry.Headers {
		req.Header.Set(k, v)
	}
	for k, v := range g.entry.QueryParameters {
		req.Query.Set(k, v)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := g.h.Fetcher.Get(ctx, req)
	if resp != nil {
		if rerr := g.record(ctx, resp); rerr != nil && err == nil {
			err = rerr
		}
	}
	return resp, err
}

func (g *pageGetter) record(ctx context.Context, resp *fetch.Response) error {
	if g.preview {
		g.mu.Lock()
		g.seq++
		g.mu.Unlock()
		return nil
	}
	key := ""
	if len(resp.Body) > 0 {
		var err error
		if key, err = g.h.Blobs.Put(ctx, resp.Body); err != nil {
			return err
		}
	}
	g.mu.Lock()
	g.seq++
	seq := g.seq
	g.bytes += int64(len(resp.Body))
	g.mu.Unlock()
	return g.h.Store.AddRunPage(ctx, store.RunPage{RunID: g.runID, Seq: seq, URL: resp.URL, Status: resp.Status,
		ContentType: resp.ContentType, Bytes: int64(len(resp.Body)), Blob: key, FetchedAt: g.h.Now()})
}

func (g *pageGetter) totals() (pages int, bytes int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.seq, g.bytes
}
