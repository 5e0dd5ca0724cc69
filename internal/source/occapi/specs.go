package occapi

import (
	"context"
	"errors"
	"fmt"

	"qlink/internal/source"
)

// decodedSpec is a course or programme resource with where it was found
// and, once minted, its specification ID.
type decodedSpec struct {
	res   resource[specAttrs]
	where string
	id    string
	// modes are a course's modes, the default of its instances.
	modes []string
}

// readSpecs reads the institution's courses or programmes: through the
// institution's link; else through each organisational unit's link; else,
// with a warning, at the documented path. Resources listed twice (under
// two units) count once.
func (r *run) readSpecs(ctx context.Context, hei *heiDoc, kind string) ([]*decodedSpec, error) {
	var hrefs []string
	switch {
	case hei.links.get(kind) != "":
		hrefs = []string{hei.links.get(kind)}
	case hei.links.Ounit.Href != "":
		var err error
		if hrefs, err = r.ounitLinks(ctx, hei.links.Ounit.Href, kind); err != nil {
			return nil, err
		}
		r.Warn(r.cfg.URL, "links."+kind, fmt.Sprintf("no %s link; read through %d organisational unit(s)", kind, len(hrefs)))
	default:
		href := r.cfg.URL + "/" + kind
		r.Warn(r.cfg.URL, "links."+kind, "no "+kind+" link; trying the documented path "+href)
		hrefs = []string{href}
	}
	var out []*decodedSpec
	seen := map[string]bool{}
	var errs []error
	for _, href := range hrefs {
		err := r.walk(ctx, href, func(body []byte, where string) (string, error) {
			specs, next, err := r.decodeSpecs(body, where, kind)
			for _, d := range specs {
				if !seen[d.res.ID] {
					seen[d.res.ID] = true
					out = append(out, d)
				}
			}
			return next, err
		})
		errs = append(errs, err)
	}
	r.mint(out)
	return out, errors.Join(errs...)
}

// ounitLinks lists the organisational units and returns their links to
// the collection of kind.
func (r *run) ounitLinks(ctx context.Context, href, kind string) ([]string, error) {
	var hrefs []string
	err := r.walk(ctx, href, func(body []byte, where string) (string, error) {
		units, next, err := decodePage[ounitAttrs](r, body, where, kindOunit)
		for _, u := range units {
			if l := u.res.Links.get(kind); l != "" {
				hrefs = append(hrefs, source.ResolveURL(where, l))
			}
		}
		return next, err
	})
	if r.cfg.MaxPages > 0 && len(hrefs) > r.cfg.MaxPages {
		return nil, fmt.Errorf("occapi: %s: %d organisational units exceed the cap of %d", href, len(hrefs), r.cfg.MaxPages)
	}
	return hrefs, err
}

// decodeSpecs decodes one page of courses or programmes.
func (r *run) decodeSpecs(body []byte, where, kind string) ([]*decodedSpec, string, error) {
	page, next, err := decodePage[specAttrs](r, body, where, kind)
	out := make([]*decodedSpec, 0, len(page))
	for _, p := range page {
		if d := r.accept(p.res, p.where, kind); d != nil {
			out = append(out, d)
		}
	}
	return out, next, err
}

// accept checks a decoded resource's type and id.
func (r *run) accept(res resource[specAttrs], where, kind string) *decodedSpec {
	switch {
	case res.ID == "" && res.Attributes.Code == "":
		r.Warn(where, "id", "a resource without id or code, skipped")
		return nil
	case res.Type != "" && res.Type != kind:
		r.Warn(where, "type", fmt.Sprintf("a %q resource in the %s collection, skipped", res.Type, kind))
		return nil
	}
	return &decodedSpec{res: res, where: where}
}

// mint gives each resource its specification ID.
func (r *run) mint(ds []*decodedSpec) {
	for _, d := range ds {
		var clash string
		d.id, clash = r.ids.Mint(d.res.Attributes.Code, d.res.ID)
		if clash != "" {
			r.Warn(d.res.ID, "code", fmt.Sprintf("code %q is also used by %s; identified by its id instead", d.res.Attributes.Code, clash))
		}
	}
}
