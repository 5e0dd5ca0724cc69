package harvest

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"qlink/internal/fetch"
	"qlink/internal/store"
)

// progressEvery is the least time between two progress writes of a run:
// often enough for a person watching, rare enough to cost the database
// nothing worth measuring. The run's outcome writes the final counts.
const progressEvery = time.Second

// runProgress counts what a run has read so far and writes it to the
// run's row, so that a page served by any process can follow the run.
// Its pages count the answers to the run's requests. The page getter and the collector
// report to it; adapters may call both
// from several goroutines, hence the atomics. A nil *runProgress (qlink
// check, which stores nothing) ignores every report.
type runProgress struct {
	h     *Harvester
	ctx   context.Context
	runID int64

	pages, bytes, records, warnings atomic.Int64

	// mu makes writes one at a time and in order, so that a slower
	// write never replaces newer counts.
	mu        sync.Mutex
	lastWrite time.Time
}

func newRunProgress(ctx context.Context, h *Harvester, runID int64) *runProgress {
	return &runProgress{h: h, ctx: context.WithoutCancel(ctx), runID: runID}
}

// answered reports a request answered (nil: it failed without an
// answer), counted as a page as soon as it comes, so that a run
// revalidating its pages shows progress too. A page that was not
// modified cost no transfer.
func (p *runProgress) answered(resp *fetch.Response) {
	if p == nil || resp == nil {
		return
	}
	p.pages.Add(1)
	if !resp.NotModified {
		p.bytes.Add(int64(len(resp.Body)))
	}
	p.maybeWrite()
}

// record reports a record kept.
func (p *runProgress) record() {
	if p == nil {
		return
	}
	p.records.Add(1)
	p.maybeWrite()
}

// warned reports a warning.
func (p *runProgress) warned() {
	if p == nil {
		return
	}
	p.warnings.Add(1)
	p.maybeWrite()
}

// maybeWrite writes the counts unless the last write is too recent. The
// harvest's clock decides, so that tests can move it. A failed write is
// logged and never the run's failure: progress is for watching only.
func (p *runProgress) maybeWrite() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.h.Now()
	if !p.lastWrite.IsZero() && now.Sub(p.lastWrite) < progressEvery {
		return
	}
	p.lastWrite = now
	err := p.h.Store.RecordProgress(p.ctx, store.RunProgress{RunID: p.runID, Pages: int(p.pages.Load()), Bytes: p.bytes.Load(),
		Records: int(p.records.Load()), Warnings: int(p.warnings.Load()), At: now})
	if err != nil {
		p.h.log.Warn("recording progress", "run_id", p.runID, "error", err)
	}
}
