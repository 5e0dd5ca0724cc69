package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// Manifest describes one file of the dataset; it is stored beside the file
// as <file>.json.
type Manifest struct {
	File   string `json:"file"`
	Format Format `json:"format"`
	Scope  Scope  `json:"scope"`
	// ScopeName says in words what the file holds ("All courses",
	// "University A", "Germany").
	ScopeName string `json:"scopeName"`
	// Country is the ISO 3166-1 alpha-2 code of the scope's institution
	// or country, "" for the whole catalogue.
	Country string `json:"country,omitempty"`
	// MediaType is the type of the content once decompressed.
	MediaType string `json:"mediaType"`
	// Bytes is the size of the gzip file.
	Bytes int64 `json:"bytes"`
	// Records counts courses (RDF formats) or rows (CSV).
	Records int `json:"records"`
	// SHA256 is the hex digest of the gzip file.
	SHA256    string    `json:"sha256"`
	Generated time.Time `json:"generated"`
	// TemporalStart and TemporalEnd span the offerings' dates (zero when
	// no offering has one).
	TemporalStart time.Time `json:"temporalStart,omitzero"`
	TemporalEnd   time.Time `json:"temporalEnd,omitzero"`
}

// manifestSuffix ends the name of a file's manifest.
const manifestSuffix = ".json"

// scopesAtOnce bounds the files open during a generation (scopesAtOnce ×
// the formats): each gzip writer holds about a megabyte.
const scopesAtOnce = 8

// Generate writes every file of the dataset into dir: each scope (the
// whole catalogue, each institution, each country) in each format. Files
// are written aside and renamed over the old ones, so readers of an old
// file read it whole; files of scopes that have no courses any more are
// removed. It returns the manifests of the files written, in the order of
// ReadManifests.
//
// Encoding a course is most of a generation's work (JSON-LD above all),
// and every course goes into three scopes: the whole catalogue, its
// institution and its country. So the courses are read institution by
// institution, once, and each course is encoded once for the whole
// catalogue's files, its institution's (open only while its courses are
// read) and those of the countries with the most courses, as many as stay
// open beside them. Only the courses of the other countries, if any, are
// read again, a group of countries at a time.
func Generate(ctx context.Context, st store.Store, dir string) ([]Manifest, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	removeTemps(dir)
	providers, err := providerMap(ctx, st)
	if err != nil {
		return nil, err
	}
	counts, err := st.CountCourses(ctx)
	if err != nil {
		return nil, fmt.Errorf("export: counting courses: %w", err)
	}
	g := &generation{st: st, dir: dir, providers: providers, at: time.Now().UTC().Truncate(time.Second)}
	withCourses := providersWithCourses(counts)
	shared, later := splitCountries(countryCounts(counts, providers), scopesAtOnce-2)
	if err := g.byInstitution(ctx, withCourses, shared); err != nil {
		return nil, err
	}
	for group := range slices.Chunk(later, scopesAtOnce) {
		if err := g.scopes(ctx, group, readFor(group, withCourses, providers)); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(g.manifests, compareManifests)
	removeStale(dir, g.manifests)
	data, err := json.MarshalIndent(g.manifests, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, indexFile), data); err != nil {
		return nil, err
	}
	return g.manifests, nil
}

// indexFile lists the manifests of a generation in one file, so a reader
// gets a consistent list in one read.
const indexFile = "index.json"

// generation is one run of Generate: the files it has committed so far,
// and the course encodings it shares between passes (qlink's JSON-LD
// context is processed once).
type generation struct {
	st        store.Store
	dir       string
	providers map[string]model.Provider
	at        time.Time
	cb        courseBytes
	manifests []Manifest
}

// byInstitution writes the whole catalogue, each institution and the
// countries shared in one read of the courses of institutions (all those
// with courses, in order).
func (g *generation) byInstitution(ctx context.Context, institutions []string, shared []Scope) error {
	wide, err := g.open(append([]Scope{All}, shared...))
	if err != nil {
		return err
	}
	defer wide.discard()
	for _, id := range institutions {
		if err := g.institution(ctx, id, wide.outs); err != nil {
			return err
		}
	}
	return g.commit(wide)
}

