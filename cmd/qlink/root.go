package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

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
	root.AddCommand(newDemoCmd(), newInitCmd(), newServeCmd(), newWorkerCmd(), newHarvestCmd(), newRefreshCmd(), newDiscoverCmd(), newCheckCmd(), newVocabCmd(), newConvertCmd(), newValidateCmd(), newKeysCmd(), newCredentialsCmd(), newConfigCmd(), newMigrateCmd(), newRunsCmd(), newQualityCmd(), newAlliancesCmd(), newAdminCmd(), newExportCmd())
	root.AddCommand(newCopyCmd())
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

// oneArg wants exactly one argument, what, and otherwise says what to type:
// the first of the command's examples that runs it, or its usage line.
func oneArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 1 {
			return nil
		}
		msg := fmt.Sprintf("%s needs %s", cmd.CommandPath(), what)
		if len(args) > 1 {
			msg = fmt.Sprintf("%s takes one argument, %s, not %d", cmd.CommandPath(), what, len(args))
		}
		for line := range strings.Lines(cmd.Example) {
			if example, _, _ := strings.Cut(line, "  #"); strings.Contains(example, cmd.CommandPath()+" ") {
				return fmt.Errorf("%s; e.g. %s", msg, strings.TrimSpace(example))
			}
		}
		return fmt.Errorf("%s; usage: %s", msg, cmd.UseLine())
	}
}
