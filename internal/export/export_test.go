package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/rdf/jsonld"
	"qlink/internal/rdf/ntriples"
	"qlink/internal/rdf/turtle"
	"qlink/internal/store"
	"qlink/internal/store/sqlite"
)

var testProviders = []model.Provider{
	{ID: "P1", SCHAC: "uni-a.test", DEQAR: "DEQARINST0382", Name: model.Text{"en": "University A"}, Country: "NL"},
	{ID: "P2", SCHAC: "uni-b.test", Name: model.Text{"de": "Universität B"}, Country: "DE"},
	{ID: "P3", SCHAC: "uni-c.test", Name: model.Text{"en": "University C"}, Country: "NL"},
}

func course(provider, id, title string, offerings int) model.Specification {
	s := model.Specification{ID: "urn:schac:uniqueCourseId:" + provider + ".test:" + id, Title: model.Text{"en": title},
		Languages: []string{"en"}, ISCEDF: []string{"0613"}, EQFLevel: 6, Active: true, PublisherID: provider,
		Credits: []model.Credit{{System: model.CreditECTS, Value: 7.5}}}
	for i := range offerings {
		s.Instances = append(s.Instances, model.Instance{ID: s.ID + "-" + string(rune('a'+i)), SpecificationID: s.ID,
			Start: time.Date(2099, 9, 1+i, 0, 0, 0, 0, time.UTC), DefaultLanguage: "en"})
	}
	return s
}

// openStore stores P1 with three courses (one of them later inactive), P2
// with one and P3 with none.
func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "db"))
	must(t, err)
	t.Cleanup(func() { st.Close() })
	must(t, st.Migrate(ctx))
	must(t, st.UpsertProviders(ctx, testProviders))
	apply(t, st, "P1", course("P1", "A", "=HYPERLINK(\"http://evil.test\")", 2), course("P1", "B", "Data, \"quoted\"\nand a new line", 1),
		course("P1", "GONE", "Soon inactive", 1))
	apply(t, st, "P1", course("P1", "A", "=HYPERLINK(\"http://evil.test\")", 2), course("P1", "B", "Data, \"quoted\"\nand a new line", 1))
	apply(t, st, "P2", course("P2", "X", "@SUM(A1)", 0))
	return st
}

