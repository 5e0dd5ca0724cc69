package harvest

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"qlink/internal/fetch"
	"qlink/internal/fetch/auth"
	"qlink/internal/keys"
	"qlink/internal/model"
	"qlink/internal/quality"
	"qlink/internal/search"
	"qlink/internal/source"
	"qlink/internal/store"
	"qlink/internal/store/blob"
	"qlink/internal/store/sqlite"
)

// memIndex records what the harvest indexes; the real index is tested in
// search/bleve and end to end in cmd/qlink.
type memIndex struct {
	mu   sync.Mutex
	docs map[string]search.Document
	// written counts documents written, to see what a run re-indexed.
	written int
}

func (m *memIndex) Index(_ context.Context, docs []search.Document) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.written += len(docs)
	for _, d := range docs {
		m.docs[d.ID] = d
	}
	return nil
}

func (m *memIndex) Delete(_ context.Context, ids []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range ids {
		delete(m.docs, id)
	}
	return nil
}

func (m *memIndex) Search(context.Context, search.Query) (search.Result, error) {
	return search.Result{}, nil
}
func (m *memIndex) Count(context.Context) (int, error) { return len(m.docs), nil }
func (m *memIndex) EachID(_ context.Context, fn func(string) error) error {
	m.mu.Lock()
	ids := slices.Collect(maps.Keys(m.docs))
	m.mu.Unlock()
	for _, id := range ids {
		if err := fn(id); err != nil {
			return err
		}
	}
	return nil
}
func (m *memIndex) Close() error { return nil }

// scripted is an adapter that fetches the given paths from its source and
// emits what the test says.
type scripted struct {
	paths  []string
	specs  []model.Specification
	err    error
	bodies []string
	// calls counts harvests; since is the last one's cfg.Since.
	calls int
	since time.Time
}

func (s *scripted) Harvest(ctx context.Context, cfg source.Config, get source.Getter, out source.Emitter) error {
	s.calls++
	s.since = cfg.Since
	s.bodies = nil
	for _, p := range s.paths {
		resp, err := get.Get(ctx, strings.TrimRight(cfg.URL, "/")+p)
		if err != nil {
			return err
		}
		s.bodies = append(s.bodies, string(resp.Body))
	}
	for _, sp := range s.specs {
		out.Spec(sp)
	}
	out.Warn(source.Warning{Record: "x", Field: "name", Message: "empty"})
	return s.err
}

type fixture struct {
	h       *Harvester
	st      *sqlite.Store
	idx     *memIndex
	adapter *scripted
	src     store.Source
	srv     *httptest.Server
	headers http.Header
	// etag is the validator of the /static pages; other pages have none
	// and differ at every request (served counts them).
	etag   string
	served int
}

// openTestStore opens a migrated SQLite store in a temporary directory,
// closed when the test ends.
func openTestStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

func newFixture(t *testing.T, entry string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{idx: &memIndex{docs: map[string]search.Document{}}, adapter: &scripted{}, etag: `"v1"`}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.headers = r.Header.Clone()
		if strings.HasPrefix(r.URL.Path, "/static") {
			if r.Header.Get("If-None-Match") == f.etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", f.etag)
			fmt.Fprintf(w, `{"path":%q,"query":%q,"etag":%q}`, r.URL.Path, r.URL.RawQuery, f.etag)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/plain") {
			fmt.Fprintf(w, `{"path":%q}`, r.URL.Path) // the same bytes, without validators
			return
		}
		f.served++
		fmt.Fprintf(w, `{"path":%q,"query":%q,"n":%d}`, r.URL.Path, r.URL.RawQuery, f.served)
	}))
	t.Cleanup(f.srv.Close)
	f.st = openTestStore(t)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.h = New(Options{Store: f.st, Blobs: blobs, Index: f.idx,
		Fetcher:  fetch.New(fetch.Options{Timeout: 2 * time.Second, AllowPrivate: true}),
		Adapters: map[string]source.Adapter{"ooapi": f.adapter}})
	p := model.Provider{ID: "P1", SCHAC: "uni.test", Name: model.Text{"en": "University One"}, Country: "NL"}
	if err := f.st.UpsertProviders(ctx, []model.Provider{p}); err != nil {
		t.Fatal(err)
	}
	// Only a path that starts with the placeholder is replaced: a base64
	// secret elsewhere in the entry may contain "SRV" by chance.
	entry = strings.Replace(entry, `"path":"SRV`, `"path":"`+f.srv.URL, 1)
	srcs, err := f.st.SyncManifest(ctx, store.Manifest{ProviderID: "P1", URL: "x", FetchedAt: time.Now(), Body: []byte(entry)},
		[]store.Source{{Key: "main", Type: "ooapi", URL: f.srv.URL, Entry: []byte(entry)}})
	if err != nil {
		t.Fatal(err)
	}
	f.src = srcs[0]
	return f
}

