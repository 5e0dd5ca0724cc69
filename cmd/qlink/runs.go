package main

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/store"
	"qlink/internal/store/sqlite"
)

func newRunsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List harvest runs and confirm suspicious ones",
		Long: `A harvest run that would empty a source, or remove more than --harvest-max-removal percent
of its courses, changes nothing and is recorded as suspicious. It is applied when the next
run sees the same records; "qlink runs confirm" applies it at once, from the records the
run kept. Runs a killed process left running are shown as interrupted.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newRunsListCmd(), newRunsConfirmCmd())
	return cmd
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
			runs, err := st.FindRuns(cmd.Context(), store.RunFilter{SourceID: sourceID, Status: store.RunStatus(status), Limit: limit})
			if err != nil {
				return err
			}
			return printRuns(cmd, st, runs)
		},
	}
	cmd.Flags().StringVar(&sourceID, "source", "", "only runs of this source ID")
	cmd.Flags().StringVar(&status, "status", "", "only runs with this status: ok, partial, not-modified, suspicious, failed, interrupted or running")
	cmd.Flags().IntVar(&limit, "limit", 50, "most runs listed (0: all)")
	config.Bind(cmd.Flags(), "data-dir", "secret-key", "log-level", "log-format", "auto-migrate")
	return cmd
}

func checkRunStatus(s string) error {
	switch store.RunStatus(s) {
	case "", store.RunOK, store.RunPartial, store.RunNotModified, store.RunSuspicious, store.RunFailed, store.RunInterrupted, store.RunRunning:
		return nil
	}
	return fmt.Errorf("--status %q: want ok, partial, not-modified, suspicious, failed, interrupted or running", s)
}

func printRuns(cmd *cobra.Command, st *sqlite.Store, runs []store.Run) error {
	out := cmd.OutOrStdout()
	if len(runs) == 0 {
		fmt.Fprintln(out, "No runs match.")
		return nil
	}
	sources := map[string]store.Source{}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSOURCE\tPROVIDER\tSTATUS\tSTARTED\tCOURSES\tNEW\tCHANGED\tREMOVED\tREASON")
	for _, r := range runs {
		src, ok := sources[r.SourceID]
		if !ok {
			var err error
			if src, err = st.Source(cmd.Context(), r.SourceID); err != nil {
				return err
			}
			sources[r.SourceID] = src
		}
		fmt.Fprintf(tw, "%d\t%s (%s)\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", r.ID, r.SourceID, src.Type, src.ProviderID, r.Status,
			r.StartedAt.Local().Format(time.DateTime), r.Seen, r.Added, r.Updated, r.Removed, runReason(r))
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
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id < 1 {
				return fmt.Errorf("run id %q: want a run number from qlink runs list", args[0])
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
	config.Bind(cmd.Flags(), "data-dir", "secret-key", "log-level", "log-format", "auto-migrate")
	return cmd
}

func printConfirmed(out io.Writer, r store.Run) {
	fmt.Fprintf(out, "Run %d applied: %d new, %d changed, %d removed, %d unchanged.\n", r.ID, r.Added, r.Updated, r.Removed, r.Unchanged)
}
