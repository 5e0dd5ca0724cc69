package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/harvest"
	"qlink/internal/model"
	"qlink/internal/store"
	"qlink/internal/web"
)

func newQualityCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "quality <provider-id>",
		Short: "Print a provider's data-quality report",
		Long: `quality prints what the latest harvests found wrong in a provider's data, checked against the
QualityLink application profile: the completeness score, each broken rule in plain words with
the field to fix, how many records break it and examples, per source and in all, and the
trend over the latest runs. It is the report GET /api/v1/providers/{id}/quality serves;
--json prints that JSON.

It reads only the database, so it also works beside a running qlink serve.`,
		Example: `  qlink quality uni-a
  qlink quality uni-a --json`,
		Args: oneArg("the provider ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := openCmdStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			p, err := st.Provider(cmd.Context(), args[0])
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no provider with id %q in this instance's registry", args[0])
			} else if err != nil {
				return err
			}
			rep, err := web.LoadProviderQuality(cmd.Context(), st, p.ID)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			printQuality(cmd.OutOrStdout(), p.Name.String(), rep)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	config.Bind(cmd.Flags(), "data-dir", "database-url", "secret-key", "log-level", "log-format", "auto-migrate")
	return cmd
}

func printQuality(w io.Writer, name string, rep web.ProviderQuality) {
	fmt.Fprintf(w, "Data quality of %s (%s)\n", rep.Provider, name)
	if len(rep.Sources) == 0 {
		fmt.Fprintln(w, "No harvest has checked this provider's data yet.")
		return
	}
	s := rep.Summary
	fmt.Fprintf(w, "%s, %d break no rule; average completeness %.1f of 100\n", harvest.Count(s.Records, "record"), s.Conforming, s.AverageScore)
	if len(s.Rules) == 0 {
		fmt.Fprintln(w, "\nNothing to fix.")
	} else {
		fmt.Fprintln(w, "\nWhat to fix, the rule broken by most records first:")
		formats := map[string]bool{}
		for _, src := range rep.Sources {
			formats[src.Type] = true
		}
		for _, r := range s.Rules {
			fmt.Fprintf(w, "  %s [%s, %s]\n    field %s; %s, e.g. %s\n", r.Explanation, r.Rule, r.Severity,
				ruleFields(r, formats), harvest.Count(r.Records, "record"), strings.Join(r.Examples, ", "))
		}
	}
	fmt.Fprintln(w, "\nSources (latest checked run):")
	for _, src := range rep.Sources {
		fmt.Fprintf(w, "  %s %s %s: run %d, %s, %d break no rule, completeness %.1f, checked in %.1f ms\n",
			src.Source, src.Type, src.Path, src.Run, harvest.Count(src.Records, "record"), src.Conforming, src.AverageScore,
			src.ValidationMS)
	}
	fmt.Fprintln(w, "\nTrend (newest first):")
	for _, p := range rep.Trend {
		fmt.Fprintf(w, "  run %-6d %s  %s  completeness %5.1f  %s  %d/%d break no rule\n", p.Run,
			p.At.UTC().Format(time.DateTime), p.Source, p.AverageScore, harvest.Count(p.Violations, "violation"), p.Conforming, p.Records)
	}
}

// ruleFields names the property and, where known, its field in each of
// the provider's source formats: "dcterms:title (ooapi: name)".
func ruleFields(r model.QualityRule, formats map[string]bool) string {
	var parts []string
	for _, format := range slices.Sorted(maps.Keys(r.Fields)) {
		if formats[format] {
			parts = append(parts, format+": "+r.Fields[format])
		}
	}
	if len(parts) == 0 {
		return r.Property
	}
	return r.Property + " (" + strings.Join(parts, ", ") + ")"
}
