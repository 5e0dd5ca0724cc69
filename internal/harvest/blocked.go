package harvest

import (
	"context"
	"errors"
	"fmt"

	"qlink/internal/store"
)

// ErrBlocked is the error of discovering or harvesting a provider an
// operator blocked (store.Blocks): nothing is fetched and nothing recorded.
var ErrBlocked = errors.New("blocked by the operator")

// Blocked returns an error wrapping ErrBlocked, with the operator's
// reason, when the provider is blocked; nil when it is not.
func (h *Harvester) Blocked(ctx context.Context, providerID string) error {
	b, err := h.Store.ProviderBlock(ctx, providerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("provider %s is %w: %s", providerID, ErrBlocked, b.Reason)
}
