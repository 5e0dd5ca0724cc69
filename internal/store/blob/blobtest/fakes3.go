package blobtest

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// The fake's credentials: it accepts any, and tests check that these
// never show in an error.
const (
	FakeAccessKeyID     = "QLINKTESTACCESSKEY"
	FakeSecretAccessKey = "qlink-test-secret-do-not-print"
)

// FakeS3 is an in-process S3 server (gofakes3 over HTTP on loopback) for
// tests, whose clock can be set back to make objects look old.
type FakeS3 struct {
	// URL is the endpoint, http://127.0.0.1:port.
	URL     string
	backend *s3mem.Backend
	clock   *shiftedClock
}

// StartFakeS3 serves a fake S3 holding the given (empty) buckets until
// the test ends. wrap, when not nil, wraps its handler (to make it fail).
func StartFakeS3(t testing.TB, wrap func(http.Handler) http.Handler, buckets ...string) *FakeS3 {
	t.Helper()
	clock := &shiftedClock{}
	backend := s3mem.New(s3mem.WithTimeSource(clock))
	for _, b := range buckets {
		if err := backend.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	var h http.Handler = gofakes3.New(backend, gofakes3.WithTimeSource(clock)).Server()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &FakeS3{URL: srv.URL, backend: backend, clock: clock}
}

// Backdate rewrites an object as if it had been written d ago.
func (f *FakeS3) Backdate(t *testing.T, bucket, object string, d time.Duration) {
	t.Helper()
	obj, err := f.backend.GetObject(bucket, object, nil)
	if err != nil {
		t.Fatalf("backdating %s/%s: %v", bucket, object, err)
	}
	defer obj.Contents.Close()
	f.clock.set(-d)
	defer f.clock.set(0)
	// The backend dates the object (listings read that); HEAD reads the
	// Last-Modified the front end kept with the metadata.
	meta := maps.Clone(obj.Metadata)
	meta["Last-Modified"] = f.clock.Now().UTC().Format(http.TimeFormat)
	if _, err := f.backend.PutObject(bucket, object, meta, obj.Contents, obj.Size, nil); err != nil {
		t.Fatalf("backdating %s/%s: %v", bucket, object, err)
	}
}

// Has reports whether the bucket holds an object of this exact name.
func (f *FakeS3) Has(bucket, object string) bool {
	_, err := f.backend.HeadObject(bucket, object)
	return err == nil
}

// shiftedClock is the fake's wall clock, offset by a settable amount.
type shiftedClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *shiftedClock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = d
}

func (c *shiftedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *shiftedClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
