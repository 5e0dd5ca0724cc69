package harvest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// Summary counts what a full harvest did.
type Summary struct {
	Providers  int
	Discovered int
	Sources    int
	Runs       map[store.RunStatus]int
	Courses    int
	Duration   time.Duration
}

// All discovers the providers in the store (those include accepts, or all
// when include is nil) and harvests each active source, running workers
// providers at a time. progress (may be nil) is called from worker
// goroutines, one call at a time.
func (h *Harvester) All(ctx context.Context, workers int, trigger string, progress func(Event), include func(providerID string) bool) (Summary, error) {
	defer h.work()() // one busy stretch, not one per source
	start := h.Now()
	all, err := h.Store.ListProviders(ctx)
	if err != nil {
		return Summary{}, err
	}
	var providers []model.Provider
	for _, p := range all {
		if include == nil || include(p.ID) {
			providers = append(providers, p)
		}
	}
	sum := Summary{Providers: len(providers), Runs: map[store.RunStatus]int{}}
	var mu sync.Mutex
	report := func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		switch e.Kind {
		case EventDiscovered:
			sum.Discovered++
		case EventSourceDone:
			sum.Sources++
			sum.Runs[e.Run.Status]++
		}
		if progress != nil {
			progress(e)
		}
	}
	jobs := make(chan model.Provider)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				h.provider(ctx, p, trigger, report)
			}
		}()
	}
	for _, p := range providers {
		select {
		case jobs <- p:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	counts, err := h.Store.CountCourses(ctx)
	if err != nil {
		return sum, err
	}
	for _, n := range counts {
		sum.Courses += n
	}
	sum.Duration = h.Now().Sub(start)
	return sum, ctx.Err()
}

func (h *Harvester) provider(ctx context.Context, p model.Provider, trigger string, report func(Event)) {
	if ctx.Err() != nil {
		return
	}
	// One slow or endless institution must not hold a worker for ever;
	// a source run it stops changes nothing.
	ctx, cancel := context.WithTimeoutCause(ctx, h.Limits.ProviderTimeout, &BudgetError{
		What:    fmt.Sprintf("the provider took longer than %s", h.Limits.ProviderTimeout),
		Setting: "harvest-provider-timeout"})
	defer cancel()
	name := p.Name.String()
	sources, err := h.Discover(ctx, p)
	if err != nil {
		report(Event{Kind: EventDiscoveryFailed, ProviderID: p.ID, Provider: name, Err: err})
		return
	}
	active := 0
	for _, s := range sources {
		if s.Active {
			active++
		}
	}
	report(Event{Kind: EventDiscovered, ProviderID: p.ID, Provider: name, Sources: active})
	for _, src := range sources {
		if !src.Active || ctx.Err() != nil {
			continue
		}
		report(Event{Kind: EventSourceStarted, ProviderID: p.ID, Provider: name, Source: src})
		run, err := h.Source(ctx, src, trigger)
		report(Event{Kind: EventSourceDone, ProviderID: p.ID, Provider: name, Source: src, Run: run, Err: err})
	}
}
