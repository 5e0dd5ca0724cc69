package bleve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/numeric"
	index "github.com/blevesearch/bleve_index_api"

	"qlink/internal/search"
)

// The facet table is saved inside the index directory when the index
// closes and loaded when it opens, so a start-up need not read a million
// documents' postings. The file names the mapping version and the index
// generation (genKey) it mirrors and ends with a CRC-32C of everything
// before; Open rebuilds the table from the index (rebuildTable) when the
// file is missing, damaged, of another format or mapping, or of another
// generation: the index was written after the file was, by a process that
// did not close it cleanly.
const (
	tableFile   = "qlink-facets.table"
	tableMagic  = "qlink facet table\n"
	tableFormat = 1
	// persistWait bounds how long Close waits for bleve to persist the
	// last batches before it saves the table; past it the table is not
	// saved and the next Open rebuilds it.
	persistWait = 10 * time.Second
)

// noTableFile is savedGen when no file on disk matches the index.
const noTableFile = "\x00"

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// loadTable reads the saved table if it mirrors the index, else rebuilds
// it from the index.
func (ix *Index) loadTable(version string) error {
	gen, err := ix.idx.GetInternal(genKey)
	if err != nil {
		return fmt.Errorf("search/bleve: read the table generation: %w", err)
	}
	if t, sum, err := readTable(ix.tablePath, version, string(gen)); err == nil {
		ix.table, ix.savedGen, ix.savedSum, ix.tableFrom = t, t.gen, sum, "file"
		return nil
	}
	t, err := ix.rebuildTable()
	if err != nil {
		return err
	}
	ix.table, ix.savedGen, ix.tableFrom = t, noTableFile, "index"
	return nil
}

// saveTable writes the table beside the index once bleve has persisted
// every batch, unless the file there is already current. The caller holds
// writeMu.
func (ix *Index) saveTable() error {
	if ix.tablePath == "" || ix.table.gen == ix.savedGen {
		return nil
	}
	for deadline := time.Now().Add(persistWait); ix.persisted.Load() < ix.batches; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			return nil
		}
	}
	version, err := ix.idx.GetInternal(versionKey)
	if err != nil {
		return fmt.Errorf("search/bleve: save the facet table: %w", err)
	}
	sum, err := writeTable(ix.tablePath, string(version), ix.table)
	if err != nil {
		return fmt.Errorf("search/bleve: save the facet table: %w", err)
	}
	ix.savedGen, ix.savedSum = ix.table.gen, sum
	return nil
}

// writeTable writes t to path atomically and durably (writeFile) and
// returns the file's checksum.
func writeTable(path, version string, t *table) (uint32, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return writeFile(path, tableMagic, true, func(w *encoder) { encodeTable(w, version, t) })
}

func encodeTable(w *encoder, version string, t *table) {
	w.uvarint(tableFormat)
	w.str(version)
	w.str(t.gen)
	n := uint32(t.ids.len())
	w.uvarint(uint64(n))
	blob := 0
	for _, c := range []*strColumn{&t.ids, &t.sortKeys} {
		for o := range n {
			l := len(c.get(o))
			w.uvarint(uint64(l))
			blob += l
		}
	}
	w.uvarint(uint64(blob))
	for _, c := range []*strColumn{&t.ids, &t.sortKeys} {
		for o := range n {
			w.raw([]byte(c.get(o)))
		}
	}
	w.uvarint(uint64(len(t.ects)))
	for _, e := range slices.Sorted(maps.Keys(t.ects)) {
		w.uint64(math.Float64bits(e))
		w.bitmap(t.ects[e])
	}
	w.uvarint(uint64(len(t.order)))
	for _, o := range t.order {
		w.uint32(o)
	}
	for _, bm := range []*roaring.Bitmap{t.live, t.inactive, t.flagged} {
		w.bitmap(bm)
	}
	for _, values := range t.values {
		w.uvarint(uint64(len(values)))
		for _, v := range slices.Sorted(maps.Keys(values)) {
			w.str(v)
			w.bitmap(values[v])
		}
	}
}

// writeFile writes a file of the index directory atomically: magic, what
// body encodes, and a CRC-32C of both, into a temporary file renamed over
// path. A durable file is synced, and its directory after the rename; a
// file that only saves work (a cache) is not, and a crash may leave it
// torn, which its checksum tells. It returns the checksum.
func writeFile(path, magic string, durable bool, body func(*encoder)) (sum uint32, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), tempPatterns[0])
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	crc := crc32.New(crcTable)
	w := &encoder{w: bufio.NewWriterSize(io.MultiWriter(f, crc), 1<<20)}
	w.raw([]byte(magic))
	body(w)
	if w.err == nil {
		w.err = w.w.Flush()
	}
	if w.err != nil {
		return 0, w.err
	}
	sum = crc.Sum32()
	if err := binary.Write(f, binary.LittleEndian, sum); err != nil {
		return 0, err
	}
	if durable {
		if err := f.Sync(); err != nil {
			return 0, err
		}
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return 0, err
	}
	if durable {
		return sum, syncDir(filepath.Dir(path))
	}
	return sum, nil
}

