// Package auth turns a manifest source's auth block into the
// fetch.Authenticator the harvest sets on every request of that source:
// none, httpheader (a secret header whose value the publisher encrypted
// for the aggregator's key), oauth2.0 client credentials (inline, with an
// encrypted client secret, or entered out of band by the operator) and
// httpsig (RFC 9421 signatures with the aggregator's signing keys).
//
// It sits between the manifest stage, which hands it the auth block, and
// the fetch stage, which calls the Authenticator only for requests to the
// source's own origin over https. Problems come back as *Error, naming the
// source, the manifest field and the reason, for the dashboard.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"qlink/internal/fetch"
	"qlink/internal/keys"
	"qlink/internal/manifest"
)

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
func New(ctx context.Context, providerID string, src manifest.Source, d Deps) (fetch.Authenticator, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	b := builder{ctx: ctx, provider: providerID, src: src, d: d}
	switch src.Auth.Type {
	case "", "none":
		return nil, nil
	case "httpheader":
		return b.header()
	case "oauth2.0":
		return b.oauth()
	case "httpsig":
		return b.signer()
	}
	return nil, b.fail("auth.type", fmt.Errorf("unknown auth type %q (want none, httpheader, oauth2.0 or httpsig)", src.Auth.Type))
}

// builder carries what the per-method constructors share.
type builder struct {
	ctx      context.Context
	provider string
	src      manifest.Source
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
	var se *manifest.SecretError
	if errors.As(e.Err, &se) {
		return "source " + e.Source + ": " + e.Err.Error() // it names the field itself
	}
	return "source " + e.Source + ": " + e.Field + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

func (b builder) fail(field string, err error) *Error {
	return &Error{Source: b.src.Key(), Field: field, Err: err}
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

// secret decrypts an encrypted field of the auth block.
func (b builder) secret(field string) (string, error) {
	ring, err := b.ring("auth." + field)
	if err != nil {
		return "", err
	}
	v, err := b.src.Auth.Secret(field, ring)
	if err != nil {
		return "", b.fail("auth."+field, err)
	}
	return v, nil
}

// str reads an optional string field of the auth block.
func (b builder) str(field string) (string, error) {
	v, ok := b.src.Auth.Other[field]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", b.fail("auth."+field, fmt.Errorf("must be a string, not %T", v))
	}
	return s, nil
}
