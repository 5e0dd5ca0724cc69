package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/store/sqlite"
)

func newMigrateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations",
		Long: `migrate brings the database schema up to date. qlink applies migrations at start-up by
default (auto-migrate); operators who turn that off run this command after each upgrade.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadInstanceConfig(cmd)
			if err != nil {
				return err
			}
			st, err := sqlite.Open(cfg.DatabasePath())
			if err != nil {
				return err
			}
			defer st.Close()
			pending, err := st.Pending(cmd.Context())
			if err != nil {
				return err
			}
			if err := st.Migrate(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d migration(s) applied; schema is up to date\n", cfg.DatabasePath(), pending)
			return nil
		},
	}
	config.Bind(cmd.Flags(), "data-dir", "log-level")
	return cmd
}
