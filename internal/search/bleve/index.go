// Package bleve is the embedded search index: search.Index on an on-disk
// bleve (scorch) index next to the database. The index is derived data;
// when its mapping is out of date, Open says so with ErrMappingChanged and
// the caller rebuilds it from the store.
//
// Text is indexed per language (title.de, description.fr, …) with that
// language's stop words and stemmer behind accent folding; languages bleve
// cannot analyse, and text of unstated language, use a generic folded
// analyser (mapping.go). A query requires every word, each in any field of
// any language, scored by its best field, with a one-typo fallback on an
// unstemmed copy of all text (query.go).
//
// Filters, facet counts and the order of queries without text do not go
// through bleve: a facet table of roaring bitmaps kept beside the index
// answers them without reading any document's values (table.go), and is
// saved in the index directory when the index closes (tablefile.go).
package bleve

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
	bolterrors "go.etcd.io/bbolt/errors"

	"qlink/internal/gencache"
	"qlink/internal/search"
)

// ErrMappingChanged reports an index built under another mapping version
// than the code's: delete it and index the store again.
var ErrMappingChanged = errors.New("search/bleve: index mapping changed, rebuild the index")

// ErrBusy reports an index another process holds open: bleve keeps one
// writer per index, and qlink refuses at once rather than wait for it.
var ErrBusy = errors.New("search/bleve: the index is open in another process")

// lockWait is how long Open waits for another process to let go of the
// index before it reports ErrBusy.
const lockWait = "500ms"

// versionKey is the internal key holding the mapping version.
var versionKey = []byte("qlink.mapping-version")

// genKey is the internal key naming the index's state for the facet table:
// every batch sets it, in the same batch, to a value no other batch of any
// process used (a random epoch per Open and a count), so a saved table
// whose generation equals the index's mirrors exactly that index.
var genKey = []byte("qlink.table-gen")

// batchSize is how many documents go into one bleve batch (one segment).
const batchSize = 1000

// Index is a bleve index of course documents with its facet table
// (table.go). It is safe for concurrent use.
type Index struct {
	idx blevesearch.Index
	// analyzers holds the analyser of each field language; query words
	// go through each so they meet the terms that language indexed.
	analyzers map[string]analysis.Analyzer
	// sortAnalyzer makes a title into the sort key bleve indexes.
	sortAnalyzer analysis.Analyzer

	table *table
	// texts keeps the matches of recent text queries (textcache.go),
	// counts the facet counts of recent queries (countcache.go).
	texts  *gencache.Cache[*textEntry]
	counts *gencache.Cache[facetCounts]
	// tablePath is where the table is saved, "" for an index in memory.
	tablePath string
	// savedGen is the generation of the saved table file and savedSum its
	// checksum; tableFrom says where Open found the table: "file" or
	// "index" (rebuilt).
	savedGen, tableFrom string
	savedSum            uint32

	// writeMu makes each batch one step for bleve and the table alike, so
	// concurrent writers cannot leave them disagreeing. epoch, batches
	// and persisted name and count this Index's batches (genKey).
	writeMu   sync.Mutex
	epoch     uint64
	batches   uint64
	persisted atomic.Uint64

	// bgStop stops the background goroutine (background.go) at the first
	// Close, and the goroutine then closes bgDone. A write sets warmTimer
	// and warmList (under warmMu), the texts to search again once the
	// index is quiet; warmed counts the texts searched so, and those read
	// back.
	bgStop, bgDone chan struct{}
	stopOnce       sync.Once
	warmTimer      *time.Timer
	warmMu         sync.Mutex
	warmList       []string
	warmed         atomic.Int64
	// warmBudget bounds the time warming takes (background.go).
	warmBudget *timeBudget
	// warmUp carries WarmUp's request to the goroutine; listed holds the
	// texts the file it read back listed (textfile.go).
	warmUp     chan warmUpRequest
	warmUpOnce sync.Once
	warmingUp  atomic.Bool
	listed     []string

	// fields keeps the names of the fields the index holds (presentFields)
	// as of the write counted by writes.
	fields atomic.Pointer[fieldSet]
	writes atomic.Uint64
}

