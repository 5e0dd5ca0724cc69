package harvest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"

	"qlink/internal/model"
	"qlink/internal/store"
)

// One answer from a source is not enough to empty it: a misconfigured
// server that answers 200 with an empty list, or a filter gone wrong,
// must not wipe an institution from the catalogue. A complete run that
// yields nothing, or would remove more than the allowed share of the
// source's courses, is recorded as suspicious and changes nothing. It is
// applied when the next run sees exactly the same records (the source
// means it) or when an operator confirms it (`qlink runs confirm`), from
// the record set kept with the run: re-adapting snapshots would depend on
// the adapter's paging, the record set does not.

// judge decides whether a complete run may be applied. When it may not,
// it records the run as suspicious with its reason and record set.
func (h *Harvester) judge(ctx context.Context, src store.Source, specs []model.Specification, run *store.Run) (bool, error) {
	var err error
	if run.Digest, err = recordDigest(specs); err != nil {
		return false, err
	}
	live, err := h.Store.CourseIDs(ctx, src.ID, store.StatusActive)
	if err != nil {
		return false, err
	}
	reason := suspicion(live, specs, h.Limits.MaxRemovalPercent)
	if reason == "" {
		return true, nil
	}
	prev, err := h.previousReading(ctx, src.ID, run.ID)
	if err != nil {
		return false, err
	}
	if prev.Status == store.RunSuspicious && prev.Digest == run.Digest {
		run.Reason = fmt.Sprintf("applied: %s, as run %d saw too (seen twice in a row)", reason, prev.ID)
		return true, nil
	}
	if run.RecordsBlob, err = h.putRecords(ctx, specs); err != nil {
		return false, err
	}
	run.Status, run.Reason = store.RunSuspicious, reason
	return false, nil
}

// suspicion says why applying specs over the source's active courses
// would be suspicious, or "" when it is not: "removing" a course makes it
// inactive, which hides it from the catalogue all the same. A source with no courses
// has nothing to lose, whatever it sends.
func suspicion(live []string, specs []model.Specification, maxPercent int) string {
	before := len(live)
	if before == 0 {
		return ""
	}
	if len(specs) == 0 {
		return fmt.Sprintf("the source answered with no courses where %d were published before", before)
	}
	kept := make(map[string]bool, len(specs))
	for _, s := range specs {
		kept[s.ID] = true
	}
	removed := 0
	for _, id := range live {
		if !kept[id] {
			removed++
		}
	}
	if removed*100 <= maxPercent*before {
		return ""
	}
	share := math.Round(float64(removed) * 100 / float64(before))
	return fmt.Sprintf("would remove %d of %d courses (%.0f %%, limit %d %%)", removed, before, share, maxPercent)
}

// recordDigest identifies a record set by its IDs and contents, in any
// order.
func recordDigest(specs []model.Specification) (string, error) {
	lines := make([]string, 0, len(specs))
	for _, s := range specs {
		doc, err := json.Marshal(s)
		if err != nil {
			return "", fmt.Errorf("record %s: %w", s.ID, err)
		}
		sum := sha256.Sum256(doc)
		lines = append(lines, s.ID+"\x00"+hex.EncodeToString(sum[:]))
	}
	slices.Sort(lines)
	sum := sha256.New()
	for _, l := range lines {
		io.WriteString(sum, l+"\n")
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// previousReading returns the source's latest run before runID that read
// the source (failed and interrupted runs say nothing about its content).
func (h *Harvester) previousReading(ctx context.Context, sourceID string, runID int64) (store.Run, error) {
	runs, err := h.Store.FindRuns(ctx, store.RunFilter{SourceID: sourceID, Limit: 50})
	if err != nil {
		return store.Run{}, err
	}
	for _, r := range runs {
		if r.ID < runID && readSource(r.Status) {
			return r, nil
		}
	}
	return store.Run{}, nil
}

func readSource(s store.RunStatus) bool {
	switch s {
	case store.RunOK, store.RunPartial, store.RunNotModified, store.RunSuspicious:
		return true
	}
	return false
}

// putRecords keeps a record set as one compressed blob.
func (h *Harvester) putRecords(ctx context.Context, specs []model.Specification) (string, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(specs); err != nil {
		return "", fmt.Errorf("keeping the run's records: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("keeping the run's records: %w", err)
	}
	h.blobMu.RLock()
	defer h.blobMu.RUnlock()
	return h.Blobs.Put(ctx, buf.Bytes())
}

func (h *Harvester) getRecords(ctx context.Context, key string) ([]model.Specification, error) {
	data, err := h.Blobs.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("records blob %s: %w", key, err)
	}
	var specs []model.Specification
	if err := json.NewDecoder(zr).Decode(&specs); err != nil {
		return nil, fmt.Errorf("records blob %s: %w", key, err)
	}
	return specs, nil
}

// Confirm applies a suspicious run from the records it kept, as if it
// had not been suspicious, and records it as ok. Only the latest run that
// read its source can be confirmed: an older one would bring back stale
// data.
func (h *Harvester) Confirm(ctx context.Context, runID int64) (store.Run, error) {
	run, err := h.Store.Run(ctx, runID)
	if err != nil {
		return run, err
	}
	if run.Status != store.RunSuspicious {
		return run, fmt.Errorf("run %d is %s: only a suspicious run can be confirmed", runID, run.Status)
	}
	later, err := h.Store.FindRuns(ctx, store.RunFilter{SourceID: run.SourceID, Limit: 50})
	if err != nil {
		return run, err
	}
	for _, r := range later {
		if r.ID > runID && readSource(r.Status) {
			return run, fmt.Errorf("run %d is out of date: run %d (%s) read the source since; confirm that one if it is suspicious", runID, r.ID, r.Status)
		}
	}
	if run.RecordsBlob == "" {
		return run, fmt.Errorf("run %d no longer holds its records; run the harvest again", runID)
	}
	src, err := h.Store.Source(ctx, run.SourceID)
	if err != nil {
		return run, err
	}
	provider, err := h.Store.Provider(ctx, src.ProviderID)
	if err != nil {
		return run, err
	}
	specs, err := h.getRecords(ctx, run.RecordsBlob)
	if err != nil {
		return run, fmt.Errorf("run %d: %w", runID, err)
	}
	out := &collector{providerID: provider.ID, publishFor: h.PublishFor[provider.ID], specs: specs, warnings: run.Warnings, count: run.WarningCount}
	if err := h.commit(ctx, src, provider, out, true, &run); err != nil {
		return run, fmt.Errorf("run %d: %w", runID, err)
	}
	records := run.RecordsBlob
	run.Warnings, run.WarningCount = out.warnings, out.count
	run.Status, run.RecordsBlob = store.RunOK, ""
	run.Reason = "applied on operator confirmation: " + run.Reason
	if err := h.Store.FinishRun(ctx, run); err != nil {
		return run, err
	}
	if _, err := h.sweep(ctx, []string{records}); err != nil {
		h.log.Warn("snapshot retention", "run_id", runID, "error", err)
	}
	return run, nil
}
