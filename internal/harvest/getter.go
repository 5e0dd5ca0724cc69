package harvest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"qlink/internal/fetch"
	"qlink/internal/manifest"
	"qlink/internal/source"
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
	// auth signs or authorises every request of the run (nil: none).
	auth fetch.Authenticator
	// accept is the Accept header the adapter asks for.
	accept string

	// preview skips snapshots: `qlink check` stores nothing.
	preview bool
	// stop ends the run when it goes over a budget (nil: no budgets).
	stop context.CancelCauseFunc
	// last holds the pages of the source's previous run, by URL, for
	// conditional requests.
	last map[string]store.RunPage
	// progress follows the requests as they are answered (nil: not
	// followed).
	progress *runProgress

	mu          sync.Mutex
	seq         int
	bytes       int64
	notModified int
	// changed counts pages that are new or differ from the last run's.
	changed int
	// pages are written with the run's outcome, in one transaction.
	pages []store.RunPage
	// pagesOf is the run whose pages revalidateAll found all unchanged,
	// validators included: the run records none of its own (Run.PagesOf).
	pagesOf int64
	// prefetched holds answers revalidateAll read, by URL, until the
	// adapter asks for them.
	prefetched map[string]*fetch.Response
}

func newPageGetter(h *Harvester, runID int64, entry manifest.Source, authn fetch.Authenticator, a source.Adapter) (*pageGetter, error) {
	u, err := url.Parse(entry.Path)
	if err != nil {
		return nil, fmt.Errorf("source path %q: %w", entry.Path, err)
	}
	g := &pageGetter{h: h, runID: runID, entry: entry, host: u.Host, auth: authn, prefetched: map[string]*fetch.Response{}}
	if acc, ok := a.(source.Accepter); ok {
		g.accept = acc.Accept()
	}
	return g, nil
}

