package bleve

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"qlink/internal/search"
	"qlink/internal/search/searchtest"
)

// The catalogue at scale (issue 14): BenchmarkScale searches generated
// catalogues of 100,000 courses and, when QLINK_BENCH_1M=1, 1,000,000.
// Generating a million bleve documents takes a long while, so each corpus
// is built once per run into a temporary directory, or once for good into
// $QLINK_BENCH_CORPUS_DIR when that is set (later runs reuse it).
const (
	envMillion   = "QLINK_BENCH_1M"
	envCorpusDir = "QLINK_BENCH_CORPUS_DIR"
	// coursesPerInst is how many courses one generated institution
	// publishes; they are indexed together, as a harvest of one source
	// does, so an institution's courses sit side by side in the index.
	coursesPerInst = 1000
)

var scaleCountries = []string{"DE", "FR", "IT", "ES", "PL", "NL", "BE", "AT", "PT", "CZ", "SE", "HU", "GR", "RO", "FI",
	"DK", "IE", "SK", "BG", "HR", "LT", "SI", "LV", "EE", "CY", "LU", "MT", "NO", "IS", "CH"}

// scaleLangs are the course languages by country; languages without words
// of their own in searchtest.Words take the unstated language's.
var scaleLangs = []string{"de", "fr", "it", "es", "pl", "nl", "nl", "de", "pt", "cs", "sv", "hu", "el", "ro", "fi",
	"da", "en", "sk", "bg", "hr", "lt", "sl", "lv", "et", "el", "fr", "en", "no", "is", "de"}

var scaleECTS = []float64{2.5, 3, 4, 5, 6, 7.5, 10, 15, 20, 30, 60}

// scaleDoc is generated course i: institution i/coursesPerInst (its
// country, alliances and main language follow from it), about 1,100
// distinct facet values at a million courses, 3 % inactive, 5 % flagged,
// 80 % with ECTS. Each course has its own random source, so any course
// can be made again without the ones before it.
func scaleDoc(i int) search.Document {
	r := rand.New(rand.NewPCG(uint64(i), 14))
	inst := i / coursesPerInst
	// Countries are skewed: the first ones have more institutions.
	c := (inst * 7919) % (len(scaleCountries) * len(scaleCountries))
	country := len(scaleCountries) - 1 - isqrt(c)
	lang := scaleLangs[country]
	pick := func(vs []string) string { return vs[r.IntN(len(vs))] }
	phrase := func(lang string, k int) string {
		words, ok := searchtest.Words[lang]
		if !ok {
			words = searchtest.Words[""]
		}
		ws := make([]string, k)
		for j := range ws {
			ws[j] = pick(words)
		}
		return strings.Join(ws, " ")
	}
	d := search.Document{
		ID:          fmt.Sprintf("urn:schac:uniqueCourseId:inst-%04d.example:c-%07d", inst, i),
		Title:       map[string]string{},
		Description: map[string]string{},
		Outcomes:    map[string]string{},
		Institution: fmt.Sprintf("inst-%04d", inst),
		Country:     scaleCountries[country],
		EQF:         fmt.Sprint(5 + r.IntN(4)),
		Fields:      []string{fmt.Sprintf("%02d", r.IntN(11))},
		Type:        []string{"course", "course", "module", "programme", "mooc"}[r.IntN(5)],
		Modes:       []string{[]string{"presential", "online", "blended", "hybrid"}[r.IntN(4)]},
		Inactive:    r.IntN(100) < 3,
		Flagged:     r.IntN(100) < 5,
	}
	if inst%3 == 0 {
		d.Alliances = []string{fmt.Sprintf("alliance-%02d", inst/3%50)}
		if inst%7 == 0 {
			d.Alliances = append(d.Alliances, fmt.Sprintf("alliance-%02d", (inst/7+1)%50))
		}
	}
	if r.IntN(4) == 0 {
		d.Fields = append(d.Fields, fmt.Sprintf("%02d", r.IntN(11)))
	}
	langs := []string{lang}
	if lang != "en" && r.IntN(5) < 2 {
		langs = append(langs, "en")
	}
	for _, l := range langs {
		d.Title[l] = phrase(l, 2+r.IntN(3))
		d.Description[l] = phrase(l, 15+r.IntN(20))
		d.Outcomes[l] = phrase(l, 5+r.IntN(10))
		d.Languages = append(d.Languages, l)
	}
	d.Extra = fmt.Sprintf("Institution %04d\nC-%d", inst, i)
	if r.IntN(5) > 0 {
		d.ECTS = &scaleECTS[r.IntN(len(scaleECTS))]
	}
	return d
}

func isqrt(n int) int {
	s := 0
	for (s+1)*(s+1) <= n {
		s++
	}
	return s
}

