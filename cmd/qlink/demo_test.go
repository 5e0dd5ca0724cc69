package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/config"
	"qlink/internal/fetch"
	"qlink/internal/testfed"
)

// TestDemoOpensLoopbackOnly: the demo harvests its federation with the
// guard on, opened for loopback alone; cloud metadata and private
// networks stay closed.
func TestDemoOpensLoopbackOnly(t *testing.T) {
	ctx := context.Background()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: 2, Seed: 3, Formats: []string{testfed.FormatOOAPI}})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	cfg := config.Default()
	cfg.DataDir, cfg.RegistryURL = t.TempDir(), fed.RegistryURL()
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), demoNetwork(fed))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var out bytes.Buffer
	if sum, err := runHarvest(ctx, a, &out, "test", nil); err != nil || sum.Courses == 0 {
		t.Fatalf("harvest: %v, %+v\n%s", err, sum, out.String())
	}
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://192.168.1.1/", "http://[fd00::1]/"} {
		if _, err := a.fetcher.Get(ctx, fetch.Request{URL: u}); fetch.KindOf(err) != fetch.KindBlocked {
			t.Errorf("%s: got %v, want blocked", u, err)
		}
	}
}

func TestDemoRefusesADataDirectoryItDidNotCreate(t *testing.T) {
	production := t.TempDir()
	os.WriteFile(filepath.Join(production, "qlink.db"), []byte("an aggregator's database"), 0o600)
	// A cancelled context: whatever passes the check stops at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// --data-dir as on every command, and --data, its old name.
	for _, flag := range []string{"--data-dir", "--data"} {
		cmd := newRootCmd()
		cmd.SetArgs([]string{"demo", flag, production, "--addr", "127.0.0.1:0"})
		cmd.SetOut(&bytes.Buffer{})
		err := cmd.ExecuteContext(ctx)
		if err == nil || !strings.Contains(err.Error(), "not a demo data directory") || !strings.Contains(err.Error(), production) {
			t.Fatalf("%s: got %v, want a refusal naming %s", flag, err, production)
		}
	}

	fresh := filepath.Join(t.TempDir(), "demo-data")
	if err := claimDemoDir(fresh); err != nil {
		t.Fatalf("a new directory: %v", err)
	}
	os.WriteFile(filepath.Join(fresh, "qlink.db"), []byte("the demo's database"), 0o600)
	if err := claimDemoDir(fresh); err != nil {
		t.Errorf("reusing a demo's directory: %v", err)
	}
	if err := claimDemoDir(t.TempDir()); err != nil {
		t.Errorf("an empty directory: %v", err)
	}
}

func TestDemoHostileFlag(t *testing.T) {
	cmd := newRootCmd()
	var help bytes.Buffer
	cmd.SetArgs([]string{"demo", "--help"})
	cmd.SetOut(&help)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, p := range testfed.Profiles {
		if !strings.Contains(help.String(), string(p.Name)+" ") {
			t.Errorf("demo --help does not list the hostile profile %s", p.Name)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cmd = newRootCmd()
	cmd.SetArgs([]string{"demo", "--hostile", "slow,gzip-bombs", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()})
	cmd.SetOut(&bytes.Buffer{})
	if err := cmd.ExecuteContext(ctx); err == nil || !strings.Contains(err.Error(), `--hostile: unknown hostile profile "gzip-bombs"`) {
		t.Errorf("an unknown profile: %v", err)
	}
}
