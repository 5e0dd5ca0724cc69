package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/config"
	"qlink/internal/keys"
)

// run executes qlink with args and stdin, returning what it printed.
func run(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	return runContext(context.Background(), stdin, args...)
}

// runContext is run with a context, as main gives one that signals end.
func runContext(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetIn(strings.NewReader(stdin))
	err := cmd.ExecuteContext(ctx)
	return out.String(), err
}

// newInstance creates a data directory with qlink init, as an operator
// does before anything else, and returns it.
func newInstance(t *testing.T, args ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "qlink-data")
	if out, err := run(t, "", append([]string{"init", "--data-dir", dir}, args...)...); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	return dir
}

func TestKeysCommand(t *testing.T) {
	dir := newInstance(t)
	ctx := context.Background()
	out, err := run(t, "", "keys", "show", "--data-dir", dir)
	if err != nil || strings.Count(out, "current") != 3 || !strings.Contains(out, "342 bytes") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	cfg := config.Default()
	cfg.DataDir = dir
	ring, err := openKeys(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	decrypt := func(value string) (string, error) {
		ct, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
		if err != nil {
			return "", err
		}
		if err := ring.Reload(ctx); err != nil {
			return "", err
		}
		plain, err := ring.Decrypt(ct)
		return string(plain), err
	}

	// From standard input, a final newline is not part of the secret.
	fromStdin, err := run(t, "s3cret value\n", "keys", "encrypt", "--data-dir", dir, "-")
	if got, derr := decrypt(fromStdin); err != nil || derr != nil || got != "s3cret value" {
		t.Fatalf("encrypt -: %q, %v, %v", got, err, derr)
	}
	k, _ := ring.Current(keys.AlgRSAOAEP)
	pemFile := filepath.Join(t.TempDir(), "aggregator.pem")
	os.WriteFile(pemFile, []byte(k.PEM()), 0o600)
	withPEM, err := run(t, "", "keys", "encrypt", "--sha256", "--public-key", pemFile, "client-secret")
	if got, derr := decrypt(withPEM); err != nil || derr != nil || got != "client-secret" {
		t.Fatalf("encrypt --public-key: %q, %v, %v", got, err, derr)
	}

	// Rotation keeps the old value working; retirement ends it.
	if out, err := run(t, "", "keys", "rotate", "--data-dir", dir, "--only", "secrets", "--overlap", "24h"); err != nil ||
		!strings.Contains(out, "accepted until") {
		t.Fatalf("rotate: %v\n%s", err, out)
	}
	if got, err := decrypt(fromStdin); err != nil || got != "s3cret value" {
		t.Errorf("within the overlap: %q, %v", got, err)
	}
	if out, err := run(t, "", "keys", "retire", "--data-dir", dir); err != nil || !strings.Contains(out, "retired "+k.ID) {
		t.Fatalf("retire: %v\n%s", err, out)
	}
	if _, err := decrypt(fromStdin); !errors.Is(err, keys.ErrDecrypt) {
		t.Errorf("after retirement: %v", err)
	}

	failures := [][]string{
		{"keys", "rotate", "--data-dir", dir, "--only", "everything"},
		{"keys", "encrypt", "--data-dir", filepath.Join(dir, "none"), "x"},
		{"keys", "encrypt", "--public-key", pemFile, "-"},
		{"keys", "encrypt", "--public-key", pemFile, strings.Repeat("x", 400)},
	}
	for _, args := range failures {
		if out, err := run(t, "", args...); err == nil {
			t.Errorf("%v succeeded:\n%s", args, out)
		}
	}
}
