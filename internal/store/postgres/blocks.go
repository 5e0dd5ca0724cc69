package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"qlink/internal/store"
)

// BlockProvider blocks a provider, replacing an earlier block's reason.
func (s *Store) BlockProvider(ctx context.Context, b store.Block) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO provider_blocks (provider_id, reason, blocked_by, blocked_at)
		SELECT id, $2, $3, $4 FROM providers WHERE id = $1
		ON CONFLICT (provider_id) DO UPDATE SET reason = excluded.reason, blocked_by = excluded.blocked_by, blocked_at = excluded.blocked_at`,
		b.ProviderID, b.Reason, b.By, b.At.UTC())
	if err != nil {
		return fmt.Errorf("postgres: blocking %s: %w", b.ProviderID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("provider %s: %w", b.ProviderID, store.ErrNotFound)
	}
	return nil
}

// AllowProvider lifts a provider's block.
func (s *Store) AllowProvider(ctx context.Context, providerID string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM provider_blocks WHERE provider_id = $1`, providerID); err != nil {
		return fmt.Errorf("postgres: allowing %s: %w", providerID, err)
	}
	return nil
}

const blockColumns = `provider_id, reason, blocked_by, blocked_at`

func scanBlock(row pgx.CollectableRow) (store.Block, error) {
	var b store.Block
	err := row.Scan(&b.ProviderID, &b.Reason, &b.By, &b.At)
	return b, err
}

// ProviderBlock returns a provider's block.
func (s *Store) ProviderBlock(ctx context.Context, providerID string) (store.Block, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+blockColumns+` FROM provider_blocks WHERE provider_id = $1`, providerID)
	b, err := pgx.CollectExactlyOneRow(rows, scanBlock)
	if err != nil {
		return store.Block{ProviderID: providerID}, notFound(err, "block of "+providerID)
	}
	return b, nil
}

// ListBlocks returns every block by provider ID.
func (s *Store) ListBlocks(ctx context.Context) (map[string]store.Block, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+blockColumns+` FROM provider_blocks`)
	bs, err := collect(rows, scanBlock)
	if err != nil {
		return nil, fmt.Errorf("postgres: blocks: %w", err)
	}
	out := make(map[string]store.Block, len(bs))
	for _, b := range bs {
		out[b.ProviderID] = b
	}
	return out, nil
}
