package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"qlink/internal/fetch"
)

// expiryMargin renews a token this long before it expires, so that it
// does not run out between Authorize and the server checking it.
const expiryMargin = 30 * time.Second

// oauthClient obtains tokens with the client credentials grant (RFC 6749
// §4.4), authenticating with HTTP Basic as §2.3.1 recommends, and caches
// one token per source until it expires or a server refuses it.
type oauthClient struct {
	cfg    clientcredentials.Config
	client *http.Client
	now    func() time.Time
	source string

	mu  sync.Mutex
	tok *oauth2.Token
}

func (b builder) oauth() (fetch.Authenticator, error) {
	endpoint, err := b.tokenEndpoint()
	if err != nil {
		return nil, err
	}
	id, secret, err := b.clientCredentials(endpoint)
	if err != nil {
		return nil, err
	}
	if b.d.HTTPClient == nil {
		return nil, b.fail("auth.token_endpoint", errors.New("no HTTP client for token requests"))
	}
	return &oauthClient{
		cfg: clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: endpoint, Scopes: b.cfg.Scopes,
			AuthStyle: oauth2.AuthStyleInHeader},
		client: b.d.HTTPClient, now: b.d.Now, source: b.cfg.Source,
	}, nil
}

func (b builder) tokenEndpoint() (string, error) {
	endpoint := b.cfg.TokenEndpoint
	u, perr := url.Parse(endpoint)
	switch {
	case endpoint == "":
		return "", b.fail("auth.token_endpoint", errors.New("is required for oauth2.0"))
	case perr != nil || u.Host == "" || u.User != nil:
		return "", b.fail("auth.token_endpoint", fmt.Errorf("%q is not an absolute URL", endpoint))
	case u.Scheme != "https":
		return "", b.fail("auth.token_endpoint", fmt.Errorf("%q must be an https URL: client credentials never travel unencrypted", endpoint))
	}
	return endpoint, nil
}

// clientCredentials takes the client from the manifest (the secret
// encrypted) or, when the manifest has none, from the operator's
// registrations for this provider and exactly this token endpoint.
func (b builder) clientCredentials(endpoint string) (string, string, error) {
	id, hasSecret := b.cfg.ClientID, b.cfg.ClientSecret != nil
	switch {
	case id != "" && hasSecret:
		secret, err := b.secret("client_secret", b.cfg.ClientSecret)
		return id, secret, err
	case id != "" || hasSecret:
		return "", "", b.fail("auth.client_id", errors.New("client_id and client_secret go together: give both (the secret encrypted) or neither"))
	}
	if b.d.Credentials != nil {
		id, secret, ok, err := b.d.Credentials.OAuthClient(b.ctx, b.provider, endpoint)
		if err != nil {
			return "", "", b.fail("auth.token_endpoint", fmt.Errorf("looking up the registered client: %w", err))
		}
		if ok {
			return id, secret, nil
		}
	}
	return "", "", b.fail("auth.token_endpoint", fmt.Errorf("no client credentials for %s: put client_id and an encrypted client_secret in the manifest, or ask the aggregator's operator to register a client for this provider and token endpoint", endpoint))
}

func (o *oauthClient) Authorize(ctx context.Context, r *http.Request) error {
	tok, err := o.token(ctx)
	if err != nil {
		return err
	}
	r.Header.Set("Authorization", tok.Type()+" "+tok.AccessToken)
	return nil
}

// Refresh forgets the token a server refused, unless another request
// already replaced it.
func (o *oauthClient) Refresh(_ context.Context, refused http.Header) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tok != nil && refused.Get("Authorization") == o.tok.Type()+" "+o.tok.AccessToken {
		o.tok = nil
	}
	return nil
}

// token returns the cached token or fetches a new one. Requests of one
// source wait for a single token request rather than each making one.
func (o *oauthClient) token(ctx context.Context) (*oauth2.Token, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tok != nil && (o.tok.Expiry.IsZero() || o.now().Add(expiryMargin).Before(o.tok.Expiry)) {
		return o.tok, nil
	}
	tok, err := o.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, o.client))
	if err != nil {
		return nil, &Error{Source: o.source, Field: "auth.token_endpoint", Err: tokenError(o.cfg.TokenURL, err)}
	}
	if tok.AccessToken == "" {
		return nil, &Error{Source: o.source, Field: "auth.token_endpoint", Err: fmt.Errorf("%s returned no access token", o.cfg.TokenURL)}
	}
	o.tok = tok
	return tok, nil
}

// tokenError explains a failed token request without repeating the
// server's whole answer.
func tokenError(endpoint string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		msg := fmt.Sprintf("the token endpoint %s answered", endpoint)
		if re.Response != nil {
			msg += fmt.Sprintf(" HTTP %d", re.Response.StatusCode)
		}
		if re.ErrorCode != "" {
			msg += " " + re.ErrorCode
		}
		if re.ErrorDescription != "" {
			msg += " (" + re.ErrorDescription + ")"
		}
		return errors.New(msg)
	}
	return fmt.Errorf("requesting a token from %s: %w", endpoint, err)
}