func spec(id, title, publisher string) model.Specification {
	return model.Specification{ID: id, Title: model.Text{"en": title}, PublisherID: publisher, Active: true}
}

func TestRunLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, `{"type":"ooapi","path":"SRV/ooapi/v5","headers":{"X-Api-Key":"k"},"queryParameters":{"consumer":"ql"}}`)

	// A good run stores, indexes and snapshots; the manifest's headers and
	// parameters go on every request.
	f.adapter.paths = []string{"/courses?pageNumber=1"}
	f.adapter.specs = []model.Specification{spec("c1", "One", "P1"), spec("c2", "Two", ""), spec("c2", "Two again", "P1")}
	run, err := f.h.Source(ctx, f.src, "test")
	if err != nil || run.Status != store.RunOK || run.Added != 2 || run.Pages != 1 {
		t.Fatalf("first run: %+v %v", run, err)
	}
	if f.headers.Get("X-Api-Key") != "k" {
		t.Errorf("manifest header not sent: %v", f.headers)
	}
	if run.WarningCount != 2 || !strings.Contains(run.Warnings[0].Message+run.Warnings[1].Message, "published twice") {
		t.Errorf("warnings: %+v", run.Warnings)
	}
	pages, _ := f.st.RunPages(ctx, run.ID)
	if len(pages) != 1 || !strings.Contains(pages[0].URL, "consumer=ql") || pages[0].Blob == "" {
		t.Errorf("pages: %+v", pages)
	}
	if len(f.idx.docs) != 2 || f.idx.docs["c1"].Institution != "P1" {
		t.Errorf("index: %+v", f.idx.docs)
	}

	// A failed run changes nothing.
	f.adapter.err = &fetch.Error{Kind: fetch.KindTimeout, URL: "x"}
	f.adapter.specs = nil
	run, err = f.h.Source(ctx, f.src, "test")
	if err != nil || run.Status != store.RunFailed || !strings.Contains(run.Error, "timeout") {
		t.Fatalf("failed run: %+v %v", run, err)
	}
	if c, _ := f.st.Course(ctx, "c2"); c.Inactive || len(f.idx.docs) != 2 {
		t.Errorf("a failed run lost data")
	}

	// A partial run updates what it read and removes nothing.
	f.adapter.specs = []model.Specification{spec("c1", "One, revised", "P1")}
	run, _ = f.h.Source(ctx, f.src, "test")
	if run.Status != store.RunPartial || run.Updated != 1 || run.Removed != 0 {
		t.Fatalf("partial run: %+v", run)
	}

	// A complete run makes a withdrawn course inactive: the store keeps
	// its last known data, the index keeps it marked inactive, and its
	// history says when and which run saw it go.
	f.adapter.err = nil
	run, _ = f.h.Source(ctx, f.src, "test")
	if run.Status != store.RunOK || run.Removed != 1 || run.Unchanged != 1 {
		t.Fatalf("complete run: %+v", run)
	}
	withdrawn := run
	c2, err := f.st.Course(ctx, "c2")
	if err != nil || !c2.Inactive || c2.Spec.Title["en"] != "Two" || !c2.LastSeen.Before(withdrawn.StartedAt) {
		t.Errorf("withdrawn course: %+v, %v", c2, err)
	}
	if d, ok := f.idx.docs["c2"]; !ok || !d.Inactive {
		t.Errorf("withdrawn course not indexed as inactive: %+v", f.idx.docs)
	}
	if src, _ := f.st.Source(ctx, f.src.ID); src.LastStatus != store.RunOK || src.ErrorCount != 0 {
		t.Errorf("source health: %+v", src)
	}

	// It comes back, edited: reactivated, with the fields that changed.
	f.adapter.specs = []model.Specification{spec("c1", "One, revised", "P1"), spec("c2", "Two, back", "P1")}
	run, _ = f.h.Source(ctx, f.src, "test")
	if run.Status != store.RunOK || run.Added != 1 || run.Unchanged != 1 {
		t.Fatalf("comeback run: %+v", run)
	}
	if d := f.idx.docs["c2"]; d.Inactive || d.Title["en"] != "Two, back" {
		t.Errorf("reactivated course in the index: %+v", d)
	}
	history, total, err := f.st.CourseHistory(ctx, "c2", 10, 0)
	if err != nil || total != 3 {
		t.Fatalf("history of c2: %+v, %d, %v", history, total, err)
	}
	back, gone := history[0], history[1]
	if back.Kind != store.HistoryReactivated || back.RunID != run.ID || len(back.Changes) != 1 || back.Changes[0].Field != "title.en" ||
		string(back.Changes[0].Old) != `"Two"` || string(back.Changes[0].New) != `"Two, back"` {
		t.Errorf("reactivation entry: %+v", back)
	}
	if gone.Kind != store.HistoryInactive || gone.RunID != withdrawn.ID || history[2].Kind != store.HistoryAdded {
		t.Errorf("history: %+v", history)
	}
}