// scaleCorpus returns the path of an on-disk index of n generated courses,
// building it when it does not exist yet.
func scaleCorpus(b *testing.B, n int) string {
	b.Helper()
	dir := os.Getenv(envCorpusDir)
	if dir == "" {
		dir = scaleTempDir(b)
	}
	path := filepath.Join(dir, fmt.Sprintf("scale-%d.bleve", n))
	done := path + ".complete"
	if _, err := os.Stat(done); err == nil {
		return path
	} else if !errors.Is(err, os.ErrNotExist) {
		b.Fatal(err)
	}
	if err := os.RemoveAll(path); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	ix, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for first := 0; first < n; first += coursesPerInst {
		docs := make([]search.Document, 0, coursesPerInst)
		for i := first; i < min(first+coursesPerInst, n); i++ {
			docs = append(docs, scaleDoc(i))
		}
		if err := ix.Index(ctx, docs); err != nil {
			b.Fatal(err)
		}
	}
	if err := ix.Close(); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d courses into %s in %v", n, path, time.Since(start).Round(time.Second))
	if err := os.WriteFile(done, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// scaleTemp is this run's temporary corpus directory, shared by every
// benchmark that needs one and removed at the end (TestMain).
var scaleTemp string

func scaleTempDir(b *testing.B) string {
	if scaleTemp == "" {
		d, err := os.MkdirTemp("", "qlink-scale-")
		if err != nil {
			b.Fatal(err)
		}
		scaleTemp = d
	}
	return scaleTemp
}

func TestMain(m *testing.M) {
	code := m.Run()
	if scaleTemp != "" {
		_ = os.RemoveAll(scaleTemp)
	}
	os.Exit(code)
}

// scaleSizes are the catalogue sizes this run benchmarks.
func scaleSizes() []int {
	if os.Getenv(envMillion) == "1" {
		return []int{100_000, 1_000_000}
	}
	return []int{100_000}
}

// scaleQueries are the searches measured at every size.
var scaleQueries = []struct {
	name string
	q    search.Query
}{
	{"match all", search.Query{}},
	{"filters", search.Query{Filters: map[search.Facet][]string{search.FacetCountry: {"DE", "FR"}, search.FacetMode: {"online"}}, ECTSMin: ptr(5.0)}},
	{"one institution", search.Query{Filters: map[search.Facet][]string{search.FacetInstitution: {"inst-0042"}}}},
	{"language and type", search.Query{Filters: map[search.Facet][]string{search.FacetLanguage: {"en"}, search.FacetType: {"module"}}, Quality: search.QualityValid}},
	{"match all page 50", search.Query{Page: 50}},
	{"one word", search.Query{Text: "introduction"}},
	{"three words", search.Query{Text: "data analysis methods"}},
	{"words and filters", search.Query{Text: "économie développement", Filters: map[search.Facet][]string{search.FacetCountry: {"FR", "BE"}, search.FacetEQF: {"6", "7"}}, Page: 2}},
}

// BenchmarkScale runs scaleQueries on each catalogue; besides the wall
// time it reports the CPU time per search (cpu-ms/op: every goroutine of
// the process, so bleve's and the garbage collector's too) and the hits.
func BenchmarkScale(b *testing.B) {
	ctx := context.Background()
	for _, n := range scaleSizes() {
		ix := openScale(b, n)
		for _, sq := range scaleQueries {
			b.Run(fmt.Sprintf("%dk/%s", n/1000, sq.name), func(b *testing.B) {
				var res search.Result
				var err error
				start := cpuTime()
				for b.Loop() {
					if res, err = ix.Search(ctx, sq.q); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(msPerOp(cpuTime()-start, b.N), "cpu-ms/op")
				b.ReportMetric(float64(res.Total), "hits")
			})
		}
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScaleOpen measures opening the on-disk index until it has
// answered a first search: with the facet table rebuilt from the index
// (its file removed first) and read from the file the previous Close
// saved. It reports the CPU time that took (cpu-ms/op), the heap the open
// index holds (heap-MB, after a garbage collection), the table's own
// estimate of its size (table-MB) and the CPU time of one full garbage
// collection while the index is open (gc-cpu-ms: the collector marks
// every pointer the table holds at each cycle).
func BenchmarkScaleOpen(b *testing.B) {
	for _, n := range scaleSizes() {
		path := scaleCorpus(b, n)
		for _, from := range []string{"index", "file"} {
			b.Run(fmt.Sprintf("%dk/table from %s", n/1000, from), func(b *testing.B) {
				var heap, size float64
				var cpu, gc time.Duration
				for b.Loop() {
					b.StopTimer()
					if from == "index" {
						if err := os.Remove(filepath.Join(path, tableFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
							b.Fatal(err)
						}
					}
					before := heapAlloc()
					b.StartTimer()
					start := cpuTime()
					ix, err := Open(path)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := ix.Search(context.Background(), search.Query{Limit: 1}); err != nil {
						b.Fatal(err)
					}
					cpu += cpuTime() - start
					b.StopTimer()
					if ix.tableFrom != from {
						b.Fatalf("table from %s, want %s", ix.tableFrom, from)
					}
					heap, size = float64(heapAlloc()-before)/1e6, float64(tableBytes(ix.table))/1e6
					gcStart := cpuTime()
					runtime.GC()
					gc = cpuTime() - gcStart
					if err := ix.Close(); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				b.ReportMetric(msPerOp(cpu, b.N), "cpu-ms/op")
				b.ReportMetric(heap, "heap-MB")
				b.ReportMetric(size, "table-MB")
				b.ReportMetric(msPerOp(gc, 1), "gc-cpu-ms")
			})
		}
	}
}

// cpuTime is the process's user and system time so far: on a machine
// shared with other work it measures this process alone, unlike the wall
// clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func msPerOp(d time.Duration, n int) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }

// heapAlloc returns the bytes of live heap after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// tableBytes estimates the memory the table holds: its strings, columns,
// bitmaps and the ID index (about 16 bytes an entry).
func tableBytes(t *table) int {
	n := 16*len(t.ords.byHash) + 32*len(t.ords.clashes)
	for _, c := range []strColumn{t.ids, t.sortKeys} {
		n += cap(c.data) + 8*cap(c.spans)
	}
	n += 8*len(t.ects) + 4*(len(t.order)+len(t.rank)+len(t.free))
	for f := range numFacets {
		n += 4*len(t.codes[f]) + 8*len(t.masks[f])
	}
	bms := []*roaring.Bitmap{t.live, t.inactive, t.flagged}
	for _, values := range t.values {
		for v, bm := range values {
			n += len(v)
			bms = append(bms, bm)
		}
	}
	for _, bm := range bms {
		n += int(bm.GetSizeInBytes())
	}
	return n
}

// BenchmarkScaleTableUpdate measures the facet table's part of indexing a
// harvest batch (harvest indexes 500 courses at a time) into the whole
// catalogue: the batch's courses indexed again, unchanged, so the table
// takes them out of every bitmap and the order and puts them back. bleve's
// part, analysing the texts, is not included.
func BenchmarkScaleTableUpdate(b *testing.B) {
	const batch = 500
	for _, n := range scaleSizes() {
		ix := openScale(b, n)
		rows := make([]row, batch)
		for i := range rows {
			d := scaleDoc(n/2 + i)
			rows[i] = ix.row(d, fields(d))
		}
		gen := ix.table.gen
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			for b.Loop() {
				ix.table.update(rows, nil, gen)
			}
		})
		if err := checkTable(ix.table); err != nil {
			b.Fatal(err)
		}
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScaleWarming measures the background work a write to the index
// starts (background.go): once the kept matches hold warmTexts texts, one
// course is written again and the benchmark waits until every text has
// been searched again. It reports the CPU time per write (cpu-ms/op,
// every goroutine: the write, its quiet wait excluded, and the warming)
// and the matches the warmed texts hold in all (hits).
func BenchmarkScaleWarming(b *testing.B) {
	// No quiet wait, and no budget: the benchmark measures what a whole
	// warming costs, every iteration.
	quiet, share, credit := warmQuiet, warmShare, warmCredit
	warmQuiet, warmShare, warmCredit = 0, 1, 100*365*24*time.Hour
	b.Cleanup(func() { warmQuiet, warmShare, warmCredit = quiet, share, credit })
	ctx := context.Background()
	for _, n := range scaleSizes() {
		ix := openScale(b, n)
		var texts []string
		for _, lang := range slices.Sorted(maps.Keys(searchtest.Words)) {
			texts = append(texts, searchtest.Words[lang]...)
		}
		texts = slices.Compact(slices.Sorted(slices.Values(texts)))
		texts = texts[:min(len(texts), warmTexts)]
		hits := 0
		for _, text := range texts {
			res, err := ix.Search(ctx, search.Query{Text: text})
			if err != nil {
				b.Fatal(err)
			}
			hits += res.Total
		}
		again := []search.Document{scaleDoc(n / 3)}
		b.Run(fmt.Sprintf("%dk/%d texts", n/1000, len(texts)), func(b *testing.B) {
			start := cpuTime()
			for b.Loop() {
				warmed := ix.warmed.Load()
				if err := ix.Index(ctx, again); err != nil {
					b.Fatal(err)
				}
				for ix.warmed.Load() < warmed+int64(len(texts)) {
					time.Sleep(time.Millisecond)
				}
			}
			b.ReportMetric(msPerOp(cpuTime()-start, b.N), "cpu-ms/op")
			b.ReportMetric(float64(hits), "hits")
		})
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// openScale opens the generated catalogue of n courses, building it first
// if needed; the caller closes it.
func openScale(b *testing.B, n int) *Index {
	ix, err := Open(scaleCorpus(b, n))
	if err != nil {
		b.Fatal(err)
	}
	return ix
}
