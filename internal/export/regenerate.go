package export

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	dir      string
	stamp    func(context.Context) (string, error)
	// kick holds at most one pending request: pokes while one is pending
	// or a generation runs fold into the next generation.
	kick chan struct{}
}

// stampFile holds the stamp of the last complete generation: what the
// files were made from, in the words of the stamp function (for serve:
// Version, the providers and the latest harvest that changed courses).
// Regenerating a million courses takes minutes of CPU, which a restart
// with nothing changed should not cost.
const stampFile = "generation.stamp"

// Version numbers what the dataset's files hold for a given store: a change
// to what they say or how makes the next number, so that serve rewrites
// files an earlier build made (TestVersionFollowsTheOutput holds it to the
// output).
const Version = "2"

// NewRegenerator regenerates the dataset of st in dir, quiet after the
// last poke. stamp, when not nil, says what a generation is made from;
// PokeIfStale compares it with the last generation's.
func NewRegenerator(st store.Store, dir string, quiet time.Duration, stamp func(context.Context) (string, error), log *slog.Logger) *Regenerator {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Regenerator{quiet: quiet, log: log.With("component", "dataset"), dir: dir, stamp: stamp, kick: make(chan struct{}, 1)}
	r.generate = func(ctx context.Context) error {
		start := time.Now()
		// The stamp is taken before the store is read, so a change made
		// during the generation makes it stale; and removed first, since
		// a generation cut short leaves files of two states.
		stamp, serr := r.currentStamp(ctx)
		if err := os.Remove(r.stampPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		ms, err := Generate(ctx, st, dir)
		if err != nil {
			return err
		}
		r.log.Info("dataset regenerated", "files", len(ms), "courses", allRecords(ms), "took", time.Since(start).Round(time.Millisecond))
		if serr != nil {
			r.log.Warn("the dataset's stamp is unknown; it is regenerated at the next start", "error", serr)
			return nil
		}
		return writeFileAtomic(r.stampPath(), []byte(stamp))
	}
	return r
}

func (r *Regenerator) stampPath() string { return filepath.Join(r.dir, stampFile) }

func (r *Regenerator) currentStamp(ctx context.Context) (string, error) {
	if r.stamp == nil {
		return "", errors.New("export: no stamp function")
	}
	return r.stamp(ctx)
}

// PokeIfStale asks for a regeneration unless the last complete generation
// was made from what the store holds now (its stamp is the current one).
// It reports whether it asked.
func (r *Regenerator) PokeIfStale(ctx context.Context) bool {
	want, err := r.currentStamp(ctx)
	if err != nil {
		r.log.Warn("regenerating the dataset: its stamp is unknown", "error", err)
		r.Poke()
		return true
	}
	got, err := os.ReadFile(r.stampPath())
	if err == nil && string(got) == want {
		r.log.Info("the dataset's files are in line with the store; not regenerated")
		return false
	}
	reason := "no complete generation recorded"
	if err == nil {
		reason = "changed: " + strings.Join(changedLines(string(got), want), "; ")
	}
	r.log.Info("regenerating the dataset", "reason", reason)
	r.Poke()
	return true
}

// changedLines lists the lines of stamp want that stamp got lacks.
func changedLines(got, want string) []string {
	had := strings.Split(got, "\n")
	var out []string
	for line := range strings.SplitSeq(want, "\n") {
		if line != "" && !slices.Contains(had, line) {
			out = append(out, line)
		}
	}
	return out
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