func TestRunRefusals(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, entry string
		paths       []string
		specs       []model.Specification
		wantStatus  store.RunStatus
		wantErr     string
	}{
		{"foreign publisher is overridden", `{"type":"ooapi","path":"SRV/"}`, nil,
			[]model.Specification{spec("c1", "One", "SOMEONE-ELSE")}, store.RunOK, ""},
		{"off-host URL refused", `{"type":"ooapi","path":"SRV/"}`, []string{"@evil.test/x"}, nil, store.RunFailed, "outside the source's host"},
		{"signatures without keys", `{"type":"ooapi","path":"SRV/","auth":{"type":"httpsig"}}`, nil, nil, store.RunFailed, "no key ring"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.entry)
			f.adapter.paths, f.adapter.specs = tc.paths, tc.specs
			run, err := f.h.Source(ctx, f.src, "test")
			if err != nil || run.Status != tc.wantStatus || !strings.Contains(run.Error, tc.wantErr) {
				t.Fatalf("run %+v, err %v", run, err)
			}
			if tc.specs != nil {
				c, err := f.st.Course(ctx, "c1")
				if err != nil || c.Spec.PublisherID != "P1" || !slices.ContainsFunc(run.Warnings, func(w store.Warning) bool { return w.Field == "publisher" }) {
					t.Errorf("publisher not enforced: %+v %v %+v", c.Spec, err, run.Warnings)
				}
			}
		})
	}
}

// An operator may let a provider's sources publish for others (an
// alliance for its members): that claim is kept, and the quality check's
// ownership rule accepts it; a claim of anyone else is still refused.
func TestOperatorAllowsPublishingFor(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, `{"type":"ooapi","path":"SRV/"}`)
	f.h.PublishFor = map[string][]string{"P1": {"MEMBER"}}
	f.adapter.specs = []model.Specification{spec("c1", "One", "MEMBER"), spec("c2", "Two", "STRANGER")}
	run, err := f.h.Source(ctx, f.src, "test")
	if err != nil || run.Status != store.RunOK {
		t.Fatalf("run %+v, err %v", run, err)
	}
	if c, _ := f.st.Course(ctx, "c1"); c.Spec.PublisherID != "MEMBER" || c.Quality == nil ||
		slices.ContainsFunc(c.Quality.Violations, func(v store.QualityFinding) bool { return v.Rule == quality.RuleOwner }) {
		t.Errorf("allowed publisher: %+v, quality %+v", c.Spec.PublisherID, c.Quality)
	}
	if c, _ := f.st.Course(ctx, "c2"); c.Spec.PublisherID != "P1" {
		t.Errorf("a publisher the operator did not allow was kept: %q", c.Spec.PublisherID)
	}
	if n := len(slices.DeleteFunc(slices.Clone(run.Warnings), func(w store.Warning) bool { return w.Field != "publisher" })); n != 1 {
		t.Errorf("%d publisher warnings, want 1 (for c2): %+v", n, run.Warnings)
	}
}