func apply(t testing.TB, st store.Store, provider string, specs ...model.Specification) {
	t.Helper()
	ctx := context.Background()
	srcs, err := st.SyncManifest(ctx, store.Manifest{ProviderID: provider, URL: "https://" + provider + ".test/m", FetchedAt: time.Now(), Body: []byte(provider)},
		[]store.Source{{Key: "k", Type: "ooapi", URL: "https://" + provider + ".test/"}})
	must(t, err)
	_, err = st.ApplyCourses(ctx, srcs[0].ID, 0, specs, true, time.Now(), nil)
	must(t, err)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func activeIDs(t *testing.T, st store.Store) []string {
	ids, err := st.CourseIDs(context.Background(), "", store.StatusActive)
	must(t, err)
	return ids
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	must(t, err)
	data, err := io.ReadAll(zr)
	must(t, err)
	return data
}

// specSubjects are the subjects typed as course specifications, with the
// graphs they are stated in.
func specSubjects(quads []rdf.Quad) (ids []string, graphs map[string]bool) {
	graphs = map[string]bool{}
	for _, q := range quads {
		if q.P.Value == elm.RDFNS+"type" && (q.O.Value == elm.QL+"LearningOpportunitySpecification" || q.O.Value == elm.NS+"LearningActivitySpecification") {
			ids = append(ids, q.S.Value)
			graphs[q.G.Value] = true
		}
	}
	slices.Sort(ids)
	return ids, graphs
}

func parseNQ(t *testing.T, data []byte) []rdf.Quad {
	t.Helper()
	var quads []rdf.Quad
	must(t, ntriples.ParseQuads(bytes.NewReader(data), rdf.Options{}, func(q rdf.Quad) error {
		quads = append(quads, q)
		return nil
	}))
	return quads
}

func TestNQuadsDumpHoldsExactlyTheActiveCourses(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	ms, err := Generate(context.Background(), st, dir)
	must(t, err)
	quads := parseNQ(t, gunzip(t, filepath.Join(dir, FileName(All, NQuads))))
	ids, graphs := specSubjects(quads)
	if want := activeIDs(t, st); !slices.Equal(ids, want) {
		t.Errorf("N-Quads dump holds courses %v, want the active courses %v", ids, want)
	}
	wantGraphs := map[string]bool{"https://data.deqar.eu/institution/382": true, "urn:qlink:provider:P2": true}
	if len(graphs) != len(wantGraphs) || !graphs["https://data.deqar.eu/institution/382"] || !graphs["urn:qlink:provider:P2"] {
		t.Errorf("course graphs = %v, want one per provider %v", graphs, wantGraphs)
	}
	// Each institution is described once, in its own graph.
	described := 0
	for _, q := range quads {
		if q.S.Value == "urn:qlink:provider:P2" && q.P.Value == elm.RDFNS+"type" {
			described++
			if q.G.Value != "urn:qlink:provider:P2" {
				t.Errorf("P2 described in graph %q", q.G.Value)
			}
		}
	}
	if described != 1 {
		t.Errorf("P2 typed %d times, want once", described)
	}
	p1, _ := specSubjects(parseNQ(t, gunzip(t, filepath.Join(dir, FileName(ProviderScope("P1"), NQuads)))))
	if len(p1) != 2 || !strings.Contains(p1[0], "P1.test:A") {
		t.Errorf("P1's dump holds %v", p1)
	}
	nl, _ := specSubjects(parseNQ(t, gunzip(t, filepath.Join(dir, FileName(CountryScope("nl"), NQuads)))))
	if !slices.Equal(nl, p1) {
		t.Errorf("the Dutch dump holds %v, want P1's %v", nl, p1)
	}
	// P3 has no courses: no file. Every file has a manifest that matches it.
	if _, err := os.Stat(filepath.Join(dir, FileName(ProviderScope("P3"), NQuads))); !os.IsNotExist(err) {
		t.Errorf("P3 has no courses but a file: %v", err)
	}
	if len(ms) != 5*len(Formats) { // all, P1, P2, DE, NL
		t.Errorf("%d files, want %d", len(ms), 5*len(Formats))
	}
	for _, m := range ms {
		data, err := os.ReadFile(filepath.Join(dir, m.File))
		must(t, err)
		sum := sha256.Sum256(data)
		if m.SHA256 != hex.EncodeToString(sum[:]) || m.Bytes != int64(len(data)) {
			t.Errorf("%s: manifest says %d bytes %s", m.File, m.Bytes, m.SHA256)
		}
	}
	read, err := ReadManifests(dir)
	must(t, err)
	if len(read) != len(ms) || read[0].File != FileName(All, NQuads) || read[0].Records != 3 {
		t.Errorf("ReadManifests: %d, first %+v", len(read), read[0])
	}
}

func TestTurtleAndJSONLDHoldTheSameCourses(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	_, err := Generate(context.Background(), st, dir)
	must(t, err)
	want := activeIDs(t, st)
	var ttl []rdf.Quad
	must(t, turtle.Parse(bytes.NewReader(gunzip(t, filepath.Join(dir, FileName(All, Turtle)))), rdf.Options{}, func(q rdf.Quad) error {
		ttl = append(ttl, q)
		return nil
	}))
	if ids, _ := specSubjects(ttl); !slices.Equal(ids, want) {
		t.Errorf("Turtle holds %v, want %v", ids, want)
	}
	var ld []rdf.Quad
	must(t, jsonld.Parse(bytes.NewReader(gunzip(t, filepath.Join(dir, FileName(All, JSONLD)))), rdf.Options{}, func(q rdf.Quad) error {
		ld = append(ld, q)
		return nil
	}))
	if ids, _ := specSubjects(ld); !slices.Equal(ids, want) {
		t.Errorf("JSON-LD holds %v, want %v", ids, want)
	}
	if !rdf.Isomorphic(withoutGraphs(ttl), withoutGraphs(ld)) {
		t.Errorf("Turtle (%d statements) and JSON-LD (%d) differ", len(ttl), len(ld))
	}
}

func withoutGraphs(qs []rdf.Quad) []rdf.Quad {
	out := make([]rdf.Quad, len(qs))
	for i, q := range qs {
		q.G = rdf.Term{}
		out[i] = q
	}
	return out
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(gunzip(t, path))).ReadAll()
	must(t, err)
	return rows
}

