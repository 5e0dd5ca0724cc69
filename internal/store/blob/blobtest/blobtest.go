// Package blobtest is the contract every store.Blobs implementation must
// pass. Each implementation's tests call Run with a constructor for a
// fresh, empty store.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"qlink/internal/store"
)

// Harness is one fresh, empty store under test and the one thing the
// contract cannot do through store.Blobs: make time pass for a blob.
type Harness struct {
	Blobs store.Blobs
	// Age makes the blob with this key look last written d ago, as if
	// it had been put then and not since.
	Age func(t *testing.T, key string, d time.Duration)
}

// LargeSize is the size of the large blob the suite round-trips: over
// 16 MiB, the size from which S3 clients upload in parts.
const LargeSize = 17<<20 + 123

// Run runs the contract against fresh stores made by open.
func Run(t *testing.T, open func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"round trip", testRoundTrip},
		{"same content, same key, one blob", testIdempotentPut},
		{"missing blob", testMissing},
		{"malformed keys", testMalformedKeys},
		{"large blob", testLarge},
		{"concurrent puts of one content", testConcurrentPuts},
		{"each lists every blob", testEach},
		{"delete spares fresh writes", testDeleteSparesFreshWrites},
		{"delete spares a write just after the cut-off", testDeleteSparesWriteJustAfterCutoff},
		{"a put renews an old blob", testPutRenews},
		{"cancelled context", testCancelled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// keyOf is the key the contract promises for data: its hex SHA-256.
func keyOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func put(t *testing.T, b store.Blobs, data []byte) string {
	t.Helper()
	key, err := b.Put(context.Background(), data)
	if err != nil {
		t.Fatalf("Put(%.20q): %v", data, err)
	}
	if want := keyOf(data); key != want {
		t.Fatalf("Put(%.20q) = key %s, want its SHA-256 %s", data, key, want)
	}
	return key
}

// keys lists what Each reports, sorted.
func keys(t *testing.T, b store.Blobs) []string {
	t.Helper()
	var out []string
	if err := b.Each(context.Background(), func(key string) error {
		out = append(out, key)
		return nil
	}); err != nil {
		t.Fatalf("Each: %v", err)
	}
	slices.Sort(out)
	return out
}

func testRoundTrip(t *testing.T, h Harness) {
	ctx := context.Background()
	for _, data := range [][]byte{[]byte(`{"items":[]}`), {}, {0, 1, 2, 0xff, '\n', 0}, []byte("Université\r\n")} {
		key := put(t, h.Blobs, data)
		got, err := h.Blobs.Get(ctx, key)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("Get(Put(%q)) = %q, %v", data, got, err)
		}
	}
}

func testIdempotentPut(t *testing.T, h Harness) {
	a := put(t, h.Blobs, []byte("page one"))
	if again := put(t, h.Blobs, []byte("page one")); again != a {
		t.Fatalf("the same content got keys %s and %s", a, again)
	}
	b := put(t, h.Blobs, []byte("page two"))
	if got, want := keys(t, h.Blobs), sorted(a, b); !slices.Equal(got, want) {
		t.Errorf("Each after putting one content twice and another once = %v, want %v", got, want)
	}
}

func testMissing(t *testing.T, h Harness) {
	ctx := context.Background()
	missing := keyOf([]byte("never put"))
	if _, err := h.Blobs.Get(ctx, missing); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get of a missing blob: %v, want store.ErrNotFound", err)
	} else if !strings.Contains(err.Error(), missing) {
		t.Errorf("the error %q does not name the key", err)
	}
	if deleted, err := h.Blobs.Delete(ctx, missing, time.Now()); err != nil || deleted {
		t.Errorf("Delete of a missing blob = %v, %v; want false, nil", deleted, err)
	}
}

func testMalformedKeys(t *testing.T, h Harness) {
	ctx := context.Background()
	key := put(t, h.Blobs, []byte("kept"))
	bad := []string{"", "zz", "../../etc/passwd", key[:63], key + "0", strings.ToUpper(key),
		"../" + key[3:], key[:2] + "/" + key[3:], strings.Repeat("g", 64), key[:62] + "\x00a"}
	for _, k := range bad {
		if _, err := h.Blobs.Get(ctx, k); err == nil || errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want a malformed-key error", k, err)
		}
		if deleted, err := h.Blobs.Delete(ctx, k, time.Now().Add(time.Hour)); err == nil || deleted {
			t.Errorf("Delete(%q) = %v, %v, want a malformed-key error", k, deleted, err)
		}
	}
	if got := keys(t, h.Blobs); !slices.Equal(got, []string{key}) {
		t.Errorf("after the malformed keys the store holds %v, want %v", got, []string{key})
	}
}

// testLarge round-trips a blob larger than S3's one-request upload size,
// with a pattern that shows a lost, repeated or shifted part.
func testLarge(t *testing.T, h Harness) {
	data := make([]byte, LargeSize)
	for i := range data {
		data[i] = byte(i*7 + i>>16)
	}
	key := put(t, h.Blobs, data)
	got, err := h.Blobs.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("the large blob came back as %d bytes, differing from the %d put", len(got), len(data))
	}
}

func testConcurrentPuts(t *testing.T, h Harness) {
	data := bytes.Repeat([]byte("the same page fetched by several runs at once\n"), 2000)
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	got := make([]string, writers)
	for i := range writers {
		wg.Go(func() { got[i], errs[i] = h.Blobs.Put(context.Background(), data) })
	}
	wg.Wait()
	want := keyOf(data)
	for i := range writers {
		if errs[i] != nil || got[i] != want {
			t.Errorf("writer %d: %s, %v", i, got[i], errs[i])
		}
	}
	back, err := h.Blobs.Get(context.Background(), want)
	if err != nil || !bytes.Equal(back, data) {
		t.Fatalf("after concurrent puts: %d bytes, %v", len(back), err)
	}
	if ks := keys(t, h.Blobs); !slices.Equal(ks, []string{want}) {
		t.Errorf("after concurrent puts of one content the store holds %v", ks)
	}
}

