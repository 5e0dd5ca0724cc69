package keys

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// document is what a Storage keeps: public keys in PEM, private keys
// sealed under the key-encryption key.
type document struct {
	Version int `json:"version"`
	// KEK says what sealed the keys: "secret" (secret-key) or "file".
	KEK        string      `json:"kek"`
	Salt       []byte      `json:"salt"`
	Iterations int         `json:"iterations,omitempty"`
	Keys       []storedKey `json:"keys"`
}

type storedKey struct {
	ID       string     `json:"id"`
	Alg      string     `json:"alg"`
	Created  time.Time  `json:"created"`
	RetireAt *time.Time `json:"retire_at,omitempty"`
	Public   string     `json:"public"`
	Nonce    []byte     `json:"nonce"`
	Sealed   []byte     `json:"sealed"`
}

const (
	docVersion        = 1
	kekSecret         = "secret"
	kekFile           = "file"
	defaultIterations = 600_000 // OWASP's 2023 figure for PBKDF2-HMAC-SHA256
)

// ErrWrongKEK means the key-encryption key does not open the keys.
var ErrWrongKEK = errors.New("the key-encryption key does not open the stored keys")

// kek derives the AES-256 key that seals the document's private keys.
func (o Options) kek(doc *document, create bool) ([]byte, error) {
	switch doc.KEK {
	case kekSecret:
		if o.Secret == "" {
			return nil, fmt.Errorf("keys: the stored keys are sealed under secret-key, which is not set: %w", ErrWrongKEK)
		}
		return pbkdf2.Key(sha256.New, o.Secret, doc.Salt, doc.Iterations, 32)
	case kekFile:
		if o.KEKFile == "" {
			return nil, errors.New("keys: no key-encryption key: set secret-key or give a key file")
		}
		return readKEKFile(o.KEKFile, create)
	}
	return nil, fmt.Errorf("keys: unknown key-encryption kind %q", doc.KEK)
}

// readKEKFile reads the generated KEK, creating it only for new keys: a
// missing file next to existing keys means the keys cannot be opened, and
// a new file would not change that.
func readKEKFile(path string, create bool) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		return createKEKFile(path)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("keys: the key-encryption key file %s is missing; restore it from a backup (without it the stored keys cannot be opened): %w", path, ErrWrongKEK)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("keys: the key-encryption key file %s is damaged (%d bytes, want 32)", path, len(b))
	}
	return b, nil
}

// createKEKFile writes 32 random bytes with mode 0600. The file appears
// complete or not at all (a temporary file linked into place), and if
// another process links its own first, that one is used.
func createKEKFile(path string) ([]byte, error) {
	key := make([]byte, 32)
	rand.Read(key)
	tmp, err := writeTemp(filepath.Dir(path), key)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
		return readKEKFile(path, false)
	} else if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return key, syncDir(filepath.Dir(path))
}

func newDocument(o Options) *document {
	doc := &document{Version: docVersion, KEK: kekFile, Salt: make([]byte, 16)}
	rand.Read(doc.Salt)
	if o.Secret != "" {
		doc.KEK, doc.Iterations = kekSecret, o.iterations()
	}
	return doc
}

func (o Options) iterations() int {
	if o.Iterations > 0 {
		return o.Iterations
	}
	return defaultIterations
}

func aad(id, alg string) []byte { return []byte("qlink-keys-v1\x00" + id + "\x00" + alg) }

func seal(kek []byte, k *Key) (storedKey, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.private)
	if err != nil {
		return storedKey{}, fmt.Errorf("keys: %w", err)
	}
	gcm, err := newGCM(kek)
	if err != nil {
		return storedKey{}, err
	}
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	s := storedKey{ID: k.ID, Alg: k.Alg, Created: k.Created, Public: k.PEM(), Nonce: nonce,
		Sealed: gcm.Seal(nil, nonce, der, aad(k.ID, k.Alg))}
	if !k.RetireAt.IsZero() {
		t := k.RetireAt
		s.RetireAt = &t
	}
	return s, nil
}

func unseal(kek []byte, s storedKey) (*Key, error) {
	gcm, err := newGCM(kek)
	if err != nil {
		return nil, err
	}
	der, err := gcm.Open(nil, s.Nonce, s.Sealed, aad(s.ID, s.Alg))
	if err != nil {
		return nil, fmt.Errorf("keys: key %s: %w", s.ID, ErrWrongKEK)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("keys: key %s: %w", s.ID, err)
	}
	priv, ok := parsed.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("keys: key %s: unexpected type %T", s.ID, parsed)
	}
	k := newKey(s.Alg, priv, s.Created)
	if k.ID != s.ID {
		return nil, fmt.Errorf("keys: key %s: the sealed key has id %s", s.ID, k.ID)
	}
	if s.RetireAt != nil {
		k.RetireAt = *s.RetireAt
	}
	return k, nil
}

func newGCM(kek []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return cipher.NewGCM(block)
}

// sealAll writes keys into doc under kek.
func sealAll(doc *document, kek []byte, keys []*Key) ([]byte, error) {
	doc.Keys = doc.Keys[:0]
	for _, k := range keys {
		s, err := seal(kek, k)
		if err != nil {
			return nil, err
		}
		doc.Keys = append(doc.Keys, s)
	}
	return json.MarshalIndent(doc, "", "  ")
}

// decodeDocument parses a stored document; nil input is "none yet".
func decodeDocument(b []byte) (*document, error) {
	if b == nil {
		return nil, nil
	}
	var doc document
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("keys: the stored key document is damaged: %w", err)
	}
	if doc.Version != docVersion {
		return nil, fmt.Errorf("keys: the stored key document has version %d; this qlink reads version %d", doc.Version, docVersion)
	}
	return &doc, nil
}

// ParsePublicKey reads an RSA public key in PEM, SPKI ("PUBLIC KEY") or
// PKCS #1 ("RSA PUBLIC KEY"), as published at /api/v1/public-key/pem.
func ParsePublicKey(pemBytes []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("keys: no PEM block found")
	}
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("keys: a %q PEM block is not a public key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	rsaPub, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("keys: the public key is %T, not RSA", pub)
	}
	return rsaPub, nil
}
