// Package eduapi is the source adapter for 1EdTech Edu-API 1.0. It reads
// a server's organizations, collection templates (programmes), course
// templates (courses) and their offerings, page by page with limit and
// offset, and hands on model specifications with their instances and
// warnings.
//
// It reads the resources the API really has (/courseTemplates,
// /courseOfferings, /collectionTemplates, /collectionOfferings,
// /organizations; there is no /courses), follows the server's Link
// headers or X-Total-Count, and stops at the page cap or when a server
// ignores offset. Texts keep every language under its recordLanguage tag.
// Edu-API core has no ISCED-F field and no learning outcomes: they are
// read from a template's extensions when published there under an obvious
// name, and are otherwise absent.
package eduapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/sync/errgroup"

	"qlink/internal/fetch"
	"qlink/internal/source"
)

// Adapter reads an Edu-API 1.0 source. Config.URL is the API root (…/ims/eduapi/v1p0).
type Adapter struct{}

var _ source.Adapter = Adapter{}

// DefaultPageSize is the limit asked for when the manifest sets none:
// Edu-API's own default.
const DefaultPageSize = 100

// The collections read.
const (
	courseTemplates     = "courseTemplates"
	courseOfferings     = "courseOfferings"
	collectionTemplates = "collectionTemplates"
	collectionOfferings = "collectionOfferings"
	organizations       = "organizations"
)

// run is the state of one harvest.
type run struct {
	cfg   source.Config
	get   source.Getter
	base  string
	limit int

	source.Warner

	ids   *source.IDMinter
	langs source.Langs
	// courses and collections map template sourcedIds to specification IDs.
	courses, collections map[string]string
	orgs                 *orgIndex
}

// Harvest reads the source. Courses are handed on only when their
// offerings were read completely, so a failed offering list never replaces
// stored courses with offering-less copies.
func (Adapter) Harvest(ctx context.Context, cfg source.Config, get source.Getter, out source.Emitter) error {
	r := newRun(cfg, get, out)
	lists, err := r.readAll(ctx)
	if lists[courseTemplates] == nil {
		return err
	}
	return errors.Join(err, r.assemble(ctx, lists, out))
}

func newRun(cfg source.Config, get source.Getter, out source.Emitter) *run {
	r := &run{cfg: cfg, get: get, base: strings.TrimRight(cfg.URL, "/") + "/", limit: cfg.PageSize,
		Warner: source.Warner{Out: out}, ids: source.NewIDMinter(cfg.Provider),
		courses: map[string]string{}, collections: map[string]string{}}
	if r.limit <= 0 {
		r.limit = DefaultPageSize
	}
	return r
}

// assemble maps what was read into specifications and hands them on. In
// a delta harvest it fetches the templates whose offerings changed.
func (r *run) assemble(ctx context.Context, lists map[string]*listing, out source.Emitter) error {
	var err error
	r.orgs = r.indexOrganizations(lists[organizations])
	colls := r.decodeTemplates(lists[collectionTemplates])
	courses := r.decodeTemplates(lists[courseTemplates])
	courseOffs := r.decodeOfferings(lists[courseOfferings])
	if !r.cfg.Since.IsZero() {
		var more []*decodedTemplate
		more, err = r.fetchTemplates(ctx, r.changedParents(courseOffs, courses))
		courses = append(courses, more...)
	}
	r.mint(colls, r.collections)
	r.mint(courses, r.courses)
	specs := r.specs(courses, false, courseOffs, lists[courseOfferings])
	if r.cfg.Since.IsZero() {
		l := lists[collectionOfferings]
		specs = append(r.specs(colls, true, r.decodeOfferings(l), l), specs...)
	} else if len(colls) > 0 {
		r.Warn(r.base+collectionTemplates, "", "delta harvest: programmes are only updated by a full harvest (their parts depend on every course)")
	}
	source.LinkParts(specs)
	for _, s := range specs {
		out.Spec(s)
	}
	return err
}

// listing is what was read of one collection.
type listing struct {
	items []item
	// complete is false when the collection could not be read to its end.
	complete bool
	// absent is true when the server does not have the collection.
	absent bool
}

// readAll reads the collections in parallel. A missing optional
// collection is a warning; a collection that fails part-way is an error
// (returned joined) and marked incomplete.
func (r *run) readAll(ctx context.Context) (map[string]*listing, error) {
	names := []string{organizations, collectionTemplates, courseTemplates, courseOfferings}
	if r.cfg.Since.IsZero() {
		names = append(names, collectionOfferings)
	}
	results := make([]*listing, len(names))
	errs := make([]error, len(names))
	var g errgroup.Group
	for i, name := range names {
		g.Go(func() error {
			var extra url.Values
			if name == courseTemplates && !r.cfg.Since.IsZero() {
				extra = url.Values{"filter": {"dateLastModified>'" + r.cfg.Since.UTC().Format("2006-01-02T15:04:05Z") + "'"}}
			}
			items, err := r.list(ctx, name, extra)
			results[i], errs[i] = r.settle(name, items, err)
			return nil
		})
	}
	g.Wait()
	out := map[string]*listing{}
	for i, name := range names {
		out[name] = results[i]
	}
	return out, errors.Join(errs...)
}

// settle decides what a collection's read means: a 404 before any record
// is an absent collection (an error only for course templates, which
// every Edu-API catalogue has).
func (r *run) settle(name string, items []item, err error) (*listing, error) {
	if err == nil {
		return &listing{items: items, complete: true}, nil
	}
	var fe *fetch.Error
	if errors.As(err, &fe) && fe.Kind == fetch.KindStatus && fe.Status == 404 && len(items) == 0 {
		if name == courseTemplates {
			return nil, fmt.Errorf("eduapi: %s: %w", name, err)
		}
		r.Warn(r.base+name, "", "collection not available: "+err.Error())
		return &listing{complete: true, absent: true}, nil
	}
	if name == courseTemplates && len(items) == 0 {
		return nil, fmt.Errorf("eduapi: %s: %w", name, err)
	}
	return &listing{items: items}, fmt.Errorf("eduapi: %s: %w", name, err)
}