var (
	_ search.Index      = (*Index)(nil)
	_ search.TextKeeper = (*Index)(nil)
	_ search.WarmingUp  = (*Index)(nil)
)

// Open opens the index at path, creating it when path does not exist or
// is an empty directory. An index built under another mapping version is
// left untouched and reported with an error wrapping ErrMappingChanged.
func Open(path string) (*Index, error) {
	im, version, err := codeMapping()
	if err != nil {
		return nil, err
	}
	idx, err := blevesearch.OpenUsing(path, map[string]any{"bolt_timeout": lockWait})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("%s: %w", path, ErrBusy)
	case errors.Is(err, blevesearch.ErrorIndexPathDoesNotExist),
		errors.Is(err, blevesearch.ErrorIndexMetaMissing) && isEmptyDir(path):
		return create(path, im, version)
	case err != nil:
		return nil, fmt.Errorf("search/bleve: open %s: %w", path, err)
	}
	stored, err := idx.GetInternal(versionKey)
	if err == nil && string(stored) != version {
		err = fmt.Errorf("search/bleve: index %s has mapping version %q, the code %q: %w", path, stored, version, ErrMappingChanged)
	}
	if err != nil {
		return nil, errors.Join(err, idx.Close())
	}
	ix, err := newIndex(idx, path)
	if err != nil {
		return nil, errors.Join(err, idx.Close())
	}
	removeTempFiles(path)
	if err := ix.loadTable(version); err != nil {
		return nil, errors.Join(err, idx.Close())
	}
	ix.startBackground()
	return ix, nil
}

// OpenMemory returns an empty index held in memory, for tests and demos.
func OpenMemory() (*Index, error) {
	im, version, err := codeMapping()
	if err != nil {
		return nil, err
	}
	return create("", im, version)
}

func create(path string, im *mapping.IndexMappingImpl, version string) (*Index, error) {
	idx, err := blevesearch.NewUsing(path, im, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("search/bleve: create %s: %w", path, err)
	}
	if err := idx.SetInternal(versionKey, []byte(version)); err != nil {
		return nil, errors.Join(fmt.Errorf("search/bleve: create %s: %w", path, err), idx.Close())
	}
	ix, err := newIndex(idx, path)
	if err != nil {
		return nil, errors.Join(err, idx.Close())
	}
	// A new index is empty, and so is its table.
	ix.table = newTable()
	ix.startBackground()
	return ix, nil
}

// newIndex wraps an open bleve index; the caller sets its table.
func newIndex(idx blevesearch.Index, path string) (*Index, error) {
	ix := &Index{idx: idx, analyzers: map[string]analysis.Analyzer{}, epoch: rand.Uint64(),
		texts: newTextCache(), counts: newCountCache()}
	if path != "" {
		ix.tablePath = filepath.Join(path, tableFile)
	}
	cheapFolding(idx.Mapping())
	for _, lang := range fieldLangs() {
		a := idx.Mapping().AnalyzerNamed(analyzerP + lang)
		if a == nil {
			return nil, fmt.Errorf("search/bleve: no analyser for %q", lang)
		}
		ix.analyzers[lang] = a
	}
	if ix.sortAnalyzer = idx.Mapping().AnalyzerNamed(sortKey); ix.sortAnalyzer == nil {
		return nil, errors.New("search/bleve: no sort key analyser")
	}
	return ix, nil
}

func isEmptyDir(path string) bool {
	entries, err := os.ReadDir(path)
	return err == nil && len(entries) == 0
}

