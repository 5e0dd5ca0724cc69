package export

import (
	"context"
	"log/slog"
	"time"

	"qlink/internal/store"
)

// Regenerator keeps the dataset files in line with the store: Poke after
// anything that changed courses, and Run regenerates once things have been
// quiet for a while, so a burst of harvests makes one generation. Readers
// are never blocked: files are swapped in whole (see Generate).
type Regenerator struct {
	generate func(context.Context) error
	quiet    time.Duration
	log      *slog.Logger
	// kick holds at most one pending request: pokes while one is pending
	// or a generation runs fold into the next generation.
	kick chan struct{}
}

// NewRegenerator regenerates the dataset of st in dir, quiet after the
// last poke.
func NewRegenerator(st store.Store, dir string, quiet time.Duration, log *slog.Logger) *Regenerator {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Regenerator{quiet: quiet, log: log.With("component", "dataset"), kick: make(chan struct{}, 1)}
	r.generate = func(ctx context.Context) error {
		start := time.Now()
		ms, err := Generate(ctx, st, dir)
		if err == nil {
			r.log.Info("dataset regenerated", "files", len(ms), "courses", allRecords(ms), "took", time.Since(start).Round(time.Millisecond))
		}
		return err
	}
	return r
}

func allRecords(ms []Manifest) int {
	for _, m := range ms {
		if m.Scope.Kind == ScopeAll && m.Format == NQuads {
			return m.Records
		}
	}
	return 0
}

// Poke asks for a regeneration; it never blocks.
func (r *Regenerator) Poke() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Run regenerates after pokes until ctx ends. A failed generation leaves
// the previous files in place and is logged; the next poke tries again.
func (r *Regenerator) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.kick:
		}
		if !r.settle(ctx) {
			return
		}
		if err := r.generate(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("dataset regeneration failed; the previous files stay", "error", err)
		}
	}
}

// settle waits until no poke came for the quiet period; false when ctx
// ended.
func (r *Regenerator) settle(ctx context.Context) bool {
	timer := time.NewTimer(r.quiet)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-r.kick:
			timer.Reset(r.quiet)
		case <-timer.C:
			return true
		}
	}
}
