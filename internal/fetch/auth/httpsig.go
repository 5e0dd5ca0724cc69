package auth

import (
	"context"
	"crypto"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/htmsig"
	"github.com/lestrrat-go/htmsig/component"
	"github.com/lestrrat-go/htmsig/input"

	"qlink/internal/fetch"
	"qlink/internal/keys"
)

// SignatureLabel names the signature in Signature-Input and Signature.
const SignatureLabel = "sig1"

const defaultLifetime = 5 * time.Minute

// signer signs every request with the aggregator's current key of one
// algorithm, covering @authority, so a signature made for one institution
// is worthless at another, and expiring soon after it was made.
type signer struct {
	ring     *keys.Ring
	alg      string
	lifetime time.Duration
	now      func() time.Time
	source   string
}

func (b builder) signer() (fetch.Authenticator, error) {
	alg := b.cfg.Alg
	if alg == "" {
		alg = keys.AlgEd25519
	}
	if !slices.Contains(keys.SigningAlgorithms, alg) {
		return nil, b.fail("auth.alg", fmt.Errorf("%q is not supported (want %s)", alg, strings.Join(keys.SigningAlgorithms, " or ")))
	}
	ring, err := b.ring("auth.alg")
	if err != nil {
		return nil, err
	}
	lifetime := b.d.SignatureLifetime
	if lifetime <= 0 {
		lifetime = defaultLifetime
	}
	return &signer{ring: ring, alg: alg, lifetime: min(lifetime, keys.MaxSignatureLifetime), now: b.d.Now, source: b.cfg.Source}, nil
}

// Authorize signs r with the newest key of the signer's algorithm, so a
// rotation takes effect with the next request.
func (s *signer) Authorize(ctx context.Context, r *http.Request) error {
	key, priv, err := s.ring.Signer(s.alg)
	if err != nil {
		return &Error{Source: s.source, Field: "auth.alg", Err: err}
	}
	created := s.now().Unix()
	def, err := input.NewDefinitionBuilder().Label(SignatureLabel).Components(component.Authority()).
		Created(created).Expires(created + int64(s.lifetime/time.Second)).
		KeyID(key.ID).Algorithm(s.alg).Tag(keys.SignatureTag).Build()
	if err != nil {
		return &Error{Source: s.source, Field: "auth", Err: err}
	}
	if err := sign(ctx, r, def, priv); err != nil {
		return &Error{Source: s.source, Field: "auth", Err: err}
	}
	return nil
}

// sign adds Signature-Input and Signature for def to r. The request's
// components are taken from r as it will be sent: r.Host is the
// normalised authority the fetcher puts in the Host header.
func sign(ctx context.Context, r *http.Request, def *input.Definition, key crypto.Signer) error {
	val, err := input.NewValueBuilder().AddDefinition(def).Build()
	if err != nil {
		return err
	}
	authority := r.Host
	if authority == "" {
		authority = r.URL.Host
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	target := r.URL.Scheme + "://" + authority + path
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	ctx = component.WithRequestInfo(ctx, r.Header, r.Method, r.URL.Scheme, authority, path, r.URL.RawQuery, target)
	if err := htmsig.SignRequest(ctx, r.Header, val, key); err != nil {
		return fmt.Errorf("signing the request: %w", err)
	}
	return nil
}
