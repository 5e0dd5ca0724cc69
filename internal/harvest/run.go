package harvest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"qlink/internal/model"

	"qlink/internal/source"
	"qlink/internal/store"
)

// collector is the Emitter of one run: it keeps specifications in order,
// drops duplicates and counts warnings.
type collector struct {
	providerID string
	// publishFor are the other providers the operator allowed this
	// source to publish courses for.
	publishFor []string
	// maxRecords and stop enforce the records budget (stop nil: none).
	maxRecords int
	stop       context.CancelCauseFunc
	specs      []model.Specification
	seen       map[string]bool
	warnings   []store.Warning
	count      int
	// progress follows the records and warnings as they come.
	progress *runProgress
}

func (c *collector) Spec(s model.Specification) {
	if c.seen[s.ID] {
		c.Warn(source.Warning{Record: s.ID, Message: "published twice in this source; the first copy is kept"})
		return
	}
	// Policy: a source publishes for its own institution only, or for the
	// ones the operator allowed.
	if s.PublisherID != c.providerID && !slices.Contains(c.publishFor, s.PublisherID) {
		if s.PublisherID != "" {
			c.Warn(source.Warning{Record: s.ID, Field: "publisher", Message: fmt.Sprintf(
				"claims publisher %q; a source may only publish its own institution's courses (an operator can allow it with harvest-publish-for)", s.PublisherID)})
		}
		s.PublisherID = c.providerID
	}
	if c.stop != nil && len(c.specs) >= c.maxRecords {
		c.stop(&BudgetError{What: fmt.Sprintf("the source yielded more than %d records", c.maxRecords), Setting: "harvest-max-records"})
		return
	}
	// Offerings in a canonical order: a source that publishes the same
	// offerings in another order (an RDF file serialised afresh) has not
	// changed the course, and the catalogue orders them for display.
	slices.SortStableFunc(s.Instances, func(a, b model.Instance) int { return cmp.Compare(a.ID, b.ID) })
	c.seen[s.ID] = true
	c.specs = append(c.specs, s)
	c.progress.record()
}

func (c *collector) Warn(w source.Warning) {
	c.count++
	if len(c.warnings) < maxStoredWarnings {
		c.warnings = append(c.warnings, store.Warning{Record: w.Record, Field: w.Field, Message: w.Message})
	}
	c.progress.warned()
}

// Source harvests one source and returns its run record. The error is
// non-nil only when the run could not be recorded at all; a failed
// harvest is a run with status failed. A blocked provider's source is not
// run (ErrBlocked).
func (h *Harvester) Source(ctx context.Context, src store.Source, trigger string) (store.Run, error) {
	defer h.work()()
	if err := h.Blocked(ctx, src.ProviderID); err != nil {
		return store.Run{}, err
	}
	hist, err := h.runHistory(ctx, src.ID, math.MaxInt64)
	if err != nil {
		return store.Run{}, err
	}
	since := deltaSince(src, hist, h.Now())
	if !since.IsZero() {
		trigger += deltaSuffix
	}
	run, err := h.Store.StartRun(ctx, src.ID, trigger, h.Owner, h.Now())
	if err != nil {
		return run, err
	}
	log := h.log.With("source_id", src.ID, "provider_id", src.ProviderID, "run_id", run.ID)
	h.mu.Lock()
	h.inflight[run.ID] = time.Now()
	h.mu.Unlock()
	defer h.beat(ctx, run.ID, log)()
	defer func() {
		h.mu.Lock()
		delete(h.inflight, run.ID)
		h.mu.Unlock()
	}()
	herr := h.harvest(ctx, src, hist, since, &run)
	run.FinishedAt = h.Now()
	if herr != nil {
		run.Error = herr.Error()
		log.Warn("harvest incomplete", "status", run.Status, "error", herr)
	}
	// Record the outcome even when the caller's context is done.
	if err := h.Store.FinishRun(context.WithoutCancel(ctx), run); err != nil {
		return run, err
	}
	if h.RunFinished != nil {
		h.RunFinished(run.Status)
	}
	log.Info("harvested", "status", run.Status, "courses", run.Seen, "added", run.Added, "updated", run.Updated,
		"removed", run.Removed, "warnings", run.WarningCount, "pages", run.Pages, "reason", run.Reason)
	// Retention is housekeeping: a failure is logged, never the run's.
	if err := h.pruneSnapshots(context.WithoutCancel(ctx), src.ID); err != nil {
		log.Warn("snapshot retention", "error", err)
	}
	return run, nil
}

