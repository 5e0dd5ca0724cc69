package keys

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
)

// MaxPlaintext is the longest secret RSA-OAEP can encrypt for pub:
// k - 2h - 2 bytes for a k-byte modulus and an h-byte hash.
func MaxPlaintext(pub *rsa.PublicKey, useSHA256 bool) int {
	h := sha1.Size
	if useSHA256 {
		h = sha256.Size
	}
	return pub.Size() - 2*h - 2
}

// EncryptSecret encrypts a secret for a manifest: RSA-OAEP with SHA-1
// (what `openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:oaep` makes)
// or SHA-256, in standard base64.
func EncryptSecret(pub *rsa.PublicKey, secret []byte, useSHA256 bool) (string, error) {
	if n := MaxPlaintext(pub, useSHA256); len(secret) > n {
		return "", fmt.Errorf("keys: the secret is %d bytes; RSA-OAEP with this key takes at most %d", len(secret), n)
	}
	var h hash.Hash = sha1.New()
	if useSHA256 {
		h = sha256.New()
	}
	ct, err := rsa.EncryptOAEP(h, rand.Reader, pub, secret, nil)
	if err != nil {
		return "", fmt.Errorf("keys: %w", err)
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}
