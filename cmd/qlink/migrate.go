package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"qlink/internal/config"
)

func newMigrateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations",
		Long: `migrate brings the database schema up to date. qlink applies migrations at start-up by
default (auto-migrate); operators who turn that off run this command after each upgrade.

The database is the SQLite file of the data directory, or with --database-url (QLINK_DATABASE_URL) a
PostgreSQL database; processes migrating one PostgreSQL database at once wait for each other.`,
		Example: `  qlink migrate --data-dir /var/lib/qlink
  QLINK_DATABASE_PASSWORD_FILE=/etc/qlink/db-password qlink migrate --database-url postgres://qlink@db.example/qlink`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			if cfg.DatabaseURL == "" {
				if err := checkInstance(cfg); err != nil {
					return err
				}
			}
			st, name, err := openEngine(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			return migrateStore(cmd, st, name)
		},
	}
	config.Bind(cmd.Flags(), "data-dir", "log-level", "database-url")
	return cmd
}

// migrator is what migrate needs of a store, on either engine.
type migrator interface {
	Pending(ctx context.Context) (int, error)
	Migrate(ctx context.Context) error
}

func migrateStore(cmd *cobra.Command, st migrator, name string) error {
	pending, err := st.Pending(cmd.Context())
	if err != nil {
		return err
	}
	if err := st.Migrate(cmd.Context()); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %d migration(s) applied; schema is up to date\n", name, pending)
	return nil
}
