package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"qlink/internal/store"
)

// AddRefresh records a refresh and forgets the provider's older ones
// beyond store.RefreshesKept, in one transaction. The provider's row is
// locked first: refreshes asked on several web nodes at once are kept one
// after another, and the pruning counts each of them.
func (s *Store) AddRefresh(ctx context.Context, r store.Refresh) (store.Refresh, error) {
	r.RequestedAt = r.RequestedAt.UTC()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT 1 FROM providers WHERE id = $1 FOR NO KEY UPDATE`, r.ProviderID).Scan(new(int)); err != nil {
			return notFound(err, "provider "+r.ProviderID)
		}
		err := tx.QueryRow(ctx, `INSERT INTO refreshes (provider_id, requested_at, tag, after_run_id) VALUES ($1, $2, $3, $4)
			RETURNING id`, r.ProviderID, r.RequestedAt, r.Tag, r.AfterRunID).Scan(&r.ID)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM refreshes WHERE provider_id = $1 AND id NOT IN (
			SELECT id FROM refreshes WHERE provider_id = $1 ORDER BY id DESC LIMIT $2)`, r.ProviderID, store.RefreshesKept)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("postgres: add refresh of %s: %w", r.ProviderID, err)
	}
	return r, nil
}

const refreshColumns = `id, provider_id, requested_at, tag, after_run_id`

func (s *Store) oneRefresh(ctx context.Context, what, query string, arg any) (store.Refresh, error) {
	rows, _ := s.pool.Query(ctx, query, arg)
	r, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (store.Refresh, error) {
		var r store.Refresh
		err := row.Scan(&r.ID, &r.ProviderID, &r.RequestedAt, &r.Tag, &r.AfterRunID)
		return r, err
	})
	if err != nil {
		return r, notFound(err, what)
	}
	return r, nil
}

// Refresh returns one refresh.
func (s *Store) Refresh(ctx context.Context, id int64) (store.Refresh, error) {
	return s.oneRefresh(ctx, fmt.Sprintf("refresh %d", id), `SELECT `+refreshColumns+` FROM refreshes WHERE id = $1`, id)
}

// LatestRefresh returns a provider's newest refresh.
func (s *Store) LatestRefresh(ctx context.Context, providerID string) (store.Refresh, error) {
	return s.oneRefresh(ctx, "latest refresh of "+providerID, `SELECT `+refreshColumns+` FROM refreshes WHERE provider_id = $1
		ORDER BY id DESC LIMIT 1`, providerID)
}
