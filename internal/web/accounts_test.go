package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
	"qlink/internal/store/blob"
	"qlink/internal/store/sqlite"
	"qlink/internal/web/password"
)

// cheapHash keeps sign-in tests fast; verification reads the parameters
// from the stored hash.
var cheapHash = password.Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

const opsPassword = "tram lantern cobalt river"

// accountsFixture is a server with two providers (A and B), each with one
// source and one run whose page has a raw snapshot, and an operator "ops".
type accountsFixture struct {
	ts       *httptest.Server
	srv      *Server
	st       *sqlite.Store
	clock    *testClock
	refresh  *refreshRecorder
	ops      *operatorRecorder
	verifier *fakeVerifier
	src      map[string]store.Source
	run      map[string]store.Run
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type refreshRecorder struct {
	mu        sync.Mutex
	providers []string
}

func (r *refreshRecorder) RefreshProvider(_ context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.providers = append(r.providers, id)
	return nil
}

func (r *refreshRecorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.providers...)
}

// fakeVerifier accepts the tokens published in it (domain → token).
type fakeVerifier struct {
	mu        sync.Mutex
	published map[string]string
}

func (f *fakeVerifier) VerifyDomain(_ context.Context, domain, token string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.published[domain] == token {
		return "dns-txt", nil
	}
	return "", errors.New("no TXT record at _qlink-verify." + domain)
}

func (f *fakeVerifier) publish(domain, token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.published[domain] = token
}

func newAccountsFixture(t *testing.T, tls bool, verifier DomainVerifier) *accountsFixture {
	t.Helper()
	return newAccountsFixtureWith(t, tls, verifier, nil)
}

// newAccountsFixtureWith is newAccountsFixture with setup, when not nil,
// run on the server before it serves: tests replace its parts there.
func newAccountsFixtureWith(t *testing.T, tls bool, verifier DomainVerifier, setup func(*Server)) *accountsFixture {
	t.Helper()
	ctx := context.Background()
	f := &accountsFixture{st: openTestStore(t), clock: &testClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		refresh: &refreshRecorder{}, ops: newOperatorRecorder(), src: map[string]store.Source{}, run: map[string]store.Run{}}
	blobs, err := blob.NewDir(t.TempDir())
	must(t, err)
	must(t, f.st.UpsertProviders(ctx, []model.Provider{
		{ID: "A", SCHAC: "a.test", Website: "https://www.uni-a.test/", Name: model.Text{"en": "University A"}},
		{ID: "B", SCHAC: "b.test", Name: model.Text{"en": "University B"}},
	}))
	for _, id := range []string{"A", "B"} {
		srcs, err := f.st.SyncManifest(ctx, store.Manifest{ProviderID: id, URL: "x", FetchedAt: f.clock.Now(), Body: []byte(id)},
			[]store.Source{{Key: "k", Type: "ooapi", URL: "https://api." + strings.ToLower(id) + ".test/"}})
		must(t, err)
		f.src[id] = srcs[0]
		run, err := f.st.StartRun(ctx, srcs[0].ID, "schedule", "", f.clock.Now())
		must(t, err)
		key, err := blobs.Put(ctx, []byte(`{"items":["secret of `+id+`"]}`))
		must(t, err)
		must(t, f.st.AddRunPages(ctx, []store.RunPage{{RunID: run.ID, Seq: 1, URL: "https://api.x.test/", Status: 200,
			ContentType: "application/json", Blob: key, FetchedAt: f.clock.Now()}}))
		run.Status, run.FinishedAt = store.RunOK, f.clock.Now()
		must(t, f.st.FinishRun(ctx, run))
		f.run[id] = run
	}
	hash, err := password.Hash(opsPassword, cheapHash)
	must(t, err)
	must(t, f.st.CreateAccount(ctx, store.Account{Name: "ops", PasswordHash: hash, CreatedAt: f.clock.Now()}))
	if verifier == nil {
		f.verifier = &fakeVerifier{published: map[string]string{}}
		verifier = f.verifier
	}
	srv, err := New(Options{Store: f.st, Index: openTestIndex(t), Now: f.clock.Now,
		Accounts: AccountOptions{Verifier: verifier, Refresher: f.refresh, Snapshots: blobs, HashParams: cheapHash},
		Admin:    f.ops.options()})
	must(t, err)
	if setup != nil {
		setup(srv)
	}
	f.srv = srv
	if tls {
		f.ts = httptest.NewTLSServer(srv.Handler())
	} else {
		f.ts = httptest.NewServer(srv.Handler())
	}
	t.Cleanup(f.ts.Close)
	return f
}

