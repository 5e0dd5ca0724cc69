package web

import (
	"crypto/rsa"
	"net/http"
	"time"

	"qlink/internal/keys"
)

// The key endpoints publish the aggregator's public keys: the RSA key
// publishers encrypt manifest secrets for (the reference aggregator's
// /api/v1/public-key[/pem] contract, which existing manifest builders
// fetch), and the RFC 9421 signing keys institutions verify requests
// with. Keys in their overlap window are listed too, so a publisher or
// verifier that cached an older key keeps working until it retires.

// keyCacheAge is how long clients may cache the key documents, and how
// stale the server's copy may be after a rotation by another process.
const keyCacheAge = 5 * time.Minute

type apiPublicKey struct {
	PublicKey string `json:"public_key"`
	KeyID     string `json:"key_id"`
	Algorithm string `json:"algorithm"`
	// Hashes are the OAEP hash functions accepted (MGF1 uses the same).
	Hashes            []string       `json:"hashes"`
	MaxPlaintextBytes map[string]int `json:"max_plaintext_bytes"`
	Fingerprint       string         `json:"fingerprint_sha256"`
	CreatedAt         time.Time      `json:"created_at"`
	UpdatedAt         time.Time      `json:"updated_at"`
	// Accepted lists older keys still decrypting until RetireAt.
	Accepted []apiOlderKey `json:"accepted"`
}

type apiOlderKey struct {
	KeyID     string    `json:"key_id"`
	PublicKey string    `json:"public_key"`
	CreatedAt time.Time `json:"created_at"`
	RetireAt  time.Time `json:"retire_at"`
}

type apiSigningKeys struct {
	Tag        string          `json:"tag"`
	Components []string        `json:"covered_components"`
	MaxLife    int             `json:"max_lifetime_seconds"`
	Keys       []apiSigningKey `json:"keys"`
}

type apiSigningKey struct {
	KeyID     string            `json:"keyid"`
	Alg       string            `json:"alg"`
	Current   bool              `json:"current"`
	CreatedAt time.Time         `json:"created_at"`
	RetireAt  *time.Time        `json:"retire_at,omitempty"`
	JWK       map[string]string `json:"jwk"`
	PublicKey string            `json:"public_key"`
}

// ring returns the key ring, reloaded when stale, or answers 503.
func (s *Server) ring(w http.ResponseWriter, r *http.Request) *keys.Ring {
	if s.opts.Keys == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "this instance has no key ring")
		return nil
	}
	if err := s.opts.Keys.ReloadIfOlder(r.Context(), keyCacheAge); err != nil {
		s.log.Error("reloading keys", "error", err) // serve the keys in memory
	}
	return s.opts.Keys
}

func keyHeaders(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Access-Control-Allow-Origin", "*")
}

// publicKey answers GET /api/v1/public-key.
func (s *Server) publicKey(w http.ResponseWriter, r *http.Request) {
	ring := s.ring(w, r)
	if ring == nil {
		return
	}
	out := apiPublicKey{Algorithm: keys.AlgRSAOAEP, Hashes: []string{"SHA-1", "SHA-256"}, Accepted: []apiOlderKey{}}
	for _, k := range ring.Keys() {
		if k.Alg != keys.AlgRSAOAEP {
			continue
		}
		if !k.Current() {
			out.Accepted = append(out.Accepted, apiOlderKey{KeyID: k.ID, PublicKey: k.PEM(), CreatedAt: k.Created, RetireAt: k.RetireAt})
			continue
		}
		pub := k.Public.(*rsa.PublicKey)
		out.PublicKey, out.KeyID, out.Fingerprint = k.PEM(), k.ID, k.Fingerprint()
		out.CreatedAt, out.UpdatedAt = k.Created, k.Created
		out.MaxPlaintextBytes = map[string]int{"sha1": keys.MaxPlaintext(pub, false), "sha256": keys.MaxPlaintext(pub, true)}
	}
	if out.PublicKey == "" {
		writeJSONError(w, http.StatusNotFound, "no current encryption key")
		return
	}
	keyHeaders(w)
	writeJSON(w, http.StatusOK, out)
}

// publicKeyPEM answers GET /api/v1/public-key/pem with the current key.
func (s *Server) publicKeyPEM(w http.ResponseWriter, r *http.Request) {
	ring := s.ring(w, r)
	if ring == nil {
		return
	}
	k, err := ring.Current(keys.AlgRSAOAEP)
	if err != nil {
		writeJSONError(w, http.StatusNotFound, "no current encryption key")
		return
	}
	keyHeaders(w)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(k.PEM()))
}

// signingKeys answers GET /api/v1/signing-keys.
func (s *Server) signingKeys(w http.ResponseWriter, r *http.Request) {
	ring := s.ring(w, r)
	if ring == nil {
		return
	}
	out := apiSigningKeys{Tag: keys.SignatureTag, Components: []string{"@authority"},
		MaxLife: int(keys.MaxSignatureLifetime / time.Second), Keys: []apiSigningKey{}}
	for _, k := range ring.Keys() {
		if k.Alg == keys.AlgRSAOAEP {
			continue
		}
		sk := apiSigningKey{KeyID: k.ID, Alg: k.Alg, Current: k.Current(), CreatedAt: k.Created, JWK: k.JWK(), PublicKey: k.PEM()}
		if !k.Current() {
			retire := k.RetireAt
			sk.RetireAt = &retire
		}
		out.Keys = append(out.Keys, sk)
	}
	keyHeaders(w)
	writeJSON(w, http.StatusOK, out)
}
