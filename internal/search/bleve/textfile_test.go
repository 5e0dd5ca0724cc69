package bleve

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"qlink/internal/search"
)

// What a process kept of texts is read back by the next one when the
// index, its table file and the executable are the same, and answers as
// the index does. After a write, a rebuilt table or another build nothing
// is read back, but the texts the file lists are searched again ahead of
// the visitors; a damaged or torn file is not used at all. The answers
// are the same in every case.
func TestKeptTextsAcrossARestart(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 8))
	docs := current(randomDocs(r, 300))
	path := filepath.Join(t.TempDir(), "index")
	textsPath := filepath.Join(path, textsFile)
	var queries []search.Query
	for _, text := range []string{"data", "history methods", "sience", "law", "zzz", "design ethics"} {
		queries = append(queries, search.Query{Text: text})
		for range 5 {
			q := randomQuery(r)
			q.Text = text
			queries = append(queries, q)
		}
	}
	// openOnly opens the index as a command that does not search does.
	openOnly := func() *Index {
		t.Helper()
		ix, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		return ix
	}
	// open opens the index as serve does, waits for the warm-up before
	// readiness and checks how many texts it read back (-1: any number).
	readBack := map[*Index]int{}
	open := func(wantRestored int) *Index {
		t.Helper()
		ix := openOnly()
		r := <-ix.WarmUp(0)
		if wantRestored >= 0 && r.ReadBack != wantRestored {
			t.Errorf("%d texts read back, want %d", r.ReadBack, wantRestored)
		}
		readBack[ix] = r.ReadBack
		return ix
	}
	// warmedAgain waits until the warm-up has searched n texts again.
	warmedAgain := func(ix *Index, n int) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for int(ix.warmed.Load())-readBack[ix] < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d listed texts searched again", int(ix.warmed.Load())-readBack[ix], n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	closeIndex := func(ix *Index) {
		t.Helper()
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// searchAll checks every answer, and that none of the texts had to be
	// searched when they were all kept.
	searchAll := func(ix *Index, allKept bool) {
		t.Helper()
		missed := ix.texts.Missed()
		checkAgainstReference(t, ix, docs, queries)
		if allKept && ix.texts.Missed() != missed {
			t.Errorf("%d texts searched again, though read back", ix.texts.Missed()-missed)
		}
	}

	ix := open(0)
	if err := ix.Index(ctx, docs); err != nil {
		t.Fatal(err)
	}
	closeIndex(ix) // no text searched: no file
	// What a process killed while writing left is removed at the next Open.
	torn := filepath.Join(path, ".qlink-123")
	if err := os.WriteFile(torn, []byte("half a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(textsPath); err == nil {
		t.Fatal("texts saved though none was searched")
	}
	ix = open(0)
	if _, err := os.Stat(torn); err == nil {
		t.Error("a temporary file left by a killed process is still there")
	}
	searchAll(ix, false)
	keys, _ := ix.texts.Kept(ix.table.gen)
	closeIndex(ix)

	ix = open(len(keys))
	if got, _ := ix.texts.Kept(ix.table.gen); !slices.Equal(got, keys) {
		t.Errorf("texts read back in the order %q, kept in %q", got, keys)
	}
	searchAll(ix, true)
	closeIndex(ix)
	saved, err := os.ReadFile(textsPath)
	if err != nil {
		t.Fatal(err)
	}

	// A command that opens the index and searches nothing leaves the file
	// to the next serve.
	closeIndex(openOnly())
	closeIndex(open(len(keys)))

	// Another build that searched one text and had no time to warm the
	// others lists that text first, then the others.
	ours, credit, share, ready := executableID, warmCredit, warmShare, warmReadyMost
	executableID, warmCredit, warmShare, warmReadyMost = func() string { return "another build" }, 0, 0, 0
	ix = open(0)
	if _, err := ix.Search(ctx, search.Query{Text: "law"}); err != nil {
		t.Fatal(err)
	}
	closeIndex(ix)
	executableID, warmCredit, warmShare, warmReadyMost = ours, credit, share, ready
	ix = open(0)
	if len(ix.listed) != len(keys) || ix.listed[0] != "law" {
		t.Errorf("listed %q, want law first then the rest of %q", ix.listed, keys)
	}
	warmedAgain(ix, len(keys))
	searchAll(ix, true)
	closeIndex(ix)

	restore := func() {
		t.Helper()
		if err := os.WriteFile(textsPath, saved, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name   string
		spoil  func(t *testing.T)
		listed bool // the texts listed are still searched again
	}{
		{"damaged", func(t *testing.T) {
			b := slices.Clone(saved)
			b[len(b)/2] ^= 0x10
			os.WriteFile(textsPath, b, 0o600)
		}, false},
		{"torn", func(t *testing.T) { os.WriteFile(textsPath, saved[:len(saved)/2], 0o600) }, false},
		{"another executable", func(t *testing.T) {
			before := executableID
			executableID = func() string { return "another build" }
			t.Cleanup(func() { executableID = before })
		}, true},
		{"table rebuilt from the index", func(t *testing.T) { os.Remove(filepath.Join(path, tableFile)) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			restore()
			tc.spoil(t)
			ix := open(0)
			if tc.listed {
				warmedAgain(ix, len(keys))
			}
			searchAll(ix, tc.listed)
			closeIndex(ix)
		})
	}

	// After a write what was kept is stale: the next process does not
	// read it back, and its answers do not hold the documents deleted.
	ix = open(-1)
	searchAll(ix, false)
	closeIndex(ix)
	ix = open(len(keys))
	var gone []string
	for _, d := range docs[:30] {
		gone = append(gone, d.ID)
	}
	if err := ix.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}
	docs = docs[30:]
	closeIndex(ix)
	ix = open(0)
	warmedAgain(ix, len(keys))
	searchAll(ix, true)
	closeIndex(ix)
	ix = open(len(keys))
	searchAll(ix, true)
	// Saved against another table file of the same generation.
	ix.savedSum ^= 1
	closeIndex(ix)
	ix = open(0)
	warmedAgain(ix, len(keys))
	searchAll(ix, true)
	closeIndex(ix)
	// Saved at the generation before the deletion.
	restore()
	ix = open(0)
	warmedAgain(ix, len(keys))
	searchAll(ix, true)
	closeIndex(ix)

	// Saved before more documents came, naming the table file of now (as
	// a checksum that happened to agree would): every hit kept is still
	// live, and only the generation tells the texts are stale.
	before, err := os.ReadFile(textsPath)
	if err != nil {
		t.Fatal(err)
	}
	ix = open(len(keys))
	more := randomDocs(rand.New(rand.NewPCG(9, 9)), 60)
	if err := ix.Index(ctx, more); err != nil {
		t.Fatal(err)
	}
	docs = current(append(docs, more...))
	closeIndex(ix)
	ix = open(0)
	now := ix.savedSum
	closeIndex(ix)
	os.WriteFile(textsPath, withTableSum(t, before, now), 0o600)
	ix = open(0)
	warmedAgain(ix, len(keys))
	searchAll(ix, true)
	closeIndex(ix)
}

// withTableSum returns a texts file with its table checksum replaced by
// sum and its own checksum made anew.
func withTableSum(t *testing.T, file []byte, sum uint32) []byte {
	t.Helper()
	out := slices.Clone(file)
	r := &decoder{b: out[len(textsMagic) : len(out)-4]}
	r.uvarint()
	for range r.uvarint() {
		r.str()
	}
	r.str()
	at := len(out) - 4 - len(r.b)
	if r.err != nil {
		t.Fatal(r.err)
	}
	binary.LittleEndian.PutUint32(out[at:], sum)
	binary.LittleEndian.PutUint32(out[len(out)-4:], crc32.Checksum(out[:len(out)-4], crcTable))
	return out
}
