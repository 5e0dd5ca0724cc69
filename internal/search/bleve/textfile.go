package bleve

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/zeebo/xxh3"
)

// The matches of the texts searched (textcache.go) are what a search
// process learns most slowly: at a million courses a text costs some 14
// ms of a core the first time and microseconds after, and a process just
// started meets every text for the first time. Under the benchmark's load
// the first minute after a start had a p95 three times that of the
// minutes after it. So Close saves what is kept of texts beside the
// table, and the next serve's warm-up (WarmUp) reads it back right away:
// a restart (a change of settings, a reboot of the host) starts with the
// texts its predecessor had learned, as a database keeps its buffer
// pool's list across restarts.
//
// An entry holds ordinals and scores, which are only right for the table
// they were computed against and for the code that scored them. So the
// file names the table file's checksum and generation and the running
// executable (a hash of its bytes): after any write to the index, a table
// rebuilt from the index, or another build of qlink, the entries are not
// used. The file also lists the texts themselves, most recently searched
// first, and those still say what visitors ask for after a harvest or an
// upgrade: the warm-up searches them again before visitors ask (WarmUp,
// background.go). A process that searched
// nothing (a harvest, a command that only opened the index) leaves the
// file as it is. The file only saves work: it is not synced, and a torn
// or damaged one fails its checksum and is ignored.
const (
	textsFile   = "qlink-texts.cache"
	textsMagic  = "qlink kept texts\n"
	textsFormat = 2
)

// textsListed is how many texts the file lists at most: at a million
// courses more than the warming's budget searches again.
const textsListed = 4096

// executableID names the running executable: a hash of its bytes, "" when
// they cannot be read (then texts are neither saved nor read back). A
// variable for tests.
var executableID = sync.OnceValue(func() string {
	// Linux's /proc/self/exe is the file this process runs, even once an
	// upgrade has put another at its path.
	f, err := os.Open("/proc/self/exe")
	if err != nil {
		path, perr := os.Executable()
		if perr != nil {
			return ""
		}
		if f, err = os.Open(path); err != nil {
			return ""
		}
	}
	defer f.Close()
	h := xxh3.New128()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	sum := h.Sum128().Bytes()
	return fmt.Sprintf("%x", sum[:])
})

func (ix *Index) textsPath() string { return filepath.Join(filepath.Dir(ix.tablePath), textsFile) }

// saveTexts writes the texts this process kept, then those the file read
// at its start listed that it did not search (a process stopped before
// its warming ended forgets none), with the entries kept at the table's
// generation when the saved table file is of it. A process that kept
// none leaves the file as it is. The caller holds writeMu, after
// saveTable, with the background goroutine stopped.
func (ix *Index) saveTexts() error {
	if ix.tablePath == "" {
		return nil
	}
	texts := ix.texts.Recent(textsListed)
	if len(texts) == 0 {
		return nil
	}
	listed := make(map[string]bool, len(texts))
	for _, text := range texts {
		listed[text] = true
	}
	for _, text := range ix.listed {
		if len(texts) == textsListed {
			break
		}
		if !listed[text] {
			texts = append(texts, text)
		}
	}
	// The entries only fit the table file saved with them, and hashing the
	// executable is left until there are entries to save.
	var keys []string
	var entries []*textEntry
	exe := ""
	if ix.table.gen == ix.savedGen {
		exe = executableID()
	}
	if exe != "" {
		keys, entries = ix.texts.Kept(ix.table.gen)
	}
	_, err := writeFile(ix.textsPath(), textsMagic, false, func(w *encoder) {
		w.uvarint(textsFormat)
		w.uvarint(uint64(len(texts)))
		for _, text := range texts {
			w.str(text)
		}
		w.str(exe)
		w.uint32(ix.savedSum)
		w.str(ix.table.gen)
		w.uvarint(uint64(len(keys)))
		for i, key := range keys {
			w.str(key)
			encodeTextEntry(w, entries[i])
		}
	})
	if err != nil {
		return fmt.Errorf("search/bleve: save the kept texts: %w", err)
	}
	return nil
}

func encodeTextEntry(w *encoder, e *textEntry) {
	w.bitmap(e.hits)
	for _, s := range e.scores {
		w.uint64(math.Float64bits(s))
	}
	w.uvarint(uint64(len(e.top)))
	for _, s := range e.top {
		w.uint32(s.o)
		w.uint64(math.Float64bits(s.score))
	}
}

// restoreTexts reads the file the process before saved. It keeps its
// entries if they were saved from the table Open read from its file by
// this executable, and returns how many it kept and the texts the file
// lists, most recently searched first. A search that came first has made
// its entry as usual. A file that does not fit is left for the next Close
// to replace.
func (ix *Index) restoreTexts() (kept int, texts []string) {
	if ix.tablePath == "" {
		return 0, nil
	}
	r, _, err := readFile(ix.textsPath(), textsMagic)
	if err != nil || r.uvarint() != textsFormat {
		return 0, nil
	}
	n := r.uvarint()
	if n > textsListed {
		return 0, nil
	}
	texts = make([]string, 0, n)
	for range n {
		texts = append(texts, r.str())
	}
	if r.err != nil {
		return 0, nil
	}
	return ix.restoreEntries(r), texts
}

// restoreEntries keeps the entries that follow the list of texts, if they
// fit (restoreTexts), and returns how many.
func (ix *Index) restoreEntries(r *decoder) int {
	if ix.tableFrom != "file" {
		return 0
	}
	exe := r.str()
	if exe == "" || exe != executableID() { // hashed only when there are entries to check
		return 0
	}
	t := ix.table
	// The entries are checked against the table's live documents, which a
	// write changes under the write lock.
	t.mu.RLock()
	defer t.mu.RUnlock()
	if r.uint32() != ix.savedSum || r.str() != t.gen {
		return 0
	}
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		return 0
	}
	keys, entries := make([]string, 0, n), make([]*textEntry, 0, n)
	for range n {
		key := r.str()
		e := decodeTextEntry(r, t.live)
		if r.err != nil {
			return 0
		}
		keys, entries = append(keys, key), append(entries, e)
	}
	if len(r.b) != 0 {
		return 0
	}
	for i, key := range keys {
		if !ix.texts.Has(t.gen, key) {
			ix.texts.Put(t.gen, key, entries[i], entries[i].size())
		}
	}
	return len(keys)
}

// decodeTextEntry reads an entry encodeTextEntry wrote and checks that it
// agrees with itself and with the documents live: every hit live, a score
// per hit, the best hits among the hits.
func decodeTextEntry(r *decoder, live *roaring.Bitmap) *textEntry {
	e := &textEntry{hits: roaring.New()}
	r.bitmap(e.hits)
	n := e.hits.GetCardinality()
	if r.err != nil || n > uint64(len(r.b))/8 || e.hits.AndCardinality(live) != n {
		r.fail()
		return nil
	}
	e.scores = make([]float64, n)
	for i := range e.scores {
		e.scores[i] = math.Float64frombits(r.uint64())
	}
	top := r.uvarint()
	if top > n || top > uint64(len(r.b))/12 {
		r.fail()
		return nil
	}
	e.top = make([]scored, top)
	for i := range e.top {
		e.top[i] = scored{o: r.uint32(), score: math.Float64frombits(r.uint64())}
		if !e.hits.Contains(e.top[i].o) {
			r.fail()
			return nil
		}
	}
	return e
}
