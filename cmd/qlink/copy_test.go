package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"qlink/internal/config"
	"qlink/internal/model"
	"qlink/internal/pgtest"
	"qlink/internal/search"
	"qlink/internal/search/bleve"
	pgsearch "qlink/internal/search/postgres"
	"qlink/internal/store"
	"qlink/internal/store/blob"
	"qlink/internal/store/blob/blobtest"
	"qlink/internal/store/postgres"
	"qlink/internal/store/sqlite"
	"qlink/internal/testfed"
)

// TestCopyToPostgres: an instance that harvested the simulated
// federation, with an operator, alliances, an audit entry and a row in
// every other table, is copied into a fresh PostgreSQL database; read
// through store.Store, the copy holds the same records, and its search
// index the same courses as the instance's. A second copy into the same
// database is refused and changes nothing; new rows get IDs past the
// copied ones.
func TestCopyToPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a federation")
	}
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	dir := harvestedInstance(t)
	s3 := fakeS3Env(t, "snapshots")

	out, err := run(t, "", "copy", "--from", dir, "--to", url, "--snapshot-url", "s3://snapshots/eu")
	if err != nil {
		t.Fatalf("copy: %v\n%s", err, out)
	}
	copied := copiedCounts(t, out)
	for _, table := range []string{"accounts", "alliances", "alliance_members", "audit_log", "course_history", "course_identifiers",
		"courses", "discoveries", "domain_challenges", "manifests", "oauth_clients", "provider_blocks", "providers", "refreshes",
		"run_pages", "runs", "sessions", "sources"} {
		if copied[table] == 0 {
			t.Errorf("copy reports no rows of %s (every table holds some in the source)\n%s", table, out)
		}
	}
	checkSnapshotsCopied(t, dir, s3)

	lite, err := sqlite.Open(config.Config{DataDir: dir}.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	want := readRecords(t, lite)
	if diff := cmp.Diff(want, readRecords(t, pg), cmpopts.EquateApproxTime(time.Microsecond), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("the copy differs from the instance (-sqlite +postgres):\n%s", diff)
	}
	if len(want.Courses) == 0 || len(want.History) == 0 || len(want.Identifiers) == 0 || len(want.Audit) == 0 {
		t.Fatalf("the instance read holds too little to compare: %d courses, %d histories, %d identifiers, %d audit entries",
			len(want.Courses), len(want.History), len(want.Identifiers), len(want.Audit))
	}
	compareIndexes(t, dir, url, len(want.Courses))

	before := tableCounts(t, pg)
	out, err = run(t, "", "copy", "--from", dir, "--to", url)
	if err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Errorf("a second copy: %v, want a refusal of a database that holds data\n%s", err, out)
	}
	if after := tableCounts(t, pg); !maps.Equal(before, after) {
		t.Errorf("a refused copy changed the database: %v, then %v", before, after)
	}

	// Sequences moved past the copied IDs: new rows are numbered after them.
	src := want.Sources[0]
	r, err := pg.StartRun(ctx, src.ID, "test", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if last := want.Runs[len(want.Runs)-1].ID; r.ID <= last {
		t.Errorf("a run started after the copy got ID %d, not past the copied %d", r.ID, last)
	}
	if err := pg.AddAudit(ctx, store.AuditEntry{At: time.Now(), ActorKind: "admin", Actor: "ops", Action: "after.copy", Details: []byte("{}")}); err != nil {
		t.Errorf("an audit entry after the copy: %v", err)
	}
}

