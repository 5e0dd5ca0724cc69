package main

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"qlink/internal/config"
	"qlink/internal/harvest"
	"qlink/internal/keys"
	"qlink/internal/model"
	"qlink/internal/store"
)

// keysDataDir makes a data directory with keys and one provider in the
// store, as an aggregator has after its first harvest.
func keysDataDir(t *testing.T) (config.Config, string) {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = newInstance(t)
	ctx := context.Background()
	st, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const provider = "DEQARINST0001"
	if err := st.UpsertProviders(ctx, []model.Provider{{ID: provider, SCHAC: "uni-lindenau.test", Name: model.Text{"en": "University of Lindenau"}}}); err != nil {
		t.Fatal(err)
	}
	return cfg, provider
}

// storedClientSecret decrypts the registered client secret as the harvest does.
func storedClientSecret(t *testing.T, cfg config.Config, provider, endpoint string) (string, error) {
	t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ring, err := openKeys(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, _, err := harvest.StoredCredentials{Store: st, Keys: ring}.OAuthClient(ctx, provider, endpoint)
	return secret, err
}

func TestRegisteredClientsSurviveRotationAndRetirement(t *testing.T) {
	cfg, provider := keysDataDir(t)
	const endpoint = "https://auth.uni-lindenau.test/oauth2/token"
	if out, err := run(t, "client-s3cret\n", "credentials", "set", provider, "--data-dir", cfg.DataDir,
		"--token-endpoint", endpoint, "--client-id", "qlink"); err != nil {
		t.Fatalf("credentials set: %v\n%s", err, out)
	}
	out, err := run(t, "", "keys", "rotate", "--data-dir", cfg.DataDir, "--only", "secrets")
	if err != nil || !strings.Contains(out, "re-encrypted the OAuth client qlink of "+provider) {
		t.Fatalf("rotate: %v\n%s", err, out)
	}
	if out, err := run(t, "", "keys", "retire", "--data-dir", cfg.DataDir); err != nil || !strings.Contains(out, "retired") {
		t.Fatalf("retire: %v\n%s", err, out)
	}
	if got, err := storedClientSecret(t, cfg, provider, endpoint); err != nil || got != "client-s3cret" {
		t.Errorf("after rotate and retire the client secret is %q, %v", got, err)
	}
}

// TestRetireMovesClientsLeftOnAnOldKey: a client encrypted for a replaced
// key (rotated by an older qlink, or through the library) is re-encrypted
// by retire rather than lost.
func TestRetireMovesClientsLeftOnAnOldKey(t *testing.T) {
	cfg, provider := keysDataDir(t)
	ctx := context.Background()
	const endpoint = "https://auth.uni-lindenau.test/token"
	st, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := openKeys(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := (harvest.StoredCredentials{Store: st, Keys: ring}).Set(ctx, provider, endpoint, "qlink", "old-key-secret", time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := ring.Rotate(ctx, time.Hour, keys.AlgRSAOAEP); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "", "keys", "retire", "--data-dir", cfg.DataDir)
	if err != nil || !strings.Contains(out, "re-encrypted the OAuth client qlink of "+provider+" at "+endpoint) {
		t.Fatalf("retire: %v\n%s", err, out)
	}
	if got, err := storedClientSecret(t, cfg, provider, endpoint); err != nil || got != "old-key-secret" {
		t.Errorf("after retire the client secret is %q, %v", got, err)
	}
}

func TestRetireRefusesWhileAManifestNeedsTheKey(t *testing.T) {
	cfg, provider := keysDataDir(t)
	ctx := context.Background()
	ring, err := openKeys(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := ring.Current(keys.AlgRSAOAEP)
	value, err := keys.EncryptSecret(old.Public.(*rsa.PublicKey), []byte("api-key"), false)
	if err != nil {
		t.Fatal(err)
	}
	const path = "https://api.uni-lindenau.test/ooapi/v5"
	entry, _ := json.Marshal(map[string]any{"type": "ooapi", "path": path,
		"auth": map[string]any{"type": "httpheader", "field": "X-Api-Key", "value": value}})
	st, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.SyncManifest(ctx, store.Manifest{ProviderID: provider, URL: "https://uni-lindenau.test/.well-known/quality-link-manifest",
		FetchedAt: time.Now(), Body: []byte(`{"sources":[` + string(entry) + `]}`)},
		[]store.Source{{Key: "ooapi " + path, Type: "ooapi", URL: path, Entry: entry}})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	if out, err := run(t, "", "keys", "rotate", "--data-dir", cfg.DataDir, "--only", "secrets"); err != nil {
		t.Fatalf("rotate: %v\n%s", err, out)
	}
	_, err = run(t, "", "keys", "retire", "--data-dir", cfg.DataDir)
	for _, want := range []string{"not retiring", "1 manifest secret only key " + old.ID, "auth.value of " + provider, path, "--force"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("retire: got %v, want an error containing %q", err, want)
		}
	}
	if err := ring.Reload(ctx); err != nil || !containsKey(ring.Keys(), old.ID) {
		t.Errorf("the refused retire removed the key anyway (%v)", err)
	}
	if out, err := run(t, "", "keys", "retire", "--data-dir", cfg.DataDir, "--force"); err != nil || !strings.Contains(out, "retired "+old.ID) {
		t.Errorf("retire --force: %v\n%s", err, out)
	}
}

func containsKey(ks []keys.Key, id string) bool {
	for _, k := range ks {
		if k.ID == id {
			return true
		}
	}
	return false
}
