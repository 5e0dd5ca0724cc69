package main

import (
	"context"

	"qlink/internal/schedule"
	"qlink/internal/web"
)

// webRefreshQueue lets the web queue the refreshes people ask for ("Refresh
// now") in the instance's job queue, for the scheduler to work.
type webRefreshQueue struct{ q *schedule.Queue }

var _ web.Refresher = webRefreshQueue{}

func (r webRefreshQueue) RefreshProvider(ctx context.Context, providerID string) (string, error) {
	b, err := r.q.RefreshProvider(ctx, providerID)
	return b.Tag, err
}

func (r webRefreshQueue) Pending(ctx context.Context, tag string) (int, error) {
	return r.q.Pending(ctx, schedule.Batch{Tag: tag})
}

// offerRefreshes opens the instance's job queue for the web server to
// queue refreshes in. Only commands that work the queue (serve with its
// scheduler, demo) call it, before webServer: elsewhere no one would work
// the jobs, and the web says it refreshes on schedule only.
func (a *app) offerRefreshes(ctx context.Context) error {
	q, err := schedule.OpenQueue(ctx, queueBackend(a.cfg, a.store))
	if err != nil && ctx.Err() != nil {
		return nil // told to stop while opening it: serving then stops at once
	}
	if err != nil {
		return err
	}
	a.queue = q
	return nil
}

// refresher is what the web server is given: nil without a queue.
func (a *app) refresher() web.Refresher {
	if a.queue == nil {
		return nil
	}
	return webRefreshQueue{a.queue}
}
