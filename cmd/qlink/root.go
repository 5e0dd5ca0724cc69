package main

import (
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"qlink/internal/config"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "qlink",
		Short: "QualityLink course-data aggregator",
		Long: `qlink finds the QualityLink manifests that higher education institutions publish
(DNS TXT "v=qldiscover1; m=<URL>" or /.well-known/quality-link-manifest), harvests the
course data they list (ELM, OOAPI, Edu-API, OCCAPI), converts it to one model based on the
European Learning Model, and serves a searchable Europe-wide catalogue with a JSON API.

Start with "qlink demo": it runs a simulated federation of institutions on this machine,
harvests it and serves the catalogue, with no network needed. An instance of your own
starts with "qlink init --data-dir D", then "qlink harvest" and "qlink serve" on D.

Settings come from flags, QLINK_* environment variables, or a YAML file (--config);
every flag names its variable.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newDemoCmd(), newInitCmd(), newServeCmd(), newHarvestCmd(), newRefreshCmd(), newDiscoverCmd(), newCheckCmd(), newVocabCmd(), newConvertCmd(), newValidateCmd(), newKeysCmd(), newCredentialsCmd(), newConfigCmd(), newMigrateCmd(), newRunsCmd(), newQualityCmd())
	return root
}

// loadConfig reads the configuration for a command.
func loadConfig(cmd *cobra.Command) (config.Config, error) {
	return config.Load(cmd.Flags(), os.Getenv)
}

func newLogger(cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
