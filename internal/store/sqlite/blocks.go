package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"qlink/internal/store"
)

// BlockProvider blocks a provider, replacing an earlier block's reason.
func (s *Store) BlockProvider(ctx context.Context, b store.Block) error {
	if _, err := s.Provider(ctx, b.ProviderID); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO provider_blocks (provider_id, reason, blocked_by, blocked_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (provider_id) DO UPDATE SET reason = excluded.reason, blocked_by = excluded.blocked_by, blocked_at = excluded.blocked_at`,
		b.ProviderID, b.Reason, b.By, b.At.UTC())
	if err != nil {
		return fmt.Errorf("sqlite: blocking %s: %w", b.ProviderID, err)
	}
	return nil
}

// AllowProvider lifts a provider's block.
func (s *Store) AllowProvider(ctx context.Context, providerID string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM provider_blocks WHERE provider_id = ?`, providerID); err != nil {
		return fmt.Errorf("sqlite: allowing %s: %w", providerID, err)
	}
	return nil
}

// ProviderBlock returns a provider's block.
func (s *Store) ProviderBlock(ctx context.Context, providerID string) (store.Block, error) {
	b := store.Block{ProviderID: providerID}
	err := s.db.QueryRowContext(ctx, `SELECT reason, blocked_by, blocked_at FROM provider_blocks WHERE provider_id = ?`, providerID).
		Scan(&b.Reason, &b.By, &b.At)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("block of %s: %w", providerID, store.ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("sqlite: block of %s: %w", providerID, err)
	}
	return b, nil
}

// ListBlocks returns every block by provider ID.
func (s *Store) ListBlocks(ctx context.Context) (map[string]store.Block, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT provider_id, reason, blocked_by, blocked_at FROM provider_blocks`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: blocks: %w", err)
	}
	out := map[string]store.Block{}
	err = eachRow(rows, func() error {
		var b store.Block
		if err := rows.Scan(&b.ProviderID, &b.Reason, &b.By, &b.At); err != nil {
			return err
		}
		out[b.ProviderID] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: blocks: %w", err)
	}
	return out, nil
}
