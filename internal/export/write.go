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
	out := &output{scope: s, enc: newEncoder(f, w)}
	if err := writeOutputs(ctx, st, providers, []*output{out}); err != nil {
		return 0, err
	}
	return out.enc.records, nil
}

// writeOutputs reads the active courses once and writes each to every
// output whose scope holds it.
func writeOutputs(ctx context.Context, st store.Store, providers map[string]model.Provider, outs []*output) error {
	for _, o := range outs {
		if err := o.enc.begin(); err != nil {
			return err
		}
	}
	var cb courseBytes
	err := st.EachCourse(ctx, readFor(outs, providers), func(c store.Course) error {
		p := providerOf(providers, c.ProviderID)
		cb.reset(courseRow{Course: c, Provider: p}, coursePublishers(providers, c, p))
		for _, o := range outs {
			if !o.scope.holds(p) {
				continue
			}
			if err := o.enc.course(&cb); err != nil {
				return err
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, o := range outs {
		if err := o.enc.end(&cb); err != nil {
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

// readFor lists the providers whose courses the outputs hold, nil for
// every provider: a group of institutions' files reads their courses
// alone, not the whole catalogue, which at a thousand institutions made a
// generation read it over a hundred times.
func readFor(outs []*output, providers map[string]model.Provider) []string {
	ids := []string{}
	for _, o := range outs {
		switch o.scope.Kind {
		case ScopeAll:
			return nil
		case ScopeProvider:
			ids = append(ids, o.scope.ID)
		case ScopeCountry:
			for id, p := range providers {
				if o.scope.holds(p) {
					ids = append(ids, id)
				}
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
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
