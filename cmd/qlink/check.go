package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"qlink/internal/check"
	"qlink/internal/config"
	"qlink/internal/fetch"
)

// errCheckFailed makes `qlink check` exit non-zero without repeating the report.
var errCheckFailed = errors.New("check failed: see the problems above")

func newCheckCmd() *cobra.Command {
	var asJSON, allowPrivate bool
	cmd := &cobra.Command{
		Use:   "check <domain | manifest-url>",
		Short: "Check what the aggregator will find, fetch and reject for an institution",
		Long: `check is the publisher's pre-flight test. Given a domain, it runs discovery exactly as the
aggregator does: on the domain, the domain without "www." and its registrable domain, DNS
TXT "v=qldiscover1; m=<URL>", then /.well-known/quality-link-manifest, .json and .yaml,
reporting every probe and why it succeeded or failed. Given a manifest
URL, it fetches that manifest. It then validates the manifest (JSON Schema, with line
numbers) and previews each source: access, content, the first page of courses and any
warnings about records. Nothing is stored.

Sources protected with httpheader or httpsig can only be tested with the aggregator's
keys: run the check on the aggregator with its --data-dir (and its --secret-key-file or
--secret-key, if set).

Like the aggregator, check refuses private and loopback addresses. To test a staging
server on a private network, add --allow-private (loopback, RFC 1918 and unique-local
addresses; never cloud metadata); the report says so, and the aggregator will still refuse
those addresses.

The exit code is 0 when every source can be harvested and 1 otherwise; --json prints the
report for machines. An aggregator's web page /manifest runs the same check ("Check my
institution"), without the aggregator's keys.`,
		Example: `  qlink check uni-lindenau.de
  qlink check https://www.uni-lindenau.de/.well-known/quality-link-manifest
  qlink check --json uni-lindenau.de | jq .sources
  qlink check --allow-private https://staging.uni-lindenau.internal/manifest.json`,
		Args: checkArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			var nw network
			if allowPrivate {
				nw.allowNets = fetch.PrivateNets
			}
			h, err := newChecker(cmd.Context(), cfg, nw, newLogger(cfg))
			if err != nil {
				return err
			}
			r := h.Check(cmd.Context(), args[0])
			r.AllowPrivate = allowPrivate
			return printCheck(cmd.OutOrStdout(), r, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	// A flag of check alone, deliberately not a setting: serve and harvest
	// must never read it from a file or the environment.
	cmd.Flags().BoolVar(&allowPrivate, "allow-private", false, "also reach private and loopback addresses, to test a staging server (the aggregator never does)")
	config.Bind(cmd.Flags(), "data-dir", "secret-key", "contact-url", "log-level", "log-format", "fetch-timeout", "fetch-max-body")
	return cmd
}

// checkArgs wants exactly one target, a domain name or an http(s) URL,
// and says what to type when it gets something else.
func checkArgs(_ *cobra.Command, args []string) error {
	const examples = "qlink check example.org or qlink check https://example.org/.well-known/quality-link-manifest"
	switch {
	case len(args) == 0:
		return errors.New("check needs the institution's domain or its manifest URL, e.g. " + examples)
	case len(args) > 1:
		return fmt.Errorf("check takes one domain or manifest URL, not %d arguments; e.g. %s", len(args), examples)
	case !check.ValidTarget(args[0]):
		return fmt.Errorf("not a domain name or URL: %q; try qlink check example.org or qlink check https://…/manifest", args[0])
	}
	return nil
}

func printCheck(out io.Writer, r check.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		check.Write(out, r)
	}
	if !r.Pass {
		return errCheckFailed
	}
	return nil
}
