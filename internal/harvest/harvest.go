// Package harvest is qlink's one orchestrator. For a provider it runs
// discovery and records the manifest's sources; for a source it runs one
// harvest: fetch (every page kept as a raw snapshot) → adapt → ownership
// check → diff against the store → commit → index. It records a run with
// counts, warnings and errors, and reports progress as it goes.
//
// A failed source never stops the others, and a run that could not read
// its whole source never removes anything already stored.
package harvest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"qlink/internal/discovery"
	"qlink/internal/fetch"
	"qlink/internal/fetch/auth"
	"qlink/internal/search"
	"qlink/internal/source"
	"qlink/internal/store"
)

// Fetcher performs outbound requests; *fetch.Client satisfies it.
type Fetcher interface {
	Get(ctx context.Context, req fetch.Request) (*fetch.Response, error)
}

// Options wires a Harvester.
type Options struct {
	Store      store.Store
	Blobs      store.Blobs
	Index      search.Index
	Fetcher    Fetcher
	Discoverer *discovery.Discoverer
	// Adapters maps manifest source types to their adapters.
	Adapters map[string]source.Adapter
	// Auth is what access control needs: the aggregator's keys, the
	// operator's out-of-band credentials, the guarded HTTP client for
	// token requests. Without keys, protected sources fail with a reason.
	Auth     auth.Deps
	MaxPages int
	// Limits bound each run and provider; zero fields take the defaults.
	Limits Limits
	// PublishFor lists, by provider ID, the other providers whose courses
	// the operator allowed that provider's sources to publish (an alliance
	// for its members, a faculty's own registry entry). A source's claim
	// of any other publisher is refused.
	PublishFor map[string][]string
	Logger     *slog.Logger
	// Now returns the current time; tests fix it.
	Now func() time.Time
	// Owner names this process in the runs it records, so that processes
	// sharing a database tell their runs apart. Default: host name,
	// process ID and a random part.
	Owner string
	// Shared says that other processes share the store (PostgreSQL): runs
	// left running are then taken for dead by their heartbeat, not at
	// start-up.
	Shared bool
	// Heartbeat is how often a run in progress records that its process
	// is alive. A run silent for five heartbeats belongs to a process
	// that died: a process starting marks it interrupted, and the
	// snapshot sweep no longer waits for it. Default: one minute.
	Heartbeat time.Duration
	// RunFinished, when set, is told the outcome of every source run once
	// it is recorded: the operator's metrics count runs through it.
	RunFinished func(store.RunStatus)
	// Busy, when set, is told true when the harvester starts working
	// (a harvest of all providers, or a source's run, with none under way)
	// and false when it has finished everything it started: qlink paces
	// the garbage collector for a harvest's allocation rate with it.
	// It is called with the harvester's lock held, in order.
	Busy func(busy bool)
}

// Harvester runs discovery and harvests.
type Harvester struct {
	Options
	log *slog.Logger

	// blobMu orders snapshot writes (read side) before blob sweeps (write
	// side), and inflight holds the wall-clock start of each run in
	// progress: a sweep spares blobs written since the oldest, which a
	// run may have been handed but not yet recorded.
	blobMu   sync.RWMutex
	mu       sync.Mutex
	inflight map[int64]time.Time
	working  int // harvests and runs under way, for Busy
}

// New returns a Harvester.
func New(o Options) *Harvester {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 10000
	}
	o.Limits = o.Limits.withDefaults()
	if o.Owner == "" {
		o.Owner = processOwner()
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = time.Minute
	}
	return &Harvester{Options: o, log: o.Logger.With("component", "harvest"), inflight: map[int64]time.Time{}}
}

// work counts a harvest or run under way until the returned func is
// called; the first to start and the last to end tell Busy.
func (h *Harvester) work() (done func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.working++; h.working == 1 && h.Busy != nil {
		h.Busy(true)
	}
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.working--; h.working == 0 && h.Busy != nil {
			h.Busy(false)
		}
	}
}

// maxStoredWarnings caps the warnings kept per run; all are counted.
const maxStoredWarnings = 200

// EventKind says what happened.
type EventKind string

// Progress events.
const (
	EventDiscovered      EventKind = "discovered"
	EventDiscoveryFailed EventKind = "discovery-failed"
	EventSourceStarted   EventKind = "source-started"
	EventSourceDone      EventKind = "source-done"
)

// Event reports progress.
type Event struct {
	Kind       EventKind
	ProviderID string
	// Provider is the provider's display name.
	Provider string
	Source   store.Source
	Sources  int
	Run      store.Run
	Err      error
}

func (e Event) String() string {
	switch e.Kind {
	case EventDiscovered:
		return fmt.Sprintf("%s: manifest found, %s", e.Provider, Count(e.Sources, "source"))
	case EventDiscoveryFailed:
		return fmt.Sprintf("%s: %v", e.Provider, e.Err)
	case EventSourceStarted:
		return fmt.Sprintf("%s: harvesting %s %s", e.Provider, e.Source.Type, e.Source.URL)
	}
	r := e.Run
	line := fmt.Sprintf("%s: %s %s — %s (%d new, %d changed, %d removed), %s, %s in %s",
		e.Provider, e.Source.Type, r.Status, Count(r.Seen, "course"), r.Added, r.Updated, r.Removed, Count(r.WarningCount, "warning"), Count(r.Pages, "page"),
		r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond))
	switch {
	case r.Status == store.RunSuspicious:
		line += fmt.Sprintf("\n            run %d not applied: %s (applied if the next run sees the same; or: qlink runs confirm %d)", r.ID, r.Reason, r.ID)
	case r.Reason != "":
		line += "\n            " + r.Reason
	}
	return line
}
