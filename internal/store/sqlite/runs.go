package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"qlink/internal/store"
)

// StartRun opens a run record in the running state.
func (s *Store) StartRun(ctx context.Context, sourceID, trigger string, at time.Time) (store.Run, error) {
	r := store.Run{SourceID: sourceID, Trigger: trigger, StartedAt: at.UTC(), Status: store.RunRunning}
	res, err := s.db.ExecContext(ctx, `INSERT INTO runs (source_id, trigger, started_at, status) VALUES (?, ?, ?, ?)`,
		sourceID, trigger, r.StartedAt, r.Status)
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
	warnings, err := json.Marshal(r.Warnings)
	if err != nil {
		return fmt.Errorf("sqlite: run %d warnings: %w", r.ID, err)
	}
	if r.Warnings == nil {
		warnings = []byte("[]")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE runs SET finished_at = ?, status = ?, pages = ?, bytes = ?, seen = ?, added = ?,
			updated = ?, unchanged = ?, removed = ?, conflicts = ?, warnings = ?, warning_count = ?, error = ? WHERE id = ?`,
			r.FinishedAt.UTC(), r.Status, r.Pages, r.Bytes, r.Seen, r.Added, r.Updated, r.Unchanged, r.Removed, r.Conflicts,
			string(warnings), r.WarningCount, r.Error, r.ID)
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
	removed, conflicts, warnings, warning_count, error`

func scanRun(row interface{ Scan(...any) error }) (store.Run, error) {
	var r store.Run
	var finished sql.NullTime
	var status, warnings string
	err := row.Scan(&r.ID, &r.SourceID, &r.Trigger, &r.StartedAt, &finished, &status, &r.Pages, &r.Bytes, &r.Seen, &r.Added,
		&r.Updated, &r.Unchanged, &r.Removed, &r.Conflicts, &warnings, &r.WarningCount, &r.Error)
	if err != nil {
		return r, err
	}
	r.FinishedAt = finished.Time
	r.Status = store.RunStatus(status)
	if err := json.Unmarshal([]byte(warnings), &r.Warnings); err != nil {
		return r, fmt.Errorf("run %d warnings: %w", r.ID, err)
	}
	return r, nil
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
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM runs WHERE source_id = ? ORDER BY id DESC LIMIT ?`, sourceID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: runs of %s: %w", sourceID, err)
	}
	defer rows.Close()
	var out []store.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: runs of %s: %w", sourceID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
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

// RunPages returns the pages a run read, in order.
func (s *Store) RunPages(ctx context.Context, runID int64) ([]store.RunPage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+pageColumns+` FROM run_pages WHERE run_id = ? ORDER BY seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pages of run %d: %w", runID, err)
	}
	out, err := scanPages(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pages of run %d: %w", runID, err)
	}
	return out, nil
}

// LastPages returns the pages of the source's latest run that read data.
func (s *Store) LastPages(ctx context.Context, sourceID string) (map[string]store.RunPage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+pageColumns+` FROM run_pages WHERE run_id = (
		SELECT id FROM runs WHERE source_id = ? AND status IN ('ok', 'partial', 'not-modified') ORDER BY id DESC LIMIT 1)`, sourceID)
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
