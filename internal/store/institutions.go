package store

import "context"

// InstitutionRecords reads what an institution's page shows beyond its
// registry entry and sources: how discovery went over time and the
// manifest it found.
type InstitutionRecords interface {
	// ListDiscoveries returns a provider's discoveries, newest first, at
	// most limit of them.
	ListDiscoveries(ctx context.Context, providerID string, limit int) ([]Discovery, error)
	// LatestManifest returns the newest version of a provider's manifest;
	// its FetchedAt is when that version was first fetched (an unchanged
	// manifest is not stored again).
	LatestManifest(ctx context.Context, providerID string) (Manifest, error)
}
