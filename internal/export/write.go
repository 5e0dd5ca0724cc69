package export

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"

	"qlink/internal/model"
	"qlink/internal/store"
)

// output is one file being written: a scope in a format.
type output struct {
	scope Scope
	enc   *encoder
}

// Write streams the courses of a scope in a format to w, uncompressed, and
// returns how many records it wrote. It is what each dataset file holds
// before compression.
func Write(ctx context.Context, st store.Store, w io.Writer, s Scope, f Format) (int, error) {
	providers, err := providerMap(ctx, st)
	if err != nil {
		return 0, err
	}
	if s.Kind == ScopeProvider {
		if _, ok := providers[s.ID]; !ok {
			return 0, fmt.Errorf("export: no provider %q in the registry", s.ID)
		}
	}
	counts, err := st.CountCourses(ctx)
	if err != nil {
		return 0, fmt.Errorf("export: counting courses: %w", err)
	}
	out := &output{scope: s, enc: newEncoder(f, w)}
	if err := out.enc.begin(); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	var cb courseBytes
	read := readFor([]Scope{s}, providersWithCourses(counts), providers)
	if err := writeCourses(ctx, st, providers, read, []*output{out}, &cb); err != nil {
		return 0, err
	}
	if err := endOutputs([]*output{out}, &cb); err != nil {
		return 0, err
	}
	return out.enc.records, nil
}

// writeCourses reads the active courses of the institutions read, one
// institution after the other, and writes each course to every output
// whose scope holds it, encoded once. Every file is so in the same order,
// whichever pass writes it: by institution, then by course ID.
func writeCourses(ctx context.Context, st store.Store, providers map[string]model.Provider, read []string, outs []*output, cb *courseBytes) error {
	write := func(c store.Course) error {
		p := providerOf(providers, c.ProviderID)
		cb.reset(courseRow{Course: c, Provider: p}, coursePublishers(providers, c, p))
		for _, o := range outs {
			if !o.scope.holds(p) {
				continue
			}
			if err := o.enc.course(cb); err != nil {
				return err
			}
		}
		return ctx.Err()
	}
	for _, id := range read {
		if err := st.EachCourse(ctx, []string{id}, write); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	return nil
}

// endOutputs ends each output: the institutions it named, the closing of
// the document.
func endOutputs(outs []*output, cb *courseBytes) error {
	for _, o := range outs {
		if err := o.enc.end(cb); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	return nil
}

// coursePublishers are the institutions a course's statements name: its
// provider and, when another, the publisher the specification states.
func coursePublishers(providers map[string]model.Provider, c store.Course, p model.Provider) []model.Provider {
	ps := []model.Provider{p}
	if id := c.Spec.PublisherID; id != "" && id != p.ID {
		if pub, ok := providers[id]; ok {
			ps = append(ps, pub)
		}
	}
	return ps
}

// readFor lists the institutions, of those with courses (in their order),
// whose courses the scopes hold: a group of institutions' or countries'
// files reads their courses alone, not the whole catalogue.
func readFor(scopes []Scope, withCourses []string, providers map[string]model.Provider) []string {
	var ids []string
	for _, id := range withCourses {
		p := providerOf(providers, id)
		if slices.ContainsFunc(scopes, func(s Scope) bool { return s.holds(p) }) {
			ids = append(ids, id)
		}
	}
	return ids
}

func providerOf(providers map[string]model.Provider, id string) model.Provider {
	if p, ok := providers[id]; ok {
		return p
	}
	return model.Provider{ID: id, Name: model.Text{model.LangUnstated: id}}
}

func providerMap(ctx context.Context, st store.Store) (map[string]model.Provider, error) {
	ps, err := st.ListProviders(ctx)
	if err != nil {
		return nil, fmt.Errorf("export: listing providers: %w", err)
	}
	m := make(map[string]model.Provider, len(ps))
	for _, p := range ps {
		m[p.ID] = p
	}
	return m, nil
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.SortedFunc(maps.Keys(m), cmp.Compare[string])
}
