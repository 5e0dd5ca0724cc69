package main

import (
	"context"
	"io"
	"time"

	"qlink/internal/harvest"
	"qlink/internal/redact"
	"qlink/internal/schedule"
	"qlink/internal/web"
)

// adminOptions wires the operator's pages to the job queue, the
// credential store and the key ring.
func (a *app) adminOptions() web.AdminOptions {
	creds := harvest.StoredCredentials{Store: a.store, Keys: a.keys}
	return web.AdminOptions{
		Jobs: queueJobs{backend: queueBackend(a.cfg, a.store)},
		SetCredentials: func(ctx context.Context, providerID, endpoint, clientID, secret string) error {
			return creds.Set(ctx, providerID, endpoint, clientID, secret, time.Now())
		},
		RotateKeys:  a.rotateKeys,
		RegistryURL: redact.URL(a.cfg.RegistryURL),
	}
}

// rotateKeys rotates the keys of algs (only: "", "secrets", "signing") as
// qlink keys rotate does, re-encrypting the stored OAuth secrets, and
// returns the new keys' IDs.
func (a *app) rotateKeys(ctx context.Context, overlap time.Duration, only string) ([]string, error) {
	algs, err := rotationAlgorithms(only)
	if err != nil {
		return nil, err
	}
	// Decrypted before rotating: with no overlap the old key is gone as
	// soon as Rotate returns.
	clients, err := decryptClients(ctx, a.store, a.keys)
	if err != nil {
		return nil, err
	}
	fresh, err := a.keys.Rotate(ctx, overlap, algs...)
	if err != nil {
		return nil, err
	}
	if err := reencryptClients(ctx, a.store, a.keys, clients, io.Discard); err != nil {
		return nil, err
	}
	ids := make([]string, len(fresh))
	for i, k := range fresh {
		ids[i] = k.ID
	}
	return ids, nil
}

// queueJobs shows the job queue the serving process works. It opens the
// queue per request: operators look rarely.
type queueJobs struct{ backend schedule.Backend }

func (q queueJobs) with(ctx context.Context, fn func(*schedule.Queue) error) error {
	queue, err := schedule.OpenQueue(ctx, q.backend)
	if err != nil {
		return err
	}
	defer queue.Close()
	return fn(queue)
}

// jobCountCap bounds each state's count on the pages: finished jobs pile
// up until River prunes them, and an operator needs orders of magnitude.
const jobCountCap = 1000

func (q queueJobs) Jobs(ctx context.Context, state string, limit int) ([]web.Job, error) {
	var out []web.Job
	err := q.with(ctx, func(queue *schedule.Queue) error {
		jobs, err := queue.Jobs(ctx, state, limit)
		for _, j := range jobs {
			out = append(out, web.Job{ID: j.ID, Kind: j.Kind, State: j.State, Attempt: j.Attempt, MaxAttempts: j.MaxAttempts,
				Args: j.Args, Errors: j.Errors, CreatedAt: j.CreatedAt, FinalizedAt: j.FinalizedAt})
		}
		return err
	})
	return out, err
}

func (q queueJobs) CountJobs(ctx context.Context) (map[string]int, error) {
	var out map[string]int
	err := q.with(ctx, func(queue *schedule.Queue) (err error) {
		out, err = queue.CountJobs(ctx, jobCountCap)
		return err
	})
	return out, err
}

func (q queueJobs) RetryJob(ctx context.Context, id int64) error {
	return q.with(ctx, func(queue *schedule.Queue) error {
		_, err := queue.RetryJob(ctx, id)
		return err
	})
}

func (q queueJobs) ImportRegistry(ctx context.Context) error {
	return q.with(ctx, func(queue *schedule.Queue) error {
		_, err := queue.ImportRegistry(ctx)
		return err
	})
}

func (q queueJobs) SyncIndex(ctx context.Context) error {
	return q.with(ctx, func(queue *schedule.Queue) error {
		_, err := queue.SyncIndex(ctx)
		return err
	})
}