func TestGetterRefusesOtherHosts(t *testing.T) {
	f := newFixture(t, `{"type":"ooapi","path":"SRV/"}`)
	entry, err := sourceEntry(f.src)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := newPageGetter(f.h, 0, entry, nil, nil)
	_, err = g.Get(context.Background(), "http://169.254.169.254/latest/meta-data")
	if fetch.KindOf(err) != fetch.KindBlocked {
		t.Fatalf("got %v", err)
	}
	var fe *fetch.Error
	if !errors.As(err, &fe) || !strings.Contains(fe.Error(), "169.254.169.254") {
		t.Errorf("error should name the URL: %v", err)
	}
}

func TestConditionalRequestsReuseSnapshots(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, `{"type":"ooapi","path":"SRV/"}`)
	f.adapter.paths = []string{"/static/a", "/static/b"}
	f.adapter.specs = []model.Specification{spec("c1", "One", "P1")}
	first, _ := f.h.Source(ctx, f.src, "test")
	firstBodies := f.adapter.bodies
	second, _ := f.h.Source(ctx, f.src, "test")
	if first.Status != store.RunOK || second.Status != store.RunNotModified || second.Unchanged != 1 {
		t.Fatalf("runs: %+v / %+v", first, second)
	}
	if f.headers.Get("If-None-Match") != `"v1"` {
		t.Errorf("no conditional request: %v", f.headers)
	}
	if strings.Join(f.adapter.bodies, "|") != strings.Join(firstBodies, "|") {
		t.Errorf("the adapter did not get the snapshot on 304: %q vs %q", f.adapter.bodies, firstBodies)
	}
	pages, _ := f.st.RunPages(ctx, second.ID)
	if len(pages) != 2 || pages[0].Status != http.StatusNotModified || pages[0].ETag != `"v1"` || pages[0].Blob == "" {
		t.Errorf("pages of the revalidating run: %+v", pages)
	}
	// The revalidating run copied no page: it points at the first run's.
	if second.PagesOf != first.ID {
		t.Errorf("the revalidating run's pages are those of run %d, want %d", second.PagesOf, first.ID)
	}
	// And again: the first run's pages are what the next run revalidates.
	third, _ := f.h.Source(ctx, f.src, "test")
	if third.Status != store.RunNotModified || third.PagesOf != first.ID {
		t.Errorf("third run: %+v", third)
	}
	// A page that changed makes the run ok again.
	f.etag = `"v2"`
	if fourth, _ := f.h.Source(ctx, f.src, "test"); fourth.Status != store.RunOK {
		t.Errorf("fourth run: %+v", fourth)
	}
}

