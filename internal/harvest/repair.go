package harvest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/store"
)

// The store commits first and the index follows, so a crash between the
// two leaves the index behind. Each course records the state the index
// holds (indexed_hash: content and status), set only after the index
// write succeeded; every harvest and every start-up index what lags
// behind, so the two heal. Inactive courses stay in the index with their
// status; only documents the store has no course for are deleted.

// indexBatch is how many courses are read and indexed at a time: as many
// as the index puts in one segment, so that a source of a thousand courses
// makes one segment rather than two and bleve's merger has less to redo
// (a fifth of its CPU in a first harvest).
const indexBatch = 1000

// syncIndex brings the index in line with the store for one source (all
// sources when sourceID is empty). held holds what a run has just stored,
// so that it need not be read back.
func (h *Harvester) syncIndex(ctx context.Context, sourceID string, providers map[string]model.Provider, held heldSpecs) error {
	b, err := h.Store.IndexBacklog(ctx, sourceID)
	if err != nil {
		return err
	}
	return h.applyBacklog(ctx, b, providers, held)
}

// SyncIndex indexes what the store records the index lags behind on, for
// every source: changes made outside a harvest run, such as alliance
// membership. Only the process that owns the index may call it.
func (h *Harvester) SyncIndex(ctx context.Context) error {
	return h.syncIndex(ctx, "", map[string]model.Provider{}, heldSpecs{})
}

// heldSpecs are the specifications a run has just stored, by ID, each
// with the hash it was stored under, and their provider.
type heldSpecs struct {
	providerID string
	specs      map[string]heldSpec
}

type heldSpec struct {
	spec *model.Specification
	hash string
}

// holdSpecs pairs a run's specifications with the hashes ApplyCourses
// stored them under; the others (conflicts, duplicates) are left out.
func holdSpecs(specs []model.Specification, hashes map[string]string, providerID string) heldSpecs {
	held := heldSpecs{providerID: providerID, specs: make(map[string]heldSpec, len(hashes))}
	for i := range specs {
		id := specs[i].ID
		if hash, ok := hashes[id]; ok {
			if _, dup := held.specs[id]; !dup {
				held.specs[id] = heldSpec{spec: &specs[i], hash: hash}
			}
		}
	}
	return held
}

// applyBacklog indexes the stale courses, marking each batch once the
// index has taken it, and deletes the gone documents. A stale course
// whose current hash is that of a held specification is indexed from
// it: the same content, without reading and decoding it again (at a
// million courses, a twentieth of a first harvest's CPU). Either way the
// mark names the state indexed, so a change written meanwhile stays in
// the backlog.
func (h *Harvester) applyBacklog(ctx context.Context, b store.IndexBacklog, providers map[string]model.Provider, held heldSpecs) error {
	for chunk := range slices.Chunk(b.Stale, indexBatch) {
		docs := make([]search.Document, 0, len(chunk))
		marks := make([]store.CourseState, 0, len(chunk))
		add := func(spec *model.Specification, providerID string, st store.CourseState) error {
			p, err := h.providerOf(ctx, providerID, providers)
			if err != nil {
				return err
			}
			doc := search.NewDocument(*spec, p)
			doc.Inactive, doc.Flagged = st.Inactive, st.Flagged
			docs, marks = append(docs, doc), append(marks, st)
			return nil
		}
		var unread []string
		for _, st := range chunk {
			hs, ok := held.specs[st.ID]
			if !ok || hs.hash != st.Hash {
				unread = append(unread, st.ID)
				continue
			}
			if err := add(hs.spec, held.providerID, st); err != nil {
				return err
			}
		}
		courses, err := h.Store.CoursesByID(ctx, unread)
		if err != nil {
			return err
		}
		for _, c := range courses {
			if err := add(&c.Spec, c.ProviderID, c.State()); err != nil {
				return err
			}
		}
		if err := h.Index.Index(ctx, docs); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		if err := h.Store.MarkIndexed(ctx, marks); err != nil {
			return err
		}
	}
	if len(b.Gone) == 0 {
		return nil
	}
	if err := h.Index.Delete(ctx, b.Gone); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}