// browser keeps cookies by hand: net/http/cookiejar sends no Secure
// cookie over plain HTTP, which browsers do for loopback.
type browser struct {
	t       *testing.T
	f       *accountsFixture
	cookies map[string]string
}

func (f *accountsFixture) browser(t *testing.T) *browser {
	return &browser{t: t, f: f, cookies: map[string]string{}}
}

// do sends a request without following redirects; form, when not nil, is
// the urlencoded body.
func (b *browser) do(method, path string, form url.Values, header ...string) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.f.ts.URL+path, body)
	must(b.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	client := *b.f.ts.Client() // a copy: browsers may send at once
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	must(b.t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return resp, string(data)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf loads a page and returns its forms' token.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	_, body := b.do("GET", path, nil)
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no csrf field on %s", path)
	}
	return m[1]
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf("/admin/login"))
	}
	return b.do("POST", path, form)
}

func (b *browser) login(name, pw string) (*http.Response, string) {
	b.t.Helper()
	return b.post("/admin/login", url.Values{"name": {name}, "password": {pw}})
}

func (f *accountsFixture) audit(t *testing.T, action string) []store.AuditEntry {
	t.Helper()
	entries, err := f.st.ListAudit(context.Background(), store.AuditFilter{Action: action})
	must(t, err)
	return entries
}

func TestLoginAndLogoutOverPlainHTTP(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b := f.browser(t)
	resp, _ := b.do("GET", "/admin/login", nil)
	checkCookie(t, resp, "qlink_csrf")
	// A session cookie planted before sign-in is worth nothing after it.
	b.cookies["qlink_session"] = "planted"
	resp, _ = b.login("ops", opsPassword)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d, want 303", resp.StatusCode)
	}
	c := checkCookie(t, resp, "qlink_session")
	if c.Value == "planted" || c.MaxAge != int(defaultSessionTTL.Seconds()) {
		t.Errorf("session cookie %+v: not rotated or wrong lifetime", c)
	}
	if _, err := f.st.Session(context.Background(), hashToken(c.Value)); err != nil {
		t.Errorf("the session is not stored by its token's hash: %v", err)
	}
	_, body := b.do("GET", "/admin/login", nil)
	if !strings.Contains(body, "You are signed in as ops.") || !strings.Contains(body, "Signed in as ops") {
		t.Errorf("signed-in state not shown:\n%s", body)
	}
	token := csrfInput.FindStringSubmatch(body)[1]
	resp, _ = b.do("POST", "/admin/logout", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	if _, err := f.st.Session(context.Background(), hashToken(c.Value)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session still stored after sign-out: %v", err)
	}
	if _, ok := b.cookies["qlink_session"]; ok {
		t.Error("session cookie not cleared")
	}
	if n := len(f.audit(t, "login")); n != 1 {
		t.Errorf("%d login entries in the audit log, want 1", n)
	}
	if e := f.audit(t, "logout"); len(e) != 1 || e[0].Actor != "ops" || e[0].ActorKind != "admin" {
		t.Errorf("logout audit = %+v", e)
	}
}

