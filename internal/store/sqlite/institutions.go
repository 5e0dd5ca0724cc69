package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"qlink/internal/store"
)

// ListDiscoveries returns a provider's latest discoveries, newest first.
func (s *Store) ListDiscoveries(ctx context.Context, providerID string, limit int) ([]store.Discovery, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, started_at, duration_ms, manifest_url, error, probes FROM discoveries
		WHERE provider_id = ? ORDER BY id DESC LIMIT ?`, providerID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: discoveries of %s: %w", providerID, err)
	}
	defer rows.Close()
	var out []store.Discovery
	for rows.Next() {
		d := store.Discovery{ProviderID: providerID}
		var ms int64
		var probes string
		if err := rows.Scan(&d.ID, &d.StartedAt, &ms, &d.ManifestURL, &d.Error, &probes); err != nil {
			return nil, fmt.Errorf("sqlite: discoveries of %s: %w", providerID, err)
		}
		d.Duration = time.Duration(ms) * time.Millisecond
		d.Probes = []byte(probes)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: discoveries of %s: %w", providerID, err)
	}
	return out, nil
}

// LatestManifest returns the newest stored version of a provider's
// manifest.
func (s *Store) LatestManifest(ctx context.Context, providerID string) (store.Manifest, error) {
	m := store.Manifest{ProviderID: providerID}
	err := s.db.QueryRowContext(ctx, `SELECT url, fetched_at, body FROM manifests WHERE provider_id = ?
		ORDER BY version DESC LIMIT 1`, providerID).Scan(&m.URL, &m.FetchedAt, &m.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("manifest of %s: %w", providerID, store.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("sqlite: manifest of %s: %w", providerID, err)
	}
	return m, nil
}