func (h *Harvester) providerOf(ctx context.Context, id string, cache map[string]model.Provider) (model.Provider, error) {
	if p, ok := cache[id]; ok {
		return p, nil
	}
	p, err := h.Store.Provider(ctx, id)
	if err != nil {
		return p, fmt.Errorf("provider of a stored course: %w", err)
	}
	cache[id] = p
	return p, nil
}

// RepairReport says what start-up repair found.
type RepairReport struct {
	// Interrupted runs were left running by a process that stopped.
	Interrupted int
	// Indexed and Unindexed count documents written to and deleted from
	// the search index to match the store.
	Indexed, Unindexed int
}

func (r RepairReport) String() string {
	return fmt.Sprintf("%s closed, %s indexed, %d removed from the index",
		Count(r.Interrupted, "interrupted run"), Count(r.Indexed, "course"), r.Unindexed)
}

// Repair is start-up recovery for the process that owns the data
// directory: runs left running are marked interrupted, and the search
// index is brought in line with the store (courses it lacks or holds
// stale are indexed, documents the store has no course for are
// deleted). It must not run while another process harvests into the
// same data directory. Snapshots a crash left behind are SweepOrphans'
// work, which need not delay serving.
func (h *Harvester) Repair(ctx context.Context) (RepairReport, error) {
	var rep RepairReport
	var err error
	// Alone on its database, every run left running is this process's
	// previous life's; on a shared one, runs of other processes are left
	// alone while their heartbeats are fresh.
	staleBefore := time.Now().Add(-h.staleAfter())
	if !h.Shared {
		staleBefore = time.Now().Add(time.Minute)
	}
	rep.Interrupted, err = h.Store.InterruptRuns(ctx, h.Now(), interruptedReason, h.Owner, staleBefore)
	if err != nil {
		return rep, err
	}
	b, err := h.indexDrift(ctx)
	if err != nil {
		return rep, err
	}
	if err := h.applyBacklog(ctx, b, map[string]model.Provider{}, heldSpecs{}); err != nil {
		return rep, err
	}
	rep.Indexed, rep.Unindexed = len(b.Stale), len(b.Gone)
	return rep, nil
}

// indexDrift compares the whole store with the whole index: the
// recorded backlog, plus courses the index lacks (an index rebuilt or
// lost) and documents of courses the store does not hold.
func (h *Harvester) indexDrift(ctx context.Context) (store.IndexBacklog, error) {
	b, err := h.Store.IndexBacklog(ctx, "")
	if err != nil {
		return b, err
	}
	storedIDs, err := h.Store.CourseIDs(ctx, "", "")
	if err != nil {
		return b, err
	}
	var indexedIDs []string
	err = h.Index.EachID(ctx, func(id string) error {
		indexedIDs = append(indexedIDs, id)
		return nil
	})
	if err != nil {
		return b, fmt.Errorf("index: %w", err)
	}
	// Both lists sorted and walked side by side: at a million courses,
	// sets of both took seconds of the start-up. The store's order need
	// not be Go's (a database collation), so it is sorted too; already
	// sorted, that costs one pass.
	slices.Sort(storedIDs)
	slices.Sort(indexedIDs)
	stale := make(map[string]bool, len(b.Stale))
	for _, c := range b.Stale {
		stale[c.ID] = true
	}
	for i, j := 0, 0; i < len(storedIDs) || j < len(indexedIDs); {
		switch {
		case j == len(indexedIDs) || i < len(storedIDs) && storedIDs[i] < indexedIDs[j]:
			if !stale[storedIDs[i]] { // a course the index lacks
				b.Stale = append(b.Stale, store.CourseState{ID: storedIDs[i]})
			}
			i++
		case i == len(storedIDs) || indexedIDs[j] < storedIDs[i]:
			b.Gone = append(b.Gone, indexedIDs[j]) // a document of no course
			j++
		default:
			i, j = i+1, j+1
		}
	}
	return b, nil
}