// checkCookie finds a cookie set by resp and checks the attributes every
// qlink cookie has.
func checkCookie(t *testing.T, resp *http.Response, name string) *http.Cookie {
	t.Helper()
	cookies := resp.Cookies()
	for i := len(cookies) - 1; i >= 0; i-- { // the last one set wins
		if c := cookies[i]; c.Name == name {
			if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
				t.Errorf("cookie %s: %q lacks Secure, HttpOnly, SameSite=Lax or Path=/, or names a Domain", name, resp.Header.Values("Set-Cookie"))
			}
			return c
		}
	}
	t.Fatalf("no cookie %s in %q", name, resp.Header.Values("Set-Cookie"))
	return nil
}

func TestLoginOverTLSUsesHostPrefix(t *testing.T) {
	f := newAccountsFixture(t, true, nil)
	b := f.browser(t)
	resp, _ := b.do("GET", "/admin/login", nil)
	checkCookie(t, resp, "__Host-qlink_csrf")
	resp, _ = b.login("ops", opsPassword)
	checkCookie(t, resp, "__Host-qlink_session")
	if _, body := b.do("GET", "/admin/login", nil); !strings.Contains(body, "You are signed in as ops.") {
		t.Error("not signed in over TLS")
	}
}

func TestWrongPasswordAndUnknownNameGetTheSameAnswer(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b := f.browser(t)
	wrong, wrongBody := b.login("ops", "not the password at all")
	unknown, unknownBody := b.login("nobody", "not the password at all")
	if wrong.StatusCode != http.StatusOK || unknown.StatusCode != http.StatusOK {
		t.Fatalf("statuses %d, %d; want 200 with the form again", wrong.StatusCode, unknown.StatusCode)
	}
	msg := regexp.MustCompile(`id="login-error">([^<]+)<`)
	m1, m2 := msg.FindStringSubmatch(wrongBody), msg.FindStringSubmatch(unknownBody)
	if m1 == nil || m2 == nil || m1[1] != m2[1] {
		t.Errorf("answers differ: %q vs %q", m1, m2)
	}
	entries := f.audit(t, "login.failed")
	if len(entries) != 2 || entries[0].Target != "" || entries[1].Target != "ops" {
		t.Errorf("failed sign-ins in the audit log: %+v (an unknown name is not recorded)", entries)
	}
}

func TestLockoutAfterRepeatedFailures(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b := f.browser(t)
	for range defaultMaxFailures {
		b.login("ops", "not the password at all")
	}
	if resp, _ := b.login("ops", opsPassword); resp.StatusCode != http.StatusOK {
		t.Fatalf("the right password on a locked account: %d, want 200 with the form again", resp.StatusCode)
	}
	a, err := f.st.Account(context.Background(), "ops")
	must(t, err)
	if !a.Locked(f.clock.Now()) {
		t.Fatalf("account not locked after %d failures: %+v", defaultMaxFailures, a)
	}
	f.clock.Add(defaultLockout)
	if resp, _ := b.login("ops", opsPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the right password after the lockout: %d, want 303", resp.StatusCode)
	}
	if a, _ := f.st.Account(context.Background(), "ops"); a.FailedAttempts != 0 {
		t.Errorf("failures not cleared by a sign-in: %d", a.FailedAttempts)
	}
}