// Index adds or replaces documents, in batches.
func (ix *Index) Index(ctx context.Context, docs []search.Document) error {
	for _, d := range docs {
		if d.ID == "" {
			return errNoID
		}
	}
	for chunk := range slices.Chunk(docs, batchSize) {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := ix.idx.NewBatch()
		rows := make([]row, len(chunk))
		for i, d := range chunk {
			f := fields(d)
			if err := b.Index(d.ID, f); err != nil {
				return fmt.Errorf("search/bleve: index %s: %w", d.ID, err)
			}
			rows[i] = ix.row(d, f)
		}
		if err := ix.apply(b, rows, nil); err != nil {
			return fmt.Errorf("search/bleve: index batch: %w", err)
		}
	}
	return nil
}

// Delete removes documents; unknown IDs are ignored.
func (ix *Index) Delete(ctx context.Context, ids []string) error {
	for chunk := range slices.Chunk(ids, batchSize) {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := ix.idx.NewBatch()
		for _, id := range chunk {
			b.Delete(id)
		}
		if err := ix.apply(b, nil, chunk); err != nil {
			return fmt.Errorf("search/bleve: delete batch: %w", err)
		}
	}
	return nil
}

// apply writes one batch to bleve, then the same change to the table.
// The batch carries the new generation; its persisted callback counts it,
// so Close knows when the table on disk may claim it.
func (ix *Index) apply(b *blevesearch.Batch, put []row, del []string) error {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	n := ix.batches + 1
	gen := fmt.Sprintf("%016x-%d", ix.epoch, n)
	b.SetInternal(genKey, []byte(gen))
	b.SetPersistedCallback(func(err error) {
		if err == nil {
			ix.persisted.Store(n)
		}
	})
	if err := ix.idx.Batch(b); err != nil {
		return err
	}
	ix.batches = n
	ix.writes.Add(1)
	ix.table.update(put, del, gen)
	ix.table.segOrds.signal() // the batch's segment
	ix.planWarming()
	return nil
}

// CacheLookups counts the lookups of recent texts' matches and of recent
// queries' facet counts (search.CacheReporter).
func (ix *Index) CacheLookups() []search.CacheLookups {
	return []search.CacheLookups{
		{Kind: "text", Hits: ix.texts.Served(), Misses: ix.texts.Missed(), Bytes: ix.texts.Bytes(), Warmed: ix.warmed.Load()},
		{Kind: "counts", Hits: ix.counts.Served(), Misses: ix.counts.Missed(), Bytes: ix.counts.Bytes()},
	}
}

// Count returns the number of indexed documents.
func (ix *Index) Count(context.Context) (int, error) {
	n, err := ix.idx.DocCount()
	if err != nil {
		return 0, fmt.Errorf("search/bleve: count: %w", err)
	}
	return int(n), nil
}

// EachID calls fn with every document ID, from one snapshot of the index.
func (ix *Index) EachID(ctx context.Context, fn func(id string) error) error {
	r, err := ix.reader()
	if err != nil {
		return fmt.Errorf("search/bleve: ids: %w", err)
	}
	defer r.Close()
	all, err := r.DocIDReaderAll()
	if err != nil {
		return fmt.Errorf("search/bleve: ids: %w", err)
	}
	defer all.Close()
	for {
		internal, err := all.Next()
		if err != nil {
			return fmt.Errorf("search/bleve: ids: %w", err)
		}
		if internal == nil {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		id, err := r.ExternalID(internal)
		if err != nil {
			return fmt.Errorf("search/bleve: ids: %w", err)
		}
		if err := fn(id); err != nil {
			return err
		}
	}
}

// reader opens a snapshot of the index, which the caller closes.
func (ix *Index) reader() (index.IndexReader, error) {
	adv, err := ix.idx.Advanced()
	if err != nil {
		return nil, err
	}
	return adv.Reader()
}

// Close saves the facet table beside the index, once bleve has persisted
// every batch, and closes the index; it must not be used afterwards.
func (ix *Index) Close() error {
	ix.stopOnce.Do(func() {
		close(ix.bgStop)
		<-ix.bgDone
		ix.warmTimer.Stop()
	})
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	err := ix.saveTable()
	if err == nil {
		err = ix.saveTexts()
	}
	return errors.Join(err, ix.idx.Close())
}
