package harvest

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"qlink/internal/fetch/auth"
	"qlink/internal/keys"
	"qlink/internal/store"
)

// StoredCredentials is the auth.CredentialSource of a running aggregator:
// the OAuth clients an operator registered with `qlink credentials`, kept
// in the store with their secrets encrypted for the aggregator's RSA key
// and decrypted only when a token is requested.
type StoredCredentials struct {
	Store store.Credentials
	Keys  *keys.Ring
}

var _ auth.CredentialSource = StoredCredentials{}

// OAuthClient implements auth.CredentialSource.
func (c StoredCredentials) OAuthClient(ctx context.Context, providerID, tokenEndpoint string) (string, string, bool, error) {
	cl, err := c.Store.OAuthClient(ctx, providerID, auth.EndpointKey(tokenEndpoint))
	if errors.Is(err, store.ErrNotFound) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	raw, err := base64.StdEncoding.DecodeString(cl.SecretEncrypted)
	if err != nil {
		return "", "", false, fmt.Errorf("stored client secret of %s: %w", providerID, err)
	}
	secret, err := c.Keys.Decrypt(raw)
	if err != nil {
		return "", "", false, fmt.Errorf("stored client secret of %s %w; register the client again with qlink credentials set", providerID, err)
	}
	return cl.ClientID, string(secret), true, nil
}

// Set registers (or replaces) a provider's client at a token endpoint,
// encrypting the secret for the aggregator's current RSA key.
func (c StoredCredentials) Set(ctx context.Context, providerID, tokenEndpoint, clientID, secret string, now time.Time) error {
	k, err := c.Keys.Current(keys.AlgRSAOAEP)
	if err != nil {
		return err
	}
	pub, ok := k.Public.(*rsa.PublicKey)
	if !ok {
		return errors.New("the aggregator's secrets key is not an RSA key")
	}
	enc, err := keys.EncryptSecret(pub, []byte(secret), true)
	if err != nil {
		return err
	}
	return c.Store.SetOAuthClient(ctx, store.OAuthClient{ProviderID: providerID, TokenEndpoint: auth.EndpointKey(tokenEndpoint),
		ClientID: clientID, SecretEncrypted: enc, UpdatedAt: now})
}
