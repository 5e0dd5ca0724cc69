package harvest

import (
	"context"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// A refresh should cost what changed, not what the source holds. Two
// ways get there: a source whose every page answers 304 (or the same
// bytes) is not adapted, diffed nor indexed at all; an Edu-API source is
// asked only for what changed since the last complete run. A delta never
// sees deletions, so a full run comes at least every fullRunEvery.

// fullRunEvery is the longest an Edu-API source goes without a full
// (non-delta) run, so that withdrawn courses become inactive.
const fullRunEvery = 7 * 24 * time.Hour

// deltaSuffix marks the trigger of a delta run ("schedule+delta"): the
// run read only what changed, so it removed nothing.
const deltaSuffix = "+delta"

// IsDelta reports whether a run was a delta harvest.
func IsDelta(r store.Run) bool { return strings.HasSuffix(r.Trigger, deltaSuffix) }

// TriggerOf says what started a run ("schedule", "manual", …), whether it
// read the whole source or a delta.
func TriggerOf(r store.Run) string { return strings.TrimSuffix(r.Trigger, deltaSuffix) }

// runHistory is what the incremental decisions need of a source's past runs.
type runHistory struct {
	// complete is the latest run that read the whole source or a whole
	// delta (ok or not-modified); full the latest such run that was no delta.
	complete, full store.Run
	byID           map[int64]store.Run
}

// historyLimit bounds how many past runs are read; a source refreshed
// more often than that within fullRunEvery gets a full run sooner.
const historyLimit = 500

func (h *Harvester) runHistory(ctx context.Context, sourceID string, before int64) (runHistory, error) {
	runs, err := h.Store.FindRuns(ctx, store.RunFilter{SourceID: sourceID, Limit: historyLimit})
	if err != nil {
		return runHistory{}, err
	}
	hist := runHistory{byID: make(map[int64]store.Run, len(runs))}
	for _, r := range runs {
		if r.ID >= before {
			continue
		}
		hist.byID[r.ID] = r
		if r.Status != store.RunOK && r.Status != store.RunNotModified {
			continue
		}
		if hist.complete.ID == 0 {
			hist.complete = r
		}
		if hist.full.ID == 0 && !IsDelta(r) {
			hist.full = r
		}
	}
	return hist, nil
}

// deltaSince returns the time an Edu-API source's run asks for changes
// since, or zero for a full run: other formats, a source never read in
// full, or a full run older than fullRunEvery.
func deltaSince(src store.Source, hist runHistory, now time.Time) time.Time {
	if src.Type != "edu-api" || hist.full.ID == 0 || now.Sub(hist.full.StartedAt) >= fullRunEvery {
		return time.Time{}
	}
	return hist.complete.StartedAt
}

// unchangedSince returns the run whose pages the getter revalidated when
// that run read the whole source (no delta): only then does "every page
// unchanged" mean "the source is as that run saw it".
func unchangedSince(last map[string]store.RunPage, hist runHistory) (store.Run, bool) {
	for _, p := range last {
		prev, ok := hist.byID[p.RunID]
		ok = ok && !IsDelta(prev) && (prev.Status == store.RunOK || prev.Status == store.RunNotModified)
		return prev, ok
	}
	return store.Run{}, false
}

// notModified closes a run whose source is unchanged since prev: the
// courses are not rewritten, only marked seen, and the run carries prev's
// counts and warnings. The index only catches up on any backlog.
func (h *Harvester) notModified(ctx context.Context, src store.Source, p model.Provider, prev store.Run, run *store.Run) error {
	if err := h.Store.MarkSeen(ctx, src.ID, h.Now()); err != nil {
		return err
	}
	run.Seen, run.Conflicts, run.Digest = prev.Seen, prev.Conflicts, prev.Digest
	run.Unchanged = prev.Added + prev.Updated + prev.Unchanged
	run.Warnings, run.WarningCount = prev.Warnings, prev.WarningCount
	// The records are prev's, so is their quality: the trend goes on
	// without checking them again.
	run.Quality = prev.Quality
	run.Status = store.RunNotModified
	return h.syncIndex(ctx, src.ID, map[string]model.Provider{p.ID: p}, heldSpecs{})
}
