package bleve

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
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
// table, and the next Open's background goroutine reads it back right
// away: a restart (an upgrade of the host, a change of settings) starts
// with the texts its predecessor had learned, as a database keeps its
// buffer pool's list across restarts.
//
// An entry holds ordinals and scores, which are only right for the table
// they were computed against and for the code that scored them. So the
// file names the table file's checksum and generation and the running
// executable (a hash of its bytes): after any write to the index, a table
// rebuilt from the index, or another build of qlink, the file is not
// used, and the first searches make their entries again as before. The
// file only saves work: it is not synced, and a torn or damaged one fails
// its checksum and is ignored.
const (
	textsFile   = "qlink-texts.cache"
	textsMagic  = "qlink kept texts\n"
	textsFormat = 1
)

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

// saveTexts writes the texts kept at the table's generation beside the
// saved table. A process that kept none leaves the file as it is while
// the table file it names is the one Open read (a command that opened the
// index without searching, another build), and removes it once that table
// file is gone. The caller holds writeMu, after saveTable.
func (ix *Index) saveTexts() error {
	if ix.tablePath == "" {
		return nil
	}
	path := ix.textsPath()
	keys, entries := ix.texts.Kept(ix.table.gen)
	if len(keys) == 0 && ix.tableFrom == "file" && ix.savedSum == ix.loadedSum {
		return nil
	}
	// Hashing the executable is left until there is something to save: a
	// command that only opened the index does not read its binary.
	exe := ""
	if len(keys) > 0 {
		exe = executableID()
	}
	if ix.table.gen != ix.savedGen || exe == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("search/bleve: remove the kept texts: %w", err)
		}
		return nil
	}
	_, err := writeFile(path, textsMagic, false, func(w *encoder) {
		w.uvarint(textsFormat)
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

// restoreTexts keeps the texts saved by the process before, if it saved
// them from the table Open read from its file and was this executable,
// and returns how many. The background goroutine runs it first thing, so
// a start is ready before the file is read (half a second of a core at a
// million courses); a search that comes first makes its entry as usual.
// A file that does not fit is left for the next Close to replace.
func (ix *Index) restoreTexts() int {
	if ix.tablePath == "" || ix.tableFrom != "file" {
		return 0
	}
	r, _, err := readFile(ix.textsPath(), textsMagic)
	if err != nil {
		return 0
	}
	exe := executableID() // hashed only when there is a file to check
	if exe == "" {
		return 0
	}
	t := ix.table
	// The entries are checked against the table's live documents, which a
	// write changes under the write lock.
	t.mu.RLock()
	defer t.mu.RUnlock()
	if r.uvarint() != textsFormat || r.str() != exe || r.uint32() != ix.savedSum || r.str() != t.gen {
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
