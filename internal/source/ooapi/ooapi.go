// Package ooapi is the source adapter for the Open Education API (OOAPI)
// v5: it walks a server's programs and courses page by page, fetches each
// one's offerings, and emits model specifications with their instances.
//
// It follows the specification where real servers do not: the base path
// keeps its last segment, offerings are requested with an explicit since
// (the default would hide past runs), paging stops at a page cap and when a
// server repeats a page, and one bad record is a warning, not the end.
package ooapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"qlink/internal/fetch"
	"qlink/internal/jsonread"
	"qlink/internal/model"
	"qlink/internal/source"
)

// Adapter reads an OOAPI v5 source.
type Adapter struct{}

var _ source.Adapter = Adapter{}

// pageSizes are the values OOAPI allows; DefaultPageSize is QualityLink's.
var pageSizes = []int{10, 20, 50, 100, 250}

// DefaultPageSize is used when the manifest sets none.
const DefaultPageSize = 250

// offeringWorkers bounds parallel offering requests per source; the fetch
// client's per-host limit applies on top.
const offeringWorkers = 4

// Harvest reads programmes, courses with their offerings, and the
// education specifications no course or programme already stands for.
func (Adapter) Harvest(ctx context.Context, cfg source.Config, get source.Getter, out source.Emitter) error {
	r := &run{cfg: cfg, get: get, out: out, base: strings.TrimRight(cfg.URL, "/") + "/",
		pageSize: pickPageSize(cfg.PageSize, out), ids: map[string]string{}, referenced: map[string]bool{}}
	programsPath := "programs"
	if strings.HasPrefix(cfg.Version, "6") {
		programsPath = "programmes" // renamed in OOAPI v6
	}
	programs, foundP, err := r.readSpecs(ctx, programsPath, kindProgram)
	if err != nil {
		return err
	}
	courses, foundC, err := r.readSpecs(ctx, "courses", kindCourse)
	if err != nil {
		return err
	}
	specs, foundE, err := r.readSpecs(ctx, "education-specifications", kindEducationSpec)
	if err != nil {
		return err
	}
	if !foundP && !foundC && !foundE {
		return fmt.Errorf("%s: none of %s, courses or education-specifications answered; is the path the OOAPI root?", r.base, programsPath)
	}
	all := append(append(programs, courses...), specs...)
	source.LinkParts(all)
	for _, s := range all {
		out.Spec(s)
	}
	return r.incomplete
}

// What an endpoint lists.
type itemKind int

const (
	kindCourse itemKind = iota
	kindProgram
	kindEducationSpec
)

// run is the state of one harvest.
type run struct {
	cfg      source.Config
	get      source.Getter
	out      source.Emitter
	base     string
	pageSize int
	mu       sync.Mutex
	// ids maps OOAPI ids to the specification IDs minted for them.
	ids   map[string]string
	langs source.Langs
	// referenced holds the education specifications that a course or
	// programme stands for; they are not emitted a second time.
	referenced map[string]bool
	// incomplete is set when part of the source could not be read.
	incomplete error
}

func pickPageSize(want int, out source.Emitter) int {
	if want == 0 {
		return DefaultPageSize
	}
	if slices.Contains(pageSizes, want) {
		return want
	}
	best := pageSizes[0]
	for _, s := range pageSizes {
		if s <= want {
			best = s
		}
	}
	out.Warn(source.Warning{Field: "pageSize", Message: fmt.Sprintf("OOAPI allows page sizes %v; using %d instead of %d", pageSizes, best, want)})
	return best
}

// warn forwards a warning; offerings are read in parallel, so calls are
// serialised here rather than asking every Emitter to be safe.
func (r *run) warn(w source.Warning) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out.Warn(w)
}

func (r *run) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.incomplete = errors.Join(r.incomplete, err)
}

// readSpecs lists an endpoint and maps each item with its offerings. A
// missing endpoint (404 and the like) is reported by found=false: servers
// publish different subsets of OOAPI. An endpoint that fails after
// yielding items makes the run incomplete but keeps what was read.
func (r *run) readSpecs(ctx context.Context, endpoint string, kind itemKind) (specs []model.Specification, found bool, err error) {
	var items []course
	err = list(r, ctx, endpoint, nil, strings.TrimSuffix(endpoint, "s"), (*course).id, func(c *course, where string) {
		if c.id() == "" {
			r.warn(source.Warning{Record: where, Message: "item without an id, skipped"})
			return
		}
		items = append(items, *c)
	})
	if err != nil {
		if notImplemented(err) && len(items) == 0 {
			return nil, false, nil // servers implement different subsets of OOAPI
		}
		if len(items) == 0 {
			return nil, true, err
		}
		r.fail(err)
	}
	if kind == kindEducationSpec {
		items = slices.DeleteFunc(items, func(c course) bool { return r.referenced[c.id()] })
	}
	specs = make([]model.Specification, len(items))
	for i := range items {
		specs[i] = r.mapSpec(&items[i], kind == kindProgram)
		if es := string(items[i].EducationSpecification); es != "" {
			r.referenced[es] = true
		}
	}
	if kind == kindEducationSpec {
		return specs, true, ctx.Err() // offerings belong to courses and programmes
	}
	return r.withOfferings(ctx, endpoint, items, specs), true, ctx.Err()
}