func TestCSVHasOneRowPerCourseAndOffering(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	ms, err := Generate(context.Background(), st, dir)
	must(t, err)
	courses := readCSV(t, filepath.Join(dir, FileName(All, CoursesCSV)))
	if len(courses) != 1+3 {
		t.Fatalf("courses.csv has %d rows, want a header and 3 courses", len(courses))
	}
	if !slices.Equal(courses[0], CourseColumns.names()) {
		t.Errorf("header %v", courses[0])
	}
	byID := map[string][]string{}
	for _, r := range courses[1:] {
		byID[r[0]] = r
	}
	a, b, x := byID["urn:schac:uniqueCourseId:P1.test:A"], byID["urn:schac:uniqueCourseId:P1.test:B"], byID["urn:schac:uniqueCourseId:P2.test:X"]
	if a == nil || b == nil || x == nil {
		t.Fatalf("rows %v", byID)
	}
	if a[1] != `'=HYPERLINK("http://evil.test")` || x[1] != "'@SUM(A1)" {
		t.Errorf("formulas not neutralised: %q, %q", a[1], x[1])
	}
	if b[1] != "Data, \"quoted\"\nand a new line" {
		t.Errorf("quoted cell read back as %q", b[1])
	}
	if a[5] != "University A" || a[6] != "NL" || a[9] != "7.5" || a[10] != "6" || a[16] != "2" {
		t.Errorf("row A = %q", a)
	}
	offerings := readCSV(t, filepath.Join(dir, FileName(All, OfferingsCSV)))
	if len(offerings) != 1+3 {
		t.Errorf("offerings.csv has %d rows, want a header and 3 offerings (2 of A, 1 of B)", len(offerings))
	}
	raw := gunzip(t, filepath.Join(dir, FileName(All, CoursesCSV)))
	if !bytes.Contains(raw, []byte("\r\n")) || !bytes.Contains(raw, []byte(`"Data, ""quoted""`)) {
		t.Errorf("not RFC 4180: %q", raw)
	}
	for _, m := range ms {
		if m.File == FileName(All, OfferingsCSV) && m.Records != 3 {
			t.Errorf("offerings manifest counts %d records", m.Records)
		}
	}
}

// A download under way while the dataset is regenerated reads the old file
// to its end, with the old checksum.
func TestRegenerationLeavesADownloadIntact(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	_, err := Generate(context.Background(), st, dir)
	must(t, err)
	name := FileName(All, NQuads)
	old, err := ReadManifest(dir, name)
	must(t, err)
	f, err := os.Open(filepath.Join(dir, name))
	must(t, err)
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyN(h, f, old.Bytes/2); err != nil {
		t.Fatal(err)
	}
	apply(t, st, "P2", course("P2", "X", "@SUM(A1)", 0), course("P2", "Y", "New course", 3))
	_, err = Generate(context.Background(), st, dir)
	must(t, err)
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != old.SHA256 {
		t.Errorf("the download read %s, want the old file's %s", got, old.SHA256)
	}
	now, err := ReadManifest(dir, name)
	must(t, err)
	if now.SHA256 == old.SHA256 || now.Records != 4 {
		t.Errorf("regenerated manifest %+v", now)
	}
}

