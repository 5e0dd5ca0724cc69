package web

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qlink/internal/keys"
)

func TestKeyEndpoints(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ring, err := keys.Open(ctx, keys.FileStorage{Path: filepath.Join(dir, "keys.json")}, keys.Options{KEKFile: filepath.Join(dir, "kek")})
	if err != nil {
		t.Fatal(err)
	}
	old, _ := ring.Current(keys.AlgRSAOAEP)
	oldSig, _ := ring.Current(keys.AlgEd25519)
	if _, err := ring.Rotate(ctx, 720*time.Hour, keys.AlgRSAOAEP, keys.AlgEd25519); err != nil {
		t.Fatal(err)
	}
	cur, _ := ring.Current(keys.AlgRSAOAEP)
	srv, err := New(Options{Keys: ring})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	for _, path := range []string{"/api/v1/public-key", "/api/v1/public-key/pem", "/api/v1/signing-keys"} {
		resp, _ := get(t, ts.URL+path, "Origin", "https://builder.example")
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.Contains(resp.Header.Get("Cache-Control"), "max-age=") {
			t.Errorf("%s: %d, headers %v", path, resp.StatusCode, resp.Header)
		}
	}

	// The PEM is what manifest builders encrypt with: it must be the
	// current key, and a secret encrypted with it must decrypt.
	resp, pemBody := get(t, ts.URL+"/api/v1/public-key/pem")
	pub, err := keys.ParsePublicKey([]byte(pemBody))
	if err != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || pemBody != cur.PEM() {
		t.Fatalf("PEM endpoint: %v, %q", err, pemBody)
	}
	secret, _ := keys.EncryptSecret(pub, []byte("s3cret"), false)
	raw, _ := base64.StdEncoding.DecodeString(secret)
	if got, err := ring.Decrypt(raw); err != nil || string(got) != "s3cret" {
		t.Errorf("round trip through the published key: %q, %v", got, err)
	}

	var pk apiPublicKey
	getJSONInto(t, ts.URL+"/api/v1/public-key", &pk)
	if pk.PublicKey != cur.PEM() || pk.KeyID != cur.ID || pk.MaxPlaintextBytes["sha1"] != 342 || pk.CreatedAt.IsZero() ||
		len(pk.Accepted) != 1 || pk.Accepted[0].KeyID != old.ID || pk.Accepted[0].RetireAt.IsZero() {
		t.Errorf("public-key document: %+v", pk)
	}

	var sk apiSigningKeys
	getJSONInto(t, ts.URL+"/api/v1/signing-keys", &sk)
	seen := map[string]apiSigningKey{}
	for _, k := range sk.Keys {
		seen[k.KeyID] = k
	}
	if sk.Tag != "qualitylink-v1" || len(sk.Keys) != 3 || seen[oldSig.ID].Current || seen[oldSig.ID].RetireAt == nil {
		t.Fatalf("signing keys: %+v", sk)
	}
	for _, k := range sk.Keys {
		checkJWK(t, k)
	}
}

// checkJWK checks that a published JWK is the key its PEM holds.
func checkJWK(t *testing.T, k apiSigningKey) {
	t.Helper()
	if k.JWK["kid"] != k.KeyID || k.JWK["use"] != "sig" {
		t.Errorf("%s: jwk %v", k.KeyID, k.JWK)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	switch k.Alg {
	case keys.AlgEd25519:
		pub := parsePEMPublic(t, k.PublicKey).(ed25519.PublicKey)
		if k.JWK["kty"] != "OKP" || k.JWK["crv"] != "Ed25519" || k.JWK["x"] != b64(pub) {
			t.Errorf("%s: jwk %v does not match its PEM", k.KeyID, k.JWK)
		}
	case keys.AlgRSAPSS:
		pub := parsePEMPublic(t, k.PublicKey).(*rsa.PublicKey)
		if k.JWK["kty"] != "RSA" || k.JWK["n"] != b64(pub.N.Bytes()) || k.JWK["e"] != "AQAB" {
			t.Errorf("%s: jwk %v does not match its PEM", k.KeyID, k.JWK)
		}
	default:
		t.Errorf("%s: algorithm %q", k.KeyID, k.Alg)
	}
}

func TestKeyEndpointsWithoutRing(t *testing.T) {
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	if resp, _ := get(t, ts.URL+"/api/v1/public-key/pem"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d", resp.StatusCode)
	}
}

func getJSONInto(t *testing.T, u string, v any) {
	t.Helper()
	_, body := get(t, u)
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%s: %v\n%s", u, err, body)
	}
}

func parsePEMPublic(t *testing.T, s string) any {
	t.Helper()
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		t.Fatalf("no PEM in %q", s)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}
