package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records how a test ended instead of ending it.
type recorder struct {
	testing.TB
	failed, skipped bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Skipf(string, ...any)  { r.skipped = true }

func TestAbsentSkipsUnlessRequired(t *testing.T) {
	missing := []string{"no-such-folder-" + filepath.Base(t.TempDir())}

	t.Setenv(RequireEnv, "")
	r := &recorder{TB: t}
	Require(r, missing...)
	if !r.skipped || r.failed {
		t.Errorf("without %s: skipped=%v failed=%v, want a skip", RequireEnv, r.skipped, r.failed)
	}

	t.Setenv(RequireEnv, "1")
	r = &recorder{TB: t}
	ReadFile(r, missing...)
	if !r.failed || r.skipped {
		t.Errorf("with %s=1: skipped=%v failed=%v, want a failure", RequireEnv, r.skipped, r.failed)
	}
}

func TestDirIsBesideTheModule(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("test layout changed: %v", err)
	}
	if want := filepath.Join(root, "..", "shared"); Dir() != want {
		t.Errorf("Dir() = %s, want %s", Dir(), want)
	}
}
