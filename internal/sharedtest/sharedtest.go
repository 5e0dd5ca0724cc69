// Package sharedtest locates the team's shared folder (../shared beside the
// repository: sample payloads and conformance suites) for tests, and decides
// in one place what a test does when it is absent.
//
// A developer's machine may lack the folder, so tests skip, saying why. CI
// sets QLINK_REQUIRE_SHARED=1, and then a missing folder or file fails the
// test instead: a suite that silently stopped running would look green.
package sharedtest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// RequireEnv is the environment variable that turns skips into failures.
const RequireEnv = "QLINK_REQUIRE_SHARED"

// Dir returns ../shared next to the module root. It may not exist.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Dir(file)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return filepath.Join("..", "shared")
		}
		dir = parent
	}
}

// Path joins elem under Dir.
func Path(elem ...string) string {
	return filepath.Join(append([]string{Dir()}, elem...)...)
}

// Require returns Path(elem...) when it exists; otherwise it calls Absent.
func Require(t testing.TB, elem ...string) string {
	t.Helper()
	path := Path(elem...)
	if _, err := os.Stat(path); err != nil {
		Absent(t, "%v", err)
	}
	return path
}

// ReadFile reads Path(elem...), calling Absent when it cannot.
func ReadFile(t testing.TB, elem ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(Path(elem...))
	if err != nil {
		Absent(t, "%v", err)
	}
	return data
}

// Absent ends the test because shared material it needs is missing: a skip
// normally, a failure when RequireEnv is set.
func Absent(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf("shared folder required (%s=1) but absent: "+format, append([]any{RequireEnv}, args...)...)
		return
	}
	t.Skipf("shared folder absent, skipping: "+format, args...)
}

// Required reports whether RequireEnv asks for the shared folder.
func Required() bool { return os.Getenv(RequireEnv) == "1" }
