package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// UpsertProviders inserts or replaces providers in one transaction. The
// search documents of a course carry its provider (name, acronym,
// country), so when a provider's record changes its courses' indexed
// state is cleared in the same transaction: they join the index backlog
// and the next index sync rewrites them, even after a crash.
func (s *Store) UpsertProviders(ctx context.Context, ps []model.Provider) error {
	now := time.Now().UTC()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO providers (id, schac, doc, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET schac = excluded.schac, doc = excluded.doc, updated_at = excluded.updated_at`)
		if err != nil {
			return fmt.Errorf("sqlite: providers: %w", err)
		}
		defer stmt.Close()
		for _, p := range ps {
			if p.ID == "" {
				return errors.New("sqlite: provider without ID")
			}
			doc, err := store.EncodeProvider(p)
			if err != nil {
				return fmt.Errorf("sqlite: %w", err)
			}
			if err := staleIfChanged(ctx, tx, p); err != nil {
				return err
			}
			if _, err := stmt.ExecContext(ctx, p.ID, p.SCHAC, doc, now); err != nil {
				return fmt.Errorf("sqlite: provider %s: %w", p.ID, err)
			}
		}
		return nil
	})
}

// staleIfChanged clears the indexed state of a provider's courses when
// what their documents show of it changed (store.ShownInDocumentsChanged).
func staleIfChanged(ctx context.Context, tx *sql.Tx, p model.Provider) error {
	var doc []byte
	err := tx.QueryRowContext(ctx, `SELECT doc FROM providers WHERE id = ?`, p.ID).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err == nil {
		var old model.Provider
		if old, err = store.DecodeProvider(doc); err == nil && !store.ShownInDocumentsChanged(old, p) {
			return nil
		}
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, `UPDATE courses SET indexed_hash = '' WHERE provider_id = ?`, p.ID)
	}
	if err != nil {
		return fmt.Errorf("sqlite: provider %s: %w", p.ID, err)
	}
	return nil
}

// Provider returns one provider.
func (s *Store) Provider(ctx context.Context, id string) (model.Provider, error) {
	var doc []byte
	err := s.db.QueryRowContext(ctx, `SELECT doc FROM providers WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Provider{}, fmt.Errorf("provider %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return model.Provider{}, fmt.Errorf("sqlite: provider %s: %w", id, err)
	}
	p, err := store.DecodeProvider(doc)
	if err != nil {
		return p, fmt.Errorf("sqlite: %w", err)
	}
	byKey, err := alliancesByMemberKey(ctx, s.db)
	if err != nil {
		return p, err
	}
	return store.WithAlliances(p, byKey), nil
}

// ListProviders returns all providers ordered by ID, with their
// alliances.
func (s *Store) ListProviders(ctx context.Context) ([]model.Provider, error) {
	ps, err := listProviderDocs(ctx, s.db)
	if err != nil {
		return nil, err
	}
	byKey, err := alliancesByMemberKey(ctx, s.db)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		ps[i] = store.WithAlliances(ps[i], byKey)
	}
	return ps, nil
}

// listProviderDocs reads the providers' registry records, ordered by ID.
func listProviderDocs(ctx context.Context, q querier) ([]model.Provider, error) {
	rows, err := q.QueryContext(ctx, `SELECT doc FROM providers ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: providers: %w", err)
	}
	defer rows.Close()
	var out []model.Provider
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("sqlite: providers: %w", err)
		}
		p, err := store.DecodeProvider(doc)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AddDiscovery records a discovery attempt.
func (s *Store) AddDiscovery(ctx context.Context, d store.Discovery) (int64, error) {
	probes := d.Probes
	if len(probes) == 0 {
		probes = []byte("[]")
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO discoveries (provider_id, started_at, duration_ms, manifest_url, error, probes)
		VALUES (?, ?, ?, ?, ?, ?)`, d.ProviderID, d.StartedAt.UTC(), d.Duration.Milliseconds(), d.ManifestURL, d.Error, string(probes))
	if err != nil {
		return 0, fmt.Errorf("sqlite: discovery of %s: %w", d.ProviderID, err)
	}
	return res.LastInsertId()
}

// LatestDiscovery returns a provider's newest discovery record.
func (s *Store) LatestDiscovery(ctx context.Context, providerID string) (store.Discovery, error) {
	d := store.Discovery{ProviderID: providerID}
	var ms int64
	var probes string
	err := s.db.QueryRowContext(ctx, `SELECT id, started_at, duration_ms, manifest_url, error, probes FROM discoveries
		WHERE provider_id = ? ORDER BY id DESC LIMIT 1`, providerID).Scan(&d.ID, &d.StartedAt, &ms, &d.ManifestURL, &d.Error, &probes)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("discovery of %s: %w", providerID, store.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("sqlite: discovery of %s: %w", providerID, err)
	}
	d.Duration = time.Duration(ms) * time.Millisecond
	d.Probes = []byte(probes)
	return d, nil
}

// ProviderStates reads each provider's latest discovery and the latest run
// that brought each of its sources up to date. Both queries select table
// columns, not aggregates, so that the driver still reads them as times.
func (s *Store) ProviderStates(ctx context.Context) (map[string]store.ProviderState, error) {
	out := map[string]store.ProviderState{}
	rows, err := s.db.QueryContext(ctx, `SELECT provider_id, started_at, manifest_url FROM discoveries
		WHERE id IN (SELECT MAX(id) FROM discoveries GROUP BY provider_id)`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: provider states: %w", err)
	}
	err = eachRow(rows, func() error {
		var id string
		var st store.ProviderState
		if err := rows.Scan(&id, &st.DiscoveredAt, &st.ManifestURL); err != nil {
			return err
		}
		out[id] = st
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: provider discoveries: %w", err)
	}
	rows, err = s.db.QueryContext(ctx, `SELECT s.provider_id, r.finished_at FROM runs r JOIN sources s ON s.id = r.source_id
		WHERE r.id IN (SELECT MAX(id) FROM runs WHERE status IN ('ok', 'partial', 'not-modified') GROUP BY source_id)`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: provider refreshes: %w", err)
	}
	err = eachRow(rows, func() error {
		var id string
		var finished sql.NullTime
		if err := rows.Scan(&id, &finished); err != nil {
			return err
		}
		st := out[id]
		if finished.Time.After(st.Refreshed) {
			st.Refreshed = finished.Time
		}
		out[id] = st
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: provider refreshes: %w", err)
	}
	return out, nil
}

// eachRow calls fn for every row, then closes rows.
func eachRow(rows *sql.Rows, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}
