package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/model"
	"qlink/internal/model/alliance"
	"qlink/internal/registry"
	"qlink/internal/schedule"
	"qlink/internal/search/bleve"
	"qlink/internal/store"
)

// allianceImport says what an import of alliance data did.
type allianceImport struct {
	store.AllianceImport
	Problems []string
}

// importAlliances replaces the alliances that came from source with what
// source holds now (store.ReplaceAlliances).
func importAlliances(ctx context.Context, st store.Store, get registry.Getter, source string) (allianceImport, error) {
	as, problems, err := registry.LoadAlliances(ctx, get, source)
	rep := allianceImport{Problems: problems}
	if err != nil {
		return rep, err
	}
	rep.AllianceImport, err = store.ReplaceAlliances(ctx, st, source, as)
	return rep, err
}

func newAlliancesCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "alliances",
		Short: "List, import, add and remove alliances of institutions (European Universities)",
		Long: `Alliances group institutions: the catalogue has an alliance filter, each alliance a page
(/alliances/{id}) with its members and their courses, and a search widget other sites can
embed (/embed/alliances/{id}).

Alliance data comes as QualityLink Turtle (ql:EuropeanUniversityAlliance resources, members
linked with ql:isMemberOf; the identifier is the OrgReg notation) or as CSV with the header
alliance,name,lang,website,member and one row per member. Members may be named by DEQAR
institution IRI (https://data.deqar.eu/institution/357) or id (DEQARINST0357), ETER id,
SCHAC code or provider ID; members the registry does not hold yet are kept and match once
it does.

"import" replaces the alliances an earlier import of the same file or URL brought; with
--alliances-url set, qlink serve and qlink harvest import it with the registry. "add" enters
or replaces one alliance by hand. These commands work beside a running qlink serve: it
re-indexes the members' courses when told.`,
		Example: `  qlink alliances
  qlink alliances import alliance.ttl
  qlink alliances add lumen --name "LUMEN European University" --member DEQARINST0001 --member uni-b.example
  qlink alliances remove lumen`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := openCmdStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			as, err := st.ListAlliances(cmd.Context())
			if err != nil {
				return err
			}
			return printAlliances(cmd.OutOrStdout(), as, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	config.Bind(cmd.Flags(), "data-dir", "database-url", "secret-key", "log-level", "log-format", "auto-migrate")
	cmd.AddCommand(newAlliancesImportCmd(), newAlliancesAddCmd(), newAlliancesRemoveCmd())
	return cmd
}

func printAlliances(out io.Writer, as []model.Alliance, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if as == nil {
			as = []model.Alliance{}
		}
		return enc.Encode(as)
	}
	if len(as) == 0 {
		fmt.Fprintln(out, `No alliances. Import some with "qlink alliances import <file or URL>".`)
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tMEMBERS\tIN REGISTRY\tORIGIN")
	for _, a := range as {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", a.ID, a.Name.String(), len(a.Members), len(a.Providers), a.Origin)
	}
	return tw.Flush()
}

func newAlliancesImportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "import <file or URL>",
		Short:   "Import alliance data (QualityLink Turtle or CSV), replacing an earlier import of the same source",
		Example: "  qlink alliances import https://example.org/alliances.ttl",
		Args:    oneArg("the alliance data to import, a file or URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return changeAlliances(cmd, func(ctx context.Context, st store.Store, get registry.Getter) (string, error) {
				rep, err := importAlliances(ctx, st, get, args[0])
				for _, p := range rep.Problems {
					fmt.Fprintln(cmd.ErrOrStderr(), "alliances:", p)
				}
				return "Imported " + rep.String() + ".", err
			})
		},
	}
	config.Bind(cmd.Flags(), "data-dir", "database-url", "secret-key", "log-level", "log-format", "auto-migrate", "contact-url", "fetch-timeout", "fetch-max-body")
	return cmd
}

func newAlliancesAddCmd() *cobra.Command {
	var name, lang, website string
	var members []string
	cmd := &cobra.Command{
		Use:     "add <alliance-id>",
		Short:   "Enter or replace one alliance by hand",
		Example: `  qlink alliances add lumen --name "LUMEN European University" --member DEQARINST0001 --member uni-b.example`,
		Args:    oneArg("the alliance's identifier"),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := alliance.Manual(args[0], name, lang, website, members)
			if err != nil {
				return err
			}
			return changeAlliances(cmd, func(ctx context.Context, st store.Store, _ registry.Getter) (string, error) {
				if err := st.SaveAlliances(ctx, store.OriginOperator, []model.Alliance{a}); err != nil {
					return "", err
				}
				saved, err := st.Alliance(ctx, a.ID)
				return fmt.Sprintf("Saved alliance %s with %d members, %d of them in the registry.", a.ID, len(saved.Members), len(saved.Providers)), err
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the alliance's name")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of --name (BCP 47)")
	cmd.Flags().StringVar(&website, "website", "", "the alliance's website")
	cmd.Flags().StringArrayVar(&members, "member", nil, "a member institution (repeatable)")
	config.Bind(cmd.Flags(), "data-dir", "database-url", "secret-key", "log-level", "log-format", "auto-migrate")
	return cmd
}

func newAlliancesRemoveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "remove <alliance-id>",
		Short:   "Remove an alliance",
		Example: "  qlink alliances remove lumen",
		Args:    oneArg("the alliance's identifier"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return changeAlliances(cmd, func(ctx context.Context, st store.Store, _ registry.Getter) (string, error) {
				if _, err := st.Alliance(ctx, args[0]); errors.Is(err, store.ErrNotFound) {
					return "", fmt.Errorf("no alliance with id %q (qlink alliances lists them)", args[0])
				}
				return "Removed alliance " + args[0] + ".", st.DeleteAlliances(ctx, []string{args[0]})
			})
		},
	}
	config.Bind(cmd.Flags(), "data-dir", "database-url", "secret-key", "log-level", "log-format", "auto-migrate")
	return cmd
}

// changeAlliances applies a change to the store, then brings the search
// index up to date: here when no server owns it, else by asking the
// server to.
func changeAlliances(cmd *cobra.Command, change func(context.Context, store.Store, registry.Getter) (string, error)) error {
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	st, cfg, err := openCmdStore(cmd)
	if err != nil {
		return err
	}
	msg, err := change(ctx, st, newFetcher(cfg, cmdNetwork, newLogger(cfg)))
	st.Close()
	if err != nil {
		return err
	}
	fmt.Fprintln(out, msg)
	a, err := openCmdApp(cmd)
	if errors.Is(err, bleve.ErrBusy) {
		q, err := schedule.OpenQueue(ctx, queueBackend(cfg, nil))
		if err != nil {
			return err
		}
		defer q.Close()
		if _, err := q.SyncIndex(ctx); err != nil {
			return err
		}
		fmt.Fprintln(out, "The running server re-indexes the members' courses.")
		return nil
	}
	if err != nil {
		return err
	}
	defer a.Close()
	return a.harvester.SyncIndex(ctx)
}
