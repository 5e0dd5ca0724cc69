package check

import (
	"fmt"
	"io"
	"strings"

	"qlink/internal/discovery"
)

// Write prints the report for people, as `qlink check` shows it.
func Write(out io.Writer, r Report) {
	fmt.Fprintf(out, "Checking %s\n", r.Target)
	if r.AllowPrivate {
		fmt.Fprintln(out, "  private addresses allowed (--allow-private); the aggregator itself refuses them")
	}
	if len(r.Probes) > 0 {
		fmt.Fprintln(out, "\nDiscovery")
		WriteProbes(out, r.Probes)
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

// WriteProbes prints a probe log, one line per step with its reason.
func WriteProbes(out io.Writer, probes []discovery.Probe) {
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

func writeSource(out io.Writer, s SourceReport) {
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