func (g *pageGetter) Get(ctx context.Context, raw string) (*fetch.Response, error) {
	if err := g.overBudget(true, 0); err != nil {
		return nil, err
	}
	req, err := g.request(raw)
	if err != nil {
		return nil, err
	}
	prev, revalidate := g.last[req.URL]
	if revalidate && prev.Blob != "" {
		req.ETag, req.LastModified = prev.ETag, prev.LastModified
	}
	resp := g.takePrefetched(req.URL)
	if resp == nil { // a prefetched answer was reported when it came
		resp, err = g.h.Fetcher.Get(ctx, req)
		g.progress.answered(resp)
	}
	if err == nil && resp.NotModified {
		// Unchanged since the last run: the adapter reads the snapshot.
		body, berr := g.h.Blobs.Get(ctx, prev.Blob)
		if errors.Is(berr, store.ErrNotFound) {
			// The snapshot went (retention, a crash): ask afresh rather
			// than fail every run from now on.
			req.ETag, req.LastModified = "", ""
			resp, err = g.h.Fetcher.Get(ctx, req)
		} else if berr != nil {
			return nil, fmt.Errorf("%s answered 304 but its snapshot cannot be read: %w", req.URL, berr)
		} else {
			resp.Body, resp.ContentType = body, prev.ContentType
		}
	}
	if resp != nil {
		if rerr := g.record(ctx, req.URL, resp); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err == nil && !resp.NotModified {
		err = checkBody(resp)
	}
	return resp, err
}

// request builds the request for a URL of the source, with the
// manifest's query parameters and headers; URLs off the source's host
// are refused.
func (g *pageGetter) request(raw string) (fetch.Request, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return fetch.Request{}, &fetch.Error{Kind: fetch.KindURL, URL: raw, Err: err}
	}
	if u.Host != g.host {
		return fetch.Request{}, &fetch.Error{Kind: fetch.KindBlocked, URL: raw, Err: fmt.Errorf("outside the source's host %s", g.host)}
	}
	if len(g.entry.QueryParameters) > 0 {
		q := u.Query()
		for k, v := range g.entry.QueryParameters {
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
	}
	req := fetch.Request{URL: u.String(), Header: http.Header{}, Auth: g.auth}
	for k, v := range g.entry.Headers {
		req.Header.Set(k, v)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", cmp.Or(g.accept, "application/json"))
	}
	return req, nil
}

// revalidateAll asks the server, page by page, whether each page of the
// previous run is unchanged. When every page answers 304 the source is
// exactly as the previous run read it (an adapter's paging depends only
// on what it read, so it would ask for the same pages): the pages are
// recorded and true is returned, and the run need not adapt anything.
// Otherwise the answers read so far are kept for the adapter's Get, so
// no page is asked for twice.
func (g *pageGetter) revalidateAll(ctx context.Context) (bool, error) {
	if len(g.last) == 0 {
		return false, nil
	}
	pages := slices.SortedFunc(maps.Values(g.last), func(a, b store.RunPage) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, p := range pages {
		if p.Blob == "" || (p.ETag == "" && p.LastModified == "") {
			return false, nil // a page that cannot be revalidated
		}
	}
	answers := make([]*fetch.Response, 0, len(pages))
	for _, p := range pages {
		if err := g.overBudget(true, 0); err != nil {
			return false, err
		}
		req, err := g.request(p.URL)
		if err != nil {
			return false, nil // let the adapter meet the problem and report it
		}
		req.ETag, req.LastModified = p.ETag, p.LastModified
		resp, err := g.h.Fetcher.Get(ctx, req)
		if err != nil {
			return false, nil
		}
		g.progress.answered(resp)
		g.mu.Lock()
		g.prefetched[p.URL] = resp
		g.mu.Unlock()
		if !resp.NotModified {
			return false, nil
		}
		answers = append(answers, resp)
	}
	if !g.preview && sameValidators(pages, answers) {
		// The pages are the previous run's, to the byte and validator:
		// the run points at them rather than copying a row per page
		// (LastPages gives one run's pages, so they share its ID).
		g.mu.Lock()
		g.seq, g.notModified, g.pagesOf = len(pages), len(pages), pages[0].RunID
		g.mu.Unlock()
		return true, nil
	}
	for i, resp := range answers {
		if err := g.record(ctx, pages[i].URL, resp); err != nil {
			return false, err
		}
	}
	return true, nil
}

// sameValidators reports whether every 304 answer sent the validators its
// page has, or none: a new ETag is kept by recording the pages.
func sameValidators(pages []store.RunPage, answers []*fetch.Response) bool {
	for i, resp := range answers {
		etag, modified := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		if etag != "" && etag != pages[i].ETag || modified != "" && modified != pages[i].LastModified {
			return false
		}
	}
	return true
}

// takePrefetched returns (once) the answer revalidateAll read for a URL.
func (g *pageGetter) takePrefetched(reqURL string) *fetch.Response {
	g.mu.Lock()
	defer g.mu.Unlock()
	resp := g.prefetched[reqURL]
	delete(g.prefetched, reqURL)
	return resp
}

// record keeps a page's snapshot and its row; a 304 keeps the previous
// snapshot and validators, so the next run can revalidate again.
func (g *pageGetter) record(ctx context.Context, reqURL string, resp *fetch.Response) error {
	g.mu.Lock()
	g.seq++
	seq := g.seq
	if resp.NotModified {
		g.notModified++
	} else {
		// A page revalidated from its snapshot costs no transfer.
		g.bytes += int64(len(resp.Body))
	}
	g.mu.Unlock()
	if err := g.overBudget(false, len(resp.Body)); err != nil {
		return err // not worth a snapshot: the run changes nothing
	}
	if g.preview {
		return nil
	}
	page := store.RunPage{RunID: g.runID, Seq: seq, URL: reqURL, Status: resp.Status, ContentType: resp.ContentType,
		Bytes: int64(len(resp.Body)), FetchedAt: g.h.Now(), ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if prev := g.last[reqURL]; resp.NotModified {
		page.Blob = prev.Blob
		page.ETag = cmp.Or(page.ETag, prev.ETag)
		page.LastModified = cmp.Or(page.LastModified, prev.LastModified)
	} else if len(resp.Body) > 0 {
		g.h.blobMu.RLock()
		key, err := g.h.Blobs.Put(ctx, resp.Body)
		g.h.blobMu.RUnlock()
		if err != nil {
			return err
		}
		page.Blob = key
	}
	g.mu.Lock()
	if prev, ok := g.last[reqURL]; !ok || prev.Blob != page.Blob {
		g.changed++
	}
	g.pages = append(g.pages, page)
	g.mu.Unlock()
	return nil
}

// sameAsLast reports whether the run read exactly the pages of the
// previous run, each with the same content (304 or the same bytes).
func (g *pageGetter) sameAsLast() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.changed == 0 && g.seq == len(g.last) && !g.preview
}

// overBudget stops the run when it has read more bytes than allowed or,
// before a request, has made as many requests as allowed. lastBody is the
// size of the body just read, for the message.
func (g *pageGetter) overBudget(beforeRequest bool, lastBody int) error {
	if g.stop == nil {
		return nil
	}
	g.mu.Lock()
	pages, bytes := g.seq, g.bytes
	g.mu.Unlock()
	lim := g.h.Limits
	var be *BudgetError
	switch {
	case bytes > lim.MaxRunBytes:
		be = &BudgetError{What: fmt.Sprintf("the source sent more than %s (the last page %s)", byteSize(lim.MaxRunBytes),
			byteSize(int64(lastBody))), Setting: "harvest-max-run-bytes"}
	case beforeRequest && pages >= lim.MaxRunPages:
		be = &BudgetError{What: fmt.Sprintf("the run reached %d requests, the most allowed", lim.MaxRunPages),
			Setting: "harvest-max-run-pages"}
	default:
		return nil
	}
	g.stop(be)
	return be
}

// flush stores the pages recorded so far.
func (g *pageGetter) flush(ctx context.Context) error {
	g.mu.Lock()
	pages := g.pages
	g.pages = nil
	g.mu.Unlock()
	return g.h.Store.AddRunPages(ctx, pages)
}

// totals returns the pages and bytes read, and how many pages the server
// said were unchanged.
func (g *pageGetter) totals() (pages int, bytes int64, notModified int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.seq, g.bytes, g.notModified
}
