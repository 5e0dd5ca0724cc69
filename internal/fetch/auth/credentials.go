package auth

import (
	"context"
	"net/url"
	"strings"
	"sync"
)

// CredentialSource holds OAuth 2.0 clients an operator registered out of
// band, for providers that keep client secrets out of their manifest.
//
// A client is bound to its provider and token endpoint: OAuthClient
// returns it only for exactly that pair, so a manifest (which anyone who
// controls the provider's web server can edit) cannot send the secret to
// a token endpoint of its choosing, and one provider's manifest cannot use
// another's client.
type CredentialSource interface {
	OAuthClient(ctx context.Context, providerID, tokenEndpoint string) (id, secret string, ok bool, err error)
}

// MemoryCredentials is a CredentialSource in memory, for tests and tools;
// the store will provide the persistent one.
type MemoryCredentials struct {
	mu      sync.Mutex
	clients map[[2]string][2]string
}

// Set registers a client for providerID at tokenEndpoint.
func (m *MemoryCredentials) Set(providerID, tokenEndpoint, id, secret string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.clients == nil {
		m.clients = map[[2]string][2]string{}
	}
	m.clients[[2]string{providerID, EndpointKey(tokenEndpoint)}] = [2]string{id, secret}
}

// OAuthClient implements CredentialSource.
func (m *MemoryCredentials) OAuthClient(_ context.Context, providerID, tokenEndpoint string) (string, string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.clients[[2]string{providerID, EndpointKey(tokenEndpoint)}]
	return c[0], c[1], ok, nil
}

// EndpointKey normalises a token endpoint URL for binding credentials to
// it: scheme and host lower-cased, default port dropped, everything else
// (path, query) compared as written.
func EndpointKey(endpoint string) string {
	u, err := url.Parse(strings.TrimSpace(endpoint))
	if err != nil || u.Host == "" {
		return strings.TrimSpace(endpoint)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if (u.Scheme == "https" && u.Port() == "443") || (u.Scheme == "http" && u.Port() == "80") {
		u.Host = u.Hostname()
	}
	u.Fragment = ""
	return u.String()
}
