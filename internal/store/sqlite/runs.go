package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"qlink/internal/store"
)

// StartRun opens a run record in the running state.
func (s *Store) StartRun(ctx context.Context, sourceID, trigger, owner string, at time.Time) (store.Run, error) {
	r := store.Run{SourceID: sourceID, Trigger: trigger, StartedAt: at.UTC(), Status: store.RunRunning}
	res, err := s.w.ExecContext(ctx, `INSERT INTO runs (source_id, trigger, started_at, status, owner, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)`,
		sourceID, trigger, r.StartedAt, r.Status, owner, time.Now().UTC())
	if err != nil {
		return r, fmt.Errorf("sqlite: start run of %s: %w", sourceID, err)
	}
	r.ID, err = res.LastInsertId()
	return r, err
}

// AddRunPages records fetched pages in one transaction.
func (s *Store) AddRunPages(ctx context.Context, pages []store.RunPage) error {
	if len(pages) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO run_pages (run_id, seq, url, status, content_type, bytes, blob,
			fetched_at, etag, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("sqlite: run pages: %w", err)
		}
		defer stmt.Close()
		for _, p := range pages {
			if _, err := stmt.ExecContext(ctx, p.RunID, p.Seq, p.URL, p.Status, p.ContentType, p.Bytes, p.Blob,
				p.FetchedAt.UTC(), p.ETag, p.LastModified); err != nil {
				return fmt.Errorf("sqlite: page %d of run %d: %w", p.Seq, p.RunID, err)
			}
		}
		return nil
	})
}

