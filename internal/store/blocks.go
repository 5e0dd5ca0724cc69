package store

import (
	"context"
	"time"
)

// Blocks keeps the providers an operator stopped harvesting: a blocked
// provider is neither discovered nor harvested, by the schedule or on
// request, until it is allowed again. Its stored courses stay as they are.
type Blocks interface {
	// BlockProvider blocks a provider (again, with the new reason).
	BlockProvider(ctx context.Context, b Block) error
	// AllowProvider lifts a block; a provider not blocked is left alone.
	AllowProvider(ctx context.Context, providerID string) error
	// ProviderBlock returns a provider's block, ErrNotFound when it has
	// none.
	ProviderBlock(ctx context.Context, providerID string) (Block, error)
	// ListBlocks returns every block by provider ID.
	ListBlocks(ctx context.Context) (map[string]Block, error)
}

// Block is an operator's stop on a provider.
type Block struct {
	ProviderID string
	Reason     string
	// By is the operator who blocked it.
	By string
	At time.Time
}
