package manifest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Decrypter opens values encrypted for the aggregator's public key. The
// aggregator's key ring (package keys) implements it; declaring it here
// keeps manifests parseable and testable without key material.
type Decrypter interface {
	Decrypt(ciphertext []byte) ([]byte, error)
}

// Why a secret in an auth block cannot be used.
var (
	ErrSecretMissing       = errors.New("is missing")
	ErrSecretPlaintext     = errors.New("is not encrypted")
	ErrSecretUndecryptable = errors.New("does not decrypt")
)

// EncryptHint tells a publisher how to encrypt a secret for a manifest.
const EncryptHint = `encrypt it for the aggregator's public key (RSA-OAEP, base64) with ` +
	`"qlink keys encrypt -" (the secret read from standard input), or with ` +
	`"openssl pkeyutl -encrypt -pubin -inkey aggregator.pem -pkeyopt rsa_padding_mode:oaep -in secret.txt | base64 -w0", ` +
	`aggregator.pem being the aggregator's /api/v1/public-key/pem`

// minCiphertext is the shortest RSA ciphertext taken seriously (a
// 1024-bit key); anything shorter is a plaintext that happens to be
// valid base64, such as "c2VjcmV0".
const minCiphertext = 128

// SecretError says which auth field holds an unusable secret and why.
type SecretError struct {
	// Field names the value in the manifest, e.g. "auth.value".
	Field string
	// Err is one of the ErrSecret* errors, possibly wrapping a cause.
	Err error
	// Hint tells the publisher what to do.
	Hint string
}

func (e *SecretError) Error() string {
	msg := e.Field + " " + e.Err.Error()
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

func (e *SecretError) Unwrap() error { return e.Err }

// Secret returns the decrypted value of an encrypted field of the auth
// block (auth.value of httpheader, auth.client_secret of oauth2.0). A
// value that does not decrypt is refused, never used as it stands: sent
// as a header, ciphertext would only leak what the publisher meant to
// protect, and a plaintext secret in a public manifest is no secret.
func (a Auth) Secret(field string, d Decrypter) (string, error) {
	fail := func(err error, hint string) (string, error) {
		return "", &SecretError{Field: "auth." + field, Err: err, Hint: hint}
	}
	raw, ok := a.Other[field]
	if !ok || raw == nil || raw == "" {
		return fail(ErrSecretMissing, EncryptHint)
	}
	s, ok := raw.(string)
	if !ok {
		return fail(fmt.Errorf("%w: it must be a base64 string, not %T", ErrSecretPlaintext, raw), EncryptHint)
	}
	ct, ok := decodeBase64(s)
	if !ok || len(ct) < minCiphertext {
		return fail(ErrSecretPlaintext, "a secret in a public manifest must be encrypted: "+EncryptHint)
	}
	plain, err := d.Decrypt(ct)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrSecretUndecryptable, err),
			"it was encrypted for another key or for one this aggregator has retired; "+EncryptHint)
	}
	// `echo secret | openssl …` encrypts the newline too; a header value
	// or client secret never ends in one.
	value := strings.TrimRight(string(plain), "\r\n")
	if strings.TrimSpace(value) == "" {
		return fail(fmt.Errorf("%w: it decrypts to an empty value", ErrSecretPlaintext), EncryptHint)
	}
	return value, nil
}

// decodeBase64 accepts standard and URL-safe base64, padded or not, and
// ignores whitespace, since openssl's base64 wraps lines at 64 columns.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.Join(strings.Fields(s), "")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}
