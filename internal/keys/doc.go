// Package keys holds the aggregator's own key material, the foundation the
// fetch stage (package fetch/auth) uses for protected sources and the web
// stage publishes:
//
//   - one RSA key (3072 bits or more) that publishers encrypt manifest
//     secrets for, with RSA-OAEP: SHA-1/MGF1-SHA-1 as `openssl pkeyutl
//     -encrypt -pkeyopt rsa_padding_mode:oaep` produces, or SHA-256. OAEP
//     limits the plaintext to k-2h-2 bytes for a k-byte key and h-byte
//     hash: 342 bytes (SHA-1) or 318 bytes (SHA-256) with 3072 bits, 470
//     or 446 with 4096. MaxPlaintext computes it.
//   - signing keys for RFC 9421 HTTP Message Signatures: Ed25519 and
//     RSA-PSS with SHA-512 (a separate RSA key: one key, one purpose).
//
// Keys are created on first start and identified by their RFC 7638 JWK
// thumbprint, which never changes. Rotate adds new keys and gives the old
// ones an overlap window: until it ends they still decrypt (and signing
// keys stay published for verifiers), while new secrets and signatures use
// the newest key. Retire ends the window early. Retired keys are deleted
// from storage, private parts included.
//
// At rest every private key is sealed with AES-256-GCM under a
// key-encryption key (KEK), the key's id and algorithm bound in as
// additional data. The KEK comes from the operator's secret-key setting
// (PBKDF2-SHA-256 with a per-installation salt) or, when that is unset,
// from a random 32-byte file created next to the keys with mode 0600.
// The trade-off: the key file protects against the key document leaking
// on its own (a backup, a database dump once keys live in PostgreSQL, a
// support bundle) but not against someone who can read the whole data
// directory; a secret-key kept outside it (environment, secret manager)
// protects against that too, at the price that losing it loses the keys.
// A document sealed under the key file is resealed under secret-key when
// one is set later; the reverse needs the old secret.
//
// The sealed document is kept by a Storage: a JSON file in the data
// directory (written atomically, updates serialised by a lock file, so two
// processes starting at once cannot each create different keys) or, later,
// a database row.
package keys
