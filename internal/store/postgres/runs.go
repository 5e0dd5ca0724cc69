package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"qlink/internal/store"
)

// Run statuses as SQL lists. upToDateStatuses: the runs that brought
// their source up to date. readingStatuses: the runs that read their
// source, suspicious ones included.
const (
	upToDateStatuses = `('ok', 'partial', 'not-modified')`
	readingStatuses  = `('ok', 'partial', 'not-modified', 'suspicious')`
)

// StartRun opens a run record in the running state. Two workers may run
// one source at once as far as the store is concerned: keeping them apart
// is the job queue's (unique jobs); what they write meets in ApplyCourses,
// which locks the source.
func (s *Store) StartRun(ctx context.Context, sourceID, trigger, owner string, at time.Time) (store.Run, error) {
	r := store.Run{SourceID: sourceID, Trigger: trigger, StartedAt: at.UTC(), Status: store.RunRunning}
	err := s.pool.QueryRow(ctx, `INSERT INTO runs (source_id, trigger, started_at, status, owner, heartbeat_at)
		SELECT id, $2, $3, $4, $5, $6 FROM sources WHERE id = $1 RETURNING id`, sourceID, trigger, r.StartedAt, string(r.Status),
		owner, time.Now().UTC()).Scan(&r.ID)
	if err != nil {
		return r, notFound(err, "source "+sourceID)
	}
	return r, nil
}

