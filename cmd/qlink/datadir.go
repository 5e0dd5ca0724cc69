package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"qlink/internal/config"
)

// A data directory is created only when asked (qlink init, serve --init,
// the demo): a mistyped --data-dir must fail, not start an empty instance
// with new keys.

// instanceFiles are what make a directory a qlink instance: the database
// and the key ring. Both are created together by qlink init; a directory
// lacking either is refused rather than completed, since new keys would
// not open the secrets stored under the old ones. With database-url the
// database is elsewhere and the directory holds the key ring alone.
func instanceFiles(cfg config.Config) []string {
	if cfg.DatabaseURL != "" {
		return []string{filepath.Join(cfg.KeyDir(), keysFile)}
	}
	return []string{cfg.DatabasePath(), filepath.Join(cfg.KeyDir(), keysFile)}
}

// checkInstance returns nil when cfg.DataDir holds a qlink instance, and
// otherwise an error naming the directory, what is missing and what to run.
func checkInstance(cfg config.Config) error {
	info, err := os.Stat(cfg.DataDir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("data directory %s does not exist: give the data directory of an instance with --data-dir, or create one with qlink init --data-dir %s", cfg.DataDir, cfg.DataDir)
	}
	if err != nil {
		return fmt.Errorf("data directory %s: %w", cfg.DataDir, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("data directory %s is not a directory", cfg.DataDir)
	}
	var missing []string
	for _, f := range instanceFiles(cfg) {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, filepath.Base(f))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s holds no qlink instance (no %s): give the data directory of an instance with --data-dir, or create one with qlink init --data-dir %s",
			cfg.DataDir, strings.Join(missing, ", no "), cfg.DataDir)
	}
	return nil
}

// loadInstanceConfig loads a command's configuration and checks that its
// data directory holds an instance.
func loadInstanceConfig(cmd *cobra.Command) (config.Config, error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return cfg, err
	}
	return cfg, checkInstance(cfg)
}

// newInstanceDir makes dir ready for a new instance: it creates it, or
// accepts it when it exists and is empty. A directory holding anything
// is refused, an instance or not: init never mixes its files with others.
func newInstanceDir(cfg config.Config) error {
	if checkInstance(cfg) == nil {
		return fmt.Errorf("%s already holds a qlink instance: use it with --data-dir %s, or give init a new directory", cfg.DataDir, cfg.DataDir)
	}
	entries, err := os.ReadDir(cfg.DataDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("data directory %s: %w", cfg.DataDir, err)
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty and holds no qlink instance (it has %s): give init a new or empty directory", cfg.DataDir, listNames(entries, 3))
	}
	return nil
}

// listNames names the first n entries, and how many more there are.
func listNames(entries []fs.DirEntry, n int) string {
	var names []string
	for i, e := range entries {
		if i == n {
			names = append(names, fmt.Sprintf("and %d more", len(entries)-n))
			break
		}
		names = append(names, e.Name())
	}
	return strings.Join(names, ", ")
}

// initInstance creates an instance in cfg.DataDir: the directory, the
// database with every migration applied, and the keys (in the keys
// directory, which may hold them already when processes share it). On
// failure it removes what it created, and only that, so the directory can
// be given to init again. It returns the files it created.
func initInstance(ctx context.Context, cfg config.Config) (created []string, err error) {
	if err := newInstanceDir(cfg); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.KeyDir(), 0o700); err != nil {
		return nil, fmt.Errorf("keys directory: %w", err)
	}
	keyFiles := []string{filepath.Join(cfg.KeyDir(), keysFile), filepath.Join(cfg.KeyDir(), kekFile)}
	if cfg.DatabaseURL != "" || cfg.KeysDir != "" {
		// Made now rather than at the first serve, so that everything the
		// processes of a shared database must share is there at once.
		keyFiles = append(keyFiles, filepath.Join(cfg.KeyDir(), csrfKeyFile))
	}
	var fresh []string
	for _, f := range append([]string{cfg.DatabasePath(), cfg.DatabasePath() + "-wal", cfg.DatabasePath() + "-shm"}, keyFiles...) {
		if !fileExists(f) {
			fresh = append(fresh, f)
		}
	}
	defer func() {
		if err != nil {
			for _, f := range fresh {
				os.Remove(f)
			}
		}
	}()
	st, _, err := openEngine(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	if _, err := openKeys(ctx, cfg); err != nil {
		return nil, err
	}
	if len(keyFiles) > 2 {
		if _, err := loadOrCreateKey(keyFiles[2]); err != nil {
			return nil, err
		}
	}
	for _, f := range append(instanceFiles(cfg), keyFiles[1:]...) {
		if slices.Contains(fresh, f) && fileExists(f) {
			created = append(created, f)
		}
	}
	return created, nil
}

// ensureInstance is --init on serve: an existing instance is used as it
// is, a new or empty directory becomes one, anything else is refused.
func ensureInstance(ctx context.Context, cfg config.Config, out io.Writer) error {
	if checkInstance(cfg) == nil {
		return nil
	}
	created, err := initInstance(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Created a qlink instance in %s (%s)\n", cfg.DataDir, baseNames(created))
	return nil
}

func baseNames(paths []string) string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return strings.Join(names, ", ")
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func newInitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a data directory: database, keys, ready for harvest and serve",
		Long: `init creates a qlink instance in the data directory: the directory itself (or an empty
one that exists), the SQLite database with its schema, and the aggregator's keys (sealed
under --secret-key-file or --secret-key when given, else under a generated keys.kek in the
directory). The search index and snapshots follow at the first harvest or serve.

With --database-url the database is that PostgreSQL database (its schema is brought up
to date) and the directory holds the keys alone, plus csrf.key, the key form tokens are
signed with; --keys-dir puts those in another directory, which the processes of an
instance on several machines share (docs/scale-out.md).

Every other command works only on a directory init (or serve --init, or qlink demo) made,
so a mistyped --data-dir fails instead of starting a new empty instance. init refuses a
directory that already holds an instance or any other files.`,
		Example: `  qlink init --data-dir /var/lib/qlink --secret-key-file /etc/qlink/secret
  qlink harvest --data-dir /var/lib/qlink --registry-url https://backend.deqar.eu/connectapi/v1/providers/
  qlink serve --data-dir /var/lib/qlink`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			created, err := initInstance(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			printInit(cmd.OutOrStdout(), cfg, created)
			return nil
		},
	}
	config.Bind(cmd.Flags(), "data-dir", "database-url", "secret-key")
	return cmd
}

func printInit(out io.Writer, cfg config.Config, created []string) {
	fmt.Fprintf(out, "Created a qlink instance in %s:\n", cfg.DataDir)
	for _, f := range created {
		fmt.Fprintf(out, "  %s\n", f)
	}
	if where := keySecretInDataDir(cfg); where != "" {
		fmt.Fprintf(out, "The keys are sealed under %s, inside the data directory: a copy of the directory opens them.\n"+
			"Keep the secret elsewhere with --secret-key-file (the keys are resealed under it at the next start).\n", where)
	}
	dir := quoteArg(cfg.DataDir)
	fmt.Fprintf(out, "Next:\n  qlink harvest --data-dir %s --registry-url https://backend.deqar.eu/connectapi/v1/providers/\n  qlink serve --data-dir %s\n", dir, dir)
}

// quoteArg quotes a path for a shell command line when it needs it.
func quoteArg(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?&;|<>()[]{}#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
