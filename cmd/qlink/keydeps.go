package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"qlink/internal/harvest"
	"qlink/internal/keys"
	"qlink/internal/manifest"
	"qlink/internal/store"
)

// Stored secrets are encrypted for the aggregator's RSA key, so rotating
// and retiring that key must look after them: the OAuth clients an
// operator registered are ours to re-encrypt; the secrets in publishers'
// manifests are not, so a key they still need is not retired unasked.

// clientSecret is a registered OAuth client with its secret decrypted and
// the key that opened it.
type clientSecret struct {
	client store.OAuthClient
	secret string
	keyID  string
}

// decryptClients opens every registered client secret. One that no key
// accepted opens is left out: it is already lost, and only registering the
// client again helps (qlink credentials set says so when it is used).
func decryptClients(ctx context.Context, st store.Store, ring *keys.Ring) ([]clientSecret, error) {
	clients, err := st.ListOAuthClients(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []clientSecret
	for _, c := range clients {
		ct, err := base64.StdEncoding.DecodeString(c.SecretEncrypted)
		if err != nil {
			continue
		}
		k, plain, err := ring.DecryptingKey(ct)
		if err != nil {
			continue
		}
		out = append(out, clientSecret{client: c, secret: string(plain), keyID: k.ID})
	}
	return out, nil
}

// reencryptClients encrypts for the current RSA key every client secret
// that another key opened, reporting each on out.
func reencryptClients(ctx context.Context, st store.Store, ring *keys.Ring, secrets []clientSecret, out io.Writer) error {
	cur, err := ring.Current(keys.AlgRSAOAEP)
	if err != nil {
		return err
	}
	creds := harvest.StoredCredentials{Store: st, Keys: ring}
	for _, s := range secrets {
		if s.keyID == cur.ID {
			continue
		}
		c := s.client
		if err := creds.Set(ctx, c.ProviderID, c.TokenEndpoint, c.ClientID, s.secret, time.Now()); err != nil {
			return fmt.Errorf("re-encrypting the OAuth client %s of %s at %s: %w", c.ClientID, c.ProviderID, c.TokenEndpoint, err)
		}
		fmt.Fprintf(out, "re-encrypted the OAuth client %s of %s at %s for key %s\n", c.ClientID, c.ProviderID, c.TokenEndpoint, cur.ID)
	}
	return nil
}

// manifestSecret is an encrypted value in the stored manifest entry of an
// active source.
type manifestSecret struct {
	source store.Source
	field  string
	keyID  string
}

// manifestSecrets finds which key opens each encrypted value in the
// sources the providers' current manifests list. Values no key opens are
// left out: no retirement changes them.
func manifestSecrets(ctx context.Context, st store.Store, ring *keys.Ring) ([]manifestSecret, error) {
	sources, err := st.ListSources(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []manifestSecret
	for _, src := range sources {
		if !src.Active {
			continue
		}
		m, _, err := manifest.Parse([]byte(`{"sources":[` + string(src.Entry) + `]}`))
		if err != nil || len(m.Sources) != 1 {
			continue
		}
		auth := m.Sources[0].Auth
		for _, field := range []string{"value", "client_secret"} {
			if _, ok := auth.Other[field]; !ok {
				continue
			}
			rec := &keyRecorder{ring: ring}
			if _, err := auth.Secret(field, rec); err == nil {
				out = append(out, manifestSecret{source: src, field: "auth." + field, keyID: rec.keyID})
			}
		}
	}
	return out, nil
}

// keyRecorder is the manifest's Decrypter, noting which key opened the value.
type keyRecorder struct {
	ring  *keys.Ring
	keyID string
}

func (k *keyRecorder) Decrypt(ct []byte) ([]byte, error) {
	key, plain, err := k.ring.DecryptingKey(ct)
	k.keyID = key.ID
	return plain, err
}

// stillNeeded names the manifest secrets only the given keys decrypt, as
// the error of qlink keys retire; nil when there are none.
func stillNeeded(ids []string, secrets []manifestSecret) error {
	var problems []string
	for _, id := range ids {
		var who []string
		for _, s := range secrets {
			if s.keyID == id {
				who = append(who, fmt.Sprintf("%s of %s in its %s source %s", s.field, s.source.ProviderID, s.source.Type, s.source.URL))
			}
		}
		if len(who) > 0 {
			problems = append(problems, fmt.Sprintf("%s only key %s decrypts: %s",
				count(len(who), "manifest secret", "manifest secrets"), id, strings.Join(who, "; ")))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("not retiring: %s. Ask the publishers to re-encrypt these values for the current key "+
		"(qlink keys encrypt, or GET /api/v1/public-key/pem) and run qlink discover for their providers; "+
		"or retire anyway with --force, and those sources fail until they do", strings.Join(problems, "; "))
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// retiringSecretKeys lists the RSA-OAEP keys Retire would remove for ids.
func retiringSecretKeys(ring *keys.Ring, ids []string) []string {
	var out []string
	for _, k := range ring.Keys() {
		if k.Alg == keys.AlgRSAOAEP && !k.Current() && (len(ids) == 0 || slices.Contains(ids, k.ID)) {
			out = append(out, k.ID)
		}
	}
	return out
}
