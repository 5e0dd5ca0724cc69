package blob

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"qlink/internal/store"
)

func TestDirRoundTripAndDedup(t *testing.T) {
	ctx := context.Background()
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	k1, err := d.Put(ctx, []byte(`{"items":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := d.Put(ctx, []byte(`{"items":[]}`))
	if k1 != k2 || len(k1) != 64 {
		t.Fatalf("keys %q %q", k1, k2)
	}
	got, err := d.Get(ctx, k1)
	if err != nil || string(got) != `{"items":[]}` {
		t.Fatalf("Get = %q, %v", got, err)
	}
	missing := "0000000000000000000000000000000000000000000000000000000000000000"
	if _, err := d.Get(ctx, missing); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing blob: %v", err)
	}
	for _, bad := range []string{"../../etc/passwd", "zz", ""} {
		if _, err := d.Get(ctx, bad); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
}

func TestDirDeleteSparesFreshWrites(t *testing.T) {
	ctx := context.Background()
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	key, _ := d.Put(ctx, []byte("page"))
	before := time.Now().Add(-time.Hour)
	if deleted, err := d.Delete(ctx, key, before); err != nil || deleted {
		t.Fatalf("a blob written after the cut-off was deleted: %v %v", deleted, err)
	}
	old := time.Now().Add(-2 * time.Hour)
	p, _ := d.path(key)
	os.Chtimes(p, old, old)
	// Putting the same content again renews it: a run was just given it.
	d.Put(ctx, []byte("page"))
	if deleted, _ := d.Delete(ctx, key, before); deleted {
		t.Fatal("a blob Put again after the cut-off was deleted")
	}
	os.Chtimes(p, old, old)
	var keys []string
	d.Each(ctx, func(k string, _ time.Time) error { keys = append(keys, k); return nil })
	if len(keys) != 1 || keys[0] != key {
		t.Fatalf("Each = %v", keys)
	}
	if deleted, err := d.Delete(ctx, key, before); err != nil || !deleted {
		t.Fatalf("old blob not deleted: %v %v", deleted, err)
	}
	if _, err := d.Get(ctx, key); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted blob still readable: %v", err)
	}
	if deleted, err := d.Delete(ctx, key, time.Now()); err != nil || deleted {
		t.Errorf("deleting a missing blob: %v %v", deleted, err)
	}
}
