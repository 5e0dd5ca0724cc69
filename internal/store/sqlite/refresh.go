package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"qlink/internal/store"
)

// RecordProgress writes a running run's counts so far.
func (s *Store) RecordProgress(ctx context.Context, p store.RunProgress) error {
	_, err := s.w.ExecContext(ctx, `UPDATE runs SET pages = ?, bytes = ?, seen = ?, warning_count = ?, progress_at = ?
		WHERE id = ? AND status = ?`, p.Pages, p.Bytes, p.Records, p.Warnings, p.At.UTC(), p.RunID, store.RunRunning)
	if err != nil {
		return fmt.Errorf("sqlite: progress of run %d: %w", p.RunID, err)
	}
	return nil
}

// AddRefresh records a refresh and forgets the provider's older ones
// beyond store.RefreshesKept, in one transaction.
func (s *Store) AddRefresh(ctx context.Context, r store.Refresh) (store.Refresh, error) {
	r.RequestedAt = r.RequestedAt.UTC()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO refreshes (provider_id, requested_at, tag, after_run_id) VALUES (?, ?, ?, ?)`,
			r.ProviderID, r.RequestedAt, r.Tag, r.AfterRunID)
		if err != nil {
			return err
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM refreshes WHERE provider_id = ? AND id NOT IN (
			SELECT id FROM refreshes WHERE provider_id = ? ORDER BY id DESC LIMIT ?)`, r.ProviderID, r.ProviderID, store.RefreshesKept)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("sqlite: add refresh of %s: %w", r.ProviderID, err)
	}
	return r, nil
}

const refreshColumns = `id, provider_id, requested_at, tag, after_run_id`

func scanRefresh(row *sql.Row, what string) (store.Refresh, error) {
	var r store.Refresh
	err := row.Scan(&r.ID, &r.ProviderID, &r.RequestedAt, &r.Tag, &r.AfterRunID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return r, nil
}

// Refresh returns one refresh.
func (s *Store) Refresh(ctx context.Context, id int64) (store.Refresh, error) {
	return scanRefresh(s.db.QueryRowContext(ctx, `SELECT `+refreshColumns+` FROM refreshes WHERE id = ?`, id),
		fmt.Sprintf("refresh %d", id))
}

// LatestRefresh returns a provider's newest refresh.
func (s *Store) LatestRefresh(ctx context.Context, providerID string) (store.Refresh, error) {
	return scanRefresh(s.db.QueryRowContext(ctx, `SELECT `+refreshColumns+` FROM refreshes WHERE provider_id = ?
		ORDER BY id DESC LIMIT 1`, providerID), "latest refresh of "+providerID)
}
