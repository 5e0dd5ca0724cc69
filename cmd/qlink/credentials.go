package main

import (
	"bufio"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/fetch/auth"
	"qlink/internal/harvest"
	"qlink/internal/store"
)

func newCredentialsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "credentials",
		Short: "Register OAuth 2.0 clients that institutions give the aggregator out of band",
		Long: `A source protected with OAuth 2.0 client credentials names its token endpoint in the
manifest. The client id and secret can be in the manifest (the secret encrypted for the
aggregator's public key) or, when an institution prefers, handed to the operator, who
registers them here. A registered client is used only for that provider and exactly that
token endpoint, so a manifest cannot send it anywhere else. Secrets are stored encrypted
for the aggregator's RSA key and are never printed.`,
	}
	cmd.AddCommand(newCredentialsSetCmd(), newCredentialsListCmd(), newCredentialsDeleteCmd())
	return cmd
}

func newCredentialsSetCmd() *cobra.Command {
	var endpoint, clientID string
	cmd := &cobra.Command{
		Use:   "set <provider-id> --token-endpoint URL --client-id ID",
		Short: "Register or replace a provider's client; the secret is read from standard input",
		Example: `  printf '%s' "$CLIENT_SECRET" | qlink credentials set DEQARINST0001 \
      --token-endpoint https://auth.uni-lindenau.de/oauth2/token --client-id qlink`,
		Args: oneArg("the provider ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if u, err := url.Parse(endpoint); err != nil || u.Scheme != "https" || u.Host == "" {
				return fmt.Errorf("--token-endpoint %q must be an https URL", endpoint)
			}
			if clientID == "" {
				return errors.New("--client-id is required")
			}
			secret, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
			secret = strings.TrimRight(secret, "\r\n")
			if secret == "" {
				return fmt.Errorf("no secret on standard input (%v)", err)
			}
			st, cfg, err := openCmdStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			ring, err := openKeys(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if _, err := st.Provider(cmd.Context(), args[0]); err != nil {
				return fmt.Errorf("%w: import the registry first (qlink harvest --registry-url …)", err)
			}
			creds := harvest.StoredCredentials{Store: st, Keys: ring}
			if err := creds.Set(cmd.Context(), args[0], endpoint, clientID, secret, time.Now()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "registered client %s of %s at %s\n", clientID, args[0], endpoint)
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "token-endpoint", "", "the token endpoint, exactly as the manifest names it")
	cmd.Flags().StringVar(&clientID, "client-id", "", "the client id")
	config.Bind(cmd.Flags(), "data-dir", "database-url", "secret-key")
	return cmd
}

func newCredentialsListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list [provider-id]",
		Short: "List registered clients (never their secrets)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := openCmdStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			provider := ""
			if len(args) == 1 {
				provider = args[0]
			}
			list, err := st.ListOAuthClients(cmd.Context(), provider)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "PROVIDER\tTOKEN ENDPOINT\tCLIENT ID\tUPDATED")
			for _, c := range list {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", c.ProviderID, c.TokenEndpoint, c.ClientID, c.UpdatedAt.Format(time.DateTime))
			}
			return w.Flush()
		},
	}
	config.Bind(cmd.Flags(), "data-dir", "database-url")
	return cmd
}

func newCredentialsDeleteCmd() *cobra.Command {
	var endpoint string
	cmd := &cobra.Command{
		Use:   "delete <provider-id> --token-endpoint URL",
		Short: "Remove a registered client",
		Args:  oneArg("the provider ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := openCmdStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			err = st.DeleteOAuthClient(cmd.Context(), args[0], auth.EndpointKey(endpoint))
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no client of %s at %s (see qlink credentials list)", args[0], endpoint)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&endpoint, "token-endpoint", "", "the token endpoint of the client to remove")
	config.Bind(cmd.Flags(), "data-dir", "database-url")
	return cmd
}