func (h *Harvester) harvest(ctx context.Context, src store.Source, hist runHistory, since time.Time, run *store.Run) error {
	run.Status = store.RunFailed
	provider, err := h.Store.Provider(ctx, src.ProviderID)
	if err != nil {
		return err
	}
	entry, err := sourceEntry(src)
	if err != nil {
		return err
	}
	adapter, ok := h.Adapters[src.Type]
	if !ok {
		return fmt.Errorf("no adapter for source type %q", src.Type)
	}
	// The provider comes from the registry record, never from the
	// manifest, so a manifest cannot borrow another institution's
	// out-of-band credentials.
	authn, err := h.authenticator(ctx, provider.ID, entry)
	if err != nil {
		return err
	}
	// A run over budget is stopped through its context; the cause says
	// which budget.
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	get, err := newPageGetter(h, run.ID, entry, authn, adapter)
	if err != nil {
		return err
	}
	get.stop = stop
	progress := newRunProgress(ctx, h, run.ID)
	get.progress = progress
	if get.last, err = h.Store.LastPages(ctx, src.ID); err != nil {
		return err
	}
	if since.IsZero() {
		if prev, ok := unchangedSince(get.last, hist); ok {
			same, err := get.revalidateAll(ctx)
			if same || err != nil {
				run.Pages, run.Bytes, _ = get.totals()
				run.PagesOf = get.pagesOf
				if ferr := get.flush(context.WithoutCancel(ctx)); ferr != nil || err != nil {
					return errors.Join(err, ferr)
				}
				return h.notModified(ctx, src, provider, prev, run)
			}
		}
	}
	out := &collector{providerID: provider.ID, publishFor: h.PublishFor[provider.ID], seen: map[string]bool{},
		maxRecords: h.Limits.MaxRecords, stop: stop, progress: progress}
	defer func() { run.Warnings, run.WarningCount = out.warnings, out.count }()
	cfg := source.Config{URL: entry.Path, Version: entry.Version, PageSize: entry.PageSize, ContentType: entry.ContentType,
		MaxPages: h.MaxPages, Provider: provider, Now: h.Now(), Since: since}
	aerr := adapter.Harvest(ctx, cfg, get, out)
	if err := get.flush(context.WithoutCancel(ctx)); err != nil {
		return errors.Join(aerr, err)
	}
	var notModified int
	run.Pages, run.Bytes, notModified = get.totals()
	run.Seen = len(out.specs)
	if berr := budgetCause(ctx); berr != nil {
		return berr // over budget: whatever was read is not trusted
	}
	if aerr != nil && len(out.specs) == 0 {
		return aerr // nothing read: leave the stored courses alone
	}
	// A delta run read only what changed: it must not remove the rest.
	complete := aerr == nil && since.IsZero()
	if prev, ok := unchangedSince(get.last, hist); complete && ok && get.sameAsLast() {
		return h.notModified(ctx, src, provider, prev, run)
	}
	if complete {
		apply, err := h.judge(ctx, src, out.specs, run)
		if err != nil || !apply {
			return err
		}
	}
	if err := h.commit(ctx, src, provider, out, complete, run); err != nil {
		return errors.Join(aerr, err)
	}
	switch {
	case aerr != nil:
		run.Status = store.RunPartial
	case run.Pages > 0 && notModified == run.Pages:
		run.Status = store.RunNotModified
	default:
		run.Status = store.RunOK
	}
	return aerr
}

// commit checks the run's specifications, stores them with their
// quality reports and brings the index in line; courses another source
// already publishes become warnings of the run.
func (h *Harvester) commit(ctx context.Context, src store.Source, p model.Provider, out *collector,
	complete bool, run *store.Run) error {
	reports, err := h.checkQuality(src, p, out.specs, run)
	if err != nil {
		return err
	}
	ch, err := h.Store.ApplyCourses(ctx, src.ID, run.ID, out.specs, complete, h.Now(), reports)
	if err != nil {
		return err
	}
	run.Added, run.Updated, run.Unchanged, run.Removed, run.Conflicts = len(ch.Added), len(ch.Updated), len(ch.Unchanged), len(ch.Removed), len(ch.Conflicts)
	for _, id := range ch.Conflicts {
		out.Warn(source.Warning{Record: id, Message: "already published by another source; ignored"})
	}
	// ApplyCourses wrote the reports of the courses it wrote; those it
	// left as they were may have a new one all the same (the checks
	// changed).
	unchanged := make(map[string]store.CourseQuality, len(ch.Unchanged))
	for _, id := range ch.Unchanged {
		if r, ok := reports[id]; ok {
			unchanged[id] = r
		}
	}
	if len(unchanged) > 0 {
		if err := h.Store.SetCourseQuality(ctx, src.ID, unchanged); err != nil {
			return err
		}
	}
	return h.syncIndex(ctx, src.ID, map[string]model.Provider{p.ID: p}, holdSpecs(out.specs, ch.Hashes, p.ID))
}
