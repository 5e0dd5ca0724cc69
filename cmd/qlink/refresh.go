package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/harvest"
	"qlink/internal/schedule"
	"qlink/internal/search/bleve"
	"qlink/internal/store"
)

func newRefreshCmd() *cobra.Command {
	var wait bool
	cmd := &cobra.Command{
		Use:   "refresh <provider-id|source-id>",
		Short: "Harvest one provider or one source now",
		Long: `refresh harvests one source, or one provider (discovery, then each of its active
sources), now. Find the IDs with "qlink runs".

When a qlink serve owns the data directory, refresh hands the work to it: it queues
the job ahead of the periodic ones, says so and returns; --wait follows the job and
prints each run as it ends. With no server running, refresh does the work itself.
With --database-url the work always goes to the job queue, for the qlink workers
(and serve processes) sharing that database.`,
		Example: `  qlink refresh DEQARINST0001
  qlink refresh DEQARINST0001 --wait`,
		Args: oneArg("a provider ID or a source ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			enqueue := func(ctx context.Context, st store.Store, q *schedule.Queue) (handed, error) {
				kind, err := refreshTarget(ctx, st, id)
				if err != nil {
					return handed{}, err
				}
				if kind == "source" {
					b, err := q.RefreshSource(ctx, id)
					return handed{b, "a refresh of source " + id, func(src store.Source) bool { return src.ID == id }}, err
				}
				b, err := q.RefreshProvider(ctx, id)
				return handed{b, "discovery and a refresh of provider " + id, func(src store.Source) bool { return src.ProviderID == id }}, err
			}
			if usesWorkers(cmd) {
				return handOver(cmd, wait, enqueue)
			}
			a, err := openCmdApp(cmd)
			if errors.Is(err, bleve.ErrBusy) {
				return handOver(cmd, wait, enqueue)
			}
			if err != nil {
				return err
			}
			defer a.Close()
			return refreshHere(cmd.Context(), a, cmd.OutOrStdout(), id)
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "when a server does the work, follow it until it ends")
	config.Bind(cmd.Flags(), append([]string{"data-dir", "database-url", "secret-key", "log-level", "log-format", "auto-migrate"}, harvestSettings...)...)
	return cmd
}

// refreshTarget says whether id names a source or a provider.
func refreshTarget(ctx context.Context, st store.Store, id string) (string, error) {
	if _, err := st.Source(ctx, id); err == nil {
		return "source", nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if _, err := st.Provider(ctx, id); err == nil {
		return "provider", nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	return "", fmt.Errorf("%q is neither a provider nor a source of this instance (see qlink runs)", id)
}

// refreshHere refreshes a provider or a source in this process.
func refreshHere(ctx context.Context, a *app, out io.Writer, id string) error {
	kind, err := refreshTarget(ctx, a.store, id)
	if err != nil {
		return err
	}
	if err := a.repair(ctx); err != nil {
		return err
	}
	a.sweepOrphans(ctx)
	if kind == "provider" {
		p := &progress{out: out, total: 1}
		_, err := a.harvester.All(ctx, 1, "manual", p.event, func(pid string) bool { return pid == id })
		return err
	}
	src, err := a.store.Source(ctx, id)
	if err != nil {
		return err
	}
	run, err := a.harvester.Source(ctx, src, "manual")
	if err != nil {
		return err
	}
	fmt.Fprintln(out, runLine(ctx, a.store, src, run))
	return nil
}

// handed is work queued for a server: the batch, what it is in words,
// and which sources its runs are about.
type handed struct {
	batch schedule.Batch
	what  string
	about func(store.Source) bool
}

// usesWorkers tells whether the command's instance is on PostgreSQL: its
// harvests are the work of the processes that share the job queue there
// (qlink worker, qlink serve), never of a command beside them.
func usesWorkers(cmd *cobra.Command) bool {
	cfg, err := loadConfig(cmd)
	return err == nil && cfg.DatabaseURL != ""
}

// handOver queues work for the server that owns the data directory,
// says what it queued, and with wait follows it to the end.
func handOver(cmd *cobra.Command, wait bool, enqueue func(context.Context, store.Store, *schedule.Queue) (handed, error)) error {
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	st, cfg, err := openCmdStore(cmd)
	if err != nil {
		return err
	}
	defer st.Close()
	q, err := schedule.OpenQueue(ctx, queueBackend(cfg, st))
	if err != nil {
		return err
	}
	defer q.Close()
	since, err := lastRunID(ctx, st)
	if err != nil {
		return err
	}
	h, err := enqueue(ctx, st, q)
	if err != nil {
		return err
	}
	owner := "A qlink server owns " + cfg.DataDir
	if cfg.DatabaseURL != "" {
		owner = "The instance is on PostgreSQL, where qlink workers harvest"
	}
	fmt.Fprintf(out, "%s: queued %s for it (%s).\n", owner, h.what, harvest.Count(h.batch.Jobs, "job"))
	if !wait {
		fmt.Fprintln(out, "It runs ahead of the periodic work; follow it with --wait or qlink runs.")
		return nil
	}
	return followBatch(ctx, st, q, h, since, out)
}

func lastRunID(ctx context.Context, st store.Store) (int64, error) {
	runs, err := st.FindRuns(ctx, store.RunFilter{Limit: 1})
	if err != nil || len(runs) == 0 {
		return 0, err
	}
	return runs[0].ID, nil
}

// followPoll is how often a waiting command looks at the queue and runs.
const followPoll = 500 * time.Millisecond

// followBatch prints the runs of the handed work as they end, until none
// of its jobs is left: the runs on its sources, started after it was
// queued, that the periodic schedule did not start. (Other work an
// operator queued for the same sources at the same time shows too.)
func followBatch(ctx context.Context, st store.Store, q *schedule.Queue, h handed, since int64, out io.Writer) error {
	printed := map[int64]bool{}
	counts := map[store.RunStatus]int{}
	for {
		pending, err := q.Pending(ctx, h.batch)
		if err != nil {
			return err
		}
		runs, err := st.FindRuns(ctx, store.RunFilter{Limit: 500})
		if err != nil {
			return err
		}
		for _, r := range slices.Backward(runs) {
			if r.ID <= since || printed[r.ID] || r.FinishedAt.IsZero() || harvest.TriggerOf(r) == "schedule" {
				continue
			}
			src, err := st.Source(ctx, r.SourceID)
			if err != nil {
				return err
			}
			if !h.about(src) {
				continue
			}
			printed[r.ID] = true
			counts[r.Status]++
			fmt.Fprintln(out, "  └", runLine(ctx, st, src, r))
		}
		if pending == 0 {
			fmt.Fprintf(out, "Done: %s (%s).\n", harvest.Count(len(printed), "run"), runCounts(counts))
			return nil
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(out, "Stopped following; the server carries on with the work.")
			return ctx.Err()
		case <-time.After(followPoll):
		}
	}
}

// runLine describes a finished run as the harvest's progress display does.
func runLine(ctx context.Context, st store.Store, src store.Source, r store.Run) string {
	name := src.ProviderID
	if p, err := st.Provider(ctx, src.ProviderID); err == nil {
		name = p.Name.String()
	}
	return harvest.Event{Kind: harvest.EventSourceDone, ProviderID: src.ProviderID, Provider: name, Source: src, Run: r}.String()
}
