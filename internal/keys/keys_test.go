package keys

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

// fileRing opens a ring kept in dir, sealed under a generated key file.
func fileRing(t *testing.T, dir string, now func() time.Time) *Ring {
	t.Helper()
	r, err := Open(context.Background(), FileStorage{Path: filepath.Join(dir, "keys.json")},
		Options{KEKFile: filepath.Join(dir, "keys.kek"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ids(keys []Key) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.ID)
	}
	slices.Sort(out)
	return out
}

func TestFirstStartCreatesKeysOnce(t *testing.T) {
	dir := t.TempDir()
	r := fileRing(t, dir, nil)
	keys := r.Keys()
	if len(keys) != 3 {
		t.Fatalf("%d keys, want one per algorithm", len(keys))
	}
	for _, alg := range Algorithms {
		k, err := r.Current(alg)
		if err != nil {
			t.Fatal(err)
		}
		switch pub := k.Public.(type) {
		case *rsa.PublicKey:
			if pub.N.BitLen() < 3072 {
				t.Errorf("%s key has %d bits", alg, pub.N.BitLen())
			}
		case ed25519.PublicKey:
		default:
			t.Errorf("%s key is %T", alg, pub)
		}
		if k.ID != thumbprint(k.Public) || !k.Current() || !strings.Contains(k.PEM(), "BEGIN PUBLIC KEY") || len(k.Fingerprint()) != 64 {
			t.Errorf("%s key: %+v", alg, k)
		}
	}
	if again := fileRing(t, dir, nil); !slices.Equal(ids(again.Keys()), ids(keys)) {
		t.Errorf("reopening changed the keys: %v → %v", ids(keys), ids(again.Keys()))
	}
	for _, name := range []string{"keys.json", "keys.kek"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", name, err, fi.Mode().Perm())
		}
	}
}

func TestKeysOnDiskAreNotPlaintext(t *testing.T) {
	dir := t.TempDir()
	r := fileRing(t, dir, nil)
	raw, err := os.ReadFile(filepath.Join(dir, "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("PRIVATE KEY")) {
		t.Error("the key file holds a PEM private key")
	}
	for _, k := range r.Keys() {
		der, _ := x509.MarshalPKCS8PrivateKey(k.private)
		var secret []byte // the part that must never appear
		switch p := k.private.(type) {
		case *rsa.PrivateKey:
			secret = p.D.Bytes()
		case ed25519.PrivateKey:
			secret = p.Seed()
		}
		for _, form := range [][]byte{der, secret, []byte(base64.StdEncoding.EncodeToString(der)), []byte(base64.StdEncoding.EncodeToString(secret))} {
			if bytes.Contains(raw, form) {
				t.Errorf("%s key material appears in the key file", k.Alg)
			}
		}
		if !bytes.Contains(raw, []byte(k.ID)) {
			t.Errorf("key %s not in the file", k.ID)
		}
	}
}

// TestConcurrentStartsAgree starts several processes on one empty data
// directory at once: they must all end up with the same keys.
func TestConcurrentStartsAgree(t *testing.T) {
	if dir := os.Getenv("QLINK_KEYS_HELPER_DIR"); dir != "" {
		// Wait for the starting gun, so that the processes really race.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			if _, err := os.Stat(filepath.Join(dir, "go")); err == nil {
				break
			}
		}
		r := fileRing(t, dir, nil)
		k, _ := r.Current(AlgRSAOAEP)
		fmt.Println("KEY", k.ID)
		return
	}
	dir := t.TempDir()
	const procs = 3
	outs := make([]bytes.Buffer, procs)
	cmds := make([]*exec.Cmd, procs)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestConcurrentStartsAgree$", "-test.count=1")
		cmds[i].Env = append(os.Environ(), "QLINK_KEYS_HELPER_DIR="+dir)
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "go"), nil, 0o600)
	for _, cmd := range cmds {
		cmd.Wait()
	}
	want := fileRing(t, dir, nil)
	k, _ := want.Current(AlgRSAOAEP)
	for i := range outs {
		if !strings.Contains(outs[i].String(), "KEY "+k.ID+"\n") {
			t.Errorf("process %d saw other keys than %s:\n%s", i, k.ID, outs[i].String())
		}
	}
}