func testEach(t *testing.T, h Harness) {
	ctx := context.Background()
	if got := keys(t, h.Blobs); len(got) != 0 {
		t.Fatalf("a fresh store holds %v", got)
	}
	var want []string
	for i := range 1100 { // more than one page of an S3 listing (1000 keys)
		want = append(want, put(t, h.Blobs, []byte{byte(i), byte(i >> 8)}))
	}
	slices.Sort(want)
	if got := keys(t, h.Blobs); !slices.Equal(got, want) {
		t.Fatalf("Each lists %d blobs, want the %d put", len(got), len(want))
	}

	stop := errors.New("enough")
	calls := 0
	err := h.Blobs.Each(ctx, func(string) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Each whose callback fails: %v after %d calls, want the callback's error after 1", err, calls)
	}
}

// testDeleteSparesFreshWrites: Delete takes a blob written before the
// cut-off and leaves one written since. Implementations may keep a blob
// a while past the cut-off (S3 allows for clock skew), so the aged blob
// is made far older than the cut-off.
func testDeleteSparesFreshWrites(t *testing.T, h Harness) {
	ctx := context.Background()
	key := put(t, h.Blobs, []byte("page"))
	other := put(t, h.Blobs, []byte("another page"))
	cutoff := time.Now().Add(-time.Hour)
	if deleted, err := h.Blobs.Delete(ctx, key, cutoff); err != nil || deleted {
		t.Fatalf("a blob written after the cut-off: deleted %v, %v", deleted, err)
	}
	h.Age(t, key, 3*time.Hour)
	if deleted, err := h.Blobs.Delete(ctx, key, cutoff); err != nil || !deleted {
		t.Fatalf("a blob written before the cut-off: deleted %v, %v", deleted, err)
	}
	if _, err := h.Blobs.Get(ctx, key); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a deleted blob reads as %v", err)
	}
	if deleted, err := h.Blobs.Delete(ctx, key, time.Now()); err != nil || deleted {
		t.Errorf("deleting it again: %v, %v", deleted, err)
	}
	if got := keys(t, h.Blobs); !slices.Equal(got, []string{other}) {
		t.Errorf("after the delete the store holds %v, want only %s", got, other)
	}
	// Content deleted can be put again.
	put(t, h.Blobs, []byte("page"))
	if got, err := h.Blobs.Get(ctx, key); err != nil || string(got) != "page" {
		t.Errorf("put again after its delete: %q, %v", got, err)
	}
}

// testDeleteSparesWriteJustAfterCutoff: a blob written right after the
// cut-off is spared, however coarse the store's write times (Linux stamps
// files with the clock of the last scheduler tick, milliseconds behind
// time.Now; S3 keeps whole seconds). A sweep takes the start of the
// oldest run in progress as its cut-off, and that run may write its
// first page a moment later.
func testDeleteSparesWriteJustAfterCutoff(t *testing.T, h Harness) {
	ctx := context.Background()
	for i := range 50 {
		cutoff := time.Now()
		key := put(t, h.Blobs, fmt.Appendf(nil, "page %d, written after its cut-off", i))
		if deleted, err := h.Blobs.Delete(ctx, key, cutoff); err != nil || deleted {
			t.Fatalf("blob %d, written after the cut-off: deleted %v, %v", i, deleted, err)
		}
	}
}

// testPutRenews: a Put of content already there renews its write time, so
// a sweep does not take a blob a run was just given.
func testPutRenews(t *testing.T, h Harness) {
	ctx := context.Background()
	key := put(t, h.Blobs, []byte("unchanged page"))
	h.Age(t, key, 3*time.Hour)
	put(t, h.Blobs, []byte("unchanged page"))
	if deleted, err := h.Blobs.Delete(ctx, key, time.Now().Add(-time.Hour)); err != nil || deleted {
		t.Fatalf("a blob put again after the cut-off: deleted %v, %v", deleted, err)
	}
	if got, err := h.Blobs.Get(ctx, key); err != nil || string(got) != "unchanged page" {
		t.Errorf("the renewed blob reads %q, %v", got, err)
	}
}

// testCancelled: every method gives up on a cancelled context, and a Put
// given up writes nothing.
func testCancelled(t *testing.T, h Harness) {
	kept := put(t, h.Blobs, []byte("kept"))
	h.Age(t, kept, 3*time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Blobs.Put(ctx, []byte("not written")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put: %v", err)
	}
	if _, err := h.Blobs.Get(ctx, kept); !errors.Is(err, context.Canceled) {
		t.Errorf("Get: %v", err)
	}
	if deleted, err := h.Blobs.Delete(ctx, kept, time.Now()); !errors.Is(err, context.Canceled) || deleted {
		t.Errorf("Delete: %v, %v", deleted, err)
	}
	if err := h.Blobs.Each(ctx, func(string) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Each: %v", err)
	}
	if got := keys(t, h.Blobs); !slices.Equal(got, []string{kept}) {
		t.Errorf("after the cancelled calls the store holds %v, want %v", got, []string{kept})
	}

	// Cancelled while listing: Each stops.
	put(t, h.Blobs, []byte("second"))
	put(t, h.Blobs, []byte("third"))
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	err := h.Blobs.Each(ctx, func(string) error { calls++; cancel(); return nil })
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("Each cancelled in its first callback: %v after %d calls", err, calls)
	}
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}
