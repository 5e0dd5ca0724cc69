// Package sourcetest holds test doubles for the source adapters: an
// Emitter that collects what an adapter hands on, Getters that answer from
// an http.Handler in process or over real HTTP through package fetch, and
// a recorder whose responses replay without a network (for benchmarks).
// Only tests import it.
package sourcetest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"qlink/internal/fetch"
	"qlink/internal/model"
	"qlink/internal/source"
)

// Collector is a source.Emitter that keeps everything, safe for
// concurrent use.
type Collector struct {
	mu       sync.Mutex
	Specs    []model.Specification
	Warnings []source.Warning
}

// Spec implements source.Emitter.
func (c *Collector) Spec(s model.Specification) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Specs = append(c.Specs, s)
}

// Warn implements source.Emitter.
func (c *Collector) Warn(w source.Warning) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Warnings = append(c.Warnings, w)
}

// ByID returns the specification with the given ID, or nil.
func (c *Collector) ByID(id string) *model.Specification {
	for i := range c.Specs {
		if c.Specs[i].ID == id {
			return &c.Specs[i]
		}
	}
	return nil
}

// Warned reports whether a warning about record (a substring of its
// Record; "" for any) and field (exact; "" for any) contains msg.
func (c *Collector) Warned(record, field, msg string) bool {
	for _, w := range c.Warnings {
		if strings.Contains(w.Record, record) && (field == "" || w.Field == field) && strings.Contains(w.Message, msg) {
			return true
		}
	}
	return false
}

// WarningList renders the warnings one per line, for failure messages.
func (c *Collector) WarningList() string {
	var b strings.Builder
	for _, w := range c.Warnings {
		fmt.Fprintf(&b, "  [%s] %s\n", w.Field, w)
	}
	return b.String()
}

// HandlerGetter answers from an http.Handler in process: real request and
// response semantics (query parsing, headers, statuses) without a network.
// Like the harvest's getter it refuses URLs off Host and turns statuses
// other than 2xx into fetch errors. It records the URLs asked for.
type HandlerGetter struct {
	Handler http.Handler
	// Host is the only host served ("" accepts any).
	Host string

	mu        sync.Mutex
	requested []string
}

// Get implements source.Getter.
func (g *HandlerGetter) Get(ctx context.Context, raw string) (*fetch.Response, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &fetch.Error{Kind: fetch.KindURL, URL: raw, Err: err}
	}
	if g.Host != "" && u.Host != g.Host {
		return nil, &fetch.Error{Kind: fetch.KindBlocked, URL: raw, Err: fmt.Errorf("outside the source's host %s", g.Host)}
	}
	g.mu.Lock()
	g.requested = append(g.requested, raw)
	g.mu.Unlock()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	rec := httptest.NewRecorder()
	g.Handler.ServeHTTP(rec, req)
	resp := &fetch.Response{URL: raw, Status: rec.Code, Header: rec.Header(), ContentType: rec.Header().Get("Content-Type"),
		Body: rec.Body.Bytes()}
	if rec.Code < 200 || rec.Code > 299 {
		return resp, &fetch.Error{Kind: fetch.KindStatus, URL: raw, Status: rec.Code}
	}
	return resp, nil
}

// Requested returns the URLs asked for, in order.
func (g *HandlerGetter) Requested() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.requested...)
}

// HTTPGetter fetches over real HTTP through a fetch.Client, refusing URLs
// off the source's host as the harvest does.
type HTTPGetter struct {
	Client *fetch.Client
	Host   string
}

// Get implements source.Getter.
func (g HTTPGetter) Get(ctx context.Context, raw string) (*fetch.Response, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &fetch.Error{Kind: fetch.KindURL, URL: raw, Err: err}
	}
	if u.Host != g.Host {
		return nil, &fetch.Error{Kind: fetch.KindBlocked, URL: raw, Err: fmt.Errorf("outside the source's host %s", g.Host)}
	}
	return g.Client.Get(ctx, fetch.Request{URL: raw, Header: http.Header{"Accept": {"application/json"}}})
}

// Recorder passes requests to a Getter and keeps every response, so a
// harvest can be replayed without the network.
type Recorder struct {
	Getter source.Getter

	mu    sync.Mutex
	pages map[string]*fetch.Response
}

// Get implements source.Getter.
func (r *Recorder) Get(ctx context.Context, raw string) (*fetch.Response, error) {
	resp, err := r.Getter.Get(ctx, raw)
	if err == nil {
		r.mu.Lock()
		if r.pages == nil {
			r.pages = map[string]*fetch.Response{}
		}
		r.pages[raw] = resp
		r.mu.Unlock()
	}
	return resp, err
}

// Replay returns a Getter answering from the recorded responses (404 for
// anything else) and the number of body bytes recorded.
func (r *Recorder) Replay() (Replay, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, p := range r.pages {
		n += len(p.Body)
	}
	return Replay(r.pages), n
}

// Replay is a recorded harvest: responses by URL.
type Replay map[string]*fetch.Response

// Get implements source.Getter.
func (p Replay) Get(_ context.Context, raw string) (*fetch.Response, error) {
	if resp, ok := p[raw]; ok {
		return resp, nil
	}
	return nil, &fetch.Error{Kind: fetch.KindStatus, URL: raw, Status: http.StatusNotFound}
}

// Bodies returns the recorded bodies whose URL satisfies keep.
func (p Replay) Bodies(keep func(url string) bool) [][]byte {
	var out [][]byte
	for u, resp := range p {
		if keep(u) {
			out = append(out, resp.Body)
		}
	}
	return out
}
