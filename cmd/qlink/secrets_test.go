package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/config"
)

func TestKeySecretPlacementWarning(t *testing.T) {
	dataDir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "qlink-secret")
	cases := []struct {
		name      string
		secret    string
		file      string
		wantWarn  bool
		wantWhere string
	}{
		{name: "generated key file", wantWarn: true, wantWhere: filepath.Join(dataDir, kekFile)},
		{name: "secret file inside the data directory", file: filepath.Join(dataDir, "secret"), wantWarn: true, wantWhere: filepath.Join(dataDir, "secret")},
		{name: "secret file outside", file: outside},
		{name: "secret-key setting", secret: "passphrase"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.DataDir, cfg.SecretKey, cfg.SecretKeyFile = dataDir, tc.secret, tc.file
			var buf bytes.Buffer
			warnKeySecretPlacement(slog.New(slog.NewTextHandler(&buf, nil)), cfg)
			out := buf.String()
			if !tc.wantWarn {
				if out != "" {
					t.Errorf("unexpected warning: %s", out)
				}
				return
			}
			if strings.Count(out, "level=WARN") != 1 || !strings.Contains(out, tc.wantWhere) || !strings.Contains(out, "secret-key-file") {
				t.Errorf("want one warning naming %s and saying what to do, got %q", tc.wantWhere, out)
			}
		})
	}
}

// TestSecretKeyFileSealsTheKeys: keys created with --secret-key-file open
// with the same file and with nothing else; no key file is left in the
// data directory.
func TestSecretKeyFileSealsTheKeys(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "qlink-secret")
	os.WriteFile(secretFile, []byte("a long random passphrase\n"), 0o400)
	dir := newInstance(t, "--secret-key-file", secretFile)
	if out, err := run(t, "", "keys", "show", "--data-dir", dir, "--secret-key-file", secretFile); err != nil {
		t.Fatalf("show: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, kekFile)); !os.IsNotExist(err) {
		t.Errorf("%s was created beside the keys: %v", kekFile, err)
	}
	if out, err := run(t, "", "keys", "show", "--data-dir", dir); err == nil {
		t.Errorf("the keys opened without the secret:\n%s", out)
	}
	if out, err := run(t, "", "keys", "show", "--data-dir", dir, "--secret-key", "a long random passphrase"); err != nil {
		t.Errorf("the same secret given as secret-key: %v\n%s", err, out)
	}
	if _, err := run(t, "", "keys", "show", "--data-dir", dir, "--secret-key", "x", "--secret-key-file", secretFile); err == nil ||
		!strings.Contains(err.Error(), "both set") {
		t.Errorf("both at once: %v", err)
	}
}
