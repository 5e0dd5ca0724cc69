// Package occapi is the source adapter for the EUF Open Course Catalogue
// API (OCCAPI) v2, reading v1 shapes too. From the institution's resource
// (the manifest path, …/hei/{heiId}) it follows the JSON:API links to the
// programme and course collections, or through the organisational units
// when the institution links only those, and from each course to its
// instances; it hands on model specifications with their instances and
// warnings.
//
// It never builds a URL the server did not give while links exist; it
// falls back to the documented paths, with a warning, only when links are
// absent, and it refuses links to other hosts. Texts keep the language
// they were published in, and none when lang is null. Learning outcomes
// arrive as one block per language: see outcomes for how they become
// model outcomes.
package occapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"

	"qlink/internal/model"
	"qlink/internal/source"
)

// Adapter reads an OCCAPI source. Config.URL is the institution's
// resource, e.g. https://uni.test/occapi/v2/hei/uni.test.
type Adapter struct{}

var (
	_ source.Adapter  = Adapter{}
	_ source.Accepter = Adapter{}
)

// Accept asks for JSON:API, which OCCAPI servers speak.
func (Adapter) Accept() string { return "application/vnd.api+json, application/json;q=0.9" }

// instanceWorkers bounds parallel instance requests per source; the fetch
// client's per-host limit applies on top.
const instanceWorkers = 4

// The collections of an institution.
const (
	kindCourse    = "course"
	kindProgramme = "programme"
	kindOunit     = "ounit"
)

// run is the state of one harvest.
type run struct {
	cfg  source.Config
	get  source.Getter
	host string

	source.Warner

	ids   *source.IDMinter
	langs source.Langs
	// programmes maps programme resource ids to specification IDs.
	programmes map[string]string
	publisher  string
	// noInstances is set once the documented instance path answers 404:
	// the server has no instances, so the other courses are not asked.
	noInstances atomic.Bool
	// instanceLists counts instance requests against their cap.
	instanceLists atomic.Int64
}

// Harvest reads the source.
func (Adapter) Harvest(ctx context.Context, cfg source.Config, get source.Getter, out source.Emitter) error {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("occapi: source path %q is not a URL", cfg.URL)
	}
	r := newRun(cfg, get, out)
	r.host = u.Host
	hei, err := r.readHEI(ctx)
	if err != nil {
		return err
	}
	progs, perr := r.readSpecs(ctx, hei, kindProgramme)
	if errors.Is(perr, errAbsent) {
		r.Warn(r.cfg.URL, "", "no programmes published: "+perr.Error())
		perr = nil
	}
	courses, cerr := r.readSpecs(ctx, hei, kindCourse)
	if len(courses) == 0 && cerr != nil {
		return errors.Join(perr, cerr)
	}
	for _, p := range progs {
		r.programmes[p.res.ID] = p.id
	}
	specs := make([]model.Specification, 0, len(progs)+len(courses))
	for _, p := range progs {
		specs = append(specs, r.mapSpec(p, true))
	}
	cspecs, ierr := r.withInstances(ctx, courses)
	specs = append(specs, cspecs...)
	source.LinkParts(specs)
	for _, s := range specs {
		out.Spec(s)
	}
	return errors.Join(perr, cerr, ierr)
}

func newRun(cfg source.Config, get source.Getter, out source.Emitter) *run {
	r := &run{cfg: cfg, get: get, Warner: source.Warner{Out: out},
		ids: source.NewIDMinter(cfg.Provider), programmes: map[string]string{}, publisher: cfg.Provider.ID}
	r.cfg.URL = strings.TrimRight(cfg.URL, "/")
	return r
}

// heiDoc is what the institution's resource says.
type heiDoc struct {
	links links
}

// readHEI reads the institution's resource: its links, and its heiId,
// which must be the provider's SCHAC code.
func (r *run) readHEI(ctx context.Context) (*heiDoc, error) {
	body, err := r.fetchDoc(ctx, r.cfg.URL)
	if err != nil {
		return nil, err
	}
	if err := errorsOf(body); err != nil {
		return nil, fmt.Errorf("occapi: %s: %w", r.cfg.URL, err)
	}
	res, docLinks, err := decodeSingle[heiAttrs](r, body, r.cfg.URL, "institution")
	if err != nil {
		return nil, err
	}
	hei := res.Attributes.HeiID
	if hei == "" {
		hei = res.ID
	}
	if schac := r.cfg.Provider.SCHAC; schac != "" && hei != "" && !strings.EqualFold(hei, schac) {
		r.Warn(r.cfg.URL, "heiId", fmt.Sprintf("the source describes institution %s, not %s", hei, schac))
		r.publisher = "occapi:hei:" + hei
	}
	// Links may sit on the resource (v2) or on the document (v1).
	h := &heiDoc{links: res.Links}
	for _, kind := range []string{kindCourse, kindProgramme, kindOunit} {
		href := h.links.get(kind)
		if href == "" {
			href = docLinks.get(kind)
		}
		h.links.set(kind, source.ResolveURL(r.cfg.URL, href))
	}
	return h, nil
}
