package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"qlink/internal/store"
)

// operatorRecorder stands in for what cmd/qlink wires into the operator's
// pages: the job queue, the credential store and key rotation.
type operatorRecorder struct {
	mu       sync.Mutex
	jobs     []Job
	retried  []int64
	imports  int
	syncs    int
	secrets  map[string]string // endpoint → secret as handed over
	rotation []string          // overlap and only of each rotation
}

func newOperatorRecorder() *operatorRecorder {
	return &operatorRecorder{secrets: map[string]string{}, jobs: []Job{
		{ID: 7, Kind: "qlink_refresh_source", State: "retryable", Attempt: 2, MaxAttempts: 5,
			Args: `{"source_id":"s1"}`, Errors: []string{"HTTP 503 from api.a.test"}, CreatedAt: time.Now()},
	}}
}

func (o *operatorRecorder) options() AdminOptions {
	return AdminOptions{Jobs: o, RegistryURL: "https://registry.example/providers/",
		SetCredentials: func(_ context.Context, providerID, endpoint, clientID, secret string) error {
			o.mu.Lock()
			defer o.mu.Unlock()
			o.secrets[providerID+" "+endpoint+" "+clientID] = secret
			return nil
		},
		RotateKeys: func(_ context.Context, overlap time.Duration, only string) ([]string, error) {
			o.mu.Lock()
			defer o.mu.Unlock()
			o.rotation = append(o.rotation, overlap.String()+" "+only)
			return []string{"new-key"}, nil
		}}
}

func (o *operatorRecorder) Jobs(_ context.Context, state string, limit int) ([]Job, error) {
	var out []Job
	for _, j := range o.jobs {
		if j.State == state {
			out = append(out, j)
		}
	}
	return out, nil
}

func (o *operatorRecorder) CountJobs(context.Context) (map[string]int, error) {
	out := map[string]int{}
	for _, j := range o.jobs {
		out[j.State]++
	}
	return out, nil
}

func (o *operatorRecorder) RetryJob(_ context.Context, id int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, j := range o.jobs {
		if j.ID == id {
			o.retried = append(o.retried, id)
			return nil
		}
	}
	return errors.New("no such job")
}

func (o *operatorRecorder) SyncIndex(context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.syncs++
	return nil
}

func (o *operatorRecorder) ImportRegistry(context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.imports++
	return nil
}

func signedInOperator(t *testing.T, f *accountsFixture) (*browser, string) {
	t.Helper()
	b := f.browser(t)
	if resp, body := b.login("ops", opsPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d\n%s", resp.StatusCode, body)
	}
	return b, b.csrf("/admin")
}

// Page numbers far past the last page list nothing, or the first page;
// none is an error.
func TestAdminPagesTakeAnyPageNumber(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b, _ := signedInOperator(t, f)
	for _, path := range []string{"/admin/providers", "/admin/audit"} {
		for _, page := range []string{"2", "10001", "9223372036854775807", "-9223372036854775808", "x"} {
			if resp, body := b.do("GET", path+"?page="+page, nil); resp.StatusCode != http.StatusOK {
				t.Errorf("%s?page=%s: %d\n%.300s", path, page, resp.StatusCode, body)
			}
		}
	}
}