func TestWriteStreamsOneScope(t *testing.T) {
	st := openStore(t)
	var buf bytes.Buffer
	n, err := Write(context.Background(), st, &buf, ProviderScope("P2"), NQuads)
	must(t, err)
	ids, _ := specSubjects(parseNQ(t, buf.Bytes()))
	if n != 1 || len(ids) != 1 || !strings.HasSuffix(ids[0], ":X") {
		t.Errorf("wrote %d records: %v", n, ids)
	}
	if _, err := Write(context.Background(), st, io.Discard, ProviderScope("nobody"), NQuads); err == nil {
		t.Error("an unknown provider is not an error")
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+31": "'+31", "-2": "'-2", "@x": "'@x", "a=b": "a=b", "": ""} {
		if got := neutralise(in); got != want {
			t.Errorf("neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

// A burst of pokes makes one generation.
func TestRegeneratorFoldsABurst(t *testing.T) {
	r := NewRegenerator(nil, "", time.Millisecond, nil, nil)
	generated := make(chan struct{}, 10)
	r.generate = func(context.Context) error {
		generated <- struct{}{}
		return nil
	}
	for range 10 {
		r.Poke()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	<-generated
	r.Poke() // after a generation, a new poke makes another
	<-generated
	cancel()
	<-done
	if n := len(generated); n != 0 {
		t.Errorf("%d generations more than the two asked for", n)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }

// The compression beside the writer keeps the order of the chunks and
// reports a failure of the file at Close.
func TestGzipPipe(t *testing.T) {
	var text bytes.Buffer
	for i := range 200_000 {
		fmt.Fprintf(&text, "line %d\n", i)
	}
	var out bytes.Buffer
	p := newGzipPipe(&out, "x")
	for chunk := range slices.Chunk(text.Bytes(), 1000) {
		if _, err := p.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	must(t, p.Close())
	zr, err := gzip.NewReader(&out)
	must(t, err)
	got, err := io.ReadAll(zr)
	must(t, err)
	if !bytes.Equal(got, text.Bytes()) {
		t.Errorf("decompressed %d bytes differ from the %d written", len(got), text.Len())
	}
	p = newGzipPipe(failingWriter{}, "x")
	p.Write(text.Bytes())
	if err := p.Close(); !errors.Is(err, io.ErrShortWrite) {
		t.Errorf("Close after the file failed: %v", err)
	}
}

// A complete generation records its stamp: the same stamp later asks for
// nothing, another one, a missing stamp file or a failed stamp for a
// generation; a generation that fails leaves no stamp behind.
func TestRegeneratorStamp(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	stamp := "software a\nproviders b\ncourses changed c\n"
	var stampErr error
	r := NewRegenerator(st, dir, time.Millisecond, func(context.Context) (string, error) { return stamp, stampErr }, nil)
	ctx := context.Background()
	pending := func() bool {
		select {
		case <-r.kick:
			return true
		default:
			return false
		}
	}
	if !r.PokeIfStale(ctx) || !pending() {
		t.Fatal("a directory never generated was not regenerated")
	}
	must(t, r.generate(ctx))
	if r.PokeIfStale(ctx) || pending() {
		t.Fatal("regenerated with the stamp of the last generation")
	}
	stamp = "software a\nproviders b\ncourses changed d\n"
	if !r.PokeIfStale(ctx) || !pending() {
		t.Fatal("not regenerated after a harvest changed courses")
	}
	if got := changedLines("software a\nproviders b\ncourses changed c\n", stamp); !slices.Equal(got, []string{"courses changed d"}) {
		t.Errorf("changed lines: %q", got)
	}
	stampErr = errors.New("no store")
	if !r.PokeIfStale(ctx) || !pending() {
		t.Fatal("not regenerated when the stamp cannot be known")
	}
	// The generation goes ahead without its stamp, and leaves none.
	must(t, r.generate(ctx))
	stampErr = nil
	if !r.PokeIfStale(ctx) || !pending() {
		t.Fatal("a generation whose stamp was unknown counted as current")
	}
	must(t, r.generate(ctx))
	must(t, st.Close())
	if err := r.generate(ctx); err == nil {
		t.Fatal("a generation from a closed store succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, stampFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed generation left the stamp of the one before it: %v", err)
	}
}

// TestGenerateWritesWhatWriteWrites generates the dataset of institutions in
// more countries than stay open beside the whole catalogue, so that both
// passes write country files, and checks every file against Write for its
// scope and format (what qlink export writes); and that the whole
// catalogue lists courses institution by institution, though their IDs
// sort otherwise.
func TestGenerateWritesWhatWriteWrites(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "db"))
	must(t, err)
	defer st.Close()
	must(t, st.Migrate(ctx))
	countries := []string{"NL", "DE", "FR", "IT", "ES", "PL", "BE", "AT", "SE"}
	var want []string // course IDs by institution, then ID
	for i, cc := range countries {
		id := fmt.Sprintf("P%d", i)
		must(t, st.UpsertProviders(ctx, []model.Provider{{ID: id, SCHAC: strings.ToLower(id) + ".test", Name: model.Text{"en": "University " + id}, Country: cc}}))
		// The later an institution, the earlier its courses' IDs sort.
		a, b := course(id, "A", "First of "+id, 1), course(id, "B", "Second of "+id, 2)
		a.ID = fmt.Sprintf("urn:schac:uniqueCourseId:%c.test:%s-A", 'z'-i, id)
		b.ID = fmt.Sprintf("urn:schac:uniqueCourseId:%c.test:%s-B", 'z'-i, id)
		a.Instances[0].SpecificationID = a.ID
		b.Instances[0].SpecificationID, b.Instances[1].SpecificationID = b.ID, b.ID
		specs := []model.Specification{a, b}
		if cc == "SE" { // the largest country
			specs = append(specs, course(id, "C", "Third", 0), course(id, "D", "Fourth", 0))
		}
		apply(t, st, id, specs...)
		for _, s := range specs {
			want = append(want, s.ID)
		}
		slices.Sort(want[len(want)-len(specs):])
	}
	dir := t.TempDir()
	ms, err := Generate(ctx, st, dir)
	must(t, err)
	if n := 1 + 2*len(countries); len(ms) != n*len(Formats) {
		t.Fatalf("%d files, want %d", len(ms), n*len(Formats))
	}
	for _, m := range ms {
		got := gunzip(t, filepath.Join(dir, m.File))
		var buf bytes.Buffer
		n, err := Write(ctx, st, &buf, m.Scope, m.Format)
		must(t, err)
		if !bytes.Equal(got, buf.Bytes()) || n != m.Records {
			t.Errorf("%s: %d bytes, %d records; Write: %d bytes, %d records", m.File, len(got), m.Records, buf.Len(), n)
		}
		if m.Scope == All && m.Format == CoursesCSV {
			rows, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
			must(t, err)
			var ids []string
			for _, r := range rows[1:] {
				ids = append(ids, r[0])
			}
			if !slices.Equal(ids, want) {
				t.Errorf("the whole catalogue lists\n%v\nwant\n%v", ids, want)
			}
		}
	}
}
