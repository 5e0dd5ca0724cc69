package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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

	dir := filepath.Join(t.TempDir(), "demo-data")
	if fresh, err := claimDemoDir(dir); err != nil || !fresh {
		t.Fatalf("a new directory: fresh %v, %v", fresh, err)
	}
	os.WriteFile(filepath.Join(dir, "qlink.db"), []byte("the demo's database"), 0o600)
	if fresh, err := claimDemoDir(dir); err != nil || fresh {
		t.Errorf("reusing a demo's directory: fresh %v, %v", fresh, err)
	}
	if fresh, err := claimDemoDir(t.TempDir()); err != nil || !fresh {
		t.Errorf("an empty directory: fresh %v, %v", fresh, err)
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

// lockedBuffer is a buffer a command writes to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runDemo runs qlink demo with args until ctx ends, writing to out.
func runDemo(ctx context.Context, out io.Writer, args ...string) <-chan error {
	done := make(chan error, 1)
	go func() {
		cmd := newRootCmd()
		cmd.SetArgs(append([]string{"demo"}, args...))
		cmd.SetOut(out)
		done <- cmd.ExecuteContext(ctx)
	}()
	return done
}

// waitForLine waits until out holds a line starting with prefix and
// returns the rest of it; it fails when the command ends first.
func waitForLine(t *testing.T, out *lockedBuffer, done <-chan error, prefix string) string {
	t.Helper()
	for {
		for line := range strings.Lines(out.String()) {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				return strings.TrimSpace(rest)
			}
		}
		select {
		case err := <-done:
			t.Fatalf("the demo ended (%v) before %q:\n%s", err, prefix, out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestDemoHarvestsAFederationOnly: one demo runs the federation alone,
// another harvests and serves it, and harvests it again, unchanged, when
// restarted on its data directory.
func TestDemoHarvestsAFederationOnly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var fedOut lockedBuffer
	fedDone := runDemo(ctx, &fedOut, "--federation-only", "--institutions", "3", "--courses-per-institution", "5")
	join := strings.Fields(waitForLine(t, &fedOut, fedDone, "Harvest it from another process: qlink demo "))
	dir := filepath.Join(t.TempDir(), "demo")
	var catalogues []string
	for _, want := range []string{" ok)", "not-modified"} {
		demoCtx, stop := context.WithCancel(ctx)
		var out lockedBuffer
		done := runDemo(demoCtx, &out, append(join, "--data-dir", dir, "--addr", "127.0.0.1:0")...)
		summary := waitForLine(t, &out, done, "Done in ")
		ready := waitForLine(t, &out, done, "Catalogue ready with ")
		if !strings.Contains(summary, want) || strings.Contains(summary, "failed") {
			t.Errorf("harvest: %s; want %s", summary, want)
		}
		catalogues = append(catalogues, strings.Fields(ready)[0])
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if catalogues[0] == "0" || catalogues[0] != catalogues[1] {
		t.Errorf("catalogue of %s courses, then %s", catalogues[0], catalogues[1])
	}
	// The federation stopped and started again on its ports serves the
	// same: the data directory refreshes from it, finding nothing changed.
	cancel()
	if err := <-fedDone; err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	var fedAgain lockedBuffer
	fedDone = runDemo(ctx, &fedAgain, append([]string{"--federation-only", "--institutions", "3", "--courses-per-institution", "5"},
		join...)...)
	if again := strings.Fields(waitForLine(t, &fedAgain, fedDone, "Harvest it from another process: qlink demo ")); !slices.Equal(again, join) {
		t.Fatalf("started again on %v, was %v", again, join)
	}
	var out lockedBuffer
	done := runDemo(ctx, &out, append(join, "--data-dir", dir, "--addr", "127.0.0.1:0")...)
	if summary := waitForLine(t, &out, done, "Done in "); !strings.Contains(summary, "not-modified") || strings.Contains(summary, "failed") {
		t.Errorf("refresh from the federation started again: %s", summary)
	}
	cancel()
	if err := errors.Join(<-done, <-fedDone); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--federation-only", "--federation-dns", "10.0.0.1:53"},
		{"--federation-dns", "127.0.0.1:53"},
		{"--federation-dns", "127.0.0.1:53", "--federation-port", "80", "--institutions", "9"},
	} {
		var out bytes.Buffer
		if err := <-runDemo(context.Background(), &out, args...); err == nil || !strings.Contains(err.Error(), "--federation-") {
			t.Errorf("%v: got %v, want a refusal", args, err)
		}
	}
}