// institution writes one institution's file, and its courses to the wide
// outputs that hold them.
func (g *generation) institution(ctx context.Context, id string, wide []*output) error {
	own, err := g.open([]Scope{ProviderScope(id)})
	if err != nil {
		return err
	}
	defer own.discard()
	p := providerOf(g.providers, id)
	outs := slices.Clone(own.outs)
	for _, o := range wide {
		if o.scope.holds(p) {
			outs = append(outs, o)
		}
	}
	if err := writeCourses(ctx, g.st, g.providers, []string{id}, outs, &g.cb); err != nil {
		return err
	}
	return g.commit(own)
}

// scopes writes the files of a group of scopes from the courses of the
// institutions read.
func (g *generation) scopes(ctx context.Context, group []Scope, read []string) error {
	files, err := g.open(group)
	if err != nil {
		return err
	}
	defer files.discard()
	if err := writeCourses(ctx, g.st, g.providers, read, files.outs, &g.cb); err != nil {
		return err
	}
	return g.commit(files)
}

// fileSet is the files of some scopes being written, one per format, with
// the outputs that encode into them; begun, not yet ended.
type fileSet struct {
	files []*pendingFile
	outs  []*output
}

func (g *generation) open(scopes []Scope) (*fileSet, error) {
	fs := &fileSet{}
	for _, s := range scopes {
		for _, f := range Formats {
			pf, err := newPendingFile(g.dir, FileName(s, f))
			if err != nil {
				fs.discard()
				return nil, err
			}
			o := &output{scope: s, enc: newEncoder(f, pf.w)}
			fs.files, fs.outs = append(fs.files, pf), append(fs.outs, o)
			if err := o.enc.begin(); err != nil {
				fs.discard()
				return nil, fmt.Errorf("export: %w", err)
			}
		}
	}
	return fs, nil
}

// commit ends the outputs, then finishes and renames their files.
func (g *generation) commit(fs *fileSet) error {
	if err := endOutputs(fs.outs, &g.cb); err != nil {
		return err
	}
	for i, pf := range fs.files {
		o := fs.outs[i]
		m := Manifest{File: pf.name, Format: o.enc.format, Scope: o.scope, ScopeName: o.scope.name(g.providers),
			Country: o.scope.country(g.providers), MediaType: o.enc.format.MediaType(), Records: o.enc.records, Generated: g.at,
			TemporalStart: o.enc.first, TemporalEnd: o.enc.last}
		if err := pf.commit(&m); err != nil {
			return err
		}
		g.manifests = append(g.manifests, m)
	}
	return nil
}

// discard removes the files not committed.
func (fs *fileSet) discard() {
	for _, f := range fs.files {
		f.discard()
	}
}

