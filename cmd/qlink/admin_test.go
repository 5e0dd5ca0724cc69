package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"qlink/internal/config"
	"qlink/internal/store"
	"qlink/internal/store/sqlite"
	"qlink/internal/web/password"
)

func openInstanceStore(t *testing.T, dir string) *sqlite.Store {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = dir
	st, err := sqlite.Open(cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestAdminCommands(t *testing.T) {
	dir := newInstance(t)
	const pw = "tram lantern cobalt river"
	for _, tc := range []struct{ stdin, reason string }{
		{"short\n", "at least 12"},
		{"alice-alice-alice\n", "account name"},
	} {
		out, err := run(t, tc.stdin, "admin", "create", "alice", "--password-stdin", "--data-dir", dir)
		if err == nil || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("create with %q: %v\n%s; want a refusal naming %q", tc.stdin, err, out, tc.reason)
		}
	}
	if out, err := run(t, pw+"\n", "admin", "create", "alice", "--password-stdin", "--data-dir", dir); err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	if _, err := run(t, pw+"\n", "admin", "create", "alice", "--password-stdin", "--data-dir", dir); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second create: %v", err)
	}
	if _, err := run(t, "", "admin", "create", "alice2", "--data-dir", dir); err == nil || !strings.Contains(err.Error(), "--password-stdin") {
		t.Errorf("create without a terminal: %v, want a hint at --password-stdin", err)
	}
	if _, err := run(t, pw+"\n", "admin", "create", "bad name!", "--password-stdin", "--data-dir", dir); err == nil {
		t.Error("a name with a space and ! was accepted")
	}
	st := openInstanceStore(t, dir)
	ctx := context.Background()
	a, err := st.Account(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.PasswordHash, "$argon2id$v=19$m=65536,t=3,p=4$") {
		t.Errorf("stored hash %q is not argon2id with the default parameters", a.PasswordHash)
	}
	if ok, _ := password.Verify(pw, a.PasswordHash); !ok {
		t.Error("the stored hash does not verify the password")
	}
	// Lock the account, see it in the list, unlock it.
	for range 5 {
		if _, err := st.LoginFailed(ctx, "alice", time.Now(), 5, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	out, err := run(t, "", "admin", "list", "--data-dir", dir)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); err != nil || len(lines) != 2 || !strings.HasPrefix(lines[1], "alice") ||
		strings.HasSuffix(lines[1], "-") {
		t.Errorf("list of a locked account: %v\n%s", err, out)
	}
	if out, err := run(t, "", "admin", "unlock", "alice", "--data-dir", dir); err != nil {
		t.Fatalf("unlock: %v\n%s", err, out)
	}
	if a, _ := st.Account(ctx, "alice"); a.Locked(time.Now()) {
		t.Error("still locked after qlink admin unlock")
	}
	const newPW = "harbour violet seventeen kites"
	if out, err := run(t, newPW+"\n", "admin", "reset-password", "alice", "--password-stdin", "--data-dir", dir); err != nil {
		t.Fatalf("reset-password: %v\n%s", err, out)
	}
	a, _ = st.Account(ctx, "alice")
	if ok, _ := password.Verify(newPW, a.PasswordHash); !ok {
		t.Error("the new password does not verify")
	}
	if _, err := run(t, "", "admin", "unlock", "nobody", "--data-dir", dir); err == nil {
		t.Error("unlocking an unknown account succeeded")
	}
	entries, err := st.ListAudit(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if e.ActorKind == "cli" && e.Target == "alice" {
			actions = append(actions, e.Action)
		}
	}
	if strings.Join(actions, " ") != "account.reset-password account.unlock account.create" {
		t.Errorf("audit log of the commands: %v", actions)
	}
}