// TestKnownDeviceSignsInThroughALockout: a stranger's wrong passwords
// lock the account for strangers only; the browser the operator signed in
// from before still signs in, until its own failures use up its share, and
// a new password forgets it.
func TestKnownDeviceSignsInThroughALockout(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	ops := f.browser(t)
	if resp, _ := ops.login("ops", opsPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-in: %d", resp.StatusCode)
	}
	if ops.cookies[deviceCookie] == "" {
		t.Fatal("no device cookie after signing in")
	}
	ops.post("/admin/logout", nil)
	stranger := f.browser(t)
	for range defaultMaxFailures {
		stranger.login("ops", "not the password at all")
	}
	if resp, _ := stranger.login("ops", opsPassword); resp.StatusCode != http.StatusOK {
		t.Fatalf("a stranger with the right password on a locked account: %d, want 200 with the form again", resp.StatusCode)
	}
	if resp, _ := ops.login("ops", opsPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the known device during the lockout: %d, want 303", resp.StatusCode)
	}

	// A cookie of another account, or tampered with, is a stranger's.
	for _, forged := range []string{
		strings.Replace(ops.cookies[deviceCookie], base64.RawURLEncoding.EncodeToString([]byte("ops")), base64.RawURLEncoding.EncodeToString([]byte("other")), 1),
		ops.cookies[deviceCookie] + "x", "", "..", strings.Repeat("a.", 400),
	} {
		b := f.browser(t)
		b.cookies[deviceCookie] = forged
		if resp, _ := b.login("ops", opsPassword); resp.StatusCode != http.StatusOK {
			t.Errorf("device cookie %.40q during the lockout: %d, want 200", forged, resp.StatusCode)
		}
	}

	// The known device's own failures: after MaxFailures it is a stranger.
	ops.post("/admin/logout", nil)
	for range defaultMaxFailures {
		ops.login("ops", "not the password either")
	}
	if resp, _ := ops.login("ops", opsPassword); resp.StatusCode != http.StatusOK {
		t.Fatalf("the known device after its own %d failures, account locked: %d, want 200", defaultMaxFailures, resp.StatusCode)
	}
	if !slices.ContainsFunc(f.audit(t, "login.failed"), func(e store.AuditEntry) bool {
		return bytes.Contains(e.Details, []byte(`"device":"known"`))
	}) {
		t.Error("a known device's failure is not recorded as such")
	}
	f.clock.Add(defaultLockout)

	// A new password forgets the device.
	device := ops.cookies[deviceCookie]
	hash, err := password.Hash("another long passphrase", cheapHash)
	must(t, err)
	must(t, f.st.SetPassword(context.Background(), "ops", hash))
	for range defaultMaxFailures {
		stranger.login("ops", "not the password at all")
	}
	b := f.browser(t)
	b.cookies[deviceCookie] = device
	if resp, _ := b.login("ops", "another long passphrase"); resp.StatusCode != http.StatusOK {
		t.Fatalf("a device known before the new password, during a lockout: %d, want 200", resp.StatusCode)
	}
}

func TestFailuresPerAddressAreLimited(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b := f.browser(t)
	for i := range defaultMaxFailuresPerIP {
		if resp, _ := b.login("guess"+string(rune('a'+i)), "not the password at all"); resp.StatusCode != http.StatusOK {
			t.Fatalf("failure %d: %d", i, resp.StatusCode)
		}
	}
	if resp, _ := b.login("ops", opsPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after %d failures from one address: %d, want 429", defaultMaxFailuresPerIP, resp.StatusCode)
	}
	f.clock.Add(defaultLockout)
	if resp, _ := b.login("ops", opsPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the window: %d, want 303", resp.StatusCode)
	}
}

func TestSessionsExpire(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	signedIn := func(b *browser) bool {
		_, body := b.do("GET", "/admin/login", nil)
		return strings.Contains(body, "You are signed in as ops.")
	}
	idle := f.browser(t)
	idle.login("ops", opsPassword)
	f.clock.Add(defaultSessionIdle - time.Minute)
	if !signedIn(idle) {
		t.Fatal("signed out before the idle timeout")
	}
	f.clock.Add(defaultSessionIdle)
	if signedIn(idle) {
		t.Fatal("still signed in after an idle hour")
	}
	busy := f.browser(t)
	busy.login("ops", opsPassword)
	for elapsed := time.Duration(0); elapsed < defaultSessionTTL-time.Hour; elapsed += 30 * time.Minute {
		f.clock.Add(30 * time.Minute)
		if !signedIn(busy) {
			t.Fatalf("an active session ended after %v", elapsed)
		}
	}
	f.clock.Add(time.Hour)
	if signedIn(busy) {
		t.Fatal("an active session outlived its lifetime")
	}
}

