package harvest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"qlink/internal/fetch"
	"qlink/internal/fetch/auth"
	"qlink/internal/manifest"
)

// authenticator prepares the credentials of one source of providerID (which
// comes from qlink's registry, never from the manifest).
func (h *Harvester) authenticator(ctx context.Context, providerID string, src manifest.Source) (fetch.Authenticator, error) {
	cfg, err := authConfig(src)
	if err != nil {
		return nil, err
	}
	return auth.New(ctx, providerID, cfg, h.Auth)
}

// authConfig translates a manifest's auth block into the door's own terms,
// so fetch/auth needs no manifest types. The block is untrusted JSON: a
// parameter of the wrong type is refused here, naming its field.
func authConfig(src manifest.Source) (auth.Config, error) {
	a := src.Auth
	cfg := auth.Config{Source: src.Key(), Method: a.Type}
	fail := func(field string, err error) (auth.Config, error) {
		return auth.Config{}, &auth.Error{Source: cfg.Source, Field: "auth." + field, Err: err}
	}
	for _, p := range []struct {
		field string
		dst   *string
	}{{"field", &cfg.Header}, {"token_endpoint", &cfg.TokenEndpoint}, {"client_id", &cfg.ClientID}, {"alg", &cfg.Alg}} {
		switch v := a.Other[p.field].(type) {
		case nil:
		case string:
			*p.dst = v
		default:
			return fail(p.field, fmt.Errorf("must be a string, not %T", v))
		}
	}
	scopes, ok := scopeList(a.Other["scope"])
	if !ok {
		return fail("scope", errors.New("must be a string or a list of strings"))
	}
	cfg.Scopes = scopes
	cfg.Value = sealed(a, "value")
	cfg.ClientSecret = sealed(a, "client_secret")
	return cfg, nil
}

// scopeList accepts a space-separated string or a list of strings.
func scopeList(v any) ([]string, bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case string:
		return strings.Fields(v), true
	case []any:
		var out []string
		for _, s := range v {
			str, ok := s.(string)
			if !ok {
				return nil, false
			}
			out = append(out, strings.Fields(str)...)
		}
		return out, true
	}
	return nil, false
}

// sealed hands an encrypted field to auth, which decrypts it with the
// aggregator's key through manifest's checks; nil when the block lacks it.
func sealed(a manifest.Auth, field string) auth.Sealed {
	if _, ok := a.Other[field]; !ok {
		return nil
	}
	return func(d auth.Decrypter) (string, error) { return a.Secret(field, d) }
}
