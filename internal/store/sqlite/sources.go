package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"qlink/internal/store"
)

// SyncManifest stores a manifest version (unless identical to the latest)
// and upserts its sources by key.
func (s *Store) SyncManifest(ctx context.Context, m store.Manifest, sources []store.Source) ([]store.Source, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		version, err := saveManifest(ctx, tx, m)
		if err != nil {
			return err
		}
		keep := map[string]bool{}
		for _, src := range sources {
			src.ProviderID = m.ProviderID
			src.ID = store.SourceID(m.ProviderID, src.Key)
			keep[src.ID] = true
			if err := upsertSource(ctx, tx, src, version, m.FetchedAt); err != nil {
				return err
			}
		}
		return deactivateOthers(ctx, tx, m.ProviderID, keep, m.FetchedAt)
	})
	if err != nil {
		return nil, err
	}
	return s.ListSources(ctx, m.ProviderID)
}

func saveManifest(ctx context.Context, tx *sql.Tx, m store.Manifest) (int, error) {
	var version int
	var body []byte
	err := tx.QueryRowContext(ctx, `SELECT version, body FROM manifests WHERE provider_id = ? ORDER BY version DESC LIMIT 1`,
		m.ProviderID).Scan(&version, &body)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("sqlite: manifest of %s: %w", m.ProviderID, err)
	}
	if err == nil && bytes.Equal(body, m.Body) {
		return version, nil
	}
	version++
	_, err = tx.ExecContext(ctx, `INSERT INTO manifests (provider_id, version, url, fetched_at, body) VALUES (?, ?, ?, ?, ?)`,
		m.ProviderID, version, m.URL, m.FetchedAt.UTC(), m.Body)
	if err != nil {
		return 0, fmt.Errorf("sqlite: manifest of %s: %w", m.ProviderID, err)
	}
	return version, nil
}

func upsertSource(ctx context.Context, tx *sql.Tx, src store.Source, version int, at time.Time) error {
	entry := src.Entry
	if len(entry) == 0 {
		entry = []byte("{}")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sources (id, provider_id, key, type, url, version, name, entry, active, manifest_version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, url = excluded.url, version = excluded.version,
			name = excluded.name, entry = excluded.entry, active = 1, manifest_version = excluded.manifest_version,
			updated_at = excluded.updated_at`,
		src.ID, src.ProviderID, src.Key, src.Type, src.URL, src.Version, src.Name, string(entry), version, at.UTC(), at.UTC())
	if err != nil {
		return fmt.Errorf("sqlite: source %s: %w", src.ID, err)
	}
	return nil
}

func deactivateOthers(ctx context.Context, tx *sql.Tx, providerID string, keep map[string]bool, at time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM sources WHERE provider_id = ? AND active = 1`, providerID)
	if err != nil {
		return fmt.Errorf("sqlite: sources of %s: %w", providerID, err)
	}
	var gone []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: sources of %s: %w", providerID, err)
		}
		if !keep[id] {
			gone = append(gone, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: sources of %s: %w", providerID, err)
	}
	for _, id := range gone {
		if _, err := tx.ExecContext(ctx, `UPDATE sources SET active = 0, updated_at = ? WHERE id = ?`, at.UTC(), id); err != nil {
			return fmt.Errorf("sqlite: source %s: %w", id, err)
		}
	}
	return nil
}

const sourceColumns = `id, provider_id, key, type, url, version, name, entry, active, manifest_version, created_at, updated_at,
	last_run_id, last_status, last_error, last_run_at, error_count, next_run_at, paused`

func scanSource(row interface{ Scan(...any) error }) (store.Source, error) {
	var src store.Source
	var entry, status string
	var lastRun, nextRun sql.NullTime
	err := row.Scan(&src.ID, &src.ProviderID, &src.Key, &src.Type, &src.URL, &src.Version, &src.Name, &entry, &src.Active,
		&src.ManifestVersion, &src.CreatedAt, &src.UpdatedAt, &src.LastRunID, &status, &src.LastError, &lastRun, &src.ErrorCount, &nextRun,
		&src.Paused)
	src.Entry = []byte(entry)
	src.LastStatus = store.RunStatus(status)
	src.LastRunAt = lastRun.Time
	src.NextRunAt = nextRun.Time
	return src, err
}

// Source returns one source.
func (s *Store) Source(ctx context.Context, id string) (store.Source, error) {
	src, err := scanSource(s.db.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return src, fmt.Errorf("source %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return src, fmt.Errorf("sqlite: source %s: %w", id, err)
	}
	return src, nil
}

// ListSources returns sources of one provider (or all), active first.
func (s *Store) ListSources(ctx context.Context, providerID string) ([]store.Source, error) {
	q := `SELECT ` + sourceColumns + ` FROM sources`
	var args []any
	if providerID != "" {
		q += ` WHERE provider_id = ?`
		args = append(args, providerID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY active DESC, provider_id, key`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sources: %w", err)
	}
	defer rows.Close()
	var out []store.Source
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: sources: %w", err)
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// SetNextRun records when the scheduler will next refresh a source.
func (s *Store) SetNextRun(ctx context.Context, sourceID string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE sources SET next_run_at = ? WHERE id = ?`, at.UTC(), sourceID)
	if err != nil {
		return fmt.Errorf("sqlite: next run of source %s: %w", sourceID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("source %s: %w", sourceID, store.ErrNotFound)
	}
	return nil
}
