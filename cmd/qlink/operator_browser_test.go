package main

import (
	"context"
	"testing"
	"time"

	"qlink/internal/store"
	"qlink/internal/web/password"
)

// TestBrowserOperator drives the operator's pages on the demo: sign in,
// registry import, pausing a source, key rotation, the queue and the audit
// log (testdata/browser/operator.mjs).
func TestBrowserOperator(t *testing.T) {
	chromium := requireBrowser(t)
	d := startDemo(t)
	const name, pw = "operator", "correct horse battery staple"
	hash, err := password.Hash(pw, password.Params{Time: 1, Memory: 8 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	err = d.app.store.CreateAccount(context.Background(), store.Account{Name: name, PasswordHash: hash, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	runJourney(t, chromium, "operator.mjs", d.srv.URL+"/", name, pw)
}
