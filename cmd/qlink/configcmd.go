package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"qlink/internal/config"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the effective settings, secrets masked",
		Long: `config prints every setting as qlink would use it: defaults, then the --config file,
then QLINK_* environment variables, then flags. Secrets are shown as ********. Use it to
check what a deployment's environment actually configures.`,
		Example: "  QLINK_DATA_DIR=/var/lib/qlink qlink config --config /etc/qlink.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), cfg.Dump())
			return nil
		},
	}
	config.Bind(cmd.Flags())
	return cmd
}
