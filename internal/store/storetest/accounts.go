package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"qlink/internal/store"
)

// accountTests are the contract of store.Accounts.
var accountTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"operator accounts and lockout", testAccountLockout},
	{"sessions", testSessions},
	{"domain challenges belong to their provider", testChallenges},
	{"paused sources", testPausedSources},
	{"audit log", testAuditLog},
}

func testAccounts(t *testing.T, s store.Store) {
	for _, tc := range accountTests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, s) })
	}
}

func testAccountLockout(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.CreateAccount(ctx, store.Account{Name: "ops", PasswordHash: "h1", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAccount(ctx, store.Account{Name: "ops", PasswordHash: "h2", CreatedAt: t0}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("second account named ops: err = %v, want ErrExists", err)
	}
	for i := 1; i <= 2; i++ {
		a, err := s.LoginFailed(ctx, "ops", t0, 3, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if a.FailedAttempts != i || a.Locked(t0) {
			t.Fatalf("after %d failures: attempts %d, locked %v", i, a.FailedAttempts, a.Locked(t0))
		}
	}
	a, err := s.LoginFailed(ctx, "ops", t0, 3, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Locked(t0.Add(59*time.Minute)) || a.Locked(t0.Add(time.Hour)) {
		t.Fatalf("the third failure locks until %v, want %v", a.LockedUntil, t0.Add(time.Hour))
	}
	if err := s.Unlock(ctx, "ops"); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Account(ctx, "ops"); a.Locked(t0) || a.FailedAttempts != 0 {
		t.Fatalf("unlocked account: %+v", a)
	}
	if _, err := s.LoginFailed(ctx, "nobody", t0, 3, time.Hour); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("failure of an unknown account: err = %v, want ErrNotFound", err)
	}
	if err := s.Unlock(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unlock of an unknown account: err = %v, want ErrNotFound", err)
	}
	mustSession(t, s, store.Session{TokenHash: "t-ops", Kind: store.SessionAdmin, Subject: "ops"})
	if err := s.SetPassword(ctx, "ops", "h3"); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Account(ctx, "ops"); a.PasswordHash != "h3" {
		t.Errorf("hash after reset = %q, want h3", a.PasswordHash)
	}
	if _, err := s.Session(ctx, "t-ops"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a new password leaves the operator's session: err = %v", err)
	}
	accounts, err := s.ListAccounts(ctx)
	if err != nil || len(accounts) != 1 || accounts[0].Name != "ops" {
		t.Errorf("ListAccounts = %+v, %v", accounts, err)
	}
}

func mustSession(t *testing.T, s store.Store, ss store.Session) {
	t.Helper()
	ss.CreatedAt, ss.LastSeenAt, ss.ExpiresAt = t0, t0, t0.Add(time.Hour)
	if err := s.CreateSession(context.Background(), ss); err != nil {
		t.Fatal(err)
	}
}

func testSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustSession(t, s, store.Session{TokenHash: "p1", Kind: store.SessionProvider, Subject: "a.test", ProviderID: "a"})
	got, err := s.Session(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != store.SessionProvider || got.ProviderID != "a" || got.Subject != "a.test" || !got.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("session = %+v", got)
	}
	if err := s.TouchSession(ctx, "p1", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Session(ctx, "p1"); !got.LastSeenAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("last seen = %v after touch", got.LastSeenAt)
	}
	if n, err := s.DeleteExpiredSessions(ctx, t0.Add(2*time.Hour)); err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	mustSession(t, s, store.Session{TokenHash: "p2", Kind: store.SessionProvider, Subject: "a.test", ProviderID: "a"})
	if err := s.DeleteSession(ctx, "p2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "p2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted session: err = %v, want ErrNotFound", err)
	}
}

func testChallenges(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a", "b")
	id, err := s.AddChallenge(ctx, store.Challenge{ProviderID: "a", Domain: "a.test", Token: "tok", RequesterHash: "rh", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Challenge(ctx, "b", id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another provider's challenge: err = %v, want ErrNotFound", err)
	}
	if err := s.ChallengeVerified(ctx, id, "dns-txt", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	c, err := s.Challenge(ctx, "a", id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Domain != "a.test" || c.Token != "tok" || c.RequesterHash != "rh" || c.Method != "dns-txt" || !c.VerifiedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("challenge = %+v", c)
	}
}

func testPausedSources(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProviders(t, s, "a")
	src := mustSource(t, s, "a", "k")
	if src.Paused {
		t.Fatal("a new source is paused")
	}
	if err := s.SetSourcePaused(ctx, src.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Source(ctx, src.ID); !got.Paused {
		t.Error("source not paused after SetSourcePaused(true)")
	}
	if err := s.SetSourcePaused(ctx, src.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Source(ctx, src.ID); got.Paused {
		t.Error("source still paused after SetSourcePaused(false)")
	}
	if err := s.SetSourcePaused(ctx, "missing", true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("pausing a missing source: err = %v, want ErrNotFound", err)
	}
}

func testAuditLog(t *testing.T, s store.Store) {
	ctx := context.Background()
	entries := []store.AuditEntry{
		{At: t0, ActorKind: "admin", Actor: "ops", Action: "login"},
		{At: t0.Add(time.Minute), ActorKind: "provider", Actor: "a", Action: "source.pause", Target: "src1", Details: []byte(`{"paused":true}`)},
	}
	for _, e := range entries {
		if err := s.AddAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.ListAudit(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Action != "source.pause" || string(all[0].Details) != `{"paused":true}` || string(all[1].Details) != "{}" {
		t.Fatalf("audit log = %+v", all)
	}
	mine, err := s.ListAudit(ctx, store.AuditFilter{Actor: "ops", Limit: 10})
	if err != nil || len(mine) != 1 || mine[0].Action != "login" || !mine[0].At.Equal(t0) {
		t.Errorf("audit of ops = %+v, %v", mine, err)
	}
}
