// Package auth turns a source's access control (a Config) into the
// fetch.Authenticator the harvest sets on every request of that source:
// none, httpheader (a secret header whose value the publisher encrypted
// for the aggregator's key), oauth2.0 client credentials (inline, with an
// encrypted client secret, or entered out of band by the operator) and
// httpsig (RFC 9421 signatures with the aggregator's signing keys).
//
// It belongs to the door: it knows nothing of manifests. The harvest
// translates a manifest's auth block into a Config, and fetch calls the
// Authenticator only for requests to the source's own origin over https.
// Problems come back as *Error, naming the source, the manifest field and
// the reason, for the dashboard.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"qlink/internal/fetch"
	"qlink/internal/keys"
)

// Config is one source's access control in the door's own terms. Field
// names in errors ("auth.value") are those of the manifest's auth block.
type Config struct {
	// Source names the source in errors (its key within its manifest).
	Source string
	// Method is "none" (or ""), "httpheader", "oauth2.0" or "httpsig".
	Method string
	// Header is the httpheader field; "" means X-QualityLink-Auth.
	Header string
	// Value is the httpheader value; nil when the publisher gave none.
	Value Sealed
	// TokenEndpoint is where oauth2.0 tokens come from (https only).
	TokenEndpoint string
	// ClientID and ClientSecret are an oauth2.0 client from the manifest;
	// give both or neither (then the operator's registered client is used).
	ClientID     string
	ClientSecret Sealed
	// Scopes are requested with every oauth2.0 token.
	Scopes []string
	// Alg is the httpsig algorithm; "" means ed25519.
	Alg string
}

// Sealed is a secret as the publisher encrypted it for the aggregator's RSA
// key. Calling it with the key decrypts it, refusing anything that was not
// encrypted (a plaintext secret in a public manifest is no secret).
type Sealed func(Decrypter) (string, error)

// Decrypter is the aggregator's RSA key (*keys.Ring).
type Decrypter interface {
	Decrypt(ciphertext []byte) ([]byte, error)
}

// Deps are what the authenticators need from the rest of qlink. One Deps
// serves every source.
type Deps struct {
	// Keys decrypts manifest secrets and signs requests.
	Keys *keys.Ring
	// Credentials holds OAuth clients the operator registered out of band;
	// nil means none.
	Credentials CredentialSource
	// HTTPClient makes token requests. Pass fetch.Client.HTTPClient(), so
	// the token endpoint is reached under the same address guard.
	HTTPClient *http.Client
	// SignatureLifetime is how long an RFC 9421 signature stays valid
	// (expires - created): default 5 minutes, at most 1 hour.
	SignatureLifetime time.Duration
	// Now is the clock; nil uses time.Now.
	Now func() time.Time
}

// keyReloadAge bounds how stale the key ring may be when a source is set
// up, so a rotation made by `qlink keys rotate` is seen by a running
// server within this time.
const keyReloadAge = 30 * time.Second

// New builds the Authenticator for one source of providerID, or nil for
// auth type none. providerID must come from qlink's own registry, never
// from the manifest: it selects the out-of-band credentials.
func New(ctx context.Context, providerID string, cfg Config, d Deps) (fetch.Authenticator, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	b := builder{ctx: ctx, provider: providerID, cfg: cfg, d: d}
	switch cfg.Method {
	case "", "none":
		return nil, nil
	case "httpheader":
		return b.header()
	case "oauth2.0":
		return b.oauth()
	case "httpsig":
		return b.signer()
	}
	return nil, b.fail("auth.type", fmt.Errorf("unknown auth type %q (want none, httpheader, oauth2.0 or httpsig)", cfg.Method))
}

// builder carries what the per-method constructors share.
type builder struct {
	ctx      context.Context
	provider string
	cfg      Config
	d        Deps
}

// Error is a source whose credentials cannot be prepared or obtained.
type Error struct {
	// Source is the source's key within its manifest (its id, or its
	// type and path).
	Source string
	// Field names the manifest field at fault, e.g. "auth.value".
	Field string
	Err   error
}

func (e *Error) Error() string {
	if msg := e.Err.Error(); strings.HasPrefix(msg, e.Field+" ") {
		return "source " + e.Source + ": " + msg // it names the field itself, as secret errors do
	}
	return "source " + e.Source + ": " + e.Field + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

func (b builder) fail(field string, err error) *Error {
	return &Error{Source: b.cfg.Source, Field: field, Err: err}
}

// ring returns the key ring, reloaded if stale.
func (b builder) ring(field string) (*keys.Ring, error) {
	if b.d.Keys == nil {
		return nil, b.fail(field, errors.New("this aggregator has no key ring"))
	}
	if err := b.d.Keys.ReloadIfOlder(b.ctx, keyReloadAge); err != nil {
		return nil, b.fail(field, fmt.Errorf("reloading the aggregator's keys: %w", err))
	}
	return b.d.Keys, nil
}

// secret decrypts an encrypted field of the auth block; field is its
// name there ("value", "client_secret").
func (b builder) secret(field string, sealed Sealed) (string, error) {
	if sealed == nil {
		return "", b.fail("auth."+field, errors.New("is missing: encrypt it for the aggregator's public key (qlink keys encrypt)"))
	}
	ring, err := b.ring("auth." + field)
	if err != nil {
		return "", err
	}
	v, err := sealed(ring)
	if err != nil {
		return "", b.fail("auth."+field, err)
	}
	return v, nil
}
