package testfed

import (
	"bytes"
	"context"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var fourFormats = []string{FormatOOAPI, FormatEduAPI, FormatOCCAPI, FormatELM}

// firstPage is the URL of the first page of a source's courses (the whole
// file for ELM).
func firstPage(src Source) string {
	switch src.Type {
	case FormatEduAPI:
		return src.Path + "courseTemplates?limit=100"
	case FormatOCCAPI:
		return src.Path + "/course"
	case FormatELM:
		return src.Path
	}
	return src.Path + "courses?pageSize=100"
}

// An institution generated alone is the one a federation generates among
// all the others: in full, as a skeleton filled later, and served.
func TestInstitutionAloneEqualsInFederation(t *testing.T) {
	hostile, err := HostileProfiles([]string{"colliding-ids", "malformed-item", "dns-failure", "truncated"})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Now: testNow, Seed: 5, Institutions: 30, Formats: fourFormats, Hostile: hostile, Misbehaving: true}.withDefaults()
	all := generate(o, 0)
	for k := range all {
		if alone := newInstitution(o, k, 0); !reflect.DeepEqual(alone, all[k]) {
			t.Fatalf("institution %d alone differs (-alone +in the federation):\n%s", k, cmp.Diff(alone, all[k]))
		}
		skel := newSkeleton(o, k, 0)
		if skel.Organizations != nil || len(skel.Courses()) != 0 {
			t.Errorf("the skeleton of %d holds %d organisations and %d courses", k, len(skel.Organizations), len(skel.Courses()))
		}
		meta := func(srcs []Source) []Source {
			out := slices.Clone(srcs)
			for i := range out {
				out[i].Courses, out[i].Programs = nil, nil
			}
			return out
		}
		if !reflect.DeepEqual(skel.Sources, meta(all[k].Sources)) {
			t.Errorf("the skeleton of %d lists other sources than the institution: %+v", k, skel.Sources)
		}
	}
	// The first ten of a federation of ten are the first ten of thirty.
	few := o
	few.Institutions, few.Hostile, few.Misbehaving = 10, nil, false
	if got := generate(few, 0); !reflect.DeepEqual(got, all[:10]) {
		t.Errorf("the first 10 institutions depend on how many follow:\n%s", cmp.Diff(got, all[:10]))
	}

	f, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	served := f.Institutions()
	for _, k := range []int{0, 9, len(served) - 1} {
		if got := f.entry(k).in; !reflect.DeepEqual(got, served[k]) {
			t.Errorf("institution %d as served differs from the truth:\n%s", k, cmp.Diff(got, served[k]))
		}
	}
}

// Two federations with the same seed serve the same bytes, whatever the
// order they are asked in: each institution is generated from its own
// seed, and one that left the cache comes back the same.
func TestSameSeedServesSameBytes(t *testing.T) {
	opts := Options{Now: testNow, Seed: 11, Institutions: 2 * cachedInstitutions, CoursesPerInstitution: 120, Formats: fourFormats}
	a, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var urls []string
	for _, in := range a.Institutions() {
		urls = append(urls, in.Discovery.ManifestURL)
		for _, src := range in.Sources {
			urls = append(urls, firstPage(src), recordURL(src, src.Courses[len(src.Courses)-1].ID))
		}
	}
	urls = append(urls, a.RegistryURL(), a.AlliancesURL())
	ca, cb := client(t, a), client(t, b)
	pa, pb := ":"+strconv.Itoa(a.Port()), ":"+strconv.Itoa(b.Port())
	first := map[string][]byte{}
	for _, u := range urls {
		resp, body := get(t, ca, u)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", u, resp.Status)
		}
		first[u] = body
	}
	for _, u := range slices.Backward(urls) {
		_, body := get(t, cb, strings.Replace(u, pa, pb, 1))
		if !bytes.Equal(first[u], bytes.ReplaceAll(body, []byte(pb), []byte(pa))) {
			t.Errorf("%s: the second federation serves other bytes", u)
		}
	}
	// The first federation again, now that its cache holds others.
	for _, u := range urls[:8] {
		if _, body := get(t, ca, u); !bytes.Equal(first[u], body) {
			t.Errorf("%s: other bytes the second time", u)
		}
	}
}

