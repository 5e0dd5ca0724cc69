package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"qlink/internal/store"
	"qlink/internal/store/blob/blobtest"
)

// fakeConfig points at a fake S3 with its credentials.
func fakeConfig(f *blobtest.FakeS3, bucket, prefix string) S3Config {
	return S3Config{Endpoint: f.URL, Region: "us-east-1", Bucket: bucket, Prefix: prefix,
		AccessKeyID: blobtest.FakeAccessKeyID, SecretAccessKey: blobtest.FakeSecretAccessKey}
}

func openFake(t *testing.T, f *blobtest.FakeS3, bucket, prefix string) *S3 {
	t.Helper()
	s, err := OpenS3(context.Background(), fakeConfig(f, bucket, prefix))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestS3Contract(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blobtest.Harness {
		f := blobtest.StartFakeS3(t, nil, "snapshots")
		s := openFake(t, f, "snapshots", "qlink/eu")
		age := func(t *testing.T, key string, ago time.Duration) { f.Backdate(t, "snapshots", s.object(key), ago) }
		return blobtest.Harness{Blobs: s, Age: age}
	})
}

// TestS3LayoutAndPrefixes: blobs lie where Dir would put them, below the
// prefix, and stores under other prefixes of one bucket do not see each
// other's blobs nor anything else in the bucket.
func TestS3LayoutAndPrefixes(t *testing.T) {
	ctx := context.Background()
	f := blobtest.StartFakeS3(t, nil, "shared")
	eu := openFake(t, f, "shared", "/instances/eu/")
	other := openFake(t, f, "shared", "instances/other")
	root := openFake(t, f, "shared", "")
	key, err := eu.Put(ctx, []byte("page"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "instances/eu/" + key[:2] + "/" + key; !f.Has("shared", want) {
		t.Errorf("no object %s", want)
	}
	if _, err := other.Get(ctx, key); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a store under another prefix reads the blob: %v", err)
	}
	rootKey, err := root.Put(ctx, []byte("at the root"))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Has("shared", rootKey[:2]+"/"+rootKey) {
		t.Errorf("a store with no prefix does not lay its blobs at the bucket's root")
	}
	for name, s := range map[string]*S3{"eu": eu, "other": other, "root": root} {
		var got []string
		if err := s.Each(ctx, func(k string) error { got = append(got, k); return nil }); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"eu": key, "other": "", "root": rootKey}[name]
		if strings.Join(got, ",") != want {
			t.Errorf("store %s lists %v, want %q", name, got, want)
		}
	}
}

func TestS3Endpoints(t *testing.T) {
	for _, tc := range []struct {
		in     string
		host   string
		secure bool
	}{
		{"", "s3.amazonaws.com", true},
		{"minio.example:9000", "minio.example:9000", true},
		{"https://s3.eu-central-1.example.com", "s3.eu-central-1.example.com", true},
		{"https://objects.example/", "objects.example", true},
		{"http://127.0.0.1:9000", "127.0.0.1:9000", false},
	} {
		host, secure, err := parseEndpoint(tc.in)
		if err != nil || host != tc.host || secure != tc.secure {
			t.Errorf("parseEndpoint(%q) = %q, %v, %v; want %q, %v", tc.in, host, secure, err, tc.host, tc.secure)
		}
	}
	for _, bad := range []string{"ftp://objects.example", "https://objects.example/bucket", "https://objects.example?x=1", "https://"} {
		if _, _, err := parseEndpoint(bad); err == nil {
			t.Errorf("endpoint %q accepted", bad)
		}
	}
	_, _, err := parseEndpoint("https://AKIDEXAMPLE:wJalrXUtnFEMI@objects.example")
	if err == nil || strings.Contains(err.Error(), "AKIDEXAMPLE") || strings.Contains(err.Error(), "wJalrXUtnFEMI") {
		t.Errorf("an endpoint with credentials: %v", err)
	}
}

