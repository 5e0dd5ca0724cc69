package store

import (
	"context"
	"time"
)

// Refreshes keeps what following a refresh needs across processes: the
// progress a harvest records on its run while it goes, and the refreshes
// people asked for on the web.
type Refreshes interface {
	// RecordProgress writes a running run's counts so far (pages, bytes,
	// records, warnings) and when it wrote them. A run that has finished
	// is left alone: its outcome holds the final counts.
	RecordProgress(ctx context.Context, p RunProgress) error
	// AddRefresh records a refresh asked for and returns it with its ID.
	// Only a provider's newest refreshes are kept (refreshesKept).
	AddRefresh(ctx context.Context, r Refresh) (Refresh, error)
	Refresh(ctx context.Context, id int64) (Refresh, error)
	// LatestRefresh returns the newest refresh of a provider; ErrNotFound
	// when none was asked for.
	LatestRefresh(ctx context.Context, providerID string) (Refresh, error)
}

// RunProgress is how far a run in progress has come.
type RunProgress struct {
	RunID int64
	Pages int
	Bytes int64
	// Records counts the records the adapter produced so far.
	Records  int
	Warnings int
	At       time.Time
}

// Refresh is a refresh of a provider someone asked for.
type Refresh struct {
	ID          int64
	ProviderID  string
	RequestedAt time.Time
	// Tag names the queued work in the job queue, to ask whether any of
	// it is left.
	Tag string
	// AfterRunID is the provider's newest run when the refresh was asked
	// for: the refresh's runs come after it.
	AfterRunID int64
}

// RefreshesKept is how many of a provider's refreshes are kept; older
// ones (and their progress pages) are forgotten.
const RefreshesKept = 20
