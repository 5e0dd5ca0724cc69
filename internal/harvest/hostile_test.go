package harvest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qlink/internal/fetch"
	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/source"
	"qlink/internal/source/ooapi"
	"qlink/internal/store"
	"qlink/internal/store/blob"
)

// gzipBomb is 50 MiB of spaces in about 50 KiB, compressed once so that
// serving it takes no time under the client's deadline.
var gzipBomb = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	gz.Write(bytes.Repeat([]byte(" "), 50<<20))
	gz.Close()
	return b.Bytes()
})

// hostileServer is an OOAPI server that behaves until told otherwise.
type hostileServer struct {
	mode atomic.Value // string
}

const goodPage = `{"pageSize":10,"pageNumber":1,"hasPreviousPage":false,"hasNextPage":false,"items":[
	{"courseId":"c1","primaryCode":{"code":"C1"},"name":[{"language":"en","value":"One"}]},
	{"courseId":"c2","primaryCode":{"code":"C2"},"name":[{"language":"en","value":"Two"}]}]}`

func (h *hostileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	mode, _ := h.mode.Load().(string)
	switch {
	case strings.Contains(r.URL.Path, "/programs"), strings.Contains(r.URL.Path, "/education-specifications"):
		http.NotFound(w, r) // optional endpoints this server does not have
		return
	case mode == "" && strings.Contains(r.URL.Path, "/offerings"):
		fmt.Fprint(w, `{"pageSize":10,"pageNumber":1,"hasPreviousPage":false,"hasNextPage":false,"items":[]}`)
		return
	}
	switch mode {
	case "":
		fmt.Fprint(w, goodPage)
	case "oversize":
		w.Write(bytes.Repeat([]byte(" "), 1<<20))
	case "endless":
		w.Header().Set("Content-Type", "application/json")
		for {
			if _, err := w.Write(bytes.Repeat([]byte("["), 4096)); err != nil {
				return
			}
		}
	case "gzip-bomb":
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gzipBomb())
	case "redirect-loop":
		http.Redirect(w, r, r.URL.String(), http.StatusFound)
	case "slow-headers":
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	case "server-error":
		http.Error(w, "database down", http.StatusInternalServerError)
	case "not-json":
		fmt.Fprint(w, "<html>maintenance</html>")
	case "html-page":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "\n<!DOCTYPE html><html><body>Service unavailable</body></html>")
	case "latin-1":
		fmt.Fprint(w, strings.Replace(goodPage, "One", "\xc9t\xe9", 1))
	}
}

func TestHostileSourcesLeaveStoredDataUntouched(t *testing.T) {
	ctx := context.Background()
	gzipBomb() // compress now, not under the client's deadline
	hs := &hostileServer{}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	st := openTestStore(t)
	blobs, _ := blob.NewDir(t.TempDir())
	idx := &memIndex{docs: map[string]search.Document{}}
	h := New(Options{Store: st, Blobs: blobs, Index: idx, MaxPages: 5,
		Fetcher:  fetch.New(fetch.Options{Timeout: 500 * time.Millisecond, MaxBodyBytes: 256 << 10, AllowPrivate: true}),
		Adapters: map[string]source.Adapter{"ooapi": ooapi.Adapter{}}})
	st.UpsertProviders(ctx, []model.Provider{{ID: "P1", SCHAC: "uni.test", Name: model.Text{"en": "Uni"}}})
	entry := `{"type":"ooapi","path":"` + srv.URL + `/ooapi/v5/"}`
	srcs, _ := st.SyncManifest(ctx, store.Manifest{ProviderID: "P1", URL: "x", FetchedAt: time.Now(), Body: []byte(entry)},
		[]store.Source{{Key: "k", Type: "ooapi", URL: srv.URL, Entry: []byte(entry)}})
	src := srcs[0]
	if run, err := h.Source(ctx, src, "test"); err != nil || run.Status != store.RunOK || run.Added != 2 {
		t.Fatalf("good run: %+v %v", run, err)
	}

	cases := []struct {
		mode string
		want string
	}{
		{"oversize", "too-large"}, {"endless", "too-large"}, {"gzip-bomb", "too-large"}, {"redirect-loop", "redirects"},
		{"slow-headers", "timeout"}, {"server-error", "HTTP 500"}, {"not-json", "answered 200 with an HTML page"},
		{"html-page", "an HTML page (text/html), not course data"}, {"latin-1", "not valid UTF-8 at byte 164"},
	}
	for _, tc := range cases {
		t.Run(tc.mode, func(t *testing.T) {
			hs.mode.Store(tc.mode)
			run, err := h.Source(ctx, src, "test")
			if err != nil || run.Status != store.RunFailed || !strings.Contains(run.Error, tc.want) {
				t.Fatalf("run %+v, err %v; want a failed run mentioning %q", run, err, tc.want)
			}
			if !strings.Contains(run.Error, srv.URL) {
				t.Errorf("the error should name the URL: %s", run.Error)
			}
			counts, _ := st.CountCourses(ctx)
			if counts["P1"] != 2 || len(idx.docs) != 2 {
				t.Errorf("stored data changed: %v, %d indexed", counts, len(idx.docs))
			}
		})
	}
}
