package bleve

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"
)

// TestOrdinalsFilledAheadOfSearches: without any search, the Index comes
// to know the ordinal of every live document of every segment, after
// writes that leave several segments with deleted documents in them and
// after a fresh Open of the same index; each ordinal is the one the table
// holds for the document's ID.
func TestOrdinalsFilledAheadOfSearches(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 14))
	docs := randomDocs(r, 300)
	if err := ix.Index(ctx, docs); err != nil {
		t.Fatal(err)
	}
	held := current(docs)
	for range 3 {
		changed := randomDocs(r, 40)
		for i := range changed[:20] {
			changed[i].ID = held[r.IntN(len(held))].ID
		}
		held = write(t, ix, held, changed, []string{held[r.IntN(len(held))].ID})
	}
	waitFilled(t, ix, len(held))
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if ix, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	waitFilled(t, ix, len(held))
}

// waitFilled waits until every live document of ix's snapshot has its
// ordinal kept, and checks each.
func waitFilled(t *testing.T, ix *Index, live int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		known, err := knownOrdinals(ix)
		if err != nil {
			t.Fatal(err)
		}
		if known == live {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d live documents' ordinals kept", known, live)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// knownOrdinals counts the live documents of ix's current snapshot whose
// ordinal is kept, and checks that each is the table's ordinal of its ID.
func knownOrdinals(ix *Index) (int, error) {
	t := ix.table
	t.mu.RLock()
	defer t.mu.RUnlock()
	r, err := ix.reader()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	h, err := t.forSnapshot(r)
	if err != nil {
		return 0, err
	}
	known := 0
	for i, ss := range h.segs {
		for it := ss.DocNumbersLive().Iterator(); it.HasNext(); {
			local := uint64(it.Next())
			v := h.ords[i][local].Load()
			if v == 0 {
				continue
			}
			id, err := ss.DocID(local)
			if err != nil {
				return 0, err
			}
			if want, ok := t.ords.get(&t.ids, string(id)); !ok || want != v-1 {
				return 0, fmt.Errorf("%s: ordinal %d kept, the table's %d (%v)", id, v-1, want, ok)
			}
			known++
		}
	}
	return known, nil
}