// tlsSetup returns a key ring and a fetch client that trusts srv: what
// a protected source's harvest needs (credentials go only over https).
func tlsSetup(t *testing.T, srv *httptest.Server) (*keys.Ring, *fetch.Client) {
	t.Helper()
	ring, err := keys.Open(context.Background(), &keys.MemoryStorage{}, keys.Options{Secret: "test secret", Iterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return ring, fetch.New(fetch.Options{Timeout: 2 * time.Second, AllowPrivate: true, RootCAs: pool})
}

func TestProtectedSource(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "k-123" {
			http.Error(w, "who are you?", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	ring, client := tlsSetup(t, srv)
	k, _ := ring.Current(keys.AlgRSAOAEP)
	encrypted, err := keys.EncryptSecret(k.Public.(*rsa.PublicKey), []byte("k-123"), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, value string
		status      store.RunStatus
		wantErr     string
	}{
		{"encrypted value", encrypted, store.RunOK, ""},
		{"plaintext value", "k-123", store.RunFailed, "encrypt"},
		{"value for another key", "bm90IGZvciB1cw==", store.RunFailed, "auth.value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, `{"type":"ooapi","path":"`+srv.URL+`/","auth":{"type":"httpheader","field":"X-Api-Key","value":"`+tc.value+`"}}`)
			f.h.Fetcher, f.h.Auth = client, auth.Deps{Keys: ring, HTTPClient: client.HTTPClient()}
			f.adapter.paths = []string{"/courses"}
			f.adapter.specs = []model.Specification{spec("c1", "One", "P1")}
			run, err := f.h.Source(ctx, f.src, "test")
			if err != nil || run.Status != tc.status || !strings.Contains(run.Error, tc.wantErr) {
				t.Fatalf("run %+v, err %v", run, err)
			}
			if tc.status == store.RunFailed && run.Pages != 0 {
				t.Errorf("a request went out without usable credentials")
			}
		})
	}
}

func TestOutOfBandOAuthClient(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/token":
			if id, secret, ok := r.BasicAuth(); !ok || id != "qlink" || secret != "s3cret" {
				http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`)
		default:
			if r.Header.Get("Authorization") != "Bearer tok" {
				http.Error(w, "no", http.StatusUnauthorized)
				return
			}
			fmt.Fprint(w, `{}`)
		}
	}))
	defer srv.Close()
	ring, client := tlsSetup(t, srv)
	for _, tc := range []struct {
		name, endpoint string
		status         store.RunStatus
	}{
		{"registered endpoint", srv.URL + "/token", store.RunOK},
		{"an endpoint the manifest made up", srv.URL + "/other-token", store.RunFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, `{"type":"ooapi","path":"`+srv.URL+`/","auth":{"type":"oauth2.0","token_endpoint":"`+tc.endpoint+`"}}`)
			creds := StoredCredentials{Store: f.st, Keys: ring}
			if err := creds.Set(ctx, "P1", srv.URL+"/token", "qlink", "s3cret", time.Now()); err != nil {
				t.Fatal(err)
			}
			stored, _ := f.st.OAuthClient(ctx, "P1", srv.URL+"/token")
			if strings.Contains(stored.SecretEncrypted, "s3cret") {
				t.Fatal("the secret is stored in clear")
			}
			f.h.Fetcher = client
			f.h.Auth = auth.Deps{Keys: ring, HTTPClient: client.HTTPClient(), Credentials: creds}
			f.adapter.paths = []string{"/courses"}
			f.adapter.specs = []model.Specification{spec("c1", "One", "P1")}
			run, err := f.h.Source(ctx, f.src, "test")
			if err != nil || run.Status != tc.status {
				t.Fatalf("run %+v, err %v", run, err)
			}
		})
	}
}

// TestBusySpansEverythingUnderWay checks the Busy hook: told true when the
// first harvest or run starts and false when the last one ends, once each
// however they nest, and again for the next stretch of work.
func TestBusySpansEverythingUnderWay(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, `{"type":"ooapi","path":"SRV/ooapi/v5"}`)
	var calls []bool
	f.h.Busy = func(busy bool) { calls = append(calls, busy) }
	f.adapter.paths = []string{"/courses?pageNumber=1"}
	f.adapter.specs = []model.Specification{spec("c1", "One", "P1")}

	done := f.h.work() // as All holds it around its runs
	for range 2 {
		if _, err := f.h.Source(ctx, f.src, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(calls, []bool{true}) {
		t.Fatalf("Busy calls during the harvest = %v, want [true]", calls)
	}
	done()
	if _, err := f.h.Source(ctx, f.src, "test"); err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, false, true, false}; !slices.Equal(calls, want) {
		t.Fatalf("Busy calls = %v, want %v", calls, want)
	}
}