// AddRunPages records fetched pages in one round trip: COPY into the
// table, in one transaction.
func (s *Store) AddRunPages(ctx context.Context, pages []store.RunPage) error {
	if len(pages) == 0 {
		return nil
	}
	rows := make([][]any, len(pages))
	for i, p := range pages {
		rows[i] = []any{p.RunID, p.Seq, p.URL, p.Status, p.ContentType, p.Bytes, p.Blob, p.FetchedAt.UTC(), p.ETag, p.LastModified}
	}
	_, err := s.pool.CopyFrom(ctx, pgx.Identifier{"run_pages"}, []string{"run_id", "seq", "url", "status", "content_type", "bytes",
		"blob", "fetched_at", "etag", "last_modified"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("postgres: pages of run %d: %w", pages[0].RunID, err)
	}
	return nil
}

// FinishRun stores a run's outcome and updates its source's health, in
// one transaction.
func (s *Store) FinishRun(ctx context.Context, r store.Run) error {
	warnings, err := store.EncodeWarnings(r.Warnings)
	if err != nil {
		return fmt.Errorf("postgres: run %d warnings: %w", r.ID, err)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE runs SET finished_at = $1, status = $2, pages = $3, bytes = $4, seen = $5, added = $6,
			updated = $7, unchanged = $8, removed = $9, conflicts = $10, warnings = $11, warning_count = $12, error = $13, reason = $14,
			digest = $15, records_blob = $16, quality = $17, validation_us = $18, pages_of = $19 WHERE id = $20`,
			r.FinishedAt.UTC(), string(r.Status), r.Pages, r.Bytes, r.Seen, r.Added, r.Updated, r.Unchanged, r.Removed, r.Conflicts,
			string(warnings), r.WarningCount, r.Error, r.Reason, r.Digest, r.RecordsBlob, string(r.Quality),
			r.ValidationTime.Microseconds(), r.PagesOf, r.ID)
		if err != nil {
			return fmt.Errorf("postgres: finish run %d: %w", r.ID, err)
		}
		// Consecutive failures drive back-off; any readable run resets them.
		_, err = tx.Exec(ctx, `UPDATE sources SET last_run_id = $1, last_status = $2, last_error = $3, last_run_at = $4,
			error_count = CASE WHEN $2 = 'failed' THEN error_count + 1 ELSE 0 END WHERE id = $5`,
			r.ID, string(r.Status), r.Error, r.FinishedAt.UTC(), r.SourceID)
		if err != nil {
			return fmt.Errorf("postgres: source health of %s: %w", r.SourceID, err)
		}
		return nil
	})
}

const runColumns = `id, source_id, trigger, started_at, finished_at, status, pages, bytes, seen, added, updated, unchanged,
	removed, conflicts, warnings, warning_count, error, reason, digest, records_blob, quality, validation_us, progress_at, pages_of`

func scanRun(row pgx.CollectableRow) (store.Run, error) {
	var r store.Run
	var finished, progressed *time.Time
	var status, warnings, quality string
	var validationUS int64
	err := row.Scan(&r.ID, &r.SourceID, &r.Trigger, &r.StartedAt, &finished, &status, &r.Pages, &r.Bytes, &r.Seen, &r.Added,
		&r.Updated, &r.Unchanged, &r.Removed, &r.Conflicts, &warnings, &r.WarningCount, &r.Error, &r.Reason, &r.Digest,
		&r.RecordsBlob, &quality, &validationUS, &progressed, &r.PagesOf)
	if err != nil {
		return r, err
	}
	r.FinishedAt, r.ProgressAt = orZero(finished), orZero(progressed)
	return r, store.DecodeRun(&r, status, warnings, quality, validationUS)
}

// Run returns one run.
func (s *Store) Run(ctx context.Context, id int64) (store.Run, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+runColumns+` FROM runs WHERE id = $1`, id)
	r, err := pgx.CollectExactlyOneRow(rows, scanRun)
	if err != nil {
		return r, notFound(err, fmt.Sprintf("run %d", id))
	}
	return r, nil
}

// ListRuns returns a source's runs, newest first.
func (s *Store) ListRuns(ctx context.Context, sourceID string, limit int) ([]store.Run, error) {
	return s.FindRuns(ctx, store.RunFilter{SourceID: sourceID, Limit: limit})
}

// FindRuns lists the runs matching f, newest first.
func (s *Store) FindRuns(ctx context.Context, f store.RunFilter) ([]store.Run, error) {
	where, args := runFilter(f)
	q := `SELECT ` + runColumns + ` FROM runs WHERE ` + where + ` ORDER BY id DESC`
	if f.Limit > 0 {
		args = append(args, f.Limit, max(f.Offset, 0))
		q += fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	}
	rows, _ := s.pool.Query(ctx, q, args...)
	out, err := collect(rows, scanRun)
	if err != nil {
		return nil, fmt.Errorf("postgres: runs: %w", err)
	}
	return out, nil
}

// CountRuns counts the runs matching f.
func (s *Store) CountRuns(ctx context.Context, f store.RunFilter) (int, error) {
	where, args := runFilter(f)
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM runs WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count runs: %w", err)
	}
	return n, nil
}

// runFilter is the WHERE clause selecting f's runs, with its arguments.
// Only the terms f sets are written, so that the planner sees plain
// conditions it can match with the indexes.
func runFilter(f store.RunFilter) (string, []any) {
	where, args := "true", []any{}
	add := func(term string, arg any) {
		args = append(args, arg)
		where += " AND " + fmt.Sprintf(term, len(args))
	}
	if f.SourceID != "" {
		add("source_id = $%d", f.SourceID)
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if f.ProviderID != "" {
		add("source_id IN (SELECT id FROM sources WHERE provider_id = $%d)", f.ProviderID)
	}
	return where, args
}

// InterruptRuns marks runs left running by a stopped process.
func (s *Store) InterruptRuns(ctx context.Context, at time.Time, reason, owner string, staleBefore time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE runs SET status = $1, finished_at = $2, reason = $3
		WHERE status = $4 AND (($5 <> '' AND owner = $5) OR heartbeat_at IS NULL OR heartbeat_at < $6)`,
		string(store.RunInterrupted), at.UTC(), reason, string(store.RunRunning), owner, staleBefore.UTC())
	if err != nil {
		return 0, fmt.Errorf("postgres: interrupt runs: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// HeartbeatRun records that owner works the run.
func (s *Store) HeartbeatRun(ctx context.Context, runID int64, owner string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE runs SET owner = $1, heartbeat_at = $2 WHERE id = $3 AND status = $4`,
		owner, at.UTC(), runID, string(store.RunRunning))
	if err != nil {
		return fmt.Errorf("postgres: heartbeat of run %d: %w", runID, err)
	}
	return nil
}

// OldestRunStart returns the start of the oldest live run.
func (s *Store) OldestRunStart(ctx context.Context, staleBefore time.Time) (time.Time, error) {
	var started *time.Time
	err := s.pool.QueryRow(ctx, `SELECT MIN(started_at) FROM runs WHERE status = $1 AND heartbeat_at >= $2`,
		string(store.RunRunning), staleBefore.UTC()).Scan(&started)
	if err != nil {
		return time.Time{}, fmt.Errorf("postgres: oldest run in progress: %w", err)
	}
	return orZero(started), nil
}

// PruneSnapshots clears the blob references of the source's older runs.
// The source's row is locked for the while, so that two workers pruning
// the same source release each key once.
func (s *Store) PruneSnapshots(ctx context.Context, sourceID string, keep int) ([]string, error) {
	var released []string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		released = nil
		if err := tx.QueryRow(ctx, `SELECT 1 FROM sources WHERE id = $1 FOR UPDATE`, sourceID).Scan(new(int)); err != nil {
			return notFound(err, "source "+sourceID)
		}
		prune, repeats, err := runsBeyondSnapshots(ctx, tx, sourceID, keep)
		if err != nil {
			return err
		}
		// The pruned runs' pages go with their snapshots, the repeats'
		// rows with nothing (a newer run refers to the same blobs).
		rows, _ := tx.Query(ctx, `WITH dropped AS (DELETE FROM run_pages WHERE run_id = ANY($1) RETURNING blob)
			SELECT blob FROM dropped WHERE blob <> ''`, prune)
		if released, err = collect(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM run_pages WHERE run_id = ANY($1)`, repeats); err != nil {
			return err
		}
		// A suspicious run's records matter only until a later run read
		// the source: confirming it then would apply stale data.
		rows, _ = tx.Query(ctx, `WITH cleared AS (
				SELECT id, records_blob FROM runs r WHERE source_id = $1 AND records_blob <> ''
				AND EXISTS (SELECT 1 FROM runs n WHERE n.source_id = r.source_id AND n.id > r.id AND n.status IN `+readingStatuses+`)
				FOR UPDATE)
			UPDATE runs SET records_blob = '' FROM cleared c WHERE runs.id = c.id RETURNING c.records_blob`, sourceID)
		records, err := collect(rows, pgx.RowTo[string])
		released = append(released, records...)
		if err != nil {
			return err
		}
		// So do the page rows of runs older than the oldest whose pages
		// still refer to a snapshot (runs whose snapshots an older qlink
		// released, keeping their rows).
		_, err = tx.Exec(ctx, `DELETE FROM run_pages WHERE run_id IN (SELECT id FROM runs WHERE source_id = $1
			AND id < (SELECT MIN(p.run_id) FROM run_pages p JOIN runs r ON r.id = p.run_id WHERE r.source_id = $1 AND p.blob <> ''))`,
			sourceID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: prune snapshots of %s: %w", sourceID, err)
	}
	return released, nil
}

// runsBeyondSnapshots sorts out the source's runs for retention
// (store.RunsBeyondSnapshots).
func runsBeyondSnapshots(ctx context.Context, tx pgx.Tx, sourceID string, keep int) (prune, repeats []int64, err error) {
	var latest int64
	err = tx.QueryRow(ctx, `SELECT COALESCE((SELECT `+pagesRun+` FROM runs WHERE source_id = $1 AND status IN `+upToDateStatuses+`
		ORDER BY id DESC LIMIT 1), 0)`, sourceID).Scan(&latest)
	if err != nil {
		return nil, nil, err
	}
	rows, _ := tx.Query(ctx, `SELECT p.run_id, p.blob FROM run_pages p JOIN runs r ON r.id = p.run_id
		WHERE r.source_id = $1 AND p.blob <> '' ORDER BY p.run_id DESC, p.seq`, sourceID)
	pages, err := collect(rows, pgx.RowToStructByPos[store.RunBlob])
	if err != nil {
		return nil, nil, err
	}
	prune, repeats = store.RunsBeyondSnapshots(pages, latest, keep)
	return prune, repeats, nil
}

// BlobReferenced reports whether a page or a suspicious run refers to key.
func (s *Store) BlobReferenced(ctx context.Context, key string) (bool, error) {
	var found bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM run_pages WHERE blob = $1)
		OR EXISTS (SELECT 1 FROM runs WHERE records_blob = $1 AND records_blob <> '')`, key).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("postgres: blob %s references: %w", key, err)
	}
	return found, nil
}

const pageColumns = `run_id, seq, url, status, content_type, bytes, blob, fetched_at, etag, last_modified`

func scanPage(row pgx.CollectableRow) (store.RunPage, error) {
	var p store.RunPage
	err := row.Scan(&p.RunID, &p.Seq, &p.URL, &p.Status, &p.ContentType, &p.Bytes, &p.Blob, &p.FetchedAt, &p.ETag, &p.LastModified)
	return p, err
}

// pagesRun is, in a query over runs, the run whose pages a run's are: its
// own, or those of the run it revalidated (pages_of).
const pagesRun = `CASE WHEN pages_of > 0 THEN pages_of ELSE id END`

// runPagesQuery reads the pages of runs r: a run that revalidated an
// earlier run's pages (pages_of) has them as it read them, each a 304
// with no body at the run's start, keeping the snapshot and validators.
const runPagesQuery = `SELECT r.id, p.seq, p.url, CASE WHEN r.pages_of > 0 THEN 304 ELSE p.status END, p.content_type,
	CASE WHEN r.pages_of > 0 THEN 0 ELSE p.bytes END, p.blob, CASE WHEN r.pages_of > 0 THEN r.started_at ELSE p.fetched_at END,
	p.etag, p.last_modified FROM runs r JOIN run_pages p ON p.run_id = ` + pagesRun

// RunPages returns the pages a run read, in order.
func (s *Store) RunPages(ctx context.Context, runID int64) ([]store.RunPage, error) {
	rows, _ := s.pool.Query(ctx, runPagesQuery+` WHERE r.id = $1 ORDER BY p.seq`, runID)
	out, err := collect(rows, scanPage)
	if err != nil {
		return nil, fmt.Errorf("postgres: pages of run %d: %w", runID, err)
	}
	return out, nil
}

// LastPages returns the pages of the source's latest run that read data.
func (s *Store) LastPages(ctx context.Context, sourceID string) (map[string]store.RunPage, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+pageColumns+` FROM run_pages WHERE run_id = (
		SELECT `+pagesRun+` FROM runs WHERE source_id = $1 AND status IN `+upToDateStatuses+` ORDER BY id DESC LIMIT 1)`, sourceID)
	pages, err := collect(rows, scanPage)
	if err != nil {
		return nil, fmt.Errorf("postgres: last pages of %s: %w", sourceID, err)
	}
	out := make(map[string]store.RunPage, len(pages))
	for _, p := range pages {
		out[p.URL] = p
	}
	return out, nil
}

// RecordProgress writes a running run's counts so far. Progress is for
// watching only: when the run's row is locked (FinishRun is writing the
// outcome) the write is skipped rather than waited for, and a finished
// run is left alone.
func (s *Store) RecordProgress(ctx context.Context, p store.RunProgress) error {
	_, err := s.pool.Exec(ctx, `UPDATE runs SET pages = $1, bytes = $2, seen = $3, warning_count = $4, progress_at = $5
		WHERE id = (SELECT id FROM runs WHERE id = $6 AND status = 'running' FOR UPDATE SKIP LOCKED)`,
		p.Pages, p.Bytes, p.Records, p.Warnings, p.At.UTC(), p.RunID)
	if err != nil {
		return fmt.Errorf("postgres: progress of run %d: %w", p.RunID, err)
	}
	return nil
}
