package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/harvest"
	"qlink/internal/redact"
	"qlink/internal/schedule"
	"qlink/internal/search/bleve"
	"qlink/internal/store"
)

func newHarvestCmd() *cobra.Command {
	var providerIDs []string
	var wait bool
	cmd := &cobra.Command{
		Use:   "harvest",
		Short: "Import the provider registry, discover manifests and harvest every source once",
		Long: `harvest works on an instance created with "qlink init"; it refuses a data directory
that holds none.

It imports providers from the registry (when --registry-url is set), runs discovery
for each provider (DNS TXT, then the well-known URLs, on the SCHAC code, website host,
host without www and registrable domain), and harvests every active source it finds.
Each source's run is recorded with its pages, counts and warnings; a source that fails
leaves its stored courses untouched.

A complete run that yields no courses, or would remove more than --harvest-max-removal
percent of a source's courses, changes nothing and is recorded as suspicious: it is
applied when the next harvest sees the same records, or when confirmed with
"qlink runs confirm <run-id>" (find it with "qlink runs list --status suspicious").
A run over a budget (--harvest-max-run-bytes, --harvest-max-run-pages,
--harvest-max-records, --harvest-provider-timeout) stops and changes nothing.
At start-up, runs a killed process left running are marked interrupted and the search
index is brought in line with the database.

When a qlink serve owns the data directory, harvest hands the work to it instead: it
queues the harvest ahead of the periodic work, says so and returns at once; --wait
follows it and prints each run as it ends. The server's registry setting is used then.
With --database-url the harvest always goes to the job queue, for the qlink workers
(and serve processes) sharing that database.`,
		Example: `  qlink harvest --registry-url https://backend.deqar.eu/connectapi/v1/providers/
  qlink harvest --registry-url providers.json --provider DEQARINST0001`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			enqueue := func(ctx context.Context, st store.Store, q *schedule.Queue) (handed, error) {
				b, err := q.HarvestAll(ctx, providerIDs)
				if ps, _ := st.ListProviders(ctx); len(ps) == 0 {
					fmt.Fprintln(cmd.OutOrStdout(), "The registry holds no providers yet: the harvest finds something only if the server runs with --registry-url.")
				}
				return handed{b, "a full harvest (registry import as the server is set up, discovery and refresh of every provider)",
					func(src store.Source) bool {
						return len(providerIDs) == 0 || slices.Contains(providerIDs, src.ProviderID)
					}}, err
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
			a.sweepOrphans(cmd.Context()) // demo and serve sweep beside their harvests
			sum, err := runHarvest(cmd.Context(), a, cmd.OutOrStdout(), "manual", providerIDs)
			if err != nil {
				return err
			}
			if sum.Sources > 0 && sum.Runs[store.RunFailed] == sum.Sources {
				return fmt.Errorf("every source failed")
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&providerIDs, "provider", nil, "harvest only these provider IDs (repeatable)")
	cmd.Flags().BoolVar(&wait, "wait", false, "when a server does the work, follow it until it ends")
	config.Bind(cmd.Flags(), "data-dir", "database-url", "secret-key", "registry-url", "alliances-url", "contact-url", "log-level", "log-format", "auto-migrate",
		"fetch-timeout", "fetch-max-body", "fetch-per-host", "fetch-host-rate", "fetch-attempts", "harvest-workers", "harvest-max-pages",
		"harvest-max-removal", "harvest-max-sources", "harvest-max-run-bytes", "harvest-max-run-pages", "harvest-max-records",
		"harvest-provider-timeout", "harvest-keep-snapshots", "snapshot-url", "harvest-publish-for")
	return cmd
}

// runHarvest imports the registry (if configured), harvests, and prints
// progress and a summary to out.
func runHarvest(ctx context.Context, a *app, out io.Writer, trigger string, only []string) (harvest.Summary, error) {
	if err := a.repair(ctx); err != nil {
		return harvest.Summary{}, err
	}
	rep, err := a.importDirectory(ctx)
	for _, p := range rep.Problems {
		fmt.Fprintln(out, "import:", p)
	}
	if err != nil {
		return harvest.Summary{}, err
	}
	if a.cfg.RegistryURL != "" {
		fmt.Fprintf(out, "Registry: %s from %s\n", harvest.Count(rep.Providers, "provider"), redact.URL(a.cfg.RegistryURL))
	}
	if a.cfg.AlliancesURL != "" {
		fmt.Fprintf(out, "Alliances: %s from %s\n", rep.Alliances, redact.URL(a.cfg.AlliancesURL))
		// Members of alliances that changed are indexed again even when
		// their sources are not harvested now.
		if err := a.harvester.SyncIndex(ctx); err != nil {
			return harvest.Summary{}, err
		}
	}
	providers, err := a.store.ListProviders(ctx)
	if err != nil {
		return harvest.Summary{}, err
	}
	if len(providers) == 0 {
		return harvest.Summary{}, fmt.Errorf("no providers to harvest: set --registry-url to a DEQAR Connect URL or a providers file")
	}
	total := len(providers)
	if len(only) > 0 {
		total = len(only)
	}
	p := &progress{out: out, total: total}
	sum, err := a.harvester.All(ctx, a.cfg.Harvest.Workers, trigger, p.event, func(id string) bool {
		return len(only) == 0 || slices.Contains(only, id)
	})
	fmt.Fprintf(out, "\nDone in %s: %d of %s published a manifest; %s harvested (%s); %s in the catalogue.\n",
		sum.Duration.Round(1e7), sum.Discovered, harvest.Count(sum.Providers, "provider"), harvest.Count(sum.Sources, "source"),
		runCounts(sum.Runs), harvest.Count(sum.Courses, "course"))
	return sum, err
}

// progress prints one line per provider outcome and source run, numbered
// by providers finished.
type progress struct {
	mu    sync.Mutex
	out   io.Writer
	total int
	done  int
	// number is each provider's place in the count, so that its source
	// lines carry the same number even when other providers finished
	// discovery in between.
	number map[string]int
}

func (p *progress) event(e harvest.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case harvest.EventDiscovered, harvest.EventDiscoveryFailed:
		p.done++
		if p.number == nil {
			p.number = map[string]int{}
		}
		p.number[e.ProviderID] = p.done
		mark := "✓"
		if e.Kind == harvest.EventDiscoveryFailed {
			mark = "✗"
		}
		fmt.Fprintf(p.out, "[%3d/%d] %s %s\n", p.done, p.total, mark, e)
	case harvest.EventSourceDone:
		fmt.Fprintf(p.out, "[%3d/%d]   └ %s\n", p.number[e.ProviderID], p.total, e)
	}
}

func runCounts(m map[store.RunStatus]int) string {
	var parts []string
	for _, s := range []store.RunStatus{store.RunOK, store.RunPartial, store.RunNotModified, store.RunSuspicious, store.RunFailed} {
		if m[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[s], s))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
