package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/store"
)

func newRunsCmd() *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "runs [provider-id]",
		Short: "List harvest runs (of one provider), show one, confirm suspicious ones",
		Long: `With a provider ID, runs lists that provider's harvest runs, newest first, with their counts
and warnings; without one, the latest runs of every provider. "qlink runs show" prints one
run with its warnings grouped by field.

A harvest run that would empty a source, or remove more than --harvest-max-removal percent
of its courses, changes nothing and is recorded as suspicious. It is applied when the next
run sees the same records; "qlink runs confirm" applies it at once, from the records the
run kept. Runs a killed process left running are shown as interrupted.

These commands read only the database, so they also work beside a running qlink serve
(except confirm, which writes the search index).`,
		Example: `  qlink runs uni-a
  qlink runs show 1234
  qlink runs list --status suspicious`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := openCmdStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			f := store.RunFilter{Limit: limit}
			if len(args) == 1 {
				p, err := st.Provider(cmd.Context(), args[0])
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("no provider with id %q in this instance's registry", args[0])
				} else if err != nil {
					return err
				}
				f.ProviderID = p.ID
				fmt.Fprintf(cmd.OutOrStdout(), "Runs of %s (%s), newest first:\n", p.ID, p.Name)
			}
			return printRunPage(cmd, st, f)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 50, "most runs listed (0: all)")
	config.Bind(cmd.Flags(), "data-dir", "database-url", "secret-key", "log-level", "log-format", "auto-migrate")
	cmd.AddCommand(newRunsListCmd(), newRunsShowCmd(), newRunsConfirmCmd())
	return cmd
}

// printRunPage prints the runs f selects and says how many there are in
// all when the limit left some out.
func printRunPage(cmd *cobra.Command, st store.Store, f store.RunFilter) error {
	runs, err := st.FindRuns(cmd.Context(), f)
	if err != nil {
		return err
	}
	if err := printRuns(cmd, st, runs); err != nil {
		return err
	}
	if f.Limit > 0 && len(runs) == f.Limit {
		total, err := st.CountRuns(cmd.Context(), f)
		if err != nil {
			return err
		}
		if total > len(runs) {
			fmt.Fprintf(cmd.OutOrStdout(), "(the newest %d of %d runs; --limit 0 lists all)\n", len(runs), total)
		}
	}
	return nil
}

func newRunsListCmd() *cobra.Command {
	var sourceID, status string
	var limit int
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List harvest runs, newest first",
		Example: `  qlink runs list --status suspicious
  qlink runs list --source 3f2a9c0d1e4b5a67 --limit 10`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkRunStatus(status); err != nil {
				return err
			}
			st, _, err := openCmdStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			return printRunPage(cmd, st, store.RunFilter{SourceID: sourceID, Status: store.RunStatus(status), Limit: limit})
		},
	}
	cmd.Flags().StringVar(&sourceID, "source", "", "only runs of this source ID")
	cmd.Flags().StringVar(&status, "status", "", "only runs with this status: ok, partial, not-modified, suspicious, failed, interrupted or running")
	cmd.Flags().IntVar(&limit, "limit", 50, "most runs listed (0: all)")
	config.Bind(cmd.Flags(), "data-dir", "database-url", "secret-key", "log-level", "log-format", "auto-migrate")
	return cmd
}

func checkRunStatus(s string) error {
	switch store.RunStatus(s) {
	case "", store.RunOK, store.RunPartial, store.RunNotModified, store.RunSuspicious, store.RunFailed, store.RunInterrupted, store.RunRunning:
		return nil
	}
	return fmt.Errorf("--status %q: want ok, partial, not-modified, suspicious, failed, interrupted or running", s)
}

func printRuns(cmd *cobra.Command, st store.Store, runs []store.Run) error {
	out := cmd.OutOrStdout()
	if len(runs) == 0 {
		fmt.Fprintln(out, "No runs match.")
		return nil
	}
	sources := map[string]store.Source{}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSOURCE\tPROVIDER\tSTATUS\tSTARTED\tSEEN\tNEW\tCHANGED\tUNCHANGED\tREMOVED\tCONFLICTS\tWARNINGS\tREASON")
	for _, r := range runs {
		src, ok := sources[r.SourceID]
		if !ok {
			var err error
			if src, err = st.Source(cmd.Context(), r.SourceID); err != nil {
				return err
			}
			sources[r.SourceID] = src
		}
		fmt.Fprintf(tw, "%d\t%s (%s)\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", r.ID, r.SourceID, src.Type, src.ProviderID,
			r.Status, r.StartedAt.Local().Format(time.DateTime), r.Seen, r.Added, r.Updated, r.Unchanged, r.Removed, r.Conflicts,
			r.WarningCount, runReason(r))
	}
	return tw.Flush()
}

// runReason is what an operator needs to read about a run, on one line.
func runReason(r store.Run) string {
	switch {
	case r.Reason != "":
		return r.Reason
	case r.Error != "":
		return r.Error
	}
	return "-"
}

func newRunsConfirmCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "confirm <run-id>",
		Short: "Apply a suspicious run: remove, update and add its courses as it read them",
		Long: `confirm applies a suspicious run from the records it kept, exactly as a run that was not
suspicious would have been applied, and records it as ok. Only the latest run that read
its source can be confirmed; a run superseded by a later one is refused.`,
		Example: `  qlink runs list --status suspicious
  qlink runs confirm 1234`,
		Args: oneArg("the run ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseRunID(args[0])
			if err != nil {
				return err
			}
			a, err := openCmdApp(cmd)
			if err != nil {
				return err
			}
			defer a.Close()
			run, err := a.harvester.Confirm(cmd.Context(), id)
			if err != nil {
				return err
			}
			printConfirmed(cmd.OutOrStdout(), run)
			return nil
		},
	}
	// snapshot-url: the records of a suspicious run are kept as a snapshot.
	config.Bind(cmd.Flags(), "data-dir", "database-url", "secret-key", "log-level", "log-format", "auto-migrate", "snapshot-url")
	return cmd
}

func printConfirmed(out io.Writer, r store.Run) {
	fmt.Fprintf(out, "Run %d applied: %d new, %d changed, %d removed, %d unchanged.\n", r.ID, r.Added, r.Updated, r.Removed, r.Unchanged)
}

func newRunsShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "show <run-id>",
		Short:   "Print one harvest run with its warnings grouped by field",
		Example: `  qlink runs show 1234`,
		Args:    oneArg("the run ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseRunID(args[0])
			if err != nil {
				return err
			}
			st, _, err := openCmdStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			r, err := st.Run(cmd.Context(), id)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no run %d in this instance (qlink runs <provider-id> lists them)", id)
			} else if err != nil {
				return err
			}
			src, err := st.Source(cmd.Context(), r.SourceID)
			if err != nil {
				return err
			}
			printRun(cmd.OutOrStdout(), r, src)
			return nil
		},
	}
	config.Bind(cmd.Flags(), "data-dir", "database-url", "secret-key", "log-level", "log-format", "auto-migrate")
	return cmd
}

func parseRunID(arg string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id < 1 {
		return 0, fmt.Errorf("run id %q: want a run number from qlink runs", arg)
	}
	return id, nil
}

// printRun prints a run's record and its kept warnings, grouped by field.
func printRun(out io.Writer, r store.Run, src store.Source) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Run\t%d\n", r.ID)
	fmt.Fprintf(tw, "Provider\t%s\n", src.ProviderID)
	fmt.Fprintf(tw, "Source\t%s (%s) %s\n", src.ID, src.Type, src.URL)
	fmt.Fprintf(tw, "Status\t%s\n", r.Status)
	fmt.Fprintf(tw, "Trigger\t%s\n", r.Trigger)
	fmt.Fprintf(tw, "Started\t%s\n", r.StartedAt.Local().Format(time.DateTime))
	if !r.FinishedAt.IsZero() {
		fmt.Fprintf(tw, "Finished\t%s\n", r.FinishedAt.Local().Format(time.DateTime))
	}
	fmt.Fprintf(tw, "Pages\t%d (%d bytes)\n", r.Pages, r.Bytes)
	fmt.Fprintf(tw, "Courses\t%d seen: %d new, %d changed, %d unchanged, %d removed, %d conflicts\n",
		r.Seen, r.Added, r.Updated, r.Unchanged, r.Removed, r.Conflicts)
	if r.Reason != "" {
		fmt.Fprintf(tw, "Reason\t%s\n", r.Reason)
	}
	if r.Error != "" {
		fmt.Fprintf(tw, "Error\t%s\n", r.Error)
	}
	tw.Flush()
	if r.WarningCount == 0 {
		fmt.Fprintln(out, "No warnings.")
		return
	}
	kept := ""
	if len(r.Warnings) < r.WarningCount {
		kept = fmt.Sprintf(" (the first %d kept)", len(r.Warnings))
	}
	fmt.Fprintf(out, "Warnings: %d%s\n", r.WarningCount, kept)
	fields, byField := groupWarnings(r.Warnings)
	for _, field := range fields {
		ws := byField[field]
		fmt.Fprintf(out, "  %s (%d)\n", field, len(ws))
		for _, w := range ws {
			if w.Record != "" {
				fmt.Fprintf(out, "    %s: %s\n", w.Record, w.Message)
			} else {
				fmt.Fprintf(out, "    %s\n", w.Message)
			}
		}
	}
}

// noField heads the warnings about a record as a whole.
const noField = "(record)"

// groupWarnings groups warnings by field, fields sorted by name, each in
// the order the run raised them.
func groupWarnings(ws []store.Warning) ([]string, map[string][]store.Warning) {
	byField := map[string][]store.Warning{}
	for _, w := range ws {
		field := cmp.Or(w.Field, noField)
		byField[field] = append(byField[field], w)
	}
	return slices.Sorted(maps.Keys(byField)), byField
}
