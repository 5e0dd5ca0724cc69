package keys

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// Algorithms, named as RFC 9421 names them for signing keys.
const (
	AlgRSAOAEP    = "RSA-OAEP"       // manifest secrets
	AlgEd25519    = "ed25519"        // RFC 9421 §3.3.6
	AlgRSAPSS     = "rsa-pss-sha512" // RFC 9421 §3.3.1
	minRSABits    = 3072
	defaultRSABit = 3072
)

// The QualityLink profile of RFC 9421 signatures made with these keys.
const (
	// SignatureTag is the tag parameter of every signature.
	SignatureTag = "qualitylink-v1"
	// MaxSignatureLifetime bounds expires - created.
	MaxSignatureLifetime = time.Hour
)

// Algorithms lists every algorithm the ring keeps a current key for.
var Algorithms = []string{AlgRSAOAEP, AlgEd25519, AlgRSAPSS}

// SigningAlgorithms are the algorithms usable for RFC 9421 signatures.
var SigningAlgorithms = []string{AlgEd25519, AlgRSAPSS}

// Key is one key of the ring. Its private part never leaves the package
// except as a crypto.Signer for signing.
type Key struct {
	// ID is the RFC 7638 JWK thumbprint of the public key.
	ID      string
	Alg     string
	Created time.Time
	// RetireAt is when the key stops being accepted; zero for the current
	// key of its algorithm.
	RetireAt time.Time
	Public   crypto.PublicKey

	private crypto.Signer
}

// Current reports whether k is the key new secrets and signatures use.
func (k Key) Current() bool { return k.RetireAt.IsZero() }

// PEM returns the public key as a PEM "PUBLIC KEY" (SPKI) block, the form
// `openssl pkeyutl -pubin -inkey` reads.
func (k Key) PEM() string {
	der, err := x509.MarshalPKIXPublicKey(k.Public)
	if err != nil {
		return ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// Fingerprint is the SHA-256 of the DER public key in hex, as
// `openssl pkey -pubin -outform DER | openssl dgst -sha256` prints it.
func (k Key) Fingerprint() string {
	der, err := x509.MarshalPKIXPublicKey(k.Public)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// JWK returns the public key as a JSON Web Key (RFC 7517) with its id.
func (k Key) JWK() map[string]string {
	jwk := publicJWK(k.Public)
	jwk["kid"] = k.ID
	if k.Alg == AlgRSAOAEP {
		jwk["use"], jwk["alg"] = "enc", "RSA-OAEP"
	} else {
		jwk["use"] = "sig"
	}
	return jwk
}

// publicJWK holds the members RFC 7638 hashes, and nothing else.
func publicJWK(pub crypto.PublicKey) map[string]string {
	b64 := base64.RawURLEncoding.EncodeToString
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		return map[string]string{"kty": "RSA", "n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())}
	case ed25519.PublicKey:
		return map[string]string{"kty": "OKP", "crv": "Ed25519", "x": b64(pub)}
	}
	return map[string]string{}
}

// thumbprint computes the RFC 7638 JWK thumbprint: SHA-256 over the
// required members in lexicographic order, without whitespace, which is
// exactly how encoding/json writes a map.
func thumbprint(pub crypto.PublicKey) string {
	b, _ := json.Marshal(publicJWK(pub))
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// generateRSA makes RSA keys; this package's tests draw from a pool
// instead, since a 3072-bit key takes up to a second.
var generateRSA = func(bits int) (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, bits) }

// generate makes a new key for alg.
func generate(alg string, rsaBits int, now time.Time) (*Key, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case AlgRSAOAEP, AlgRSAPSS:
		priv, err = generateRSA(rsaBits)
	case AlgEd25519:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("keys: unknown algorithm %q", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: generating a %s key: %w", alg, err)
	}
	return newKey(alg, priv, now.UTC().Truncate(time.Second)), nil
}

func newKey(alg string, priv crypto.Signer, created time.Time) *Key {
	return &Key{ID: thumbprint(priv.Public()), Alg: alg, Created: created, Public: priv.Public(), private: priv}
}
