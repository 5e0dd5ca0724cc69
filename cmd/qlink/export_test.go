package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"qlink/internal/config"
	"qlink/internal/export"
	"qlink/internal/rdf"
	"qlink/internal/rdf/ntriples"
	"qlink/internal/store"
	"qlink/internal/testfed"
)

// serve regenerates the open dataset after harvests; qlink export writes
// the same content on demand.
func TestServeRegeneratesTheDatasetAndExportWritesIt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a federation")
	}
	ctx := context.Background()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: 2, Seed: 7, Formats: []string{testfed.FormatOOAPI, testfed.FormatELM}})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	cfg := config.Default()
	cfg.DataDir, cfg.RegistryURL = newInstance(t), fed.RegistryURL()
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), demoNetwork(fed))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.testDatasetQuiet = 50 * time.Millisecond
	base, stopServe := serveApp(t, a, "", true)
	defer stopServe()

	if out, err := run(t, "", "harvest", "--data-dir", cfg.DataDir, "--wait"); err != nil {
		t.Fatalf("harvest --wait beside serve: %v\n%s", err, out)
	}
	ids, err := a.store.CourseIDs(ctx, "", store.StatusActive)
	if err != nil || len(ids) == 0 {
		t.Fatalf("the harvest stored %d courses: %v", len(ids), err)
	}
	// The regeneration follows the harvest after a quiet spell (each run
	// that changed courses asks for one). The last is done when the stamp,
	// written after its last file, is the current one: it was taken after
	// the last run finished.
	dump := filepath.Join(cfg.DatasetPath(), export.FileName(export.All, export.NQuads))
	stampFile := filepath.Join(cfg.DatasetPath(), "generation.stamp")
	current, err := a.datasetStamp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		m, err := export.ReadManifest(cfg.DatasetPath(), filepath.Base(dump))
		if stamp, _ := os.ReadFile(stampFile); err == nil && m.Records == len(ids) && string(stamp) == current {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a minute the dataset holds %+v (%v), want %d courses", m, err, len(ids))
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Get(base + "/dataset")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte(`href="/dataset/qlink-dataset.nq.gz"`)) {
		t.Errorf("/dataset: status %d", resp.StatusCode)
	}
	stopServe()

	// Started again with nothing changed, serve keeps the files: the
	// stamp of their generation is the current one.
	index := filepath.Join(cfg.DatasetPath(), "index.json")
	before, err := os.Stat(index)
	if err != nil {
		t.Fatal(err)
	}
	if stamp, err := os.ReadFile(stampFile); err != nil || !bytes.Contains(stamp, []byte("courses changed 20")) {
		t.Fatalf("the generation's stamp: %q, %v", stamp, err)
	}
	_, stopAgain := serveApp(t, a, "", false)
	time.Sleep(20 * a.testDatasetQuiet)
	stopAgain()
	if after, err := os.Stat(index); err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("a restart with nothing changed regenerated the dataset (%v)", err)
	}

	// export, beside no server, writes what the file holds.
	out, err := run(t, "", "export", "--data-dir", cfg.DataDir, "--format", "nq")
	if err != nil {
		t.Fatalf("export: %v\n%.500s", err, out)
	}
	if !bytes.Equal([]byte(out), gunzipFile(t, dump)) {
		t.Error("qlink export --format nq differs from the dataset's N-Quads dump")
	}
	var subjects []string
	err = ntriples.ParseQuads(strings.NewReader(out), rdf.Options{}, func(q rdf.Quad) error {
		if q.P.Value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" && strings.HasSuffix(q.O.Value, "Specification") {
			subjects = append(subjects, q.S.Value)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(subjects)
	if !slices.Equal(subjects, ids) {
		t.Errorf("export holds %d courses, want the %d active ones", len(subjects), len(ids))
	}

	providers, err := a.store.CountCourses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var provider string
	for id := range providers {
		provider = id
	}
	file := filepath.Join(t.TempDir(), "courses.csv.gz")
	if out, err := run(t, "", "export", "--data-dir", cfg.DataDir, "--format", "csv", "--provider", provider, "--output", file); err != nil ||
		!strings.Contains(out, "wrote") {
		t.Fatalf("export --output: %v\n%s", err, out)
	}
	rows, err := csv.NewReader(bytes.NewReader(gunzipFile(t, file))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+providers[provider] {
		t.Errorf("the CSV of %s has %d rows, want a header and %d courses", provider, len(rows), providers[provider])
	}

	for _, tc := range []struct{ args, want string }{
		{"--format xml", "unknown format"},
		{"--format nq --provider nobody", `no provider "nobody"`},
		{"--format nq --provider a --country DE", "not both"},
	} {
		args := append([]string{"export", "--data-dir", cfg.DataDir}, strings.Fields(tc.args)...)
		if _, err := run(t, "", args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("export %s: %v, want %q", tc.args, err, tc.want)
		}
	}
}

func gunzipFile(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestBrowserDataset: from the header to the dataset page, the licence, a
// download checked against its stated checksum, and a phone-sized screen.
func TestBrowserDataset(t *testing.T) {
	chromium := requireBrowser(t)
	d := startDemo(t)
	if _, err := export.Generate(context.Background(), d.app.store, d.app.cfg.DatasetPath()); err != nil {
		t.Fatal(err)
	}
	runJourney(t, chromium, "dataset.mjs", d.srv.URL+"/")
}
