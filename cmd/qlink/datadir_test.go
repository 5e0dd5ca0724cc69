package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/config"
	"qlink/internal/store/sqlite"
)

// TestInitCreatesAnInstanceOnce: init makes a directory every command
// accepts, with the schema up to date, says what to run next, and refuses
// to run on it again or on a directory holding anything else.
func TestInitCreatesAnInstanceOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "srv", "qlink")
	out, err := run(t, "", "init", "--data-dir", dir)
	if err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	cfg := config.Default()
	cfg.DataDir = dir
	for _, want := range []string{cfg.DatabasePath(), filepath.Join(dir, keysFile), filepath.Join(dir, kekFile),
		"qlink harvest --data-dir " + dir, "qlink serve --data-dir " + dir} {
		if !strings.Contains(out, want) {
			t.Errorf("init output lacks %q:\n%s", want, out)
		}
	}
	if err := checkInstance(cfg); err != nil {
		t.Fatalf("after init: %v", err)
	}
	st, err := sqlite.Open(cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	pending, err := st.Pending(context.Background())
	st.Close()
	if err != nil || pending != 0 {
		t.Errorf("init left %d migrations pending (%v)", pending, err)
	}
	if out, err := run(t, "", "keys", "show", "--data-dir", dir); err != nil || strings.Count(out, "current") != 3 {
		t.Errorf("keys show on the new instance: %v\n%s", err, out)
	}

	_, err = run(t, "", "init", "--data-dir", dir)
	if err == nil || !strings.Contains(err.Error(), dir+" already holds a qlink instance") {
		t.Errorf("init twice: got %v, want a refusal naming %s", err, dir)
	}

	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("someone else's"), 0o600)
	_, err = run(t, "", "init", "--data-dir", other)
	if err == nil || !strings.Contains(err.Error(), other) || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("init on a directory with other files: got %v", err)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 1 {
		t.Errorf("init refused but left %d entries in %s", len(entries), other)
	}
}

// TestCommandsRefuseADirectoryWithoutAnInstance: a mistyped or empty
// --data-dir is refused by name, and nothing is created in it or for it.
func TestCommandsRefuseADirectoryWithoutAnInstance(t *testing.T) {
	commands := [][]string{
		{"serve", "--addr", "127.0.0.1:0"},
		{"harvest", "--registry-url", "providers.json"},
		{"discover", "DEQARINST0001"},
		{"runs", "list"},
		{"runs", "confirm", "1"},
		{"credentials", "list"},
		{"keys", "show"},
		{"keys", "rotate"},
		{"migrate"},
		{"vocab", "refresh"},
	}
	typo := filepath.Join(t.TempDir(), "qlink-dta")
	empty := t.TempDir()
	for _, args := range commands {
		for _, dir := range []string{typo, empty} {
			_, err := run(t, "", append(args, "--data-dir", dir)...)
			if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "qlink init --data-dir "+dir) {
				t.Errorf("%v on %s: got %v, want a refusal naming the directory and qlink init", args, dir, err)
			}
		}
		if _, err := os.Stat(typo); !os.IsNotExist(err) {
			t.Fatalf("%v created %s", args, typo)
		}
		if entries, _ := os.ReadDir(empty); len(entries) > 0 {
			t.Fatalf("%v wrote %s into %s", args, entries[0].Name(), empty)
		}
	}
}

// TestServeInitCreatesOnlyWhenNew: --init makes a new directory an
// instance, uses an existing instance as it is, and still refuses a
// directory holding other files.
func TestServeInitCreatesOnlyWhenNew(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "qlink-data")
	var out strings.Builder
	if err := ensureInstance(context.Background(), cfg, &out); err != nil || !strings.Contains(out.String(), "Created a qlink instance in "+cfg.DataDir) {
		t.Fatalf("new directory: %v\n%s", err, out.String())
	}
	keysBefore, _ := os.ReadFile(filepath.Join(cfg.DataDir, keysFile))
	out.Reset()
	if err := ensureInstance(context.Background(), cfg, &out); err != nil || out.Len() > 0 {
		t.Errorf("existing instance: %v\n%s", err, out.String())
	}
	if keysAfter, _ := os.ReadFile(filepath.Join(cfg.DataDir, keysFile)); string(keysAfter) != string(keysBefore) {
		t.Error("--init on an instance replaced its keys")
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), nil, 0o600)
	cfg.DataDir = other
	if err := ensureInstance(context.Background(), cfg, &out); err == nil || !strings.Contains(err.Error(), other) {
		t.Errorf("foreign directory: got %v", err)
	}
}

// TestDiscoverDomainCreatesNothing: probing a domain with no data
// directory at all leaves none behind (it used to create ./qlink-data).
func TestDiscoverDomainCreatesNothing(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	// A cancelled context: the probes fail at once, offline; what matters
	// is what the command did before probing.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out, err := runContext(ctx, "", "discover", "uni-lindenau.test")
	if err == nil || strings.Contains(err.Error(), "instance") {
		t.Errorf("want the probe's failure, not a refusal: %v", err)
	}
	if !strings.Contains(out, "uni-lindenau.test") {
		t.Errorf("the probes were not reported:\n%s", out)
	}
	if entries, _ := os.ReadDir(wd); len(entries) > 0 {
		t.Errorf("discover <domain> created %s", entries[0].Name())
	}
}

// TestSettingsAndKeysCommandsBesideTheIndexOwner: while another process
// holds the search index (as serve does), the commands that only read
// settings, keys or the database run, and do not wait on its lock.
func TestSettingsAndKeysCommandsBesideTheIndexOwner(t *testing.T) {
	dir := newInstance(t)
	cfg := config.Default()
	cfg.DataDir = dir
	owner, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler), network{})
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	for _, args := range [][]string{
		{"config"},
		{"keys", "show"},
		{"keys", "rotate", "--only", "signing"},
		{"credentials", "list"},
		{"runs", "list"},
		{"migrate"},
	} {
		if out, err := run(t, "", append(args, "--data-dir", dir)...); err != nil {
			t.Errorf("%v beside the index owner: %v\n%s", args, err, out)
		}
	}
	// discover of a provider records to the database alone.
	_, err = run(t, "", "discover", "DEQARINST0001", "--data-dir", dir)
	if err == nil || !strings.Contains(err.Error(), "is not a provider in the registry") {
		t.Errorf("discover beside the index owner: %v", err)
	}
	// harvest writes the index: it hands its work to the owner and returns.
	if out, err := run(t, "", "harvest", "--data-dir", dir); err != nil || !strings.Contains(out, "A qlink server owns") {
		t.Errorf("harvest beside the index owner: %v\n%s", err, out)
	}
}
