package blob

import (
	"context"
	"errors"
	"testing"

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