// FinishRun stores a run's outcome and updates its source's health.
func (s *Store) FinishRun(ctx context.Context, r store.Run) error {
	warnings, err := store.EncodeWarnings(r.Warnings)
	if err != nil {
		return fmt.Errorf("sqlite: run %d warnings: %w", r.ID, err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE runs SET finished_at = ?, status = ?, pages = ?, bytes = ?, seen = ?, added = ?,
			updated = ?, unchanged = ?, removed = ?, conflicts = ?, warnings = ?, warning_count = ?, error = ?, reason = ?,
			digest = ?, records_blob = ?, quality = ?, validation_us = ?, pages_of = ? WHERE id = ?`,
			r.FinishedAt.UTC(), r.Status, r.Pages, r.Bytes, r.Seen, r.Added, r.Updated, r.Unchanged, r.Removed, r.Conflicts,
			string(warnings), r.WarningCount, r.Error, r.Reason, r.Digest, r.RecordsBlob, string(r.Quality),
			r.ValidationTime.Microseconds(), r.PagesOf, r.ID)
		if err != nil {
			return fmt.Errorf("sqlite: finish run %d: %w", r.ID, err)
		}
		// Consecutive failures drive back-off; any readable run resets them.
		_, err = tx.ExecContext(ctx, `UPDATE sources SET last_run_id = ?, last_status = ?, last_error = ?, last_run_at = ?,
			error_count = CASE WHEN ? = 'failed' THEN error_count + 1 ELSE 0 END WHERE id = ?`,
			r.ID, r.Status, r.Error, r.FinishedAt.UTC(), r.Status, r.SourceID)
		if err != nil {
			return fmt.Errorf("sqlite: source health of %s: %w", r.SourceID, err)
		}
		return nil
	})
}

const runColumns = `id, source_id, trigger, started_at, finished_at, status, pages, bytes, seen, added, updated, unchanged,
	removed, conflicts, warnings, warning_count, error, reason, digest, records_blob, quality, validation_us, progress_at, pages_of`

func scanRun(row interface{ Scan(...any) error }) (store.Run, error) {
	var r store.Run
	var finished, progressed sql.NullTime
	var status, warnings, quality string
	var validationUS int64
	err := row.Scan(&r.ID, &r.SourceID, &r.Trigger, &r.StartedAt, &finished, &status, &r.Pages, &r.Bytes, &r.Seen, &r.Added,
		&r.Updated, &r.Unchanged, &r.Removed, &r.Conflicts, &warnings, &r.WarningCount, &r.Error, &r.Reason, &r.Digest,
		&r.RecordsBlob, &quality, &validationUS, &progressed, &r.PagesOf)
	if err != nil {
		return r, err
	}
	r.FinishedAt, r.ProgressAt = finished.Time, progressed.Time
	return r, store.DecodeRun(&r, status, warnings, quality, validationUS)
}

// Run returns one run.
func (s *Store) Run(ctx context.Context, id int64) (store.Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("run %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("sqlite: run %d: %w", id, err)
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
		q += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, max(f.Offset, 0))
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: runs: %w", err)
	}
	defer rows.Close()
	var out []store.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountRuns counts the runs matching f.
func (s *Store) CountRuns(ctx context.Context, f store.RunFilter) (int, error) {
	where, args := runFilter(f)
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM runs WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count runs: %w", err)
	}
	return n, nil
}

// runFilter is the WHERE clause selecting f's runs, with its arguments.
func runFilter(f store.RunFilter) (string, []any) {
	var where conditions
	if f.SourceID != "" {
		where.add("source_id = ?", f.SourceID)
	}
	if f.Status != "" {
		where.add("status = ?", string(f.Status))
	}
	if f.ProviderID != "" {
		where.add("source_id IN (SELECT id FROM sources WHERE provider_id = ?)", f.ProviderID)
	}
	return where.clause(), where.args
}

// InterruptRuns marks runs left running by a stopped process.
func (s *Store) InterruptRuns(ctx context.Context, at time.Time, reason, owner string, staleBefore time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = ?, reason = ?
		WHERE status = ? AND ((?5 != '' AND owner = ?5) OR heartbeat_at IS NULL OR heartbeat_at < ?6)`,
		store.RunInterrupted, at.UTC(), reason, store.RunRunning, owner, staleBefore.UTC())
	if err != nil {
		return 0, fmt.Errorf("sqlite: interrupt runs: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// HeartbeatRun records that owner works the run.
func (s *Store) HeartbeatRun(ctx context.Context, runID int64, owner string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE runs SET owner = ?, heartbeat_at = ? WHERE id = ? AND status = ?`,
		owner, at.UTC(), runID, store.RunRunning)
	if err != nil {
		return fmt.Errorf("sqlite: heartbeat of run %d: %w", runID, err)
	}
	return nil
}

// OldestRunStart returns the start of the oldest live run.
func (s *Store) OldestRunStart(ctx context.Context, staleBefore time.Time) (time.Time, error) {
	// Not MIN(): an aggregate loses the column's type, and the driver
	// would hand back text.
	var started time.Time
	err := s.db.QueryRowContext(ctx, `SELECT started_at FROM runs WHERE status = ? AND heartbeat_at >= ?
		ORDER BY started_at LIMIT 1`, store.RunRunning, staleBefore.UTC()).Scan(&started)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: oldest run in progress: %w", err)
	}
	return started, nil
}

// readingStatuses are the outcomes of runs that read their source.
const readingStatuses = `('ok', 'partial', 'not-modified', 'suspicious')`

// PruneSnapshots clears the blob references of the source's older runs.
func (s *Store) PruneSnapshots(ctx context.Context, sourceID string, keep int) ([]string, error) {
	var released []string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		prune, repeats, err := runsBeyondSnapshots(ctx, tx, sourceID, keep)
		if err != nil {
			return err
		}
		for _, id := range prune {
			keys, err := releaseKeys(ctx, tx, `SELECT blob FROM run_pages WHERE run_id = ? AND blob != ''`,
				`DELETE FROM run_pages WHERE run_id = ?`, id)
			if err != nil {
				return err
			}
			released = append(released, keys...)
		}
		for _, id := range repeats {
			if _, err := tx.ExecContext(ctx, `DELETE FROM run_pages WHERE run_id = ?`, id); err != nil {
				return err
			}
		}
		// A suspicious run's records matter only until a later run read
		// the source: confirming it then would apply stale data.
		keys, err := releaseKeys(ctx, tx, `SELECT records_blob FROM runs r WHERE source_id = ? AND records_blob != ''
			AND EXISTS (SELECT 1 FROM runs n WHERE n.source_id = r.source_id AND n.id > r.id AND n.status IN `+readingStatuses+`)`,
			`UPDATE runs SET records_blob = '' WHERE records_blob != '' AND source_id = ?1 AND EXISTS (SELECT 1 FROM runs n
			WHERE n.source_id = runs.source_id AND n.id > runs.id AND n.status IN `+readingStatuses+`)`, sourceID)
		released = append(released, keys...)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, dropPagesBeyondSnapshots, sourceID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: prune snapshots of %s: %w", sourceID, err)
	}
	return released, nil
}

// dropPagesBeyondSnapshots deletes the page rows of the source's runs
// older than its oldest run whose pages still refer to a snapshot (runs
// whose snapshots an older qlink released, keeping their rows). With no
// snapshot left it deletes nothing.
const dropPagesBeyondSnapshots = `DELETE FROM run_pages WHERE run_id IN (SELECT id FROM runs WHERE source_id = ?1
	AND id < (SELECT MIN(p.run_id) FROM run_pages p JOIN runs r ON r.id = p.run_id WHERE r.source_id = ?1 AND p.blob != ''))`

// runsBeyondSnapshots sorts out the source's runs for retention
// (store.RunsBeyondSnapshots).
func runsBeyondSnapshots(ctx context.Context, tx *sql.Tx, sourceID string, keep int) (prune, repeats []int64, err error) {
	var latest int64
	err = tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT `+pagesRun+` FROM runs WHERE source_id = ?
		AND status IN ('ok', 'partial', 'not-modified') ORDER BY id DESC LIMIT 1), 0)`, sourceID).Scan(&latest)
	if err != nil {
		return nil, nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.run_id, p.blob FROM run_pages p JOIN runs r ON r.id = p.run_id
		WHERE r.source_id = ? AND p.blob != '' ORDER BY p.run_id DESC, p.seq`, sourceID)
	if err != nil {
		return nil, nil, err
	}
	var pages []store.RunBlob
	err = eachRow(rows, func() error {
		var p store.RunBlob
		err := rows.Scan(&p.RunID, &p.Blob)
		pages = append(pages, p)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	prune, repeats = store.RunsBeyondSnapshots(pages, latest, keep)
	return prune, repeats, nil
}

// releaseKeys collects the blob keys selected by query and then runs clear,
// which deletes or blanks what referred to them, both with the same argument.
func releaseKeys(ctx context.Context, tx *sql.Tx, query, clear string, arg any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, arg)
	if err != nil {
		return nil, err
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, err
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, nil
	}
	_, err = tx.ExecContext(ctx, clear, arg)
	return keys, err
}

// BlobReferenced reports whether a page or a suspicious run refers to key.
func (s *Store) BlobReferenced(ctx context.Context, key string) (bool, error) {
	var found bool
	err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM run_pages WHERE blob = ?1)
		OR EXISTS (SELECT 1 FROM runs WHERE records_blob = ?1 AND records_blob != '')`, key).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("sqlite: blob %s references: %w", key, err)
	}
	return found, nil
}

// ReferencedBlobs returns every blob key a page or a suspicious run refers
// to, read in one query: the start-up sweep tests each blob against it
// instead of asking BlobReferenced once per blob (half a million queries,
// about 12 s of CPU, at a million courses).
func (s *Store) ReferencedBlobs(ctx context.Context) (map[string]struct{}, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT blob FROM run_pages WHERE blob != ''
		UNION SELECT records_blob FROM runs WHERE records_blob != ''`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: referenced blobs: %w", err)
	}
	defer rows.Close()
	keys := map[string]struct{}{}
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return nil, fmt.Errorf("sqlite: referenced blobs: %w", err)
		}
		keys[key] = struct{}{}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: referenced blobs: %w", err)
	}
	return keys, nil
}

const pageColumns = `run_id, seq, url, status, content_type, bytes, blob, fetched_at, etag, last_modified`

func scanPages(rows *sql.Rows) ([]store.RunPage, error) {
	defer rows.Close()
	var out []store.RunPage
	for rows.Next() {
		var p store.RunPage
		if err := rows.Scan(&p.RunID, &p.Seq, &p.URL, &p.Status, &p.ContentType, &p.Bytes, &p.Blob, &p.FetchedAt,
			&p.ETag, &p.LastModified); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// pagesRun is, in a query over runs, the run whose pages a run's are: its
// own, or those of the run it revalidated (pages_of).
const pagesRun = `CASE WHEN pages_of > 0 THEN pages_of ELSE id END`

// runPagesQuery reads the pages of runs r (scanRunPages): a run that
// revalidated an earlier run's pages (pages_of) reads those.
const runPagesQuery = `SELECT r.id, r.pages_of, r.started_at, p.seq, p.url, p.status, p.content_type, p.bytes, p.blob,
	p.fetched_at, p.etag, p.last_modified FROM runs r JOIN run_pages p ON p.run_id = ` + pagesRun

// scanRunPages scans runPagesQuery: a revalidating run has each page as
// it read it, a 304 with no body at the run's start, keeping the snapshot
// and validators.
func scanRunPages(rows *sql.Rows) ([]store.RunPage, error) {
	defer rows.Close()
	var out []store.RunPage
	for rows.Next() {
		var p store.RunPage
		var pagesOf int64
		var started time.Time
		if err := rows.Scan(&p.RunID, &pagesOf, &started, &p.Seq, &p.URL, &p.Status, &p.ContentType, &p.Bytes, &p.Blob,
			&p.FetchedAt, &p.ETag, &p.LastModified); err != nil {
			return nil, err
		}
		if pagesOf > 0 {
			p.Status, p.Bytes, p.FetchedAt = http.StatusNotModified, 0, started
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RunPages returns the pages a run read, in order.
func (s *Store) RunPages(ctx context.Context, runID int64) ([]store.RunPage, error) {
	rows, err := s.db.QueryContext(ctx, runPagesQuery+` WHERE r.id = ? ORDER BY p.seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pages of run %d: %w", runID, err)
	}
	out, err := scanRunPages(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pages of run %d: %w", runID, err)
	}
	return out, nil
}

// LastPages returns the pages of the source's latest run that read data.
func (s *Store) LastPages(ctx context.Context, sourceID string) (map[string]store.RunPage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+pageColumns+` FROM run_pages WHERE run_id = (
		SELECT `+pagesRun+` FROM runs WHERE source_id = ? AND status IN ('ok', 'partial', 'not-modified') ORDER BY id DESC LIMIT 1)`, sourceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: last pages of %s: %w", sourceID, err)
	}
	pages, err := scanPages(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: last pages of %s: %w", sourceID, err)
	}
	out := make(map[string]store.RunPage, len(pages))
	for _, p := range pages {
		out[p.URL] = p
	}
	return out, nil
}
