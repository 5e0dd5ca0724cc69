package bleve

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sync/errgroup"

	"qlink/internal/search"
)

func TestOpenOnDisk(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Index(ctx, corpus()); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	ix, err = Open(dir)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if n, err := ix.Count(ctx); err != nil || n != len(corpus()) {
		t.Errorf("Count after reopen = %d, %v; want %d", n, err, len(corpus()))
	}
	res, err := ix.Search(ctx, search.Query{Text: "Einführung"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"d1", "d2"}, sortedIDs(res)); diff != "" {
		t.Errorf("search after reopen (-want +got):\n%s", diff)
	}

	// An index written under another mapping version is refused, intact.
	if err := ix.idx.SetInternal(versionKey, []byte("0-old")); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir)
	if !errors.Is(err, ErrMappingChanged) {
		t.Fatalf("Open with old mapping version: %v, want ErrMappingChanged", err)
	}
	if !strings.Contains(err.Error(), "0-old") {
		t.Errorf("error does not name the stored version: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index_meta.json")); err != nil {
		t.Errorf("index removed: %v", err)
	}

	// After the caller deletes it, Open builds a fresh one; an empty
	// directory counts as absent.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	ix, err = Open(dir)
	if err != nil {
		t.Fatalf("Open of an empty directory: %v", err)
	}
	defer ix.Close()
	if n, _ := ix.Count(ctx); n != 0 {
		t.Errorf("fresh index holds %d documents", n)
	}
}

func TestOpenNotAnIndex(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err == nil {
		ix.Close()
		t.Fatal("Open of a non-index directory: no error")
	}
	if errors.Is(err, ErrMappingChanged) {
		t.Errorf("a foreign directory must not look rebuildable: %v", err)
	}
}

func TestMappingVersionStable(t *testing.T) {
	_, va, err := codeMapping()
	if err != nil {
		t.Fatal(err)
	}
	_, vb, err := codeMapping()
	if err != nil {
		t.Fatal(err)
	}
	if va != vb {
		t.Errorf("mapping version differs between builds: %s, %s", va, vb)
	}
}

func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	ix := openCorpus(t, corpus())
	docs := genDocs(300)
	var g errgroup.Group
	for i := range 4 {
		g.Go(func() error {
			for j := range 20 {
				q := search.Query{Text: "introduction statistics", Filters: map[search.Facet][]string{search.FacetCountry: {"DE"}}, Page: j%3 + 1}
				if _, err := ix.Search(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		g.Go(func() error { return ix.Index(ctx, docs[i*75:(i+1)*75]) })
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if n, err := ix.Count(ctx); err != nil || n != len(corpus())+len(docs) {
		t.Errorf("Count = %d, %v; want %d", n, err, len(corpus())+len(docs))
	}
}

// A second opener of an index gets ErrBusy at once instead of waiting for
// the first to let go.
func TestOpenBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index.bleve")
	first, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); !errors.Is(err, ErrBusy) {
		t.Fatalf("second open: %v, want ErrBusy", err)
	}
	first.Close()
	second, err := Open(path)
	if err != nil {
		t.Fatalf("open after the first closed: %v", err)
	}
	second.Close()
}

// The fields a query looks in are kept between writes; a write that brings
// a language the index did not hold makes the next search look there too.
func TestSearchSeesFieldsOfLaterWrites(t *testing.T) {
	ctx := context.Background()
	var later, first []search.Document
	for _, d := range corpus() {
		if d.ID == "d1" || d.ID == "d2" {
			later = append(later, d)
		} else {
			first = append(first, d)
		}
	}
	ix := openCorpus(t, first)
	if res, err := ix.Search(ctx, search.Query{Text: "Einführung"}); err != nil || len(res.Hits) != 0 {
		t.Fatalf("before the German courses: %v, %v", hitIDs(res), err)
	}
	if err := ix.Index(ctx, later); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(ctx, search.Query{Text: "Einführung"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"d1", "d2"}, sortedIDs(res)); diff != "" {
		t.Errorf("after the German courses (-want +got):\n%s", diff)
	}
}
