package occapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"qlink/internal/jsonread"
	"qlink/internal/model"
	"qlink/internal/source"
)

// withInstances maps the courses and reads each one's instances, in
// parallel. A course whose instances could not be read is left out and
// the run marked incomplete: handing it on without them would replace the
// stored course's instances with none.
func (r *run) withInstances(ctx context.Context, courses []*decodedSpec) ([]model.Specification, error) {
	specs := make([]model.Specification, len(courses))
	errs := make([]error, len(courses))
	for i, d := range courses {
		specs[i] = r.mapSpec(d, false)
	}
	// A few long-lived workers rather than a goroutine per course: each
	// new goroutine would grow its stack again for the decoder's depth.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(instanceWorkers, len(courses)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(courses) && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				specs[i].Instances, errs[i] = r.instances(ctx, courses[i], &specs[i])
			}
		})
	}
	wg.Wait()
	kept := specs[:0]
	for i, s := range specs {
		if errs[i] == nil {
			kept = append(kept, s)
		}
	}
	return kept, errors.Join(append(errs, ctx.Err())...)
}

// instances reads a course's instances: at its instance link, or, when it
// has none, at the documented path (v2 only; v1 has no instances).
func (r *run) instances(ctx context.Context, d *decodedSpec, s *model.Specification) ([]model.Instance, error) {
	page, _, _ := strings.Cut(d.where, " item ")
	href := source.ResolveURL(page, d.res.Links.Instance.Href)
	documented := href == ""
	if documented {
		if r.cfg.Version != "" && r.cfg.Version[0] == '1' || r.noInstances.Load() {
			return nil, nil
		}
		href = r.cfg.URL + "/course/" + url.PathEscape(d.res.ID) + "/instance"
		r.Once("no-instance-link", r.cfg.URL, "links.instance", "courses have no instance link; trying the documented path "+href)
	}
	if max := int64(r.cfg.MaxPages) * 10; max > 0 && r.instanceLists.Add(1) > max {
		// Instance lists count against the page cap (ten per page of
		// courses): past it the read is incomplete, as at any page cap.
		return nil, fmt.Errorf("occapi: %s: %w: more than %d instance lists", d.id, source.ErrPageCap, max)
	}
	var out []model.Instance
	taken := map[string]bool{}
	err := r.walk(ctx, href, func(body []byte, where string) (string, error) {
		page, next, err := decodePage[instanceAttrs](r, body, where, "instance")
		for i := range page {
			if in, ok := r.mapInstance(&page[i].res, d, s, taken, page[i].where); ok {
				out = append(out, in)
			}
		}
		return next, err
	})
	if errors.Is(err, errAbsent) {
		if documented {
			r.noInstances.Store(true)
			r.Once("no-instances", r.cfg.URL, "", "no course instances published")
		} else {
			r.Warn(d.id, "links.instance", "the instance link answers 404; the course has no instances")
		}
		return nil, nil
	}
	return out, err
}

func (r *run) mapInstance(res *resource[instanceAttrs], d *decodedSpec, s *model.Specification, taken map[string]bool, where string) (model.Instance, bool) {
	if res.ID == "" || taken[res.ID] {
		r.Warn(where, "id", "an instance without a distinct id, skipped")
		return model.Instance{}, false
	}
	if c := res.Relationships.Course.Data; c != nil && c.ID != "" && c.ID != d.res.ID {
		r.Warn(where, "relationships.course", fmt.Sprintf("an instance of course %q listed under %q, skipped", c.ID, d.res.ID))
		return model.Instance{}, false
	}
	taken[res.ID] = true
	a := &res.Attributes
	in := model.Instance{
		ID:              model.InstanceID(s.ID, res.ID),
		SpecificationID: s.ID,
		Identifiers:     []model.Identifier{{Scheme: "occapi:id", Value: res.ID}},
		ProviderIDs:     []string{r.cfg.Provider.ID},
	}
	warn := func(field, msg string) { r.Warn(in.ID, field, msg) }
	var err error
	if in.Start, err = jsonread.ParseTime(a.StartDate); err != nil {
		warn("startDate", err.Error())
	}
	if in.End, err = jsonread.ParseTime(a.EndDate); err != nil {
		warn("endDate", err.Error())
	}
	if langs := languages(&r.langs, a.LanguageOfInstruction, warn); len(langs) > 0 {
		in.DefaultLanguage = langs[0]
	} else if len(s.Languages) > 0 {
		in.DefaultLanguage = s.Languages[0]
	}
	if in.Modes = modes(a.ModeOfLearning, warn); len(in.Modes) == 0 {
		in.Modes = d.modes // an instance without modes runs as its course says
	}
	if term := strings.TrimSpace(a.AcademicTermID); term != "" {
		// An EWP term id names no language.
		in.AcademicTerm = model.Text{model.LangUnstated: term}
	}
	in.Credits = ectsCredits(a.ECTS, warn)
	in.VolumeOfLearning = engagement(a.EngagementHours, warn)
	in.GradingScheme = r.gradingScheme(&a.GradingScheme)
	return in, true
}

// engagement maps engagementHours, the run's total workload.
func engagement(hours jsonread.Number, warn func(field, msg string)) string {
	switch {
	case hours.Invalid != "":
		warn("engagementHours", fmt.Sprintf("%s is not a number of hours", hours.Invalid))
		return ""
	case !hours.Set:
		return ""
	}
	d, ok := model.HoursDuration(hours.Value)
	if !ok {
		warn("engagementHours", fmt.Sprintf("%v is not a number of hours", hours.Value))
	}
	return d
}

func (r *run) gradingScheme(g *gradingScheme) *model.GradingScheme {
	out := model.GradingScheme{Title: r.textOf(g.Label), Description: r.textOf(g.Description)}
	if out.IsEmpty() {
		return nil
	}
	return &out
}
