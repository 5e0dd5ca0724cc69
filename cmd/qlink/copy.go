package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/harvest"
	"qlink/internal/redact"
	"qlink/internal/search/bleve"
	pgsearch "qlink/internal/search/postgres"
	"qlink/internal/store/blob"
	"qlink/internal/store/pgcopy"
	"qlink/internal/store/postgres"
)

func newCopyCmd() *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "copy --from <data-dir> --to <postgres URL>",
		Short: "Move an embedded instance's records into PostgreSQL, history and all",
		Long: `copy moves an embedded instance (the SQLite database of a data directory) into a PostgreSQL
database, for running qlink on several machines (docs/scale-out.md). Every record is copied as
it is, with its ID and times: providers, discoveries and manifests, sources, runs with their
pages and warnings, courses with their history, identifiers and quality reports, operator
accounts and sessions, domain challenges, the audit log, refresh requests, alliances and
blocked providers. The job queue is not copied: the schedule is planned again when the
PostgreSQL instance starts. The search index on PostgreSQL is then filled from the copied
courses.

The target is migrated to the latest schema first, and must hold no records: copy never merges
into nor overwrites a database (drop and create it again to start over). The tables are copied
in one transaction, so a copy that fails leaves the database empty. The source must be at the
latest schema (run qlink migrate on it first) and not in use: stop the qlink serve, demo or
harvest that owns the data directory.

Snapshots: with --snapshot-url (or the snapshot-url setting) the files of the data directory's
blobs/ are copied into the bucket first. Without it they stay in the data directory, and the
PostgreSQL instance must keep using that directory for them. The keys (keys.json, keys.kek) stay
in the data directory too: stored OAuth secrets are sealed under them.`,
		Example: `  qlink copy --from /var/lib/qlink --to 'postgres://qlink@db.example.org/qlink?sslmode=verify-full' \
    --database-password-file /etc/qlink/db-password
  AWS_ENDPOINT_URL=https://minio.internal.example:9000 AWS_ACCESS_KEY_ID=qlink AWS_SECRET_ACCESS_KEY=… \
    qlink copy --from /var/lib/qlink --to postgres://qlink@db.example.org/qlink --snapshot-url s3://qlink-snapshots/eu`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			if from == "" {
				return errors.New("qlink copy needs --from, the data directory of the instance to copy")
			}
			cfg.DataDir = from
			if to != "" {
				cfg.DatabaseURL = to
			}
			if cfg.DatabaseURL == "" {
				return errors.New("qlink copy needs --to, the PostgreSQL database to copy into (postgres://user@host:port/database)")
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			return copyInstance(cmd.Context(), cfg, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "data directory of the embedded instance to copy")
	cmd.Flags().StringVar(&to, "to", "", "PostgreSQL database to copy into, postgres://user@host:port/database (default: the database-url setting); put its password in database-password-file")
	config.Bind(cmd.Flags(), "database-password-file", "snapshot-url", "log-level", "log-format")
	return cmd
}

