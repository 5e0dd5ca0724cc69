package harvest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// processOwner names this process among those sharing a database: host
// name and process ID for the operator, a random part so that a restarted
// process with the same ID is not taken for its previous life.
func processOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

const interruptedReason = "the process stopped during this run (crash, kill or shutdown); nothing after the last commit was applied"

// InterruptStale marks as interrupted the runs, of any process sharing the
// database, whose heartbeat has been silent for five heartbeats: their
// process died. The scheduler's leader calls it as it plans.
func (h *Harvester) InterruptStale(ctx context.Context) (int, error) {
	return h.Store.InterruptRuns(ctx, h.Now(), interruptedReason, "", time.Now().Add(-h.staleAfter()))
}

// staleAfter is how long a run's heartbeat may be silent before its
// process is taken for dead.
func (h *Harvester) staleAfter() time.Duration { return 5 * h.Heartbeat }

// beat claims a run for this process and records, every heartbeat until
// the returned stop is called, that the process still works it.
func (h *Harvester) beat(ctx context.Context, runID int64, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	record := func() {
		if err := h.Store.HeartbeatRun(ctx, runID, h.Owner, time.Now()); err != nil && ctx.Err() == nil {
			log.Warn("recording the run's heartbeat", "error", err)
		}
	}
	record()
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(h.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				record()
			}
		}
	}()
	return func() { cancel(); <-done }
}