func TestAdminPagesNeedAnOperator(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	for _, path := range []string{"/admin", "/admin/providers", "/admin/providers/A", "/admin/keys", "/admin/jobs", "/admin/audit", "/admin/alliances"} {
		resp, _ := f.browser(t).do("GET", path, nil)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login?next=") {
			t.Errorf("GET %s without a session: %d %s, want a redirect to sign in", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	provider := f.signInProvider(t, "A", "a.test")
	if resp, _ := provider.do("GET", "/admin/providers/A", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a provider's session on the operator's pages: %d, want 403", resp.StatusCode)
	}
}

func TestOperatorBlocksPausesAndAllows(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	ctx := context.Background()
	b, tok := signedInOperator(t, f)
	resp, body := b.do("GET", "/admin", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "registry.example") {
		t.Fatalf("overview: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := b.do("POST", "/admin/providers/A/block", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a block without a reason: %d, want 400", resp.StatusCode)
	}
	resp, _ = b.do("POST", "/admin/providers/A/block", url.Values{"csrf": {tok}, "reason": {"serves <script>alert(1)</script>"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("block: %d", resp.StatusCode)
	}
	blk, err := f.st.ProviderBlock(ctx, "A")
	if err != nil || blk.By != "ops" {
		t.Fatalf("block stored as %+v, %v", blk, err)
	}
	_, body = b.do("GET", "/admin/providers/A?done=block", nil)
	if !strings.Contains(body, "no longer discovered nor harvested") || strings.Contains(body, "<script>alert(1)") {
		t.Errorf("provider page after the block lacks the confirmation or shows the reason unescaped")
	}
	if e := f.audit(t, "provider.block"); len(e) != 1 || e[0].Actor != "ops" || e[0].Target != "A" {
		t.Errorf("audit of the block: %+v", e)
	}
	b.do("POST", "/admin/providers/A/sources/"+f.src["A"].ID+"/pause", url.Values{"csrf": {tok}})
	if src, _ := f.st.Source(ctx, f.src["A"].ID); !src.Paused {
		t.Error("the source was not paused")
	}
	// Another provider's source under this provider's path is not found.
	if resp, _ := b.do("POST", "/admin/providers/A/sources/"+f.src["B"].ID+"/pause", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("B's source under A: %d, want 404", resp.StatusCode)
	}
	b.do("POST", "/admin/providers/A/sources/"+f.src["A"].ID+"/resume", url.Values{"csrf": {tok}})
	b.do("POST", "/admin/providers/A/allow", url.Values{"csrf": {tok}})
	if _, err := f.st.ProviderBlock(ctx, "A"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after allow: %v", err)
	}
	if src, _ := f.st.Source(ctx, f.src["A"].ID); src.Paused {
		t.Error("the source was not resumed")
	}
	if resp, _ := b.do("GET", "/admin/providers/nope", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown provider: %d", resp.StatusCode)
	}
}

func TestOperatorStoresOAuthClientsWithoutShowingSecrets(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b, tok := signedInOperator(t, f)
	form := url.Values{"csrf": {tok}, "token_endpoint": {"http://auth.a.test/token"}, "client_id": {"qlink"}, "client_secret": {"s3cret"}}
	if resp, _ := b.do("POST", "/admin/providers/A/credentials", form); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an http token endpoint: %d, want 400", resp.StatusCode)
	}
	form.Set("token_endpoint", "https://auth.a.test/token")
	if resp, _ := b.do("POST", "/admin/providers/A/credentials", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("storing a client: %d", resp.StatusCode)
	}
	if got := f.ops.secrets["A https://auth.a.test/token qlink"]; got != "s3cret" {
		t.Errorf("the secret handed to the credential store: %q", got)
	}
	e := f.audit(t, "credentials.set")
	if len(e) != 1 || strings.Contains(string(e[0].Details), "s3cret") {
		t.Errorf("audit of the credentials: %+v", e)
	}
	// What the page lists comes from the store; the secret is never on it.
	f.st.SetOAuthClient(context.Background(), store.OAuthClient{ProviderID: "A", TokenEndpoint: "https://auth.a.test/token",
		ClientID: "qlink", SecretEncrypted: "ENCRYPTED", UpdatedAt: time.Now()})
	_, body := b.do("GET", "/admin/providers/A", nil)
	if !strings.Contains(body, "https://auth.a.test/token") || strings.Contains(body, "ENCRYPTED") || strings.Contains(body, "s3cret") {
		t.Errorf("provider page shows a secret or lacks the client")
	}
	b.do("POST", "/admin/providers/A/credentials/delete", url.Values{"csrf": {tok}, "token_endpoint": {"https://auth.a.test/token"}})
	if cs, _ := f.st.ListOAuthClients(context.Background(), "A"); len(cs) != 0 {
		t.Errorf("client not deleted: %+v", cs)
	}
	if resp, _ := b.do("POST", "/admin/providers/A/credentials/delete", url.Values{"csrf": {tok}, "token_endpoint": {"https://x"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleting an unknown client: %d", resp.StatusCode)
	}
}

func TestOperatorRotatesKeysAndRetriesJobs(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b, tok := signedInOperator(t, f)
	for _, bad := range []url.Values{{"overlap": {"soon"}}, {"overlap": {"-1h"}}, {"overlap": {"9000h"}}, {"overlap": {"1h"}, "only": {"everything"}}} {
		bad.Set("csrf", tok)
		if resp, _ := b.do("POST", "/admin/keys/rotate", bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("rotate with %v: %d, want 400", bad, resp.StatusCode)
		}
	}
	if resp, _ := b.do("POST", "/admin/keys/rotate", url.Values{"csrf": {tok}, "overlap": {"48h"}, "only": {"secrets"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rotate: %d", resp.StatusCode)
	}
	if len(f.ops.rotation) != 1 || f.ops.rotation[0] != "48h0m0s secrets" {
		t.Errorf("rotations: %v", f.ops.rotation)
	}
	if e := f.audit(t, "keys.rotate"); len(e) != 1 || e[0].Target != "new-key" {
		t.Errorf("audit of the rotation: %+v", e)
	}
	_, body := b.do("GET", "/admin/jobs?state=retryable", nil)
	if !strings.Contains(body, "HTTP 503 from api.a.test") || !strings.Contains(body, "/admin/jobs/7/retry") {
		t.Errorf("jobs page lacks the failing job or its retry button")
	}
	if resp, _ := b.do("GET", "/admin/jobs?state=<x>", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown state: %d", resp.StatusCode)
	}
	b.do("POST", "/admin/jobs/7/retry", url.Values{"csrf": {tok}})
	for _, id := range []string{"8", "x", "-1", strings.Repeat("9", 30)} {
		if resp, _ := b.do("POST", "/admin/jobs/"+id+"/retry", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("retry job %s: %d, want 404", id, resp.StatusCode)
		}
	}
	if len(f.ops.retried) != 1 || f.ops.retried[0] != 7 {
		t.Errorf("retried: %v", f.ops.retried)
	}
	b.do("POST", "/admin/registry/import", url.Values{"csrf": {tok}})
	if f.ops.imports != 1 {
		t.Errorf("imports: %d", f.ops.imports)
	}
	_, body = b.do("GET", "/admin/audit", nil)
	for _, action := range []string{"keys.rotate", "job.retry", "registry.import"} {
		if !strings.Contains(body, action) {
			t.Errorf("audit page lacks %s", action)
		}
	}
}
