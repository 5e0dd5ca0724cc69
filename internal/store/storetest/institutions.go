package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"qlink/internal/store"
)

// testInstitutionRecords: a provider's discoveries come newest first and
// bounded, without another provider's; its latest manifest version is the
// one found.
func testInstitutionRecords(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a", "b")
	if ds, err := s.ListDiscoveries(ctx, "a", 10); err != nil || len(ds) != 0 {
		t.Fatalf("no discoveries yet: %v, %v", ds, err)
	}
	if _, err := s.LatestManifest(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no manifest yet: %v", err)
	}
	for i := range 4 {
		d := store.Discovery{ProviderID: "a", StartedAt: t0.Add(time.Duration(i) * time.Hour), Duration: time.Second,
			Error: "no manifest found", Probes: []byte(`[{"step":1}]`)}
		if i == 3 {
			d.Error, d.ManifestURL = "", "https://a.test/m.json"
		}
		if _, err := s.AddDiscovery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddDiscovery(ctx, store.Discovery{ProviderID: "b", StartedAt: t0.Add(9 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ds, err := s.ListDiscoveries(ctx, "a", 3)
	if err != nil || len(ds) != 3 {
		t.Fatalf("ListDiscoveries(a, 3) = %d, %v; want 3", len(ds), err)
	}
	if !ds[0].StartedAt.Equal(t0.Add(3*time.Hour)) || ds[0].ManifestURL != "https://a.test/m.json" || ds[0].Duration != time.Second ||
		string(ds[0].Probes) != `[{"step":1}]` || ds[0].ProviderID != "a" {
		t.Errorf("newest discovery = %+v", ds[0])
	}
	if !ds[2].StartedAt.Equal(t0.Add(time.Hour)) || ds[2].Error != "no manifest found" {
		t.Errorf("third discovery = %+v", ds[2])
	}
	mustSource(t, s, "a", `{"v":1}`)
	later := store.Manifest{ProviderID: "a", URL: "https://a.test/m2.json", FetchedAt: t0.Add(time.Hour), Body: []byte(`{"v":2}`)}
	if _, err := s.SyncManifest(ctx, later, []store.Source{{Key: "k", Type: "elm", URL: "https://a.test/c.ttl"}}); err != nil {
		t.Fatal(err)
	}
	m, err := s.LatestManifest(ctx, "a")
	if err != nil || m.URL != later.URL || string(m.Body) != `{"v":2}` || !m.FetchedAt.Equal(later.FetchedAt) || m.ProviderID != "a" {
		t.Errorf("LatestManifest = %+v, %v", m, err)
	}
}
