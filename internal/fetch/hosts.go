package fetch

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/time/rate"
)

// hostLimits keeps qlink polite to each institution: at most perHost
// requests in flight and, when a rate is set, at most that many requests
// per second to one host name (whatever the port).
type hostLimits struct {
	perHost int
	rate    rate.Limit
	burst   int

	mu       sync.Mutex
	slots    map[string]chan struct{}
	limiters map[string]*rate.Limiter
}

func newHostLimits(perHost int, perSecond float64, burst int) hostLimits {
	r := rate.Inf
	if perSecond > 0 {
		r = rate.Limit(perSecond)
	}
	return hostLimits{perHost: perHost, rate: r, burst: burst,
		slots: map[string]chan struct{}{}, limiters: map[string]*rate.Limiter{}}
}

func hostKey(u *url.URL) string { return strings.ToLower(u.Hostname()) }

// acquire waits for a free slot for u's host and then for its rate
// limit; the returned func frees the slot.
func (h *hostLimits) acquire(ctx context.Context, u *url.URL) (func(), error) {
	key := hostKey(u)
	h.mu.Lock()
	slot, ok := h.slots[key]
	if !ok {
		slot = make(chan struct{}, h.perHost)
		h.slots[key] = slot
	}
	h.mu.Unlock()
	select {
	case slot <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release := func() { <-slot }
	if err := h.wait(ctx, key); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// wait blocks until the host's rate limit lets one more request go.
func (h *hostLimits) wait(ctx context.Context, key string) error {
	if h.rate == rate.Inf {
		return nil
	}
	h.mu.Lock()
	lim, ok := h.limiters[key]
	if !ok {
		lim = rate.NewLimiter(h.rate, h.burst)
		h.limiters[key] = lim
	}
	h.mu.Unlock()
	if err := lim.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Wait refuses up front when the deadline comes before the turn.
		return fmt.Errorf("the host's rate limit leaves no turn before the deadline: %w", context.DeadlineExceeded)
	}
	return nil
}
