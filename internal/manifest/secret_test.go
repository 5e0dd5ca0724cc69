package manifest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/keys"
)

func TestSecret(t *testing.T) {
	ring, err := keys.Open(context.Background(), &keys.MemoryStorage{}, keys.Options{KEKFile: filepath.Join(t.TempDir(), "kek")})
	if err != nil {
		t.Fatal(err)
	}
	k, _ := ring.Current(keys.AlgRSAOAEP)
	pub := k.Public.(*rsa.PublicKey)
	enc := func(secret string, sha256 bool) string {
		v, err := keys.EncryptSecret(pub, []byte(secret), sha256)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	other, _ := rsa.GenerateKey(rand.Reader, 3072)
	foreign, _ := keys.EncryptSecret(&other.PublicKey, []byte("api-key"), false)
	sha1Value := enc("api-key", false)
	raw, _ := base64.StdEncoding.DecodeString(sha1Value)

	cases := []struct {
		name  string
		value any
		want  string
		err   error
	}{
		{"SHA-1 OAEP", sha1Value, "api-key", nil},
		{"SHA-256 OAEP", enc("api-key", true), "api-key", nil},
		{"wrapped like openssl base64 prints it", wrap(sha1Value, 64), "api-key", nil},
		{"URL-safe without padding", base64.RawURLEncoding.EncodeToString(raw), "api-key", nil},
		{"trailing newline from echo", enc("api-key\n", false), "api-key", nil},
		{"plaintext", "my-api-key-123", "", ErrSecretPlaintext},
		{"base64 of a plaintext", "c2VjcmV0", "", ErrSecretPlaintext},
		{"encrypted empty value", enc("\n", false), "", ErrSecretPlaintext},
		{"a number", 12345, "", ErrSecretPlaintext},
		{"for another key", foreign, "", ErrSecretUndecryptable},
		{"truncated", base64.StdEncoding.EncodeToString(raw[:300]), "", ErrSecretUndecryptable},
		{"tampered", base64.StdEncoding.EncodeToString(append([]byte{raw[0] ^ 1}, raw[1:]...)), "", ErrSecretUndecryptable},
		{"empty", "", "", ErrSecretMissing},
		{"absent", nil, "", ErrSecretMissing},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := Auth{Type: "httpheader", Other: map[string]any{"field": "X-Api-Key"}}
			if tc.value != nil {
				a.Other["value"] = tc.value
			}
			got, err := a.Secret("value", ring)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("Secret = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
			if err == nil {
				return
			}
			// The dashboard shows this message to the publisher: it must
			// name the field and say how to fix it, and never echo the value.
			msg := err.Error()
			if !strings.Contains(msg, "auth.value") || !strings.Contains(msg, "qlink keys encrypt") || !strings.Contains(msg, "openssl pkeyutl") {
				t.Errorf("unhelpful error: %s", msg)
			}
			if s, ok := tc.value.(string); ok && len(s) > 4 && strings.Contains(msg, s) {
				t.Errorf("the error repeats the value: %s", msg)
			}
		})
	}
}

func wrap(s string, width int) string {
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width] + "\n")
		s = s[width:]
	}
	return b.String() + s + "\n"
}

type refuseAll struct{}

func (refuseAll) Decrypt([]byte) ([]byte, error) { return nil, errors.New("no key") }

// FuzzSecret: with a key that decrypts nothing, no value is ever accepted
// as it stands, whatever its shape.
func FuzzSecret(f *testing.F) {
	for _, s := range []string{"", "plain", "c2VjcmV0", strings.Repeat("QUFB", 100), "a b\nc", "====", "-_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := Auth{Other: map[string]any{"value": v}}.Secret("value", refuseAll{})
		if err == nil || got != "" {
			t.Fatalf("Secret(%q) = %q, %v", v, got, err)
		}
	})
}
