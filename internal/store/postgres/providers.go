package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"qlink/internal/model"
	"qlink/internal/store"
)

// UpsertProviders inserts or replaces providers in one transaction. A
// provider whose record changed in what its courses' search documents
// show has their indexed state cleared in the same transaction, so that
// they join the index backlog even after a crash. The stored record is
// read FOR UPDATE: two imports of one provider compare against each
// other's result, not against the same old one.
func (s *Store) UpsertProviders(ctx context.Context, ps []model.Provider) error {
	now := time.Now().UTC()
	return s.inTx(ctx, func(tx pgx.Tx) error {
		for _, p := range ps {
			if p.ID == "" {
				return errors.New("postgres: provider without ID")
			}
			doc, err := store.EncodeProvider(p)
			if err != nil {
				return fmt.Errorf("postgres: %w", err)
			}
			if err := staleIfChanged(ctx, tx, p); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO providers (id, schac, doc, updated_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (id) DO UPDATE SET schac = excluded.schac, doc = excluded.doc, updated_at = excluded.updated_at`,
				p.ID, p.SCHAC, doc, now); err != nil {
				return fmt.Errorf("postgres: provider %s: %w", p.ID, err)
			}
		}
		return nil
	})
}

// staleIfChanged clears the indexed state of a provider's courses when
// what their documents show of it changed (store.ShownInDocumentsChanged).
func staleIfChanged(ctx context.Context, tx pgx.Tx, p model.Provider) error {
	var doc []byte
	err := tx.QueryRow(ctx, `SELECT doc FROM providers WHERE id = $1 FOR UPDATE`, p.ID).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err == nil {
		var old model.Provider
		if old, err = store.DecodeProvider(doc); err == nil && !store.ShownInDocumentsChanged(old, p) {
			return nil
		}
	}
	if err == nil {
		_, err = tx.Exec(ctx, `UPDATE courses SET indexed_hash = '' WHERE provider_id = $1`, p.ID)
	}
	if err != nil {
		return fmt.Errorf("postgres: provider %s: %w", p.ID, err)
	}
	return nil
}

// Provider returns one provider with its alliances: those naming one of
// its member keys.
func (s *Store) Provider(ctx context.Context, id string) (model.Provider, error) {
	var doc []byte
	if err := s.pool.QueryRow(ctx, `SELECT doc FROM providers WHERE id = $1`, id).Scan(&doc); err != nil {
		return model.Provider{}, notFound(err, "provider "+id)
	}
	p, err := store.DecodeProvider(doc)
	if err != nil {
		return p, fmt.Errorf("postgres: %w", err)
	}
	rows, _ := s.pool.Query(ctx, `SELECT DISTINCT alliance_id FROM alliance_members WHERE member_key = ANY($1)
		ORDER BY alliance_id`, p.MemberKeys())
	if p.Alliances, err = collect(rows, pgx.RowTo[string]); err != nil {
		return p, fmt.Errorf("postgres: alliances of %s: %w", id, err)
	}
	return p, nil
}

// ListProviders returns all providers ordered by ID, with their alliances.
func (s *Store) ListProviders(ctx context.Context) ([]model.Provider, error) {
	ps, err := listProviderDocs(ctx, s.pool)
	if err != nil {
		return nil, err
	}
	byKey, err := alliancesByMemberKey(ctx, s.pool)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		ps[i] = store.WithAlliances(ps[i], byKey)
	}
	return ps, nil
}

// querier is what reading needs of the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// listProviderDocs reads the providers' registry records, ordered by ID.
func listProviderDocs(ctx context.Context, q querier) ([]model.Provider, error) {
	rows, _ := q.Query(ctx, `SELECT doc FROM providers ORDER BY id`)
	ps, err := collect(rows, func(row pgx.CollectableRow) (model.Provider, error) {
		var doc []byte
		if err := row.Scan(&doc); err != nil {
			return model.Provider{}, err
		}
		return store.DecodeProvider(doc)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: providers: %w", err)
	}
	return ps, nil
}

// AddDiscovery records a discovery attempt.
func (s *Store) AddDiscovery(ctx context.Context, d store.Discovery) (int64, error) {
	probes := d.Probes
	if len(probes) == 0 {
		probes = []byte("[]")
	}
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO discoveries (provider_id, started_at, duration_ms, manifest_url, error, probes)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		d.ProviderID, d.StartedAt.UTC(), d.Duration.Milliseconds(), d.ManifestURL, d.Error, string(probes)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("postgres: discovery of %s: %w", d.ProviderID, err)
	}
	return id, nil
}

const discoveryColumns = `id, provider_id, started_at, duration_ms, manifest_url, error, probes`

func scanDiscovery(row pgx.CollectableRow) (store.Discovery, error) {
	var d store.Discovery
	var ms int64
	var probes string
	err := row.Scan(&d.ID, &d.ProviderID, &d.StartedAt, &ms, &d.ManifestURL, &d.Error, &probes)
	d.Duration = time.Duration(ms) * time.Millisecond
	d.Probes = []byte(probes)
	return d, err
}

// LatestDiscovery returns a provider's newest discovery record.
func (s *Store) LatestDiscovery(ctx context.Context, providerID string) (store.Discovery, error) {
	ds, err := s.ListDiscoveries(ctx, providerID, 1)
	if err != nil {
		return store.Discovery{}, err
	}
	if len(ds) == 0 {
		return store.Discovery{}, fmt.Errorf("discovery of %s: %w", providerID, store.ErrNotFound)
	}
	return ds[0], nil
}

// ListDiscoveries returns a provider's latest discoveries, newest first.
func (s *Store) ListDiscoveries(ctx context.Context, providerID string, limit int) ([]store.Discovery, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+discoveryColumns+` FROM discoveries WHERE provider_id = $1
		ORDER BY id DESC LIMIT $2`, providerID, limit)
	ds, err := collect(rows, scanDiscovery)
	if err != nil {
		return nil, fmt.Errorf("postgres: discoveries of %s: %w", providerID, err)
	}
	return ds, nil
}

// ProviderStates reads each provider's latest discovery and the latest run
// that brought each of its sources up to date.
func (s *Store) ProviderStates(ctx context.Context) (map[string]store.ProviderState, error) {
	out := map[string]store.ProviderState{}
	rows, _ := s.pool.Query(ctx, `SELECT DISTINCT ON (provider_id) provider_id, started_at, manifest_url
		FROM discoveries ORDER BY provider_id, id DESC`)
	var id string
	var st store.ProviderState
	_, err := pgx.ForEachRow(rows, []any{&id, &st.DiscoveredAt, &st.ManifestURL}, func() error {
		out[id] = st
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: provider discoveries: %w", err)
	}
	rows, _ = s.pool.Query(ctx, `SELECT s.provider_id, MAX(r.finished_at) FROM runs r JOIN sources s ON s.id = r.source_id
		WHERE r.id IN (SELECT MAX(id) FROM runs WHERE status IN `+upToDateStatuses+` GROUP BY source_id)
		GROUP BY s.provider_id`)
	var finished *time.Time
	_, err = pgx.ForEachRow(rows, []any{&id, &finished}, func() error {
		st := out[id]
		st.Refreshed = orZero(finished)
		out[id] = st
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: provider refreshes: %w", err)
	}
	return out, nil
}

// LatestManifest returns the newest stored version of a provider's
// manifest.
func (s *Store) LatestManifest(ctx context.Context, providerID string) (store.Manifest, error) {
	m := store.Manifest{ProviderID: providerID}
	err := s.pool.QueryRow(ctx, `SELECT url, fetched_at, body FROM manifests WHERE provider_id = $1
		ORDER BY version DESC LIMIT 1`, providerID).Scan(&m.URL, &m.FetchedAt, &m.Body)
	if err != nil {
		return m, notFound(err, "manifest of "+providerID)
	}
	return m, nil
}
