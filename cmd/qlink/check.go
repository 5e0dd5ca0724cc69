package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/discovery"
	"qlink/internal/harvest"
)

// errCheckFailed makes `qlink check` exit non-zero without repeating the report.
var errCheckFailed = errors.New("check failed: see the problems above")

func newCheckCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check <domain | manifest-url>",
		Short: "Check what the aggregator will find, fetch and reject for an institution",
		Long: `check is the publisher's pre-flight test. Given a domain, it runs discovery exactly as the
aggregator does (DNS TXT "v=qldiscover1; m=<URL>", then /.well-known/quality-link-manifest,
.json and .yaml), reporting every probe and why it succeeded or failed. Given a manifest
URL, it fetches that manifest. It then validates the manifest (JSON Schema, with line
numbers) and previews each source: access, content, the first page of courses and any
warnings about records. Nothing is stored.

Sources protected with httpheader or httpsig can only be tested with the aggregator's
keys: run the check on the aggregator with its --data-dir (and --secret-key, if set).

The exit code is 0 when every source can be harvested and 1 otherwise; --json prints the
report for machines.`,
		Example: `  qlink check uni-lindenau.de
  qlink check https://www.uni-lindenau.de/.well-known/quality-link-manifest
  qlink check --json uni-lindenau.de | jq .sources`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			h, err := newChecker(cmd.Context(), cfg, network{}, newLogger(cfg))
			if err != nil {
				return err
			}
			return printCheck(cmd.OutOrStdout(), h.Check(cmd.Context(), args[0]), asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	config.Bind(cmd.Flags(), "data-dir", "secret-key", "contact-url", "log-level", "log-format", "fetch-timeout", "fetch-max-body")
	return cmd
}

func printCheck(out io.Writer, r harvest.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		writeReport(out, r)
	}
	if !r.Pass {
		return errCheckFailed
	}
	return nil
}

func writeReport(out io.Writer, r harvest.Report) {
	fmt.Fprintf(out, "Checking %s\n", r.Target)
	if len(r.Probes) > 0 {
		fmt.Fprintln(out, "\nDiscovery")
		writeProbes(out, r.Probes)
	}
	if r.ManifestURL != "" {
		fmt.Fprintf(out, "\nManifest %s\n", r.ManifestURL)
		if len(r.Diagnostics) == 0 {
			fmt.Fprintln(out, "  valid")
		}
		for _, d := range r.Diagnostics {
			fmt.Fprintf(out, "  %s\n", d)
		}
	}
	for _, p := range r.Problems {
		fmt.Fprintf(out, "\n✗ %s\n  fix: %s\n", p.Message, p.Fix)
	}
	if len(r.Sources) > 0 {
		fmt.Fprintln(out, "\nSources")
	}
	for _, s := range r.Sources {
		writeSource(out, s)
	}
	if r.Pass {
		fmt.Fprintln(out, "\nResult: PASS — the aggregator can harvest every source.")
	} else {
		fmt.Fprintln(out, "\nResult: FAIL — fix the problems marked ✗ above.")
	}
}

func writeProbes(out io.Writer, probes []discovery.Probe) {
	for _, p := range probes {
		where := p.Domain
		if p.URL != "" {
			where = p.URL
		}
		fmt.Fprintf(out, "  %2d. %-10s %-7s %s", p.Step, p.Method, p.Outcome, where)
		if p.Reason != "" {
			fmt.Fprintf(out, " — %s", p.Reason)
		}
		fmt.Fprintln(out)
	}
}

func writeSource(out io.Writer, s harvest.SourceReport) {
	mark := "✓"
	if len(s.Problems) > 0 {
		mark = "✗"
	}
	name := ""
	if s.Name != "" {
		name = " (" + s.Name + ")"
	}
	fmt.Fprintf(out, "  %s %s %s%s, auth %s\n", mark, s.Type, s.Path, name, s.Auth)
	if s.Courses > 0 {
		fmt.Fprintf(out, "      first page(s): %d courses and programmes from %d request(s); e.g. %s\n", s.Courses, s.Pages, quoteList(s.Sample))
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(out, "      warning: %s\n", w)
	}
	for _, p := range s.Problems {
		fmt.Fprintf(out, "      ✗ %s\n        fix: %s\n", p.Message, p.Fix)
	}
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
