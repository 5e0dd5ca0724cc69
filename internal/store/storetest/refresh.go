package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"qlink/internal/store"
)

// testRunProgress: a running run's progress shows on its row; once the
// run has finished, a late progress write changes nothing.
func testRunProgress(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	src := mustSource(t, s, "a", "main")
	r, err := s.StartRun(ctx, src.ID, "manual", "", t0)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Run(ctx, r.ID); !got.ProgressAt.IsZero() {
		t.Errorf("a run that recorded no progress has a progress time: %v", got.ProgressAt)
	}
	p := store.RunProgress{RunID: r.ID, Pages: 3, Bytes: 4096, Records: 120, Warnings: 7, At: t0.Add(2 * time.Second)}
	if err := s.RecordProgress(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.Run(ctx, r.ID)
	if err != nil || got.Status != store.RunRunning || got.Pages != 3 || got.Bytes != 4096 || got.Seen != 120 ||
		got.WarningCount != 7 || !got.ProgressAt.Equal(p.At) {
		t.Fatalf("run after progress = %+v, %v", got, err)
	}
	r.Status, r.FinishedAt, r.Pages, r.Seen, r.WarningCount = store.RunOK, t0.Add(time.Minute), 4, 150, 9
	if err := s.FinishRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	p.Pages, p.At = 99, t0.Add(2*time.Minute)
	if err := s.RecordProgress(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Run(ctx, r.ID); got.Pages != 4 || got.Seen != 150 || got.WarningCount != 9 {
		t.Errorf("a late progress write changed a finished run: %+v", got)
	}
}

// testRefreshes: refreshes are kept per provider, newest first, and only
// the newest store.RefreshesKept of each.
func testRefreshes(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a", "b")
	if _, err := s.LatestRefresh(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no refresh yet: %v", err)
	}
	if _, err := s.Refresh(ctx, 12345); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown refresh: %v", err)
	}
	first, err := s.AddRefresh(ctx, store.Refresh{ProviderID: "a", RequestedAt: t0, Tag: "batch-1", AfterRunID: 7})
	if err != nil || first.ID == 0 {
		t.Fatalf("AddRefresh = %+v, %v", first, err)
	}
	if _, err := s.AddRefresh(ctx, store.Refresh{ProviderID: "b", RequestedAt: t0.Add(time.Minute), Tag: "batch-b"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Refresh(ctx, first.ID)
	if err != nil || got.ProviderID != "a" || got.Tag != "batch-1" || got.AfterRunID != 7 || !got.RequestedAt.Equal(t0) {
		t.Fatalf("Refresh(%d) = %+v, %v", first.ID, got, err)
	}
	var last store.Refresh
	for i := range store.RefreshesKept {
		last, err = s.AddRefresh(ctx, store.Refresh{ProviderID: "a", RequestedAt: t0.Add(time.Duration(i+1) * time.Hour), Tag: "batch-n"})
		if err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.LatestRefresh(ctx, "a"); err != nil || got.ID != last.ID {
		t.Errorf("LatestRefresh(a) = %+v, %v; want %d", got, err, last.ID)
	}
	if _, err := s.Refresh(ctx, first.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the oldest of more than %d refreshes is still kept: %v", store.RefreshesKept, err)
	}
	if got, err := s.LatestRefresh(ctx, "b"); err != nil || got.Tag != "batch-b" {
		t.Errorf("another provider's refreshes were touched: %+v, %v", got, err)
	}
}