// TestOpenSSLCiphertextsDecrypt encrypts with the openssl commands that
// publishers use and decrypts in Go.
func TestOpenSSLCiphertextsDecrypt(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed")
	}
	dir := t.TempDir()
	r := fileRing(t, dir, nil)
	k, _ := r.Current(AlgRSAOAEP)
	pemFile, secretFile := filepath.Join(dir, "aggregator.pem"), filepath.Join(dir, "secret.txt")
	os.WriteFile(pemFile, []byte(k.PEM()), 0o600)
	secret := "Bearer 8f7e-6d5c: with spaces & symbols"
	os.WriteFile(secretFile, []byte(secret), 0o600)
	cases := map[string][]string{
		"sha1 (openssl default)": {"-pkeyopt", "rsa_padding_mode:oaep"},
		"sha256":                 {"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256"},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"pkeyutl", "-encrypt", "-pubin", "-inkey", pemFile, "-in", secretFile}, opts...)
			ct, err := exec.Command(openssl, args...).Output()
			if err != nil {
				t.Fatalf("openssl: %v", err)
			}
			got, err := r.Decrypt(ct)
			if err != nil || string(got) != secret {
				t.Fatalf("Decrypt = %q, %v", got, err)
			}
		})
	}
}

func TestRotationOverlapAndRetirement(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	r := fileRing(t, t.TempDir(), clk.now)
	old, _ := r.Current(AlgRSAOAEP)
	oldSig, _ := r.Current(AlgEd25519)
	secret := []byte("api-key-123")
	oldCipher := encryptFor(t, old, secret, false)

	fresh, err := r.Rotate(ctx, 720*time.Hour)
	if err != nil || len(fresh) != 3 {
		t.Fatalf("rotate: %v, %d keys", err, len(fresh))
	}
	cur, _ := r.Current(AlgRSAOAEP)
	if cur.ID == old.ID {
		t.Fatal("rotation kept the old encryption key current")
	}
	if k, _, _ := r.Signer(AlgEd25519); k.ID == oldSig.ID {
		t.Error("signing still uses the old key")
	}
	newCipher := encryptFor(t, cur, secret, true)
	within := []struct {
		name   string
		cipher []byte
	}{{"old key, in the overlap", oldCipher}, {"new key", newCipher}}
	for _, tc := range within {
		if got, err := r.Decrypt(tc.cipher); err != nil || !bytes.Equal(got, secret) {
			t.Errorf("%s: %q, %v", tc.name, got, err)
		}
	}
	if got := ids(r.Keys()); len(got) != 6 || !slices.Contains(got, old.ID) {
		t.Errorf("published keys during the overlap: %v", got)
	}

	clk.advance(721 * time.Hour) // the window ends
	if _, err := r.Decrypt(oldCipher); !errors.Is(err, ErrDecrypt) {
		t.Errorf("old ciphertext after the overlap: %v", err)
	}
	if _, err := r.Decrypt(newCipher); err != nil {
		t.Errorf("new ciphertext: %v", err)
	}
	if len(r.Keys()) != 3 {
		t.Errorf("expired keys still published: %v", ids(r.Keys()))
	}
}

func TestRetireEndsTheOverlapNow(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := fileRing(t, dir, nil)
	old, _ := r.Current(AlgRSAOAEP)
	cipher := encryptFor(t, old, []byte("s"), false)
	if _, err := r.Retire(ctx, old.ID); err == nil {
		t.Error("retiring the current key was allowed")
	}
	if _, err := r.Rotate(ctx, 24*time.Hour, AlgRSAOAEP); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Decrypt(cipher); err != nil {
		t.Fatalf("within the overlap: %v", err)
	}
	if _, err := r.Retire(ctx, "no-such-key"); !errors.Is(err, ErrNoKey) {
		t.Errorf("unknown id: %v", err)
	}
	retired, err := r.Retire(ctx)
	if err != nil || !slices.Equal(retired, []string{old.ID}) {
		t.Fatalf("retire: %v, %v", retired, err)
	}
	if _, err := r.Decrypt(cipher); !errors.Is(err, ErrDecrypt) {
		t.Errorf("retired key still decrypts: %v", err)
	}
	// Another process sees the retirement too, and the private key is gone.
	raw, _ := os.ReadFile(filepath.Join(dir, "keys.json"))
	if bytes.Contains(raw, []byte(old.ID)) {
		t.Error("the retired key is still stored")
	}
	if other := fileRing(t, dir, nil); len(other.Keys()) != 3 {
		t.Errorf("reopened ring has %d keys", len(other.Keys()))
	}
}

func TestReloadSeesAnotherProcessRotate(t *testing.T) {
	dir := t.TempDir()
	server, cli := fileRing(t, dir, nil), fileRing(t, dir, nil)
	fresh, err := cli.Rotate(context.Background(), time.Hour, AlgRSAOAEP)
	if err != nil {
		t.Fatal(err)
	}
	cipher := encryptFor(t, fresh[0], []byte("new"), false)
	if _, err := server.Decrypt(cipher); err == nil {
		t.Fatal("the server knew the new key before reloading")
	}
	if err := server.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Decrypt(cipher); err != nil {
		t.Errorf("after reload: %v", err)
	}
}

func TestKeyEncryptionKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := FileStorage{Path: filepath.Join(dir, "keys.json")}
	kekFile := filepath.Join(dir, "keys.kek")
	open := func(o Options) (*Ring, error) { o.Iterations = 1000; return Open(ctx, st, o) }

	// Start without a secret, then set one: the keys are resealed, kept.
	first, err := open(Options{KEKFile: kekFile})
	if err != nil {
		t.Fatal(err)
	}
	second, err := open(Options{Secret: "correct horse battery staple", KEKFile: kekFile})
	if err != nil || !slices.Equal(ids(first.Keys()), ids(second.Keys())) {
		t.Fatalf("resealing under the secret: %v", err)
	}
	if doc, _ := st.Load(ctx); !bytes.Contains(doc, []byte(`"kek": "secret"`)) {
		t.Errorf("not resealed:\n%s", doc)
	}
	cases := []struct {
		name string
		opts Options
	}{
		{"wrong secret", Options{Secret: "wrong", KEKFile: kekFile}},
		{"secret unset", Options{KEKFile: kekFile}},
	}
	for _, tc := range cases {
		if _, err := open(tc.opts); !errors.Is(err, ErrWrongKEK) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}

	// Keys sealed under a key file that is lost cannot be opened, and no
	// new keys are made in their place.
	dir2 := t.TempDir()
	fileRing(t, dir2, nil)
	os.Remove(filepath.Join(dir2, "keys.kek"))
	_, err = Open(ctx, FileStorage{Path: filepath.Join(dir2, "keys.json")}, Options{KEKFile: filepath.Join(dir2, "keys.kek")})
	if !errors.Is(err, ErrWrongKEK) || !strings.Contains(err.Error(), "keys.kek is missing") {
		t.Errorf("lost key file: %v", err)
	}
	if _, err := Open(ctx, &MemoryStorage{}, Options{KEKFile: kekFile, RSABits: 2048}); err == nil {
		t.Error("a 2048-bit RSA key was accepted")
	}
}

func TestThumbprintRFC7638(t *testing.T) {
	n, _ := base64.RawURLEncoding.DecodeString("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
	if got := thumbprint(pub); got != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Errorf("thumbprint = %s", got)
	}
}

func TestPlaintextLimits(t *testing.T) {
	r, err := Open(context.Background(), &MemoryStorage{}, Options{KEKFile: filepath.Join(t.TempDir(), "kek")})
	if err != nil {
		t.Fatal(err)
	}
	k, _ := r.Current(AlgRSAOAEP)
	pub := k.Public.(*rsa.PublicKey)
	for _, tc := range []struct {
		sha256 bool
		max    int
	}{{false, 342}, {true, 318}} {
		if got := MaxPlaintext(pub, tc.sha256); got != tc.max {
			t.Errorf("MaxPlaintext(sha256=%v) = %d, want %d", tc.sha256, got, tc.max)
		}
		if _, err := EncryptSecret(pub, make([]byte, tc.max+1), tc.sha256); err == nil {
			t.Errorf("sha256=%v: %d bytes accepted", tc.sha256, tc.max+1)
		}
		if _, err := EncryptSecret(pub, bytes.Repeat([]byte("a"), tc.max), tc.sha256); err != nil {
			t.Errorf("sha256=%v: %v", tc.sha256, err)
		}
	}
}

func encryptFor(t *testing.T, k Key, secret []byte, sha256 bool) []byte {
	t.Helper()
	b64, err := EncryptSecret(k.Public.(*rsa.PublicKey), secret, sha256)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := base64.StdEncoding.DecodeString(b64)
	return ct
}

func TestDecryptingKeyNamesTheKey(t *testing.T) {
	r := fileRing(t, t.TempDir(), newClock().now)
	old, _ := r.Current(AlgRSAOAEP)
	oldCipher := encryptFor(t, old, []byte("s"), false)
	if _, err := r.Rotate(context.Background(), time.Hour, AlgRSAOAEP); err != nil {
		t.Fatal(err)
	}
	cur, _ := r.Current(AlgRSAOAEP)
	for want, ct := range map[string][]byte{old.ID: oldCipher, cur.ID: encryptFor(t, cur, []byte("s"), true)} {
		if k, plain, err := r.DecryptingKey(ct); err != nil || k.ID != want || string(plain) != "s" {
			t.Errorf("got key %s, %q, %v; want %s", k.ID, plain, err, want)
		}
	}
}