// TestS3OpenRefusesWhatCannotWork: a missing bucket, a bad bucket name or
// missing credentials stop OpenS3 with a message naming the problem.
func TestS3OpenRefusesWhatCannotWork(t *testing.T) {
	ctx := context.Background()
	f := blobtest.StartFakeS3(t, nil, "snapshots")
	if _, err := OpenS3(ctx, fakeConfig(f, "elsewhere", "x")); err == nil || !strings.Contains(err.Error(), `"elsewhere" does not exist`) {
		t.Errorf("missing bucket: %v", err)
	}
	if _, err := OpenS3(ctx, fakeConfig(f, "Bad_Bucket", "")); err == nil || !strings.Contains(err.Error(), "Bad_Bucket") {
		t.Errorf("invalid bucket name: %v", err)
	}
	c := fakeConfig(f, "snapshots", "")
	c.SecretAccessKey = ""
	if _, err := OpenS3(ctx, c); err == nil || !strings.Contains(err.Error(), "AWS_SECRET_ACCESS_KEY") {
		t.Errorf("no secret: %v", err)
	}
}

// TestS3ErrorsNameBucketKeyAndReasonButNoCredentials: a store refusing
// writes, and echoing the credentials in its answer as some do, gives an
// error with the bucket, the object and its reason, and without them.
func TestS3ErrorsNameBucketKeyAndReasonButNoCredentials(t *testing.T) {
	ctx := context.Background()
	deny := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Count(strings.Trim(r.URL.Path, "/"), "/") == 0 && r.Method == http.MethodHead { // the bucket: let OpenS3 through
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>`+
				`<Message>Access Denied for %s with secret %s</Message><AWSAccessKeyId>%[1]s</AWSAccessKeyId></Error>`,
				blobtest.FakeAccessKeyID, blobtest.FakeSecretAccessKey)
		})
	}
	f := blobtest.StartFakeS3(t, deny, "snapshots")
	s := openFake(t, f, "snapshots", "qlink")
	key := keyOf([]byte("page"))
	_, putErr := s.Put(ctx, []byte("page"))
	_, getErr := s.Get(ctx, key)
	_, delErr := s.Delete(ctx, key, time.Now())
	eachErr := s.Each(ctx, func(string) error { return nil })
	for op, err := range map[string]error{"put": putErr, "get": getErr, "delete": delErr, "each": eachErr} {
		if err == nil {
			t.Errorf("%s was not refused", op)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, `bucket "snapshots"`) || !strings.Contains(msg, "AccessDenied") ||
			(op != "each" && !strings.Contains(msg, "qlink/"+key[:2]+"/"+key)) {
			t.Errorf("%s: %q does not name the bucket, the object and the reason", op, msg)
		}
		if strings.Contains(msg, blobtest.FakeAccessKeyID) || strings.Contains(msg, blobtest.FakeSecretAccessKey) {
			t.Errorf("%s: the error shows a credential: %q", op, msg)
		}
	}
	if str := s.String(); strings.Contains(str, blobtest.FakeAccessKeyID) || !strings.Contains(str, "s3://snapshots/qlink/") {
		t.Errorf("String() = %q", str)
	}
}

// TestS3StoreChecksTheBytes: a blob damaged on its way is refused by the
// store (Content-MD5), not kept under a key that no longer fits it.
func TestS3StoreChecksTheBytes(t *testing.T) {
	damage := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") == "" {
				body, _ := io.ReadAll(r.Body)
				body[len(body)/2] ^= 1
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			next.ServeHTTP(w, r)
		})
	}
	f := blobtest.StartFakeS3(t, damage, "snapshots")
	s := openFake(t, f, "snapshots", "")
	key, err := s.Put(context.Background(), []byte("a page of courses"))
	if err == nil || !strings.Contains(err.Error(), "BadDigest") {
		t.Errorf("a damaged upload: %v", err)
	}
	if f.Has("snapshots", fanOut(keyOf([]byte("a page of courses")))) {
		t.Errorf("the damaged upload was kept as %s", key)
	}
}
