package auth

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"qlink/internal/fetch"
	"qlink/internal/keys"
	"qlink/internal/manifest"
)

var (
	ringOnce sync.Once
	ring     *keys.Ring
	ringErr  error
	ringDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if ringDir != "" {
		os.RemoveAll(ringDir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// testRing is one key ring for the whole package: creating RSA keys is
// the slow part of these tests.
func testRing(t *testing.T) *keys.Ring {
	t.Helper()
	ringOnce.Do(func() {
		ringDir, ringErr = os.MkdirTemp("", "qlink-auth-test-")
		if ringErr == nil {
			ring, ringErr = keys.Open(context.Background(), keys.FileStorage{Path: filepath.Join(ringDir, "keys.json")},
				keys.Options{KEKFile: filepath.Join(ringDir, "keys.kek")})
		}
	})
	if ringErr != nil {
		t.Fatal(ringErr)
	}
	return ring
}

// encrypt makes a manifest secret for the test ring.
func encrypt(t *testing.T, secret string) string {
	t.Helper()
	k, err := testRing(t).Current(keys.AlgRSAOAEP)
	if err != nil {
		t.Fatal(err)
	}
	v, err := keys.EncryptSecret(k.Public.(*rsa.PublicKey), []byte(secret), false)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var loopbackOnly = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

// tlsServer starts an https server on 127.0.0.1 and returns it with the
// pool that trusts it (httptest's servers share one certificate).
func tlsServer(t *testing.T, h http.Handler) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	return srv, srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
}

// fetcher returns a client that reaches 127.0.0.1 only and trusts pool.
func fetcher(t *testing.T, pool *x509.CertPool) *fetch.Client {
	t.Helper()
	c := fetch.New(fetch.Options{Timeout: 2 * time.Second, AllowNets: loopbackOnly, RootCAs: pool, UserAgent: "qlink-test",
		Retry: fetch.RetryPolicy{Attempts: 1}})
	t.Cleanup(c.Close)
	return c
}

// config is the Config the harvest makes of a source whose auth block is
// block (harvest.authConfig, which also refuses parameters of the wrong
// type); secrets are decrypted through the manifest's own checks.
func config(block map[string]any) Config {
	a := manifest.Auth{Other: map[string]any{}}
	for k, v := range block {
		a.Other[k] = v
	}
	str := func(k string) string { s, _ := block[k].(string); return s }
	cfg := Config{Source: "id:courses", Method: str("type"), Header: str("field"), TokenEndpoint: str("token_endpoint"),
		ClientID: str("client_id"), Alg: str("alg"), Scopes: strings.Fields(str("scope"))}
	sealed := func(field string) Sealed {
		if _, ok := block[field]; !ok {
			return nil
		}
		return func(d Decrypter) (string, error) { return a.Secret(field, d) }
	}
	cfg.Value, cfg.ClientSecret = sealed("value"), sealed("client_secret")
	return cfg
}