// tempPatterns name writeFile's temporary files; the patterns of older
// versions follow it.
var tempPatterns = []string{".qlink-*", ".facets-*"}

// removeTempFiles removes what a process killed while writing a file of
// the index directory left (a kept texts' file is a few hundred MB). Only
// the process holding the index writes there, and Open holds it.
func removeTempFiles(dir string) {
	for _, p := range tempPatterns {
		names, _ := filepath.Glob(filepath.Join(dir, p))
		for _, name := range names {
			os.Remove(name)
		}
	}
}

// readFile reads a file writeFile wrote with magic: a decoder of what its
// body encoded, and its checksum. A file cut short, damaged or of another
// kind is errStaleTable.
func readFile(path, magic string) (*decoder, uint32, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if len(data) < len(magic)+4 || string(data[:len(magic)]) != magic {
		return nil, 0, errStaleTable
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, crcTable) != sum {
		return nil, 0, fmt.Errorf("%w: checksum", errStaleTable)
	}
	return &decoder{b: body[len(magic):]}, sum, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// errStaleTable reports a table file that does not mirror the index.
var errStaleTable = errors.New("search/bleve: the saved facet table does not match the index")

// readTable reads a table saved by writeTable, provided it was saved under
// this mapping version and generation and is whole and consistent, and
// returns the file's checksum.
func readTable(path, version, gen string) (*table, uint32, error) {
	if path == "" {
		return nil, 0, os.ErrNotExist
	}
	r, sum, err := readFile(path, tableMagic)
	if err != nil {
		return nil, 0, err
	}
	t, err := decodeTable(r, version, gen)
	return t, sum, err
}

func decodeTable(r *decoder, version, gen string) (*table, error) {
	body := r.b
	if r.uvarint() != tableFormat || r.str() != version || r.str() != gen {
		return nil, fmt.Errorf("%w: format, mapping or generation", errStaleTable)
	}
	t := newTable()
	t.gen = gen
	n := int(r.uvarint())
	if r.err != nil || n > len(body) {
		return nil, errStaleTable
	}
	lens := make([]int, 2*n)
	idBytes, keyBytes := 0, 0
	for i := range lens {
		lens[i] = int(r.uvarint())
		if lens[i] < 0 || lens[i] > len(body) {
			return nil, errStaleTable
		}
		if i < n {
			idBytes += lens[i]
		} else {
			keyBytes += lens[i]
		}
	}
	blob := r.raw(int(r.uvarint()))
	if r.err != nil {
		return nil, errStaleTable
	}
	if r.err != nil || idBytes+keyBytes > len(body) {
		return nil, errStaleTable
	}
	t.ids, t.sortKeys = newStrColumn(n, idBytes), newStrColumn(n, keyBytes)
	for i, l := range lens {
		if l > len(blob) {
			return nil, errStaleTable
		}
		c := &t.ids
		if i >= n {
			c = &t.sortKeys
		}
		c.addBytes(blob[:l])
		blob = blob[l:]
	}
	for range r.uvarint() {
		e := math.Float64frombits(r.uint64())
		bm := roaring.New()
		r.bitmap(bm)
		if math.IsNaN(e) {
			r.fail()
		}
		t.ects[e] = bm
	}
	live := int(r.uvarint())
	if r.err != nil || live > n {
		return nil, errStaleTable
	}
	t.order = make([]uint32, live)
	for i := range t.order {
		t.order[i] = r.uint32()
	}
	for _, bm := range []*roaring.Bitmap{t.live, t.inactive, t.flagged} {
		r.bitmap(bm)
	}
	for f := range t.values {
		for range r.uvarint() {
			v := r.str()
			bm := roaring.New()
			r.bitmap(bm)
			t.values[f][v] = bm
		}
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errStaleTable
	}
	if err := t.index(); err != nil {
		return nil, err
	}
	return t, nil
}

// index derives the ID map, free list and ranks of a table read from a
// file, checking that its parts agree.
func (t *table) index() error {
	n := uint32(t.ids.len())
	t.rank = make([]uint32, n)
	t.ords = newIDIndex(int(t.live.GetCardinality()))
	for o := range n {
		id := t.ids.get(o)
		if (id != "") != t.live.Contains(o) {
			return fmt.Errorf("%w: ordinal %d", errStaleTable, o)
		}
		if id == "" {
			t.free = append(t.free, o)
			continue
		}
		if _, dup := t.ords.get(&t.ids, id); dup {
			return fmt.Errorf("%w: %s twice", errStaleTable, id)
		}
		t.ords.put(&t.ids, id, o)
	}
	if uint64(len(t.order)) != t.live.GetCardinality() {
		return fmt.Errorf("%w: order", errStaleTable)
	}
	for p, o := range t.order {
		if o >= n || t.ids.get(o) == "" || p > 0 && t.compare(t.order[p-1], o) >= 0 {
			return fmt.Errorf("%w: order", errStaleTable)
		}
		t.rank[o] = uint32(p)
	}
	bms := []*roaring.Bitmap{t.inactive, t.flagged}
	for _, values := range t.values {
		bms = slices.AppendSeq(bms, maps.Values(values))
	}
	bms = slices.AppendSeq(bms, maps.Values(t.ects))
	for _, bm := range bms {
		if bm.AndCardinality(t.live) != bm.GetCardinality() {
			return fmt.Errorf("%w: a bitmap holds deleted documents", errStaleTable)
		}
	}
	t.derive()
	return nil
}

// derive makes the parts a file or a rebuild leaves out: the active
// documents and the code columns.
func (t *table) derive() {
	t.active = roaring.AndNot(t.live, t.inactive)
	t.fillCodes()
}

// rebuildTable reads the table from the index: every document's ID and
// sort key, then the postings of the facet, status, quality and ECTS
// fields.
func (ix *Index) rebuildTable() (*table, error) {
	adv, err := ix.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("search/bleve: rebuild the facet table: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("search/bleve: rebuild the facet table: %w", err)
	}
	defer r.Close()
	t, err := readIndex(r)
	if err != nil {
		return nil, fmt.Errorf("search/bleve: rebuild the facet table: %w", err)
	}
	return t, nil
}

func readIndex(r index.IndexReader) (*table, error) {
	t := newTable()
	gen, err := r.GetInternal(genKey)
	if err != nil {
		return nil, err
	}
	t.gen = string(gen)
	if n, err := r.DocCount(); err == nil {
		// Room for IDs and sort keys of typical length; the arenas grow
		// past it if need be.
		t.ids, t.sortKeys, t.rank = newStrColumn(int(n), 64*int(n)), newStrColumn(int(n), 40*int(n)), make([]uint32, 0, n)
		t.ords = newIDIndex(int(n))
	}
	// derive makes the code and mask columns once every ordinal is known.
	t.codes, t.masks = [numFacets][]uint32{}, [numFacets][]uint64{}
	ordOf, err := readIDs(r, t)
	if err != nil {
		return nil, err
	}
	t.live.AddRange(0, uint64(t.ids.len()))
	// Sorting a million titles takes as long as reading the postings:
	// the two run side by side.
	var sorted sync.WaitGroup
	sorted.Go(func() { slices.SortFunc(t.order, t.compare) })
	err = readPostings(r, t, ordOf)
	sorted.Wait()
	if err != nil {
		return nil, err
	}
	t.renumber(0)
	t.derive()
	return t, nil
}

// readPostings fills the value bitmaps of the facets and ECTS, and the
// inactive and flagged documents, from the postings of their fields.
func readPostings(r index.IndexReader, t *table, ordOf func(uint64) (uint32, bool)) error {
	for i, f := range search.Facets {
		err := eachPosting(r, string(f), ordOf, func(term string, ords []uint32) {
			bm := roaring.New()
			bm.AddMany(ords)
			t.values[i][term] = bm
		})
		if err != nil {
			return err
		}
	}
	flags := map[string]*roaring.Bitmap{fieldStatus: t.inactive, fieldQuality: t.flagged}
	want := map[string]string{fieldStatus: string(search.StatusInactive), fieldQuality: string(search.QualityFlagged)}
	for field, bm := range flags {
		err := eachPosting(r, field, ordOf, func(term string, ords []uint32) {
			if term == want[field] {
				bm.AddMany(ords)
			}
		})
		if err != nil {
			return err
		}
	}
	return eachPosting(r, fieldECTS, ordOf, func(term string, ords []uint32) {
		if shift, err := numeric.PrefixCoded(term).Shift(); err != nil || shift != 0 {
			return
		}
		if i, err := numeric.PrefixCoded(term).Int64(); err == nil {
			bm := roaring.New()
			bm.AddMany(ords)
			t.ects[numeric.Int64ToFloat64(i)] = bm
		}
	})
}

// readIDs gives every document of r an ordinal, in r's order, with its
// sort key (from the doc values: the sort field has a term per title, too
// many to read term by term), puts them in order and returns the ordinal
// of an internal document number.
func readIDs(r index.IndexReader, t *table) (func(uint64) (uint32, bool), error) {
	all, err := r.DocIDReaderAll()
	if err != nil {
		return nil, err
	}
	defer all.Close()
	sortValues, err := r.DocValueReader([]string{fieldSort})
	if err != nil {
		return nil, err
	}
	var key []byte
	visit := func(_ string, term []byte) { key = term }
	var internal []uint64 // by ordinal
	for {
		id, err := all.Next()
		if err != nil {
			return nil, err
		}
		if id == nil {
			break
		}
		ext, err := r.ExternalID(id)
		if err != nil {
			return nil, err
		}
		if _, dup := t.ords.get(&t.ids, ext); dup {
			return nil, fmt.Errorf("document %s twice", ext)
		}
		o := t.newOrdinal(ext)
		internal = append(internal, id.Value())
		key = nil
		if err := sortValues.VisitDocValues(id, visit); err != nil {
			return nil, err
		}
		if key != nil {
			t.sortKeys.setBytes(o, key)
		} else {
			t.sortKeys.set(o, noSortKey)
		}
		t.order = append(t.order, o)
	}
	// Internal numbers are dense (segment offsets plus document numbers),
	// so a slice maps them; a map when they are not.
	var largest uint64
	if len(internal) > 0 {
		largest = slices.Max(internal)
	}
	if largest < uint64(8*len(internal)+1024) {
		byInternal := make([]uint32, largest+1)
		for i := range byInternal {
			byInternal[i] = math.MaxUint32
		}
		for o, v := range internal {
			byInternal[v] = uint32(o)
		}
		return func(v uint64) (uint32, bool) {
			if v >= uint64(len(byInternal)) || byInternal[v] == math.MaxUint32 {
				return 0, false
			}
			return byInternal[v], true
		}, nil
	}
	byInternal := make(map[uint64]uint32, len(internal))
	for o, v := range internal {
		byInternal[v] = uint32(o)
	}
	return func(v uint64) (uint32, bool) { o, ok := byInternal[v]; return o, ok }, nil
}

// eachPosting calls fn with every term of field, in term order, and the
// ordinals of the documents holding it, ascending.
func eachPosting(r index.IndexReader, field string, ordOf func(uint64) (uint32, bool), fn func(term string, ords []uint32)) error {
	dict, err := r.FieldDict(field)
	if err != nil {
		return err
	}
	defer dict.Close()
	var ords []uint32
	for {
		entry, err := dict.Next()
		if err != nil {
			return err
		}
		if entry == nil {
			return nil
		}
		tfr, err := r.TermFieldReader(context.Background(), []byte(entry.Term), field, false, false, false)
		if err != nil {
			return err
		}
		ords = ords[:0]
		var tfd *index.TermFieldDoc
		for {
			if tfd, err = tfr.Next(tfd); err != nil || tfd == nil {
				break
			}
			if o, ok := ordOf(tfd.ID.Value()); ok {
				ords = append(ords, o)
			}
		}
		if err = errors.Join(err, tfr.Close()); err != nil {
			return err
		}
		if !slices.IsSorted(ords) {
			slices.Sort(ords)
		}
		fn(strings.Clone(entry.Term), slices.Clone(ords))
	}
}

// encoder writes the table file; the first error sticks.
type encoder struct {
	w   *bufio.Writer
	err error
	buf [binary.MaxVarintLen64]byte
}

func (e *encoder) raw(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *encoder) uvarint(v uint64) { e.raw(e.buf[:binary.PutUvarint(e.buf[:], v)]) }
func (e *encoder) uint32(v uint32)  { e.raw(binary.LittleEndian.AppendUint32(e.buf[:0], v)) }
func (e *encoder) uint64(v uint64)  { e.raw(binary.LittleEndian.AppendUint64(e.buf[:0], v)) }

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.raw([]byte(s))
}

func (e *encoder) bitmap(bm *roaring.Bitmap) {
	e.uvarint(bm.GetSerializedSizeInBytes())
	if e.err == nil {
		_, e.err = bm.WriteTo(e.w)
	}
}

// decoder reads the table file; past the first error every read returns
// zero values.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) raw(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.b) {
		d.fail()
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errStaleTable
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uint32() uint32 {
	if b := d.raw(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) uint64() uint64 {
	if b := d.raw(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *decoder) str() string { return string(d.raw(int(d.uvarint()))) }

func (d *decoder) bitmap(bm *roaring.Bitmap) {
	b := d.raw(int(d.uvarint()))
	if d.err != nil {
		return
	}
	// roaring keeps the last reader it read from in a pool: a copy keeps
	// the whole file from staying there.
	if err := bm.UnmarshalBinary(bytes.Clone(b)); err != nil || bm.Validate() != nil {
		d.fail()
	}
}
