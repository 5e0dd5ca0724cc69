package storetest

import (
	"context"
	"errors"
	"testing"

	"qlink/internal/store"
)

func testBlocks(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a", "b")
	if _, err := s.ProviderBlock(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unblocked provider: %v", err)
	}
	if err := s.BlockProvider(ctx, store.Block{ProviderID: "a", Reason: "serves malware", By: "op", At: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.BlockProvider(ctx, store.Block{ProviderID: "a", Reason: "asked to be left out", By: "op2", At: t0}); err != nil {
		t.Fatal(err)
	}
	b, err := s.ProviderBlock(ctx, "a")
	if err != nil || b.Reason != "asked to be left out" || b.By != "op2" || !b.At.Equal(t0) {
		t.Errorf("block of a: %+v, %v", b, err)
	}
	if err := s.BlockProvider(ctx, store.Block{ProviderID: "nobody", Reason: "x", At: t0}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("blocking an unknown provider: %v", err)
	}
	all, err := s.ListBlocks(ctx)
	if err != nil || len(all) != 1 || all["a"].Reason == "" {
		t.Errorf("blocks: %+v, %v", all, err)
	}
	if err := s.AllowProvider(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.ListBlocks(ctx); len(all) != 0 {
		t.Errorf("after allowing: %+v", all)
	}
}
