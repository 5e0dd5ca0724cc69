package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"qlink/internal/redact"
	"qlink/internal/store"
)

// S3Config says where an S3-compatible bucket is and how to sign in to it.
type S3Config struct {
	Bucket string
	// Prefix is the folder of the store in the bucket ("" or "a/b"),
	// so one bucket can hold the snapshots of several instances.
	Prefix string
	// Endpoint is the object store: https://host[:port] or host[:port]
	// for TLS, http://host[:port] for plain HTTP (a MinIO on this
	// machine). Empty means Amazon S3.
	Endpoint string
	// Region is the bucket's region; empty lets the client ask for it.
	Region string
	// The credentials. They appear in no error and no log line.
	AccessKeyID, SecretAccessKey, SessionToken string
}

// S3Env reads the endpoint, region and credentials from the variables AWS
// tools read (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so that one set of variables
// serves qlink and the operator's aws or mc commands. Bucket and prefix
// are left to the caller.
func S3Env(getenv func(string) string) S3Config {
	return S3Config{Endpoint: getenv("AWS_ENDPOINT_URL"), Region: getenv("AWS_REGION"),
		AccessKeyID: getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: getenv("AWS_SESSION_TOKEN")}
}

// clockSkew is how far apart this machine's clock and the object store's
// may be: S3 refuses requests signed further off (RequestTimeTooSkewed).
// Write times come from the store's clock and cut-offs from ours, so
// Delete keeps blobs this much longer rather than take a fresh one.
const clockSkew = 15 * time.Minute

// S3 is a blob store in an S3-compatible bucket, laid out as Dir lays out
// its directory: <prefix>/<first byte of key>/<key>. S3 writes whole
// objects, so a crash never leaves a torn blob.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or ending in "/"
	where  string // s3://bucket/prefix at the endpoint, for messages
	// secrets are scrubbed from every error, whatever a server echoes.
	secrets []string
}

var _ store.Blobs = (*S3)(nil)

// OpenS3 connects to the bucket and checks that it is there, so that a
// wrong setting fails at start-up rather than at the first harvest.
func OpenS3(ctx context.Context, c S3Config) (*S3, error) {
	host, secure, err := parseEndpoint(c.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("blob: s3 endpoint: %w", err)
	}
	if err := s3utils.CheckValidBucketName(c.Bucket); err != nil {
		return nil, fmt.Errorf("blob: s3 bucket %q: %w", c.Bucket, err)
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return nil, fmt.Errorf("blob: s3 bucket %q: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", c.Bucket)
	}
	client, err := minio.New(host, &minio.Options{Secure: secure, Region: c.Region,
		Creds: credentials.NewStaticV4(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)})
	if err != nil {
		return nil, fmt.Errorf("blob: s3 endpoint %s: %w", host, err)
	}
	s := &S3{client: client, bucket: c.Bucket, secrets: nonEmpty(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)}
	if p := strings.Trim(c.Prefix, "/"); p != "" {
		s.prefix = p + "/"
	}
	scheme := map[bool]string{true: "https", false: "http"}[secure]
	s.where = fmt.Sprintf("s3://%s/%s at %s://%s", c.Bucket, s.prefix, scheme, host)
	ok, err := client.BucketExists(ctx, c.Bucket)
	if err != nil {
		return nil, s.fail("open", "", err)
	}
	if !ok {
		return nil, fmt.Errorf("blob: %s: the bucket %q does not exist; create it first", s.where, c.Bucket)
	}
	return s, nil
}

// String names the store without its credentials, for logs.
func (s *S3) String() string { return s.where }