// Paging through a source generates its institution once.
func TestPagingUsesTheCache(t *testing.T) {
	f, err := Start(context.Background(), Options{Now: testNow, Institutions: 3, CoursesPerInstitution: 300})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := client(t, f)
	src := f.skel[1].Sources[0]
	var entries []*instEntry
	for page := 1; page <= 3; page++ {
		resp, _ := get(t, c, src.Path+"courses?pageSize=100&pageNumber="+strconv.Itoa(page))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page %d: %s", page, resp.Status)
		}
		f.cache.mu.Lock()
		entries = append(entries, f.cache.entries...)
		f.cache.mu.Unlock()
	}
	if len(entries) != 3 || entries[0] != entries[1] || entries[1] != entries[2] || entries[0].k != 1 {
		t.Errorf("three pages of institution 1 left the cache entries %v", entries)
	}
}

// A federation of a thousand institutions of a thousand courses stays
// small: it keeps skeletons, and the institutions it serves in a bounded
// cache. The test asks a page of twice as many institutions as the cache
// holds and bounds the heap well below what one million courses take
// (some 3 GiB as generated, more rendered).
func TestMillionCourseFederationStaysSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 16 institutions of 1000 courses")
	}
	before := heapInUse()
	f, err := Start(context.Background(), Options{Now: testNow, Institutions: 1000, CoursesPerInstitution: 1000, Formats: fourFormats})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	started := heapInUse() - before
	c := client(t, f)
	for k := 0; k < 1000; k += 1000 / (2 * cachedInstitutions) {
		src := f.skel[k].Sources[0]
		if resp, _ := get(t, c, firstPage(src)); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", firstPage(src), resp.Status)
		}
	}
	serving := heapInUse() - before
	t.Logf("1000 institutions × 1000 courses: heap %d MiB started, %d MiB after serving %d institutions (%d cached)",
		started>>20, serving>>20, 2*cachedInstitutions, cachedInstitutions)
	if started > 64<<20 || serving > 512<<20 {
		t.Errorf("heap %d MiB started, %d MiB serving: the federation keeps more than skeletons and its cache", started>>20, serving>>20)
	}
}

// heapInUse returns the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// A conditional request for an unchanged ELM file is answered from its
// validator, without generating the institution; once Evolve changed the
// institution, the file is rendered again.
func TestUnchangedFileAnsweredFromItsValidator(t *testing.T) {
	f, err := Start(context.Background(), Options{Now: testNow, Institutions: 4, Formats: []string{FormatELM}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := client(t, f)
	in := f.Institutions()[2]
	src := in.Sources[0]
	resp, body := get(t, c, src.Path)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" {
		t.Fatalf("%s: %s, ETag %q", src.Path, resp.Status, etag)
	}
	f.cache.mu.Lock()
	f.cache.entries = nil
	f.cache.mu.Unlock()
	if resp, _ := get(t, c, src.Path, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified ||
		resp.Header.Get("ETag") != etag || resp.Header.Get("Last-Modified") == "" {
		t.Errorf("conditional request: %s, ETag %q, Last-Modified %q", resp.Status, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
	}
	f.cache.mu.Lock()
	generated := len(f.cache.entries)
	f.cache.mu.Unlock()
	if generated != 0 {
		t.Errorf("answering 304 generated %d institutions", generated)
	}
	f.evo.mu.Lock()
	f.evo.edits[2] = append(f.evo.edits[2], edit{kind: editTitle, round: 1, course: src.Courses[0].ID})
	f.evo.mu.Unlock()
	resp, changed := get(t, c, src.Path, "If-None-Match", etag)
	if resp.StatusCode != http.StatusOK || bytes.Equal(changed, body) || !bytes.Contains(changed, []byte(" (1)")) {
		t.Errorf("after an edit: %s, the same body: %t", resp.Status, bytes.Equal(changed, body))
	}
}
