package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"qlink/internal/store"
)

// SetOAuthClient inserts or replaces a provider's client at an endpoint.
func (s *Store) SetOAuthClient(ctx context.Context, c store.OAuthClient) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO oauth_clients (provider_id, token_endpoint, client_id, secret_encrypted, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (provider_id, token_endpoint) DO UPDATE SET client_id = excluded.client_id,
		secret_encrypted = excluded.secret_encrypted, updated_at = excluded.updated_at`,
		c.ProviderID, c.TokenEndpoint, c.ClientID, c.SecretEncrypted, c.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("sqlite: oauth client of %s: %w", c.ProviderID, err)
	}
	return nil
}

// OAuthClient returns the client of a provider at a token endpoint.
func (s *Store) OAuthClient(ctx context.Context, providerID, tokenEndpoint string) (store.OAuthClient, error) {
	c := store.OAuthClient{ProviderID: providerID, TokenEndpoint: tokenEndpoint}
	err := s.db.QueryRowContext(ctx, `SELECT client_id, secret_encrypted, updated_at FROM oauth_clients
		WHERE provider_id = ? AND token_endpoint = ?`, providerID, tokenEndpoint).Scan(&c.ClientID, &c.SecretEncrypted, &c.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("oauth client of %s at %s: %w", providerID, tokenEndpoint, store.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("sqlite: oauth client of %s: %w", providerID, err)
	}
	return c, nil
}

// ListOAuthClients lists clients, of one provider or all.
func (s *Store) ListOAuthClients(ctx context.Context, providerID string) ([]store.OAuthClient, error) {
	q := `SELECT provider_id, token_endpoint, client_id, secret_encrypted, updated_at FROM oauth_clients`
	var args []any
	if providerID != "" {
		q += ` WHERE provider_id = ?`
		args = append(args, providerID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY provider_id, token_endpoint`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: oauth clients: %w", err)
	}
	defer rows.Close()
	var out []store.OAuthClient
	for rows.Next() {
		var c store.OAuthClient
		if err := rows.Scan(&c.ProviderID, &c.TokenEndpoint, &c.ClientID, &c.SecretEncrypted, &c.UpdatedAt); err != nil {
			return nil, fmt.Errorf("sqlite: oauth clients: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeleteOAuthClient removes a client; a missing one is store.ErrNotFound.
func (s *Store) DeleteOAuthClient(ctx context.Context, providerID, tokenEndpoint string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM oauth_clients WHERE provider_id = ? AND token_endpoint = ?`, providerID, tokenEndpoint)
	if err != nil {
		return fmt.Errorf("sqlite: oauth client of %s: %w", providerID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("oauth client of %s at %s: %w", providerID, tokenEndpoint, store.ErrNotFound)
	}
	return nil
}
