package testfed

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// A running federation keeps only the skeleton of each institution (see
// newSkeleton); an institution's courses and rendered documents are made
// when one of its data servers is asked, and kept in a small cache of the
// institutions served last. A harvester works through a few institutions
// at a time and pages through each, so the cache holds what is being
// harvested, and a federation of a million courses costs about what a few
// institutions do.

// cachedInstitutions is how many institutions keep their generated data
// and rendered documents: more than a harvest's workers (4 by default),
// so that paging through a source never regenerates it.
const cachedInstitutions = 8

// instCache holds the most recently served institutions, generated in
// full with Evolve's edits applied, and their rendered sources.
type instCache struct {
	mu      sync.Mutex
	entries []*instEntry // least recently used first
}

// instEntry is one institution in the cache. Its version is the number of
// edits Evolve had made to it when it was generated; a later edit makes
// the entry stale.
type instEntry struct {
	k, version int
	once       sync.Once
	in         Institution

	mu   sync.Mutex
	apis map[int]api // rendered sources by index
}

// get returns institution k's entry at version, generating it with gen on
// first use. Concurrent callers for the same entry wait for one
// generation; generating happens outside the cache's lock.
func (c *instCache) get(k, version int, gen func() Institution) *instEntry {
	c.mu.Lock()
	var e *instEntry
	if i := slices.IndexFunc(c.entries, func(e *instEntry) bool { return e.k == k }); i >= 0 {
		e = c.entries[i]
		c.entries = slices.Delete(c.entries, i, i+1)
		if e.version != version {
			e = nil
		}
	}
	if e == nil {
		e = &instEntry{k: k, version: version, apis: map[int]api{}}
	}
	c.entries = append(c.entries, e)
	if len(c.entries) > cachedInstitutions {
		c.entries = slices.Delete(c.entries, 0, 1)
	}
	c.mu.Unlock()
	e.once.Do(func() { e.in = gen() })
	return e
}

// api returns the institution's i-th source rendered, rendering it on
// first use.
func (e *instEntry) api(i int, render func(in *Institution, src *Source) api) api {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.apis[i]
	if !ok {
		a = render(&e.in, &e.in.Sources[i])
		e.apis[i] = a
	}
	return a
}

// fileTags remembers the ETag of every ELM file served, by institution
// and source, with the version of the institution it was rendered from.
// A real server answers a conditional request from a stored validator; the
// federation would otherwise render a large file afresh (its costliest
// work) only to find it unchanged, whenever the institution has left the
// cache, as it has by the time a refresh comes.
type fileTags struct {
	mu   sync.Mutex
	tags map[[2]int]fileTag
}

type fileTag struct {
	version      int
	rel, etag    string
	lastModified time.Time
}

// serveFile serves institution k's i-th source, an ELM file, answering a
// request whose If-None-Match names the current file's ETag with 304
// without generating anything.
func (f *Federation) serveFile(k, i int) serveFunc {
	key := [2]int{k, i}
	return func(w http.ResponseWriter, r *http.Request, rel string) {
		version := len(f.evo.editsOf(k))
		f.fileTags.mu.Lock()
		tag, ok := f.fileTags.tags[key]
		f.fileTags.mu.Unlock()
		if ok && tag.version == version && tag.rel == rel && r.Header.Get("If-None-Match") == tag.etag {
			w.Header().Set("ETag", tag.etag)
			w.Header().Set("Last-Modified", tag.lastModified.UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusNotModified)
			return
		}
		e := f.entry(k)
		file := e.api(i, f.render).(*elmFile)
		file.serve(w, r, rel)
		if rel == file.name {
			f.fileTags.mu.Lock()
			if f.fileTags.tags == nil {
				f.fileTags.tags = map[[2]int]fileTag{}
			}
			f.fileTags.tags[key] = fileTag{e.version, rel, etagOf(file.body), file.lastModified}
			f.fileTags.mu.Unlock()
		}
	}
}