// withOfferings fetches every item's offerings in parallel and returns the
// specifications whose offerings could be read.
func (r *run) withOfferings(ctx context.Context, endpoint string, items []course, specs []model.Specification) []model.Specification {
	keep := make([]bool, len(items))
	// A few long-lived workers rather than a goroutine per course: each
	// new goroutine would grow its stack again for the decoder's depth.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(offeringWorkers, len(items)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(items) && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				instances, err := r.offerings(ctx, endpoint, &items[i], specs[i].ID)
				if err != nil {
					// Without its offerings the course would overwrite the
					// stored one with less; leave it out and mark the run
					// incomplete so nothing is removed either.
					r.fail(fmt.Errorf("offerings of %s: %w", items[i].id(), err))
					continue
				}
				specs[i].Instances, keep[i] = instances, true
			}
		})
	}
	wg.Wait()
	var kept []model.Specification
	for i, s := range specs {
		if keep[i] {
			kept = append(kept, s)
		}
	}
	return kept
}

func (r *run) offerings(ctx context.Context, endpoint string, c *course, specID string) ([]model.Instance, error) {
	// OOAPI defaults since to today, hiding offerings that already
	// started; ask for two years of history.
	since := r.cfg.Now.AddDate(-2, 0, 0).Format("2006-01-02")
	var out []model.Instance
	err := list(r, ctx, endpoint+"/"+url.PathEscape(c.id())+"/offerings", url.Values{"since": {since}}, "offering",
		func(o *offering) string { return o.OfferingID }, func(o *offering, where string) {
			if in, ok := r.mapOffering(o, c, specID, where); ok {
				out = append(out, in)
			}
		})
	return out, err
}

// list walks a paged endpoint, calling fn for each item that decodes as
// a what, with a label that locates it. It stops at the page cap, when the
// server stops saying hasNextPage, and when a page repeats the previous
// one, item ids for item ids (a server ignoring pageNumber would
// otherwise loop forever).
func list[T any](r *run, ctx context.Context, path string, extra url.Values, what string, id func(*T) string, fn func(*T, string)) error {
	var prev []string
	for n := 1; ; n++ {
		if r.cfg.MaxPages > 0 && n > r.cfg.MaxPages {
			return fmt.Errorf("%s%s: %w of %d pages", r.base, path, source.ErrPageCap, r.cfg.MaxPages)
		}
		q := url.Values{"pageSize": {strconv.Itoa(r.pageSize)}, "pageNumber": {strconv.Itoa(n)}}
		for k, v := range extra {
			q[k] = v
		}
		pageURL := r.base + path + "?" + q.Encode()
		resp, err := r.get.Get(ctx, pageURL)
		if err != nil {
			return err
		}
		items, more, err := decodePage[T](r, resp.Body, pageURL, what)
		if err != nil {
			return fmt.Errorf("%s: not an OOAPI page: %w", pageURL, err)
		}
		ids := make([]string, len(items))
		for i := range items {
			ids[i] = id(&items[i].v)
		}
		if n > 1 && slices.ContainsFunc(ids, func(s string) bool { return s != "" }) && slices.Equal(ids, prev) {
			return fmt.Errorf("%s: the server returned the same page again; stopped", pageURL)
		}
		prev = ids
		for i := range items {
			fn(&items[i].v, items[i].where)
		}
		if !more {
			return nil
		}
	}
}

// located is a decoded item with a label that locates it.
type located[T any] struct {
	v     T
	where string
}

// decodePage decodes one page: whole, which is all a well-formed page
// needs (by the fast path when it can, see fast.go); item by item when
// that fails, so that one bad item is a warning
// naming it and costs only itself. more reports a next page: the server
// says so, and this one was not empty.
func decodePage[T any](r *run, body []byte, pageURL, what string) ([]located[T], bool, error) {
	var whole itemPage[T]
	if jsonread.Decode(body, &whole) || json.Unmarshal(body, &whole) == nil {
		out := make([]located[T], len(whole.Items))
		for i := range whole.Items {
			out[i] = located[T]{whole.Items[i], pageURL + " item " + strconv.Itoa(i+1)}
		}
		return out, whole.HasNextPage != nil && *whole.HasNextPage && len(out) > 0, nil
	}
	var p page
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, false, err
	}
	var out []located[T]
	for i, raw := range p.Items {
		where := pageURL + " item " + strconv.Itoa(i+1)
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			r.warn(source.Warning{Record: where, Message: "not a valid " + what + ": " + err.Error()})
			continue
		}
		out = append(out, located[T]{v, where})
	}
	return out, p.HasNextPage != nil && *p.HasNextPage && len(p.Items) > 0, nil
}

// notImplemented reports a status that means "this server has no such
// endpoint", as opposed to a failure of one it has.
func notImplemented(err error) bool {
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Kind != fetch.KindStatus {
		return false
	}
	switch fe.Status {
	case http.StatusNotFound, http.StatusGone, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return true
	}
	return false
}
