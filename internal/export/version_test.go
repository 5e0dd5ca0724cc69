package export

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
	"qlink/internal/store/sqlite"
)

// outputDigests holds the digest of the dataset files made from the store
// of TestVersionFollowsTheOutput, by Version. serve keeps the files of an
// earlier run when their stamp, which carries Version, is current: output
// that changes under the same Version would stay stale.
var outputDigests = map[string]string{
	"1": "7c95bcf105feaf1d41f405271d8c0ddfe258b5dbec9d849ed543fd0673c4cf60",
	// 2: courses by institution, then by ID (before: by ID); the store
	// holds a course whose ID sorts before the first institution's.
	"2": "9bfc6a5bbbe461f498b4b323a1b72b94a66c199154e06521328f62972a4aca0f",
}

// TestVersionFollowsTheOutput fails when the files made from one fixed
// store change while Version stays: bump Version and record the new
// digest above.
func TestVersionFollowsTheOutput(t *testing.T) {
	got := outputDigest(t)
	if want := outputDigests[Version]; got != want {
		t.Fatalf("the dataset's files changed under Version %q: set Version to the next number and record its digest %s in outputDigests", Version, got)
	}
}

// outputDigest generates the dataset of a store written at fixed times and
// digests every file's content, uncompressed, in name order.
func outputDigest(t *testing.T) string {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "db"))
	must(t, err)
	defer st.Close()
	must(t, st.Migrate(ctx))
	must(t, st.UpsertProviders(ctx, testProviders))
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, p := range []string{"P1", "P2"} {
		srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: p, URL: "https://" + p + ".test/m", FetchedAt: at, Body: []byte(p)},
			[]store.Source{{Key: "k", Type: "ooapi", URL: "https://" + p + ".test/"}})
		must(t, err)
		specs := []model.Specification{course(p, "A", "Data science, \"quoted\"", 2), course(p, "B", "=SUM(A1)", 1)}
		specs[1].Description = model.Text{"en": "A description\nover two lines", "de": "Eine Beschreibung"}
		if p == "P2" { // a course whose ID sorts before P1's: the files list courses by institution
			early := course(p, "E", "Early", 0)
			early.ID = "urn:schac:uniqueCourseId:a.test:E"
			specs = append(specs, early)
		}
		_, err = st.ApplyCourses(ctx, srcs[0].ID, 0, specs, true, at, nil)
		must(t, err)
	}
	dir := t.TempDir()
	ms, err := Generate(ctx, st, dir)
	must(t, err)
	h := sha256.New()
	for _, m := range ms { // in a fixed order (ReadManifests)
		data := gunzip(t, filepath.Join(dir, m.File))
		h.Write([]byte(m.File + "\x00"))
		h.Write(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")))
	}
	return hex.EncodeToString(h.Sum(nil))
}