// providersWithCourses lists, in order, the providers with active courses.
func providersWithCourses(counts map[string]int) []string {
	var ids []string
	for _, id := range sortedKeys(counts) {
		if counts[id] > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// countryCounts counts the active courses of each country's institutions.
func countryCounts(counts map[string]int, providers map[string]model.Provider) map[string]int {
	out := map[string]int{}
	for id, n := range counts {
		if c := providers[id].Country; c != "" && n > 0 {
			out[strings.ToUpper(c)] += n
		}
	}
	return out
}

// splitCountries returns the scopes of the n countries with the most
// courses, written beside the whole catalogue, and of the others, written
// after it; each list in code order.
func splitCountries(counts map[string]int, n int) (shared, later []Scope) {
	codes := sortedKeys(counts)
	bySize := slices.Clone(codes)
	slices.SortStableFunc(bySize, func(a, b string) int { return counts[b] - counts[a] })
	first := map[string]bool{}
	for _, c := range bySize[:min(n, len(bySize))] {
		first[c] = true
	}
	for _, c := range codes {
		if first[c] {
			shared = append(shared, CountryScope(c))
		} else {
			later = append(later, CountryScope(c))
		}
	}
	return shared, later
}

// pendingFile is a dataset file being written under a temporary name.
type pendingFile struct {
	name, dir string
	tmp       *os.File
	w         *gzipPipe
	sum       hash.Hash
	size      *countingWriter
}

func newPendingFile(dir, name string) (*pendingFile, error) {
	tmp, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	pf := &pendingFile{name: name, dir: dir, tmp: tmp, sum: sha256.New(), size: &countingWriter{}}
	pf.w = newGzipPipe(io.MultiWriter(tmp, pf.sum, pf.size), strings.TrimSuffix(name, ".gz"))
	return pf, nil
}

// commit finishes the file, syncs it, renames it over the old one, then
// writes its manifest the same way. The file's time is set to the
// generation time so a reader can tell which manifest belongs to it.
func (pf *pendingFile) commit(m *Manifest) error {
	err := pf.w.Close()
	pf.w = nil
	if err != nil {
		return fmt.Errorf("export: writing %s: %w", pf.name, err)
	}
	m.Bytes, m.SHA256 = pf.size.n, hex.EncodeToString(pf.sum.Sum(nil))
	if err := errors.Join(pf.tmp.Sync(), pf.tmp.Close()); err != nil {
		return fmt.Errorf("export: writing %s: %w", pf.name, err)
	}
	os.Chtimes(pf.tmp.Name(), m.Generated, m.Generated)
	if err := os.Rename(pf.tmp.Name(), filepath.Join(pf.dir, pf.name)); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	pf.tmp = nil
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(pf.dir, pf.name+manifestSuffix), data)
}

// discard removes the temporary file of a file not committed.
func (pf *pendingFile) discard() {
	if pf.w != nil {
		pf.w.Close()
	}
	if pf.tmp != nil {
		pf.tmp.Close()
		os.Remove(pf.tmp.Name())
	}
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// writeFileAtomic writes data aside, syncs it and renames it into place.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err = errors.Join(err, tmp.Sync(), tmp.Close()); err != nil {
		return fmt.Errorf("export: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// removeTemps removes what an interrupted generation left behind.
func removeTemps(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	for _, n := range names {
		os.Remove(n)
	}
}

// removeStale removes the files (and manifests) of scopes this generation
// did not write: institutions whose courses are all gone.
func removeStale(dir string, current []Manifest) {
	keep := map[string]bool{}
	for _, m := range current {
		keep[m.File] = true
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.gz"))
	for _, n := range names {
		if base := filepath.Base(n); !keep[base] {
			os.Remove(n)
			os.Remove(n + manifestSuffix)
		}
	}
}

// ReadManifests returns the manifests of the latest generation in dir, the
// whole catalogue first, then institutions, then countries, each in format
// order. A directory not generated yet holds none.
func ReadManifests(dir string) ([]Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, indexFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	var ms []Manifest
	if err := json.Unmarshal(data, &ms); err != nil {
		return nil, fmt.Errorf("export: %s: %w", indexFile, err)
	}
	slices.SortFunc(ms, compareManifests)
	return ms, nil
}

// ReadManifest returns the manifest of one file of dir.
func ReadManifest(dir, file string) (Manifest, error) {
	return readManifest(filepath.Join(dir, file+manifestSuffix))
}

func readManifest(path string) (Manifest, error) {
	var m Manifest
	data, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("export: manifest %s: %w", path, err)
	}
	return m, nil
}

var scopeOrder = map[ScopeKind]int{ScopeAll: 0, ScopeProvider: 1, ScopeCountry: 2}

func compareManifests(a, b Manifest) int {
	if d := scopeOrder[a.Scope.Kind] - scopeOrder[b.Scope.Kind]; d != 0 {
		return d
	}
	if c := strings.Compare(a.Scope.ID, b.Scope.ID); c != 0 {
		return c
	}
	return slices.Index(Formats, a.Format) - slices.Index(Formats, b.Format)
}
