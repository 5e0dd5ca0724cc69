package keys

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"slices"
	"sync"
	"time"
)

// Options configures a Ring.
type Options struct {
	// Secret is the operator's key-encryption secret (setting secret-key).
	// Empty means a random key kept in KEKFile.
	Secret string
	// KEKFile is where the generated key-encryption key lives when Secret
	// is empty, normally next to the key document in the data directory.
	KEKFile string
	// RSABits sizes new RSA keys (default and minimum 3072).
	RSABits int
	// Iterations is the PBKDF2 work factor for a new document sealed under
	// Secret (default 600 000); tests lower it.
	Iterations int
	// Now is the clock; nil uses time.Now.
	Now func() time.Time
}

// Ring is the aggregator's key ring. It is safe for concurrent use; the
// keys live in memory, loaded from Storage by Open and Reload.
type Ring struct {
	st   Storage
	opts Options

	mu       sync.RWMutex
	keys     []*Key // newest first
	loadedAt time.Time
}

// Errors of Decrypt and Signer.
var (
	ErrDecrypt = errors.New("does not decrypt with any key this aggregator accepts")
	ErrNoKey   = errors.New("no such key")
)

// Open loads the ring from st, creating the keys on first start (and any
// algorithm's key that is missing), and reseals them when the operator
// switched from the generated key file to a secret-key.
func Open(ctx context.Context, st Storage, opts Options) (*Ring, error) {
	if opts.RSABits == 0 {
		opts.RSABits = defaultRSABit
	}
	if opts.RSABits < minRSABits {
		return nil, fmt.Errorf("keys: RSA keys need at least %d bits, not %d", minRSABits, opts.RSABits)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	r := &Ring{st: st, opts: opts}
	err := r.update(ctx, func([]*Key) ([]*Key, error) { return nil, nil })
	if err != nil {
		return nil, err
	}
	return r, nil
}

// update is the one path that writes: under the storage lock it opens the
// stored keys, drops retired ones, lets change edit the list (returning
// nil for "no change"), makes sure every algorithm has a current key, and
// stores the result when anything changed.
func (r *Ring) update(ctx context.Context, change func([]*Key) ([]*Key, error)) error {
	return r.st.Update(ctx, func(cur []byte) ([]byte, error) {
		doc, keys, err := r.open(cur)
		if err != nil {
			return nil, err
		}
		kept := r.prune(keys)
		dirty := doc.Keys == nil || len(kept) != len(keys) || doc.KEK != r.wantKEK()
		keys = kept
		if changed, err := change(keys); err != nil {
			return nil, err
		} else if changed != nil {
			keys, dirty = changed, true
		}
		if added, err := r.complete(keys); err != nil {
			return nil, err
		} else if len(added) > len(keys) {
			keys, dirty = added, true
		}
		r.set(keys)
		if !dirty {
			return nil, nil
		}
		return r.reseal(doc, keys)
	})
}

func (r *Ring) wantKEK() string {
	if r.opts.Secret != "" {
		return kekSecret
	}
	return kekFile
}

// open decodes and unseals a stored document; nil is a new, empty one.
func (r *Ring) open(cur []byte) (*document, []*Key, error) {
	doc, err := decodeDocument(cur)
	if err != nil || doc == nil {
		return newDocument(r.opts), nil, err
	}
	kek, err := r.opts.kek(doc, false)
	if err != nil {
		return nil, nil, err
	}
	keys := make([]*Key, 0, len(doc.Keys))
	for _, s := range doc.Keys {
		k, err := unseal(kek, s)
		if err != nil {
			return nil, nil, err
		}
		keys = append(keys, k)
	}
	return doc, keys, nil
}

// reseal seals keys under the KEK the options ask for now.
func (r *Ring) reseal(doc *document, keys []*Key) ([]byte, error) {
	if doc.KEK != r.wantKEK() {
		doc = newDocument(r.opts)
	}
	kek, err := r.opts.kek(doc, true)
	if err != nil {
		return nil, err
	}
	return sealAll(doc, kek, keys)
}

// prune drops keys whose overlap window has ended.
func (r *Ring) prune(keys []*Key) []*Key {
	now := r.opts.Now()
	return slices.DeleteFunc(slices.Clone(keys), func(k *Key) bool { return !k.Current() && !now.Before(k.RetireAt) })
}

// complete adds a current key for every algorithm that lacks one.
func (r *Ring) complete(keys []*Key) ([]*Key, error) {
	for _, alg := range Algorithms {
		if slices.ContainsFunc(keys, func(k *Key) bool { return k.Alg == alg && k.Current() }) {
			continue
		}
		k, err := generate(alg, r.opts.RSABits, r.opts.Now())
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func (r *Ring) set(keys []*Key) {
	sorted := slices.Clone(keys)
	slices.SortStableFunc(sorted, func(a, b *Key) int { return b.Created.Compare(a.Created) })
	r.mu.Lock()
	r.keys, r.loadedAt = sorted, r.opts.Now()
	r.mu.Unlock()
}

// Reload reads the keys again, to see a rotation made by another process
// (`qlink keys rotate` while the server runs).
func (r *Ring) Reload(ctx context.Context) error {
	cur, err := r.st.Load(ctx)
	if err != nil {
		return err
	}
	_, keys, err := r.open(cur)
	if err != nil {
		return err
	}
	r.set(r.prune(keys))
	return nil
}

// ReloadIfOlder reloads when the keys in memory are older than age.
func (r *Ring) ReloadIfOlder(ctx context.Context, age time.Duration) error {
	r.mu.RLock()
	stale := r.opts.Now().Sub(r.loadedAt) > age
	r.mu.RUnlock()
	if !stale {
		return nil
	}
	return r.Reload(ctx)
}

// Keys returns the keys still accepted, newest first.
func (r *Ring) Keys() []Key {
	now := r.opts.Now()
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Key, 0, len(r.keys))
	for _, k := range r.keys {
		if k.Current() || now.Before(k.RetireAt) {
			out = append(out, *k)
		}
	}
	return out
}

// Current returns the key new secrets or signatures of alg use.
func (r *Ring) Current(alg string) (Key, error) {
	for _, k := range r.Keys() {
		if k.Alg == alg && k.Current() {
			return k, nil
		}
	}
	return Key{}, fmt.Errorf("keys: no current %s key: %w", alg, ErrNoKey)
}

// Signer returns the current signing key of alg with its private part.
func (r *Ring) Signer(alg string) (Key, crypto.Signer, error) {
	if !slices.Contains(SigningAlgorithms, alg) {
		return Key{}, nil, fmt.Errorf("keys: %q is not a signing algorithm (want %v)", alg, SigningAlgorithms)
	}
	k, err := r.Current(alg)
	return k, k.private, err
}

// Decrypt opens a manifest secret: RSA-OAEP ciphertext for the current
// key or a key still in its overlap window, with SHA-1 (the openssl
// default) or SHA-256. A ciphertext of the right length that fails gets
// the same ErrDecrypt whatever went wrong inside OAEP, so a hostile
// manifest cannot use the answer as a padding oracle; only the length,
// which is public anyway, is explained.
func (r *Ring) Decrypt(ciphertext []byte) ([]byte, error) {
	_, plain, err := r.DecryptingKey(ciphertext)
	return plain, err
}

// DecryptingKey is Decrypt that also says which key opened the
// ciphertext, so that what depends on a key can be found before the key
// is retired.
func (r *Ring) DecryptingKey(ciphertext []byte) (Key, []byte, error) {
	var sizes []int
	for _, k := range r.Keys() {
		pub, ok := k.Public.(*rsa.PublicKey)
		if k.Alg != AlgRSAOAEP || !ok {
			continue
		}
		sizes = append(sizes, pub.Size())
		if len(ciphertext) != pub.Size() {
			continue
		}
		priv := k.private.(*rsa.PrivateKey)
		for _, h := range []func() hash.Hash{sha1.New, sha256.New} {
			if plain, err := rsa.DecryptOAEP(h(), nil, priv, ciphertext, nil); err == nil {
				return k, plain, nil
			}
		}
	}
	if !slices.Contains(sizes, len(ciphertext)) {
		return Key{}, nil, fmt.Errorf("%w: it is %d bytes; ciphertext for this aggregator's keys is %v bytes", ErrDecrypt, len(ciphertext), sizes)
	}
	return Key{}, nil, ErrDecrypt
}

// Rotate gives every current key of the named algorithms (all when none
// are named) an overlap window ending overlap from now, and creates their
// successors, which it returns.
func (r *Ring) Rotate(ctx context.Context, overlap time.Duration, algs ...string) ([]Key, error) {
	if len(algs) == 0 {
		algs = Algorithms
	}
	for _, alg := range algs {
		if !slices.Contains(Algorithms, alg) {
			return nil, fmt.Errorf("keys: unknown algorithm %q (want %v)", alg, Algorithms)
		}
	}
	err := r.update(ctx, func(keys []*Key) ([]*Key, error) {
		end := r.opts.Now().Add(overlap).UTC().Truncate(time.Second)
		out := make([]*Key, 0, len(keys))
		for _, k := range keys {
			c := *k
			if c.Current() && slices.Contains(algs, c.Alg) {
				c.RetireAt = end
			}
			out = append(out, &c)
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	var fresh []Key
	for _, alg := range algs {
		k, err := r.Current(alg)
		if err != nil {
			return nil, err
		}
		fresh = append(fresh, k)
	}
	return fresh, nil
}

// Retire ends the overlap window of the named keys now (of every key in
// its window when none is named) and returns the ids retired. A current
// key cannot be retired: rotate first.
func (r *Ring) Retire(ctx context.Context, ids ...string) ([]string, error) {
	var retired []string
	err := r.update(ctx, func(keys []*Key) ([]*Key, error) {
		retired = retired[:0]
		out := make([]*Key, 0, len(keys))
		for _, k := range keys {
			named := len(ids) == 0 || slices.Contains(ids, k.ID)
			switch {
			case named && k.Current() && len(ids) > 0:
				return nil, fmt.Errorf("keys: %s is the current %s key; rotate before retiring it", k.ID, k.Alg)
			case named && !k.Current():
				retired = append(retired, k.ID)
				continue
			}
			out = append(out, k)
		}
		for _, id := range ids {
			if !slices.Contains(retired, id) {
				return nil, fmt.Errorf("keys: %s: %w", id, ErrNoKey)
			}
		}
		return out, nil
	})
	return retired, err
}