func TestLoginRedirectsOnlyWithinTheSite(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	// Browsers drop tabs and newlines from a Location and read a
	// backslash as a slash: each of the hostile ones would lead off site.
	for next, want := range map[string]string{"/dashboard/A": "/dashboard/A", "/dashboard/A?x=1#top": "/dashboard/A?x=1#top",
		"//evil.test/": "/admin", "https://evil.test/": "/admin", "/\\evil.test/": "/admin", "/\t/evil.test/": "/admin",
		"/\n/evil.test": "/admin", "/\r\n/evil.test": "/admin", "\t//evil.test": "/admin", "/%09/evil.test": "/%09/evil.test",
		"/x\\..\\/evil.test": "/admin", "/\x7f/evil.test": "/admin"} {
		b := f.browser(t)
		resp, _ := b.post("/admin/login", url.Values{"name": {"ops"}, "password": {opsPassword}, "next": {next}})
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("next=%s: redirected to %q, want %q", next, got, want)
		}
	}
}

// signInProvider claims a provider's domain through the claim pages, the
// token published in the fake verifier, and returns the signed-in browser.
func (f *accountsFixture) signInProvider(t *testing.T, providerID, domain string) *browser {
	t.Helper()
	b := f.browser(t)
	tok := b.csrf("/institutions/" + providerID + "/claim")
	resp, body := b.do("POST", "/institutions/"+providerID+"/claim", url.Values{"csrf": {tok}, "domain": {domain}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("asking for a token: %d\n%s", resp.StatusCode, body)
	}
	challenge := resp.Header.Get("Location")
	_, body = b.do("GET", challenge, nil)
	m := regexp.MustCompile(`id="claim-token">([^<]+)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no token on %s:\n%s", challenge, body)
	}
	f.verifier.publish(domain, m[1])
	resp, body = b.do("POST", challenge+"/verify", url.Values{"csrf": {csrfInput.FindStringSubmatch(body)[1]}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard/"+providerID {
		t.Fatalf("verifying: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return b
}

func TestRequireAdmin(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	srv, err := New(Options{Store: f.st, Index: openTestIndex(t), Now: f.clock.Now, Accounts: AccountOptions{HashParams: cheapHash}})
	must(t, err)
	mux := http.NewServeMux()
	srv.accountRoutes(mux)
	mux.HandleFunc("GET /admin/secret", srv.requireAdmin(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("for operators"))
	}))
	srv.opts.Accounts.Verifier = f.verifier
	g := *f
	g.ts = httptest.NewServer(srv.withAuth(mux))
	t.Cleanup(g.ts.Close)
	f = &g
	anon := f.browser(t)
	if resp, _ := anon.do("GET", "/admin/secret", nil); resp.StatusCode != http.StatusSeeOther ||
		resp.Header.Get("Location") != "/admin/login?next=%2Fadmin%2Fsecret" {
		t.Errorf("anonymous: %d %s, want 303 to the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
	admin := f.browser(t)
	admin.login("ops", opsPassword)
	if resp, body := admin.do("GET", "/admin/secret", nil); resp.StatusCode != 200 || body != "for operators" {
		t.Errorf("operator: %d %q", resp.StatusCode, body)
	}
	// A provider's session is no operator's.
	provider := f.signInProvider(t, "A", "a.test")
	if resp, _ := provider.do("GET", "/admin/secret", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("provider: %d, want 403", resp.StatusCode)
	}
}

func TestLoginPageWarnsWhereCookiesAreDropped(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b := f.browser(t)
	if _, body := b.do("GET", "/admin/login", nil); strings.Contains(body, "login-insecure") {
		t.Error("a warning on loopback, where browsers keep Secure cookies")
	}
	req, _ := http.NewRequest("GET", f.ts.URL+"/admin/login", nil)
	req.Host = "catalogue.example.org"
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "login-insecure") {
		t.Error("no warning over plain HTTP at a public name")
	}
}
