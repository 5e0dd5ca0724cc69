package blob

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"qlink/internal/store/blob/blobtest"
)

func TestDirContract(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blobtest.Harness {
		d, err := NewDir(filepath.Join(t.TempDir(), "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		age := func(t *testing.T, key string, ago time.Duration) {
			p, err := d.path(key)
			if err != nil {
				t.Fatal(err)
			}
			then := time.Now().Add(-ago)
			if err := os.Chtimes(p, then, then); err != nil {
				t.Fatal(err)
			}
		}
		return blobtest.Harness{Blobs: d, Age: age}
	})
}

// TestDirEachSkipsWhatIsNoBlob: a write in progress (its temporary file)
// and files someone else left are not blobs, and a sweep must not see them.
func TestDirEachSkipsWhatIsNoBlob(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d, err := NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	key, err := d.Put(ctx, []byte("page"))
	if err != nil {
		t.Fatal(err)
	}
	stray := map[string]string{
		filepath.Join(key[:2], ".tmp-123"):               "half a page",
		"README":                                         "not a blob",
		filepath.Join("zz", key):                         "in a directory that is no fan-out",
		filepath.Join("00", key):                         "under the wrong first byte",
		filepath.Join(key[:2], key[:2]+"not-hex-at-all"): "not a key",
	}
	for name, content := range stray {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	if err := d.Each(ctx, func(k string) error { got = append(got, k); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != key {
		t.Errorf("Each = %v, want only %s", got, key)
	}
}
