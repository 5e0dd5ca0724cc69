package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"qlink/internal/store"
)

// SetOAuthClient inserts or replaces a provider's client at an endpoint.
func (s *Store) SetOAuthClient(ctx context.Context, c store.OAuthClient) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO oauth_clients (provider_id, token_endpoint, client_id, secret_encrypted, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (provider_id, token_endpoint) DO UPDATE SET client_id = excluded.client_id,
		secret_encrypted = excluded.secret_encrypted, updated_at = excluded.updated_at`,
		c.ProviderID, c.TokenEndpoint, c.ClientID, c.SecretEncrypted, c.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("postgres: oauth client of %s: %w", c.ProviderID, err)
	}
	return nil
}

const oauthColumns = `provider_id, token_endpoint, client_id, secret_encrypted, updated_at`

func scanOAuthClient(row pgx.CollectableRow) (store.OAuthClient, error) {
	var c store.OAuthClient
	err := row.Scan(&c.ProviderID, &c.TokenEndpoint, &c.ClientID, &c.SecretEncrypted, &c.UpdatedAt)
	return c, err
}

// OAuthClient returns the client of a provider at a token endpoint.
func (s *Store) OAuthClient(ctx context.Context, providerID, tokenEndpoint string) (store.OAuthClient, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+oauthColumns+` FROM oauth_clients WHERE provider_id = $1 AND token_endpoint = $2`,
		providerID, tokenEndpoint)
	c, err := pgx.CollectExactlyOneRow(rows, scanOAuthClient)
	if err != nil {
		return c, notFound(err, fmt.Sprintf("oauth client of %s at %s", providerID, tokenEndpoint))
	}
	return c, nil
}

// ListOAuthClients lists clients, of one provider or all.
func (s *Store) ListOAuthClients(ctx context.Context, providerID string) ([]store.OAuthClient, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+oauthColumns+` FROM oauth_clients WHERE $1 = '' OR provider_id = $1
		ORDER BY provider_id, token_endpoint`, providerID)
	out, err := collect(rows, scanOAuthClient)
	if err != nil {
		return nil, fmt.Errorf("postgres: oauth clients: %w", err)
	}
	return out, nil
}

// DeleteOAuthClient removes a client; a missing one is store.ErrNotFound.
func (s *Store) DeleteOAuthClient(ctx context.Context, providerID, tokenEndpoint string) error {
	return s.exec(ctx, fmt.Sprintf("oauth client of %s at %s", providerID, tokenEndpoint),
		`DELETE FROM oauth_clients WHERE provider_id = $1 AND token_endpoint = $2`, providerID, tokenEndpoint)
}
