package keys

import (
	"crypto/rand"
	"crypto/rsa"
	"os"
	"sync"
	"testing"
)

// TestMain hands the tests RSA keys from a small pool, each made on first
// use: the tests need many rings, not many distinct keys, and a 3072-bit
// key takes up to a second. Keys of one ring still differ, as the pool is
// drawn in turn.
func TestMain(m *testing.M) {
	var mu sync.Mutex
	pool := make([]*rsa.PrivateKey, 6)
	next := 0
	generateRSA = func(bits int) (*rsa.PrivateKey, error) {
		mu.Lock()
		defer mu.Unlock()
		i := next % len(pool)
		next++
		if pool[i] == nil {
			k, err := rsa.GenerateKey(rand.Reader, bits)
			if err != nil {
				return nil, err
			}
			pool[i] = k
		}
		return pool[i], nil
	}
	os.Exit(m.Run())
}
