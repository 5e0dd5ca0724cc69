package web

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"qlink/internal/export"
	"qlink/internal/rdf"
)

// datasetRoutes are the open dataset: its page, its files and their
// DCAT-AP description.
func (s *Server) datasetRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /dataset", s.datasetPage)
	mux.HandleFunc("GET /dataset/dcat.ttl", s.datasetDCAT(rdf.FormatTurtle))
	mux.HandleFunc("GET /dataset/dcat.jsonld", s.datasetDCAT(rdf.FormatJSONLD))
	mux.HandleFunc("GET /dataset/{file}", s.datasetFile)
}

// datasetCache keeps the latest generation's manifests; the index file's
// time says when they changed.
type datasetCache struct {
	mu        sync.Mutex
	stamp     time.Time
	manifests []export.Manifest
}

func (s *Server) datasetManifests() ([]export.Manifest, error) {
	dir := s.opts.DatasetDir
	if dir == "" {
		return nil, nil
	}
	fi, err := os.Stat(filepath.Join(dir, "index.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c := &s.dataset
	c.mu.Lock()
	defer c.mu.Unlock()
	if !fi.ModTime().Equal(c.stamp) {
		ms, err := export.ReadManifests(dir)
		if err != nil {
			return nil, err
		}
		c.manifests, c.stamp = ms, fi.ModTime()
	}
	return c.manifests, nil
}

func (s *Server) catalogueDescription() export.Catalogue {
	return export.Catalogue{BaseURL: strings.TrimRight(s.opts.BaseURL, "/"), Publisher: s.opts.DatasetPublisher, Contact: s.opts.Contact}
}

// datasetView is the /dataset page.
type datasetView struct {
	layoutData
	Generated time.Time
	Whole     []fileRow
	// Scopes are the tables per institution and per country.
	Scopes      []scopeTable
	Attribution string
	Contact     string
	Licence     string
	Courses     []columnDoc
	Offerings   []columnDoc
}

type scopeTable struct {
	Caption string
	Rows    []*scopeDownloads
}

// scopeDownloads is one institution's or country's row: its files by
// format.
type scopeDownloads struct {
	Name    string
	Records int
	Files   []fileRow
}

// fileRow is one file as the page lists it.
type fileRow struct {
	File, Format, Size, SHA256 string
	Records                    int
	Generated                  time.Time
}

func newFileRow(m export.Manifest) fileRow {
	return fileRow{File: m.File, Format: m.Format.Name(), Size: humanBytes(m.Bytes), SHA256: m.SHA256, Records: m.Records, Generated: m.Generated}
}

// humanBytes writes a size as people read it: 980 B, 12.4 kB, 3.1 MB.
func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), 0
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %cB", v, " kMGT"[i])
}

// columnDoc documents a CSV column; the template translates Doc.
type columnDoc struct{ Name, Doc string }

func (s *Server) datasetPage(w http.ResponseWriter, r *http.Request) {
	ms, err := s.datasetManifests()
	if err != nil {
		s.log.Error("reading the dataset manifests", "error", err)
		s.errorPage(w, r, http.StatusInternalServerError, s.tr(r, "The dataset's file list cannot be read just now."))
		return
	}
	c := s.catalogueDescription()
	v := datasetView{layoutData: layoutData{Title: s.tr(r, "Open dataset"), Notice: s.opts.Notice},
		Attribution: s.tr(r, "Course data: the institutions publishing it, aggregated by %s (%s), CC BY-NC 4.0.", c.Publisher, c.BaseURL+"/dataset"),
		Contact:     s.opts.Contact, Licence: export.Licence}
	providers, countries := scopeTable{Caption: s.tr(r, "Per institution")}, scopeTable{Caption: s.tr(r, "Per country")}
	byScope := map[export.Scope]*scopeDownloads{}
	for _, m := range ms {
		v.Generated = m.Generated
		if m.Scope.Kind == export.ScopeAll {
			v.Whole = append(v.Whole, newFileRow(m))
			continue
		}
		d := byScope[m.Scope]
		if d == nil {
			d = &scopeDownloads{Name: m.ScopeName, Records: m.Records}
			byScope[m.Scope] = d
			if m.Scope.Kind == export.ScopeProvider {
				providers.Rows = append(providers.Rows, d)
			} else {
				countries.Rows = append(countries.Rows, d)
			}
		}
		d.Files = append(d.Files, newFileRow(m))
	}
	v.Scopes = []scopeTable{providers, countries}
	for _, col := range export.CourseColumns {
		v.Courses = append(v.Courses, columnDoc{col.Name, col.Doc})
	}
	for _, col := range export.OfferingColumns {
		v.Offerings = append(v.Offerings, columnDoc{col.Name, col.Doc})
	}
	s.render(w, r, http.StatusOK, "dataset", v)
}

// datasetDCAT serves the DCAT-AP description of the catalogue, its
// datasets and their files.
func (s *Server) datasetDCAT(f rdf.Format) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ms, err := s.datasetManifests()
		if err != nil {
			s.log.Error("reading the dataset manifests", "error", err)
			http.Error(w, s.tr(r, "The dataset's file list cannot be read just now."), http.StatusInternalServerError)
			return
		}
		var buf bytes.Buffer
		if err := export.WriteDCAT(&buf, f, s.catalogueDescription(), ms); err != nil {
			s.log.Error("writing the DCAT description", "error", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", f.MediaType()+"; charset=utf-8")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Write(buf.Bytes())
	}
}

// datasetFile serves one file of the dataset as it is on disk: gzip, with
// its SHA-256 as ETag, ranges and conditional requests. The file is opened
// once, so a regeneration that swaps it meanwhile leaves this download
// whole.
func (s *Server) datasetFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if s.opts.DatasetDir == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".gz") {
		s.notFound(w, r)
		return
	}
	f, err := os.Open(filepath.Join(s.opts.DatasetDir, name))
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		s.notFound(w, r)
		return
	}
	h := w.Header()
	// The manifest belongs to this file when it states the file's time:
	// a generation renames the file, then its manifest.
	if m, err := export.ReadManifest(s.opts.DatasetDir, name); err == nil && m.Generated.Equal(fi.ModTime()) && m.Bytes == fi.Size() {
		h.Set("ETag", `"`+m.SHA256+`"`)
	}
	h.Set("Content-Type", "application/gzip")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	h.Set("Cache-Control", "public, no-cache")
	h.Set("Access-Control-Allow-Origin", "*")
	// A whole dump takes longer than the server's write timeout on a slow
	// line: this response alone may take an hour.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Hour))
	if strings.Count(r.Header.Get("Range"), ",") >= maxRanges {
		// Each range of a multipart answer carries its own headers: a
		// thousand one-byte ranges cost twenty times the bytes asked
		// for. A server may ignore Range; this one does past maxRanges.
		r.Header.Del("Range")
	}
	http.ServeContent(w, r, name, fi.ModTime(), f)
}

// maxRanges is the most ranges a dataset download may ask for at once.
const maxRanges = 16
