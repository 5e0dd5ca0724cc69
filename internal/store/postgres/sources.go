package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"qlink/internal/store"
)

// SyncManifest stores a manifest version (unless identical to the latest)
// and upserts its sources by key. The provider's row is locked first:
// two processes discovering one provider at once would otherwise both
// number their manifest version after the same latest one.
func (s *Store) SyncManifest(ctx context.Context, m store.Manifest, sources []store.Source) ([]store.Source, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT 1 FROM providers WHERE id = $1 FOR NO KEY UPDATE`, m.ProviderID).Scan(new(int)); err != nil {
			return notFound(err, "provider "+m.ProviderID)
		}
		version, err := saveManifest(ctx, tx, m)
		if err != nil {
			return err
		}
		keep := make([]string, 0, len(sources))
		for _, src := range sources {
			src.ProviderID = m.ProviderID
			src.ID = store.SourceID(m.ProviderID, src.Key)
			keep = append(keep, src.ID)
			if err := upsertSource(ctx, tx, src, version, m.FetchedAt); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE sources SET active = false, updated_at = $1
			WHERE provider_id = $2 AND active AND NOT id = ANY($3)`, m.FetchedAt.UTC(), m.ProviderID, keep)
		if err != nil {
			return fmt.Errorf("postgres: sources of %s: %w", m.ProviderID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.ListSources(ctx, m.ProviderID)
}

func saveManifest(ctx context.Context, tx pgx.Tx, m store.Manifest) (int, error) {
	var version int
	var body []byte
	err := tx.QueryRow(ctx, `SELECT version, body FROM manifests WHERE provider_id = $1 ORDER BY version DESC LIMIT 1`,
		m.ProviderID).Scan(&version, &body)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("postgres: manifest of %s: %w", m.ProviderID, err)
	}
	if err == nil && bytes.Equal(body, m.Body) {
		return version, nil
	}
	version++
	body = m.Body
	if body == nil {
		body = []byte{} // NOT NULL
	}
	_, err = tx.Exec(ctx, `INSERT INTO manifests (provider_id, version, url, fetched_at, body) VALUES ($1, $2, $3, $4, $5)`,
		m.ProviderID, version, m.URL, m.FetchedAt.UTC(), body)
	if err != nil {
		return 0, fmt.Errorf("postgres: manifest of %s: %w", m.ProviderID, err)
	}
	return version, nil
}

func upsertSource(ctx context.Context, tx pgx.Tx, src store.Source, version int, at time.Time) error {
	entry := src.Entry
	if len(entry) == 0 {
		entry = []byte("{}")
	}
	_, err := tx.Exec(ctx, `INSERT INTO sources (id, provider_id, key, type, url, version, name, entry, active, manifest_version,
			created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, $9, $10, $10)
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, url = excluded.url, version = excluded.version,
			name = excluded.name, entry = excluded.entry, active = true, manifest_version = excluded.manifest_version,
			updated_at = excluded.updated_at`,
		src.ID, src.ProviderID, src.Key, src.Type, src.URL, src.Version, src.Name, string(entry), version, at.UTC())
	if err != nil {
		return fmt.Errorf("postgres: source %s: %w", src.ID, err)
	}
	return nil
}

const sourceColumns = `id, provider_id, key, type, url, version, name, entry, active, manifest_version, created_at, updated_at,
	last_run_id, last_status, last_error, last_run_at, error_count, next_run_at, paused`

func scanSource(row pgx.CollectableRow) (store.Source, error) {
	var src store.Source
	var entry, status string
	var lastRun, nextRun *time.Time
	err := row.Scan(&src.ID, &src.ProviderID, &src.Key, &src.Type, &src.URL, &src.Version, &src.Name, &entry, &src.Active,
		&src.ManifestVersion, &src.CreatedAt, &src.UpdatedAt, &src.LastRunID, &status, &src.LastError, &lastRun, &src.ErrorCount,
		&nextRun, &src.Paused)
	src.Entry = []byte(entry)
	src.LastStatus = store.RunStatus(status)
	src.LastRunAt, src.NextRunAt = orZero(lastRun), orZero(nextRun)
	return src, err
}

// Source returns one source.
func (s *Store) Source(ctx context.Context, id string) (store.Source, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+sourceColumns+` FROM sources WHERE id = $1`, id)
	src, err := pgx.CollectExactlyOneRow(rows, scanSource)
	if err != nil {
		return src, notFound(err, "source "+id)
	}
	return src, nil
}

// ListSources returns sources of one provider (or all), active first.
func (s *Store) ListSources(ctx context.Context, providerID string) ([]store.Source, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+sourceColumns+` FROM sources WHERE $1 = '' OR provider_id = $1
		ORDER BY active DESC, provider_id, key`, providerID)
	out, err := collect(rows, scanSource)
	if err != nil {
		return nil, fmt.Errorf("postgres: sources: %w", err)
	}
	return out, nil
}

// SetNextRun records when the scheduler will next refresh a source.
func (s *Store) SetNextRun(ctx context.Context, sourceID string, at time.Time) error {
	return s.exec(ctx, "next run of source "+sourceID, `UPDATE sources SET next_run_at = $1 WHERE id = $2`, at.UTC(), sourceID)
}

// SetSourcePaused pauses or resumes a source.
func (s *Store) SetSourcePaused(ctx context.Context, sourceID string, paused bool) error {
	return s.exec(ctx, "source "+sourceID, `UPDATE sources SET paused = $1 WHERE id = $2`, paused, sourceID)
}
