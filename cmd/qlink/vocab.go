package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/fetch"
	"qlink/internal/vocab"
	"qlink/internal/vocab/refresh"
)

func newVocabCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vocab",
		Short: "Show the EU controlled vocabularies or refresh their labels",
		Long: `qlink embeds a snapshot of the EU vocabularies its model uses: ISCED-F 2013 fields,
EQF levels, learning-opportunity types, modes of learning and assessment, learning
schedules and credit systems (languages and countries come from the Unicode CLDR).
"vocab refresh" reloads the labels, in every official EU language, from the EU
Publications Office SPARQL endpoint into the data directory; the catalogue uses them
from then on. Everything works offline without a refresh.`,
	}
	cmd.AddCommand(newVocabShowCmd(), newVocabRefreshCmd())
	return cmd
}

func newVocabShowCmd() *cobra.Command {
	var lang string
	cmd := &cobra.Command{
		Use:     "show [scheme]",
		Short:   "List the vocabularies, or the concepts of one",
		Example: "  qlink vocab show\n  qlink vocab show learning-assessment --lang de",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			labels, err := vocab.LoadLabels(cfg.LabelsPath())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			defer w.Flush()
			for _, s := range vocab.Schemes {
				if len(args) == 0 {
					fmt.Fprintf(w, "%s\t%d concepts\t%s\n", s.Scheme.Name, len(s.Scheme.All()), s.SchemeIRI)
					continue
				}
				if s.Scheme.Name != args[0] {
					continue
				}
				for _, c := range s.Scheme.All() {
					fmt.Fprintf(w, "%s\t%s\t%s\n", c.Slug, labels.Label(c, lang), c.URI)
				}
				return nil
			}
			if len(args) > 0 {
				return fmt.Errorf("no vocabulary %q; run qlink vocab show for the list", args[0])
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&lang, "lang", "en", "language of the labels")
	config.Bind(cmd.Flags(), "data-dir")
	return cmd
}

func newVocabRefreshCmd() *cobra.Command {
	var endpoint string
	cmd := &cobra.Command{
		Use:   "refresh",
		Short: "Reload vocabulary labels from the EU Publications Office",
		Long: `refresh queries the EU Publications Office SPARQL endpoint for the preferred labels of
every concept, in the official EU languages, and saves them in the data directory. It
replaces the saved labels only when every vocabulary was read.`,
		Example: "  qlink vocab refresh --data-dir /var/lib/qlink",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadInstanceConfig(cmd)
			if err != nil {
				return err
			}
			res, err := refresh.Run(cmd.Context(), refreshGetter(newFetcher(cfg, network{}, newLogger(cfg))), endpoint)
			if err != nil {
				return err
			}
			if err := res.Labels.Save(cfg.LabelsPath()); err != nil {
				return err
			}
			names := make([]string, 0, len(res.Counts))
			for n := range res.Counts {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				fmt.Fprintf(cmd.OutOrStdout(), "%-22s %6d labels\n", n, res.Counts[n])
			}
			fmt.Fprintf(cmd.OutOrStdout(), "saved %d labels to %s (%d bindings ignored)\n", res.Labels.Count(), cfg.LabelsPath(), res.Ignored)
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", refresh.DefaultEndpoint, "SPARQL endpoint to query")
	config.Bind(cmd.Flags(), "data-dir", "contact-url", "log-level", "fetch-timeout")
	return cmd
}

// refreshGetter lets vocab/refresh fetch through the door without
// importing it.
func refreshGetter(f *fetch.Client) refresh.Getter {
	return func(ctx context.Context, rawURL, accept string) ([]byte, error) {
		resp, err := f.Get(ctx, fetch.Request{URL: rawURL, Header: http.Header{"Accept": {accept}}})
		if err != nil {
			return nil, err
		}
		return resp.Body, nil
	}
}