// TestCopyRefusesAnOutdatedSource: a data directory whose database lacks
// the latest migration is refused with the command that fixes it, and
// the target stays empty.
func TestCopyRefusesAnOutdatedSource(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	dir := newInstance(t)
	path := config.Config{DataDir: dir}.DatabasePath()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// The newest migration, as if this qlink had never applied it.
	if _, err := db.ExecContext(ctx, `DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, err := run(t, "", "copy", "--from", dir, "--to", url)
	if err == nil || !strings.Contains(err.Error(), "qlink migrate --data-dir "+dir) {
		t.Fatalf("copy of an outdated instance: %v, want a refusal naming qlink migrate\n%s", err, out)
	}
	pg, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if n := tableCounts(t, pg); len(n) != 0 {
		t.Errorf("the refused copy left tables in the target: %v", n)
	}
}

// harvestedInstance returns a data directory that harvested a small
// simulated federation and holds a row in every table of the store.
func harvestedInstance(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	fed, err := testfed.Start(ctx, testfed.Options{Institutions: 3, Seed: 5,
		Formats: []string{testfed.FormatOOAPI, testfed.FormatELM, testfed.FormatEduAPI}})
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
	cfg.DataDir, cfg.RegistryURL, cfg.AlliancesURL = dir, fed.RegistryURL(), fed.AlliancesURL()
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), demoNetwork(fed))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var out bytes.Buffer
	if _, err := runHarvest(ctx, a, &out, "test", nil); err != nil {
		t.Fatalf("harvest: %v\n%s", err, out.String())
	}
	fillOtherTables(t, a.store)
	return dir
}

// fillOtherTables adds what a harvest does not write: an audit entry,
// a session, a domain challenge, an OAuth client, a block and a refresh.
func fillOtherTables(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	ps, err := st.ListProviders(ctx)
	if err != nil || len(ps) == 0 {
		t.Fatalf("providers: %v, %v", ps, err)
	}
	p, now := ps[0].ID, time.Now()
	steps := []error{
		st.AddAudit(ctx, store.AuditEntry{At: now, ActorKind: "admin", Actor: "ops", Action: "provider.block", Target: p, Details: []byte(`{"reason":"test"}`)}),
		st.CreateSession(ctx, store.Session{TokenHash: "ab12", Kind: store.SessionAdmin, Subject: "ops", CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeenAt: now}),
		st.SetOAuthClient(ctx, store.OAuthClient{ProviderID: p, TokenEndpoint: "https://idp.example/token", ClientID: "qlink", SecretEncrypted: "c2VjcmV0", UpdatedAt: now}),
		st.BlockProvider(ctx, store.Block{ProviderID: ps[len(ps)-1].ID, Reason: "test", By: "ops", At: now}),
	}
	_, err = st.AddChallenge(ctx, store.Challenge{ProviderID: p, Domain: "example.org", Token: "tok", RequesterHash: "cd34", CreatedAt: now})
	steps = append(steps, err)
	_, err = st.AddRefresh(ctx, store.Refresh{ProviderID: p, RequestedAt: now, Tag: "refresh-1", AfterRunID: 1})
	steps = append(steps, err)
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// checkSnapshotsCopied: every snapshot of the data directory is in the
// bucket under the prefix, at its key.
func checkSnapshotsCopied(t *testing.T, dir string, s3 *blobtest.FakeS3) {
	t.Helper()
	blobs, err := blob.NewDir(config.Config{DataDir: dir}.BlobPath())
	must(t, err)
	n := 0
	must(t, blobs.Each(context.Background(), func(key string) error {
		n++
		if !s3.Has("snapshots", "eu/"+key[:2]+"/"+key) {
			t.Errorf("snapshot %s is not in the bucket", key)
		}
		return nil
	}))
	if n == 0 {
		t.Error("the instance has no snapshots to copy")
	}
}

// records is what an instance holds, read through store.Store.
type records struct {
	Providers   []model.Provider
	Discoveries map[string][]store.Discovery
	Manifests   map[string]store.Manifest
	Sources     []store.Source
	Runs        []store.Run
	Pages       map[int64][]store.RunPage
	Courses     []store.Course
	History     map[string][]store.HistoryEntry
	Identifiers map[string][]string
	Accounts    []store.Account
	Sessions    []store.Session
	Challenges  []store.Challenge
	OAuth       []store.OAuthClient
	Blocks      map[string]store.Block
	Refreshes   []store.Refresh
	Audit       []store.AuditEntry
	Alliances   []model.Alliance
}

func readRecords(t *testing.T, st store.Store) records {
	t.Helper()
	ctx := context.Background()
	r := records{Discoveries: map[string][]store.Discovery{}, Manifests: map[string]store.Manifest{}, Pages: map[int64][]store.RunPage{},
		History: map[string][]store.HistoryEntry{}, Identifiers: map[string][]string{}}
	ps, err := st.ListProviders(ctx)
	must(t, err)
	r.Providers = ps
	for _, p := range ps {
		r.Discoveries[p.ID], err = st.ListDiscoveries(ctx, p.ID, 100)
		must(t, err)
		if m, err := st.LatestManifest(ctx, p.ID); err == nil {
			r.Manifests[p.ID] = m
		}
		srcs, err := st.ListSources(ctx, p.ID)
		must(t, err)
		r.Sources = append(r.Sources, srcs...)
		oauth, err := st.ListOAuthClients(ctx, p.ID)
		must(t, err)
		r.OAuth = append(r.OAuth, oauth...)
		if ref, err := st.LatestRefresh(ctx, p.ID); err == nil {
			r.Refreshes = append(r.Refreshes, ref)
		}
		if c, err := st.Challenge(ctx, p.ID, 1); err == nil {
			r.Challenges = append(r.Challenges, c)
		}
	}
	for _, s := range r.Sources {
		runs, err := st.ListRuns(ctx, s.ID, 1000)
		must(t, err)
		for _, run := range runs {
			r.Runs = append(r.Runs, run)
			r.Pages[run.ID], err = st.RunPages(ctx, run.ID)
			must(t, err)
		}
	}
	slices.SortFunc(r.Runs, func(a, b store.Run) int { return int(a.ID - b.ID) })
	must(t, st.EachCourse(ctx, nil, func(c store.Course) error {
		r.Courses = append(r.Courses, c)
		h, _, err := st.CourseHistory(ctx, c.Spec.ID, 1000, 0)
		r.History[c.Spec.ID] = h
		for _, id := range c.Spec.Identifiers {
			r.Identifiers[id.Value], err = st.CoursesByIdentifier(ctx, id.Value, 10)
		}
		for _, in := range c.Spec.Instances {
			r.Identifiers[in.ID], err = st.CoursesByIdentifier(ctx, in.ID, 10)
		}
		return err
	}))
	r.Accounts, err = st.ListAccounts(ctx)
	must(t, err)
	if s, err := st.Session(ctx, "ab12"); err == nil {
		r.Sessions = append(r.Sessions, s)
	}
	r.Blocks, err = st.ListBlocks(ctx)
	must(t, err)
	r.Audit, err = st.ListAudit(ctx, store.AuditFilter{})
	must(t, err)
	r.Alliances, err = st.ListAlliances(ctx)
	must(t, err)
	return r
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// compareIndexes: the PostgreSQL index holds every copied course, with
// the same facet counts as the instance's bleve index.
func compareIndexes(t *testing.T, dir, url string, courses int) {
	t.Helper()
	ctx := context.Background()
	bl, err := bleve.Open(config.Config{DataDir: dir}.IndexPath())
	if err != nil {
		t.Fatal(err)
	}
	defer bl.Close()
	pg, err := pgsearch.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	q := search.Query{Status: search.StatusAll, Limit: search.MaxLimit}
	want, wantIDs := allHits(t, bl, q)
	got, gotIDs := allHits(t, pg, q)
	if got.Total != courses || want.Total != courses {
		t.Errorf("the indexes hold %d (PostgreSQL) and %d (bleve) courses; the store %d", got.Total, want.Total, courses)
	}
	if !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("the PostgreSQL index holds other courses than bleve's:\n got %v\nwant %v", gotIDs, wantIDs)
	}
	if diff := cmp.Diff(want.Facets, got.Facets); diff != "" {
		t.Errorf("facet counts differ (-bleve +postgres):\n%s", diff)
	}
}

// allHits walks every hit of q and returns the first page with the
// sorted IDs of all hits.
func allHits(t *testing.T, ix search.Index, q search.Query) (search.Result, []string) {
	t.Helper()
	var first search.Result
	var ids []string
	for {
		res, err := ix.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if first.Facets == nil {
			first = res
		}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if len(res.Hits) < q.Limit {
			break
		}
		q.After = res.Hits[len(res.Hits)-1].Key
	}
	slices.Sort(ids)
	return first, ids
}

// copiedCounts reads the table counts copy printed.
func copiedCounts(t *testing.T, out string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for line := range strings.Lines(out) {
		var table string
		var n int
		if _, err := fmt.Sscan(line, &table, &n); err == nil && strings.HasPrefix(line, "  ") {
			counts[table] = n
		}
	}
	return counts
}

// tableCounts counts the rows of every table of the store's schema.
func tableCounts(t *testing.T, pg *postgres.Store) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := pg.Pool().Query(ctx, `SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()`)
	must(t, err)
	var tables []string
	for rows.Next() {
		var name string
		must(t, rows.Scan(&name))
		tables = append(tables, name)
	}
	must(t, rows.Err())
	counts := map[string]int64{}
	for _, table := range tables {
		var n int64
		must(t, pg.Pool().QueryRow(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&n))
		counts[table] = n
	}
	return counts
}

// TestCopyRefusesAnInstanceInUse: while another process holds the data
// directory (its search index), copy refuses before touching the target.
func TestCopyRefusesAnInstanceInUse(t *testing.T) {
	url := pgtest.NewDatabase(t)
	dir := newInstance(t)
	held, err := bleve.Open(config.Config{DataDir: dir}.IndexPath())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	out, err := run(t, "", "copy", "--from", dir, "--to", url)
	if err == nil || !strings.Contains(err.Error(), "in use by another qlink process") {
		t.Fatalf("copy of an instance in use: %v, want a refusal\n%s", err, out)
	}
	pg, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if n := tableCounts(t, pg); len(n) != 0 {
		t.Errorf("the refused copy left tables in the target: %v", n)
	}
}
