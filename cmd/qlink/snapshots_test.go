package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"qlink/internal/config"
	"qlink/internal/store"
	"qlink/internal/store/blob/blobtest"
	"qlink/internal/testfed"
)

// fakeS3Env serves a fake S3 with one bucket and points the AWS_*
// variables qlink reads at it.
func fakeS3Env(t *testing.T, bucket string) *blobtest.FakeS3 {
	t.Helper()
	f := blobtest.StartFakeS3(t, nil, bucket)
	t.Setenv("AWS_ENDPOINT_URL", f.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", blobtest.FakeAccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", blobtest.FakeSecretAccessKey)
	return f
}

// TestSnapshotsInObjectStorage: with snapshot-url set, a harvest of the
// simulated federation keeps its raw pages in the S3 bucket under the
// prefix and none in the data directory, and an operator downloads one
// from the dashboard byte for byte.
func TestSnapshotsInObjectStorage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a federation")
	}
	ctx := context.Background()
	s3 := fakeS3Env(t, "snapshots")
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: 2, Seed: 11, Formats: []string{testfed.FormatOOAPI, testfed.FormatELM}})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	dir := newInstance(t)
	const pw = "copper lantern otter meadow"
	if out, err := run(t, pw+"\n", "admin", "create", "ops", "--password-stdin", "--data-dir", dir); err != nil {
		t.Fatalf("admin create: %v\n%s", err, out)
	}
	cfg := config.Default()
	cfg.DataDir, cfg.RegistryURL, cfg.SnapshotURL = dir, fed.RegistryURL(), "s3://snapshots/qlink/eu"
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), demoNetwork(fed))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var out bytes.Buffer
	if _, err := runHarvest(ctx, a, &out, "test", nil); err != nil {
		t.Fatalf("harvest: %v\n%s", err, out.String())
	}

	src, run, page := firstSnapshot(t, a)
	if object := "qlink/eu/" + page.Blob[:2] + "/" + page.Blob; !s3.Has("snapshots", object) {
		t.Fatalf("the bucket has no object %s for %s", object, page.URL)
	}
	if _, err := os.Stat(cfg.BlobPath()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the data directory has a blob directory beside the bucket: %v", err)
	}

	web, err := a.webServer("")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(web.Handler())
	defer ts.Close()
	c := &cookieClient{t: t, base: ts.URL, cookies: map[string]string{}}
	_, login := c.do("GET", "/admin/login", nil)
	tok := csrfField.FindStringSubmatch(login)
	if tok == nil {
		t.Fatalf("no CSRF field on the sign-in page:\n%s", login)
	}
	if resp, body := c.do("POST", "/admin/login", url.Values{"csrf": {tok[1]}, "name": {"ops"}, "password": {pw}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d\n%s", resp.StatusCode, body)
	}
	resp, body := c.do("GET", fmt.Sprintf("/dashboard/%s/runs/%d/pages/%d", url.PathEscape(src.ProviderID), run.ID, page.Seq), nil)
	sum := sha256.Sum256([]byte(body))
	if resp.StatusCode != http.StatusOK || hex.EncodeToString(sum[:]) != page.Blob || int64(len(body)) != page.Bytes {
		t.Fatalf("snapshot of %s: %d, %d bytes with SHA-256 %x; want %d bytes with %s", page.URL, resp.StatusCode, len(body), sum, page.Bytes, page.Blob)
	}
}

// firstSnapshot finds a page with a raw snapshot among the harvest's runs.
func firstSnapshot(t *testing.T, a *app) (store.Source, store.Run, store.RunPage) {
	t.Helper()
	ctx := context.Background()
	sources, err := a.store.ListSources(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range sources {
		runs, err := a.store.ListRuns(ctx, src.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			pages, err := a.store.RunPages(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, pg := range pages {
				if pg.Blob != "" {
					return src, r, pg
				}
			}
		}
	}
	t.Fatalf("the harvest of %d sources kept no snapshot", len(sources))
	panic("unreachable")
}

// TestSnapshotURLMisconfigured: a harvest whose bucket is not there stops
// at start-up, naming the bucket and showing no credential.
func TestSnapshotURLMisconfigured(t *testing.T) {
	fakeS3Env(t, "snapshots")
	dir := newInstance(t)
	_, err := run(t, "", "harvest", "--data-dir", dir, "--snapshot-url", "s3://absent/qlink")
	if err == nil || !strings.Contains(err.Error(), `bucket "absent" does not exist`) {
		t.Fatalf("harvest into a missing bucket: %v", err)
	}
	if msg := err.Error(); strings.Contains(msg, blobtest.FakeAccessKeyID) || strings.Contains(msg, blobtest.FakeSecretAccessKey) {
		t.Errorf("the error shows a credential: %s", msg)
	}
}