// copyInstance copies the instance in cfg.DataDir into the PostgreSQL
// database of cfg.DatabaseURL and reports what it did to out.
func copyInstance(ctx context.Context, cfg config.Config, out io.Writer) error {
	if err := checkInstance(cfg); err != nil {
		return err
	}
	release, err := holdDataDir(cfg)
	if err != nil {
		return err
	}
	defer release()
	if err := pgcopy.CheckSource(ctx, cfg.DatabasePath()); errors.Is(err, pgcopy.ErrSourceBehind) {
		return fmt.Errorf("%w: run qlink migrate --data-dir %s first", err, quoteArg(cfg.DataDir))
	} else if err != nil {
		return err
	}
	dst, index, err := openCopyTarget(ctx, cfg)
	if err != nil {
		return err
	}
	defer dst.Close()
	defer index.Close()

	if cfg.SnapshotURL != "" {
		if err := copySnapshots(ctx, cfg, out); err != nil {
			return err
		}
	}
	rep, err := pgcopy.Copy(ctx, cfg.DatabasePath(), dst)
	if err != nil {
		return refuseFilled(cfg, err)
	}
	printCopyReport(out, cfg, rep)

	// The index is filled as a harvest fills it: every copied course
	// is left to be indexed (pgcopy resets what the embedded index held),
	// and the harvest's index sync indexes them in batches.
	start := time.Now()
	h := harvest.New(harvest.Options{Store: dst, Index: index, Logger: newLogger(cfg)})
	if err := h.SyncIndex(ctx); err != nil {
		return fmt.Errorf("the records are copied, but filling the search index failed (qlink serve on the database fills it at start-up): %w", err)
	}
	n, err := index.Count(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Search index on PostgreSQL: %d courses indexed in %s.\n", n, time.Since(start).Round(time.Millisecond))
	if cfg.SnapshotURL == "" {
		printSnapshotsStay(out, cfg)
	}
	fmt.Fprintf(out, "The keys (keys.json, keys.kek) stay in %s: stored OAuth client secrets are sealed under them.\n", cfg.DataDir)
	return nil
}

// holdDataDir refuses a data directory another qlink process owns, and
// otherwise keeps it for the copy: the process that owns a data
// directory holds its search index open (serve, demo, harvest), so
// opening it here both tells and keeps another from starting meanwhile.
func holdDataDir(cfg config.Config) (release func(), err error) {
	if !fileExists(cfg.IndexPath()) {
		return func() {}, nil
	}
	idx, err := bleve.Open(cfg.IndexPath())
	if errors.Is(err, bleve.ErrBusy) {
		return nil, fmt.Errorf("%s is in use by another qlink process (serve, demo or harvest): stop it first, so that the copy holds everything it wrote", cfg.DataDir)
	}
	if err != nil {
		// An index qlink cannot open (another mapping version) is held
		// by nobody; the copy does not need it.
		return func() {}, nil
	}
	return func() { idx.Close() }, nil
}

// openCopyTarget opens and migrates the PostgreSQL store and search
// index, and refuses them when they hold anything.
func openCopyTarget(ctx context.Context, cfg config.Config) (*postgres.Store, *pgsearch.Index, error) {
	dsn, err := cfg.DatabaseDSN()
	if err != nil {
		return nil, nil, err
	}
	dst, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	index, err := pgsearch.Open(ctx, dsn)
	if err != nil {
		dst.Close()
		return nil, nil, err
	}
	err = dst.Migrate(ctx)
	if err == nil {
		err = index.Migrate(ctx)
	}
	if err == nil {
		err = pgcopy.CheckTarget(ctx, dst)
	}
	if err == nil {
		err = refuseFilledIndex(ctx, index)
	}
	if err != nil {
		index.Close()
		dst.Close()
		return nil, nil, refuseFilled(cfg, err)
	}
	return dst, index, nil
}

func refuseFilledIndex(ctx context.Context, index *pgsearch.Index) error {
	n, err := index.Count(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%w (%d documents in the search index)", pgcopy.ErrTargetNotEmpty, n)
	}
	return nil
}

// refuseFilled explains a refusal of a database that holds data.
func refuseFilled(cfg config.Config, err error) error {
	if errors.Is(err, pgcopy.ErrTargetNotEmpty) {
		return fmt.Errorf("%s: %w; copy only into a new, empty database (drop and create it to start over)", redact.URL(cfg.DatabaseURL), err)
	}
	return err
}

// copySnapshots copies the data directory's snapshot files into the
// bucket of snapshot-url.
func copySnapshots(ctx context.Context, cfg config.Config, out io.Writer) error {
	bucket, err := openBlobs(ctx, cfg, newLogger(cfg))
	if err != nil {
		return err
	}
	if !fileExists(cfg.BlobPath()) {
		fmt.Fprintf(out, "Snapshots: %s has no blobs/ directory; nothing to copy into %s.\n", cfg.DataDir, cfg.SnapshotURL)
		return nil
	}
	dir, err := blob.NewDir(cfg.BlobPath())
	if err != nil {
		return err
	}
	start := time.Now()
	n, size, err := pgcopy.Blobs(ctx, dir, bucket)
	if err != nil {
		return fmt.Errorf("copying snapshots into %s (%d copied; the database is not written yet): %w", cfg.SnapshotURL, n, err)
	}
	fmt.Fprintf(out, "Snapshots: %d files (%.1f MB) copied into %s in %s.\n", n, float64(size)/1e6, cfg.SnapshotURL, time.Since(start).Round(time.Millisecond))
	return nil
}

func printCopyReport(out io.Writer, cfg config.Config, rep pgcopy.Report) {
	fmt.Fprintf(out, "Copied %s into %s in %s:\n", cfg.DatabasePath(), redact.URL(cfg.DatabaseURL), rep.Took.Round(time.Millisecond))
	for _, t := range rep.Tables {
		fmt.Fprintf(out, "  %-20s %9d\n", t.Name, t.Rows)
	}
	fmt.Fprintf(out, "  %-20s %9d rows\n", "total", rep.Rows())
}

func printSnapshotsStay(out io.Writer, cfg config.Config) {
	if !fileExists(cfg.BlobPath()) {
		return
	}
	fmt.Fprintf(out, "Snapshots stay in %s: the PostgreSQL instance must keep using that directory for them "+
		"(--data-dir %s), or copy its files into a bucket under the snapshot-url prefix (same layout) and set snapshot-url.\n",
		cfg.BlobPath(), quoteArg(cfg.DataDir))
}