// pruneSnapshots applies the retention policy to a source after a run
// and deletes the blobs that no run refers to any more.
func (h *Harvester) pruneSnapshots(ctx context.Context, sourceID string) error {
	released, err := h.Store.PruneSnapshots(ctx, sourceID, h.Limits.KeepSnapshots)
	if err != nil {
		return err
	}
	_, err = h.sweep(ctx, released)
	return err
}

// sweep deletes those of keys no run refers to. Blobs are content
// addressed and shared between runs and sources, so each is checked
// against every reference, and blobs written since the oldest run in
// progress began are spared: that run may not have recorded them yet.
func (h *Harvester) sweep(ctx context.Context, keys []string) (int, error) {
	slices.Sort(keys)
	keys = slices.Compact(keys)
	h.blobMu.Lock()
	defer h.blobMu.Unlock()
	cutoff, err := h.sweepCutoff(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, key := range keys {
		ok, err := h.sweepOne(ctx, key, cutoff, h.Store.BlobReferenced)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// SweepOrphans deletes every snapshot blob no run refers to, written
// before the oldest run in progress began: what a crashed run wrote but
// never recorded. It returns how many it deleted. It may run beside
// harvests (a server runs it once it listens: at a million courses the
// walk over half a million blobs takes seconds); their snapshot writes
// wait for it.
func (h *Harvester) SweepOrphans(ctx context.Context) (int, error) {
	h.blobMu.Lock()
	defer h.blobMu.Unlock()
	cutoff, err := h.sweepCutoff(ctx)
	if err != nil {
		return 0, err
	}
	referenced := h.Store.BlobReferenced
	if l, ok := h.Store.(blobLister); ok {
		keys, err := l.ReferencedBlobs(ctx)
		if err != nil {
			return 0, err
		}
		referenced = func(_ context.Context, key string) (bool, error) {
			_, ok := keys[key]
			return ok, nil
		}
	}
	n := 0
	err = h.Blobs.Each(ctx, func(key string) error {
		ok, err := h.sweepOne(ctx, key, cutoff, referenced)
		if ok {
			n++
		}
		return err
	})
	return n, err
}

// blobLister is a store that lists every blob key its runs refer to in
// one query (SQLite's): the sweep of all blobs then asks once, not once
// per blob. The sweep holds blobMu, so no snapshot is written meanwhile,
// and a blob referenced after the list was read was written (or renewed)
// after the cut-off, which keeps it.
type blobLister interface {
	ReferencedBlobs(ctx context.Context) (map[string]struct{}, error)
}

// sweepOne deletes the blob when referenced says no run refers to it and
// it was written before cutoff.
func (h *Harvester) sweepOne(ctx context.Context, key string, cutoff time.Time,
	referenced func(ctx context.Context, key string) (bool, error)) (bool, error) {
	if key == "" {
		return false, nil
	}
	used, err := referenced(ctx, key)
	if err != nil || used {
		return false, err
	}
	return h.Blobs.Delete(ctx, key, cutoff)
}

// sweepCutoff is the start of the oldest run in progress, or now: of this
// process's runs (their wall-clock start, as blob write times are
// wall-clock whatever h.Now says) and of every live run the store holds,
// for other processes sharing the database and the snapshot store.
func (h *Harvester) sweepCutoff(ctx context.Context) (time.Time, error) {
	cutoff, err := h.Store.OldestRunStart(ctx, time.Now().Add(-h.staleAfter()))
	if err != nil {
		return time.Time{}, err
	}
	if cutoff.IsZero() || cutoff.After(time.Now()) {
		cutoff = time.Now()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, started := range h.inflight {
		if started.Before(cutoff) {
			cutoff = started
		}
	}
	return cutoff, nil
}