// parseEndpoint turns an endpoint setting into the client's host and TLS
// choice. TLS is the default: plain HTTP only when the setting says
// http:// in so many words.
func parseEndpoint(raw string) (host string, secure bool, err error) {
	if raw == "" {
		return "s3.amazonaws.com", true, nil
	}
	withScheme := raw
	if !strings.Contains(raw, "://") {
		withScheme = "https://" + raw
	}
	u, err := url.Parse(withScheme)
	if err != nil {
		return "", false, fmt.Errorf("%q is neither a URL nor host[:port]", redact.URL(raw))
	}
	if u.User != nil {
		// Not echoed: the user info is likely a key and its secret.
		return "", false, errors.New("the endpoint holds credentials: give them in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", false, fmt.Errorf("%q: the scheme must be https or http", raw)
	}
	if u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", false, fmt.Errorf("%q must be scheme://host[:port] with no path (the bucket and prefix go in the snapshot URL)", raw)
	}
	return u.Host, u.Scheme == "https", nil
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// object is the object name of a valid key.
func (s *S3) object(key string) string { return s.prefix + fanOut(key) }

// Put writes data unless a blob with the same content exists; one that
// exists is copied onto itself, which renews its write time without
// sending its bytes again.
func (s *S3) Put(ctx context.Context, data []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	key := keyOf(data)
	name := s.object(key)
	_, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	switch {
	case err == nil:
		err = s.renew(ctx, name)
		if err == nil {
			return key, nil
		}
		if !noSuchKey(err) { // if it vanished meanwhile, write it again
			return "", s.fail("renew", name, err)
		}
	case !noSuchKey(err):
		return "", s.fail("stat", name, err)
	}
	// One request with a Content-MD5, signed with the other headers, so
	// that the store checks the bytes over https and plain http alike.
	// The blob is in memory already and far below the 5 GiB one PUT takes.
	_, err = s.client.PutObject(ctx, s.bucket, name, bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: "application/octet-stream", SendContentMd5: true, DisableContentSha256: true, DisableMultipart: true})
	if err != nil {
		return "", s.fail("put", name, err)
	}
	return key, nil
}

// renew sets an object's write time to now by copying it onto itself.
// S3 allows that only when something changes; replacing the metadata
// with the same metadata counts.
func (s *S3) renew(ctx context.Context, name string) error {
	_, err := s.client.CopyObject(ctx,
		minio.CopyDestOptions{Bucket: s.bucket, Object: name, ReplaceMetadata: true, ContentType: "application/octet-stream"},
		minio.CopySrcOptions{Bucket: s.bucket, Object: name})
	return err
}

// Get reads a blob; a missing one is store.ErrNotFound.
func (s *S3) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	name := s.object(key)
	obj, err := s.client.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.fail("get", name, err)
	}
	defer obj.Close()
	data, err := io.ReadAll(obj)
	if noSuchKey(err) {
		return nil, fmt.Errorf("blob %s in %s: %w", key, s.where, store.ErrNotFound)
	}
	if err != nil {
		return nil, s.fail("get", name, err)
	}
	return data, nil
}

// Delete removes the blob if the store last wrote it before writtenBefore
// less the clock skew S3 allows. Put renews the write time of content it
// finds already there, so a run that was just handed this key keeps it.
func (s *S3) Delete(ctx context.Context, key string, writtenBefore time.Time) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	name := s.object(key)
	info, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if noSuchKey(err) {
		return false, nil
	}
	if err != nil {
		return false, s.fail("stat", name, err)
	}
	if !info.LastModified.Before(writtenBefore.Add(-clockSkew)) {
		return false, nil
	}
	if err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil && !noSuchKey(err) {
		return false, s.fail("delete", name, err)
	}
	return true, nil
}

// Each calls fn for every blob under the prefix, skipping objects that
// are not blobs of this layout.
func (s *S3) Each(ctx context.Context, fn func(key string) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Stopping early must also stop the listing's goroutine.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if obj.Err != nil {
			return s.fail("list", s.prefix, obj.Err)
		}
		fan, key, ok := strings.Cut(strings.TrimPrefix(obj.Key, s.prefix), "/")
		if !ok || checkKey(key) != nil || key[:2] != fan {
			continue
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// noSuchKey reports whether the store answered that the object is not
// there.
func noSuchKey(err error) bool {
	var resp minio.ErrorResponse
	return errors.As(err, &resp) && (resp.Code == "NoSuchKey" || resp.Code == "NotFound")
}

// fail wraps an error of the object store with the bucket, the object and
// the store's reason.
func (s *S3) fail(op, name string, err error) error {
	return &s3Error{op: op, bucket: s.bucket, object: name, err: err, secrets: s.secrets}
}

type s3Error struct {
	op, bucket, object string
	err                error
	secrets            []string
}

func (e *s3Error) Error() string {
	reason := e.err.Error()
	var resp minio.ErrorResponse
	if errors.As(e.err, &resp) && resp.Code != "" {
		reason = fmt.Sprintf("%s (%s)", strings.TrimSuffix(reason, "."), resp.Code)
	}
	msg := fmt.Sprintf("blob: s3 %s of bucket %q", e.op, e.bucket)
	if e.object != "" {
		msg += fmt.Sprintf(" object %q", e.object)
	}
	msg += ": " + reason
	for _, secret := range e.secrets {
		msg = strings.ReplaceAll(msg, secret, redact.Mask)
	}
	return msg
}

func (e *s3Error) Unwrap() error { return e.err }
