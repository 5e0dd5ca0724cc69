package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"qlink/internal/schedule"
	"qlink/internal/web"
)

// csrfKeyFile holds the key CSRF tokens are signed with, in the keys
// directory, so that forms stay valid across restarts and every server
// process sharing the directory accepts the others' tokens.
const csrfKeyFile = "csrf.key"

// accountSettings are the settings of the commands that serve pages.
var accountSettings = []string{"session-ttl", "session-idle", "login-max-failures", "login-lockout"}

// accountOptions wires sign-in, provider claims and the dashboard.
func (a *app) accountOptions() (web.AccountOptions, error) {
	key, err := loadOrCreateKey(filepath.Join(a.cfg.KeyDir(), csrfKeyFile))
	if err != nil {
		return web.AccountOptions{}, err
	}
	ac := a.cfg.Accounts
	return web.AccountOptions{CSRFKey: key, Verifier: a.discoverer, Snapshots: a.blobs,
		Refresher:  queueRefresher{backend: queueBackend(a.cfg, a.store)},
		SessionTTL: ac.SessionTTL, SessionIdle: ac.SessionIdle, MaxFailures: ac.MaxFailures, Lockout: ac.Lockout}, nil
}

// loadOrCreateKey reads a 32-byte key file, creating it (mode 0600) when
// missing.
func loadOrCreateKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err == nil && len(key) == 32 {
		return key, nil
	}
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("key file %s: %v; delete it to have a new one made", path, errOr(err, "not 32 bytes"))
	}
	key = make([]byte, 32)
	rand.Read(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadOrCreateKey(path) // another process made it first
	}
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return key, f.Close()
}

func errOr(err error, msg string) any {
	if err != nil {
		return err
	}
	return msg
}

// queueRefresher hands a provider's extra refresh to the job queue that
// the serving process works. It opens the queue for each request: they
// are rare (a provider's click), and a read-only node then needs none.
type queueRefresher struct{ backend schedule.Backend }

func (q queueRefresher) RefreshProvider(ctx context.Context, providerID string) error {
	queue, err := schedule.OpenQueue(ctx, q.backend)
	if err != nil {
		return err
	}
	defer queue.Close()
	_, err = queue.RefreshProvider(ctx, providerID)
	return err
}
